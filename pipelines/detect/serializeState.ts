import type { DayNumber } from '../../src/calendar/workingCalendar.ts';
import { SIGNAL_TYPES } from '../../src/domain/signal.ts';
import { PoisonRecordError } from '../../src/runtime/errors.ts';
import { RING_FIELDS, SLIDING_SUMS, copyDayTotals, type DayTotals } from './dayRing.ts';
import { refreshNextTimer } from './linkBreak.ts';
import { ISSUED_SALE_FIELDS, pushIssuedSale } from './cancelledCorrections.ts';
import { InvoiceDayIndex, type SerializedInvoiceDays } from './invoiceDayIndex.ts';
import { LegIdSet } from './legIdSet.ts';
import { LinkHistory } from './linkHistory.ts';
import { LinkTimers } from './linkTimers.ts';
import { stringHash52 } from './stringHash52.ts';
import type { StringInterner } from './stringInterner.ts';
import {
  copyDayMarks,
  legRank,
  linkKey,
  openSignalKey,
  type EnterpriseDayMarks,
  type EnterpriseState,
  type FrozenReference,
  type LinkDirection,
  type LinkRegularity,
  type OpenDay,
  type OpenDayCorrection,
  type OpenDayFlowCorrection,
  type OpenDayLink,
  type OpenSignal,
  type PartnerLink,
  type PartyProfile,
} from './enterpriseState.ts';

/**
 * JSON-safe snapshot of an EnterpriseState (taken with committed offsets).
 * Collections are sorted so equal states give equal snapshots. The timer
 * wheel is not stored: it is rebuilt from each link's timerOrdinal, which is
 * all it encodes (stale wheel entries are skipped anyway).
 *
 * Version 2 names a profile's tie-break by `legRank` (PartyProfile); version 1
 * (written before) by `legId`, which the reader ranks the same way. Both load.
 */
export interface SerializedEnterpriseState extends EnterpriseDayMarks {
  version: 1 | 2;
  taxId: string;
  profile: SerializedProfile;
  ringSize: number;
  days: number[];
  sums: number[];
  openDays: SerializedOpenDay[];
  links: SerializedLink[];
  openSignals: SerializedOpenSignal[];
  /** [working ordinal, invoiceKey of each invoice], oldest first (InvoiceDayIndex); version 2. */
  issuedInvoiceKeys?: SerializedInvoiceDays;
  /** [working ordinal, 52-bit invoiceNoHash of each invoice]: version 1; read, never written. */
  issuedInvoiceDays?: SerializedInvoiceDays;
  /** [invoice number, working ordinal]: snapshots written before the index was hashed; read, never written. */
  issuedInvoices?: [string, number][];
}

export interface SerializedOpenDay extends DayTotals {
  ordinal: number;
  /** stringHash52 of each leg id applied, ascending (LegIdSet). */
  legHashes?: number[];
  /** The leg ids themselves: snapshots written before they were hashed; read, never written. */
  legIds?: string[];
  corrections: OpenDayCorrection[];
  /** OpenDay.issuedSales, the sales in ascending order of their four numbers. */
  issuedSales?: number[];
  /** [`buyer|fen`, sales] sorted by key: snapshots written before issuedSales; read, never written. */
  issuedOut?: [string, Array<{ invoiceNo: string; issuedAtMs: number }>][];
  links: SerializedOpenDayLink[];
  flowCorrections?: OpenDayFlowCorrection[];
}

/** A PartyProfile as stored: version 2 carries legRank, version 1 the leg_id it is computed from. */
export interface SerializedProfile {
  name: string;
  districtCode: string;
  asOfMs: number;
  legRank?: number;
  legId?: string;
}

export interface SerializedOpenDayLink {
  direction: LinkDirection;
  partnerTaxId: string;
  partner: SerializedProfile;
  grossFen: number;
}

/** A PartnerLink with its history as two arrays (the shape of both versions). */
export interface SerializedLink {
  direction: LinkDirection;
  partnerTaxId: string;
  partner: SerializedProfile;
  /** Working ordinals (ascending) the partner invoiced on in the baseline window. */
  invoiceOrdinals: number[];
  /** Gross fen of each of those days. */
  invoiceFen: number[];
  lastOrdinal: number;
  lastDay: DayNumber;
  regularity: LinkRegularity | null;
  deadlineOrdinal: number | null;
  timerOrdinal: number | null;
}

export type SerializedOpenSignal = Omit<OpenSignal, 'partner'> & { partner: SerializedProfile | null };

/**
 * A typed array's values as a plain array. `Array.from(typed)` goes through the iterator protocol, one result
 * object per value: with 7 rings of a base row that was ~11 % of everything detect allocated (sampling heap
 * profile of a bench slice), all of it garbage by the next statement.
 */
function plainArray(values: Float64Array): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]!;
  return out;
}

function byKey<T>(entries: Iterable<[string | number, T]>): T[] {
  return [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, v]) => v);
}

function copyProfile(p: PartyProfile): PartyProfile {
  return { name: p.name, districtCode: p.districtCode, asOfMs: p.asOfMs, legRank: p.legRank };
}

/** Interns a restored string when the runtime shares party strings (see StringInterner). */
function shared(s: string, strings: StringInterner | undefined): string {
  return strings === undefined ? s : strings.intern(s);
}

function readProfile(p: SerializedProfile, strings: StringInterner | undefined): PartyProfile {
  const rank = typeof p.legRank === 'number' ? p.legRank : legRank(p.legId ?? '');
  return { name: shared(p.name, strings), districtCode: shared(p.districtCode, strings), asOfMs: p.asOfMs, legRank: rank };
}

function copyRegularity(r: LinkRegularity | null): LinkRegularity | null {
  return r === null ? null : { usualGapDays: r.usualGapDays, share: r.share, invoiceDays: r.invoiceDays, baselineFen: r.baselineFen };
}

function copyReference(r: FrozenReference): FrozenReference {
  switch (r.kind) {
    case 'flow':
      return { kind: 'flow', baselineFen: r.baselineFen, historyDays: r.historyDays };
    case 'silence':
      return { kind: 'silence', activeDays: r.activeDays, baseDays: r.baseDays };
    case 'link': {
      const regularity = copyRegularity(r.regularity);
      if (regularity === null) throw new RangeError('link reference without regularity');
      return { kind: 'link', regularity };
    }
    case 'void':
      return { kind: 'void', normShare: r.normShare, normCountShare: r.normCountShare };
  }
}

function writeLink(l: PartnerLink): SerializedLink {
  return {
    direction: l.direction,
    partnerTaxId: l.partnerTaxId,
    partner: copyProfile(l.partner),
    invoiceOrdinals: l.history.ordinals(),
    invoiceFen: l.history.fen(),
    lastOrdinal: l.lastOrdinal,
    lastDay: l.lastDay,
    regularity: copyRegularity(l.regularity),
    deadlineOrdinal: l.deadlineOrdinal,
    timerOrdinal: l.timerOrdinal,
  };
}

function readLink(l: SerializedLink, key: string, strings: StringInterner | undefined): PartnerLink {
  return {
    direction: l.direction,
    partnerTaxId: shared(l.partnerTaxId, strings),
    key,
    partner: readProfile(l.partner, strings),
    history: LinkHistory.of(l.invoiceOrdinals, l.invoiceFen),
    lastOrdinal: l.lastOrdinal,
    lastDay: l.lastDay,
    regularity: copyRegularity(l.regularity),
    deadlineOrdinal: l.deadlineOrdinal,
    timerOrdinal: l.timerOrdinal,
  };
}

function writeOpenDayLink(l: OpenDayLink): SerializedOpenDayLink {
  return { direction: l.direction, partnerTaxId: l.partnerTaxId, partner: copyProfile(l.partner), grossFen: l.grossFen };
}

function readOpenDayLink(l: SerializedOpenDayLink, strings: StringInterner | undefined): OpenDayLink {
  return { direction: l.direction, partnerTaxId: shared(l.partnerTaxId, strings), partner: readProfile(l.partner, strings), grossFen: l.grossFen };
}

export function serializeState(state: EnterpriseState): SerializedEnterpriseState {
  return {
    version: 2,
    taxId: state.taxId,
    profile: copyProfile(state.profile),
    ringSize: state.ringSize,
    days: plainArray(state.days),
    sums: plainArray(state.sums),
    ...copyDayMarks(state),
    openDays: [...state.openDays.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([ordinal, d]) => ({
        ordinal,
        legHashes: d.legIds.hashes(),
        ...copyDayTotals(d),
        corrections: d.corrections.map((c) => ({ ...c })),
        issuedSales: sortedSales(d.issuedSales),
        links: byKey(d.links.entries()).map(writeOpenDayLink),
        flowCorrections: d.flowCorrections.map((c) => ({ ...c })),
      })),
    links: byKey(state.links.entries()).map(writeLink),
    openSignals: byKey(state.openSignals.entries()).map((s) => ({
      signalId: s.signalId,
      type: s.type,
      partnerTaxId: s.partnerTaxId,
      partner: s.partner === null ? null : copyProfile(s.partner),
      windowStart: s.windowStart,
      openedDay: s.openedDay,
      severity: s.severity,
      baselineFen: s.baselineFen,
      currentFen: s.currentFen,
      reference: copyReference(s.reference),
    })),
    // Canonical (oldest day first), so equal states still give equal snapshots.
    issuedInvoiceKeys: state.issuedInvoices.serialize(),
  };
}

/** The sales of OpenDay.issuedSales in ascending order of their four numbers: canonical, whatever the arrival order. */
function sortedSales(sales: readonly number[]): number[] {
  const starts: number[] = [];
  for (let i = 0; i < sales.length; i += ISSUED_SALE_FIELDS) starts.push(i);
  starts.sort((a, b) => {
    for (let k = 0; k < ISSUED_SALE_FIELDS; k++) if (sales[a + k] !== sales[b + k]) return sales[a + k]! - sales[b + k]!;
    return 0;
  });
  const out: number[] = [];
  for (const i of starts) for (let k = 0; k < ISSUED_SALE_FIELDS; k++) out.push(sales[i + k]!);
  return out;
}

function readLegIds(taxId: unknown, d: SerializedOpenDay): LegIdSet {
  const set = new LegIdSet();
  if (d.legHashes !== undefined) {
    if (!Array.isArray(d.legHashes) || !d.legHashes.every((h) => Number.isSafeInteger(h) && h >= 0)) throw bad(taxId, `open day ${d.ordinal} has malformed leg hashes`);
    for (const h of d.legHashes) set.addHash(h);
  }
  for (const legId of d.legIds ?? []) set.add(legId);
  return set;
}

function readIssuedSales(taxId: unknown, d: SerializedOpenDay): number[] {
  if (d.issuedSales !== undefined) {
    const sales = d.issuedSales;
    if (!Array.isArray(sales) || sales.length % ISSUED_SALE_FIELDS !== 0 || !sales.every((v) => Number.isSafeInteger(v))) throw bad(taxId, `open day ${d.ordinal} has malformed issued sales`);
    return [...sales];
  }
  const sales: number[] = [];
  for (const [key, issues] of d.issuedOut ?? []) {
    const bar = key.lastIndexOf('|');
    const buyer = key.slice(0, bar);
    const fen = Number(key.slice(bar + 1));
    for (const i of issues) pushIssuedSale(sales, buyer, fen, stringHash52(i.invoiceNo), i.issuedAtMs);
  }
  return sales;
}

function bad(taxId: unknown, what: string): PoisonRecordError {
  return new PoisonRecordError(`detector snapshot of ${String(taxId)}: ${what}`, { code: 'DETECTOR_SNAPSHOT', context: { enterprise: String(taxId) } });
}

/**
 * Rebuilds a state from serializeState's output (after a JSON round trip), of
 * this version or version 1; continuing from it gives exactly the signals of
 * an uninterrupted run. `strings` shares the party strings with the other
 * firms of the partition. Throws PoisonRecordError on a snapshot of another
 * version or shape.
 */
export function deserializeState(obj: unknown, strings?: StringInterner): EnterpriseState {
  const s = obj as SerializedEnterpriseState;
  if (typeof obj !== 'object' || obj === null || (s.version !== 1 && s.version !== 2)) throw bad(s?.taxId, 'unknown snapshot version');
  if (!Number.isInteger(s.ringSize) || s.ringSize < 1) throw bad(s.taxId, 'bad ring size');
  if (!Array.isArray(s.days) || s.days.length !== RING_FIELDS * s.ringSize) throw bad(s.taxId, 'ring length does not match its size');
  if (!Array.isArray(s.sums) || s.sums.length !== SLIDING_SUMS) throw bad(s.taxId, 'wrong number of sliding sums');
  for (const sig of s.openSignals) {
    const type: string = sig.type;
    if (!(SIGNAL_TYPES as readonly string[]).includes(type) || type === 'RECOVERED' || type === 'LINK_RESTORED') throw bad(s.taxId, `unknown signal type ${sig.type}`);
  }

  const openDays = new Map<number, OpenDay>();
  for (const d of s.openDays) {
    const links = new Map<string, OpenDayLink>();
    for (const l of d.links) links.set(shared(linkKey(l.direction, l.partnerTaxId), strings), readOpenDayLink(l, strings));
    openDays.set(d.ordinal, {
      legIds: readLegIds(s.taxId, d),
      ...copyDayTotals(d),
      // Snapshots written before reissues were told apart carry no itemised corrections; their days count none.
      corrections: (d.corrections ?? []).map((c) => ({ ...c })),
      issuedSales: readIssuedSales(s.taxId, d),
      links,
      flowCorrections: (d.flowCorrections ?? []).map((c) => ({ ...c })),
    });
  }
  const links = new Map<string, PartnerLink>();
  const timers = new LinkTimers();
  for (const l of s.links) {
    const key = shared(linkKey(l.direction, l.partnerTaxId), strings);
    links.set(key, readLink(l, key, strings));
    if (l.timerOrdinal !== null) timers.add(l.timerOrdinal, key);
  }
  const state: EnterpriseState = {
    taxId: s.taxId,
    profile: readProfile(s.profile, undefined),
    ringSize: s.ringSize,
    days: Float64Array.from(s.days),
    sums: Float64Array.from(s.sums),
    ...copyDayMarks(s),
    openDays,
    links,
    timers,
    nextTimerOrdinal: null,
    openSignals: new Map(),
    issuedInvoices: InvoiceDayIndex.restore(s.issuedInvoiceKeys, s.issuedInvoiceDays, s.issuedInvoices),
  };
  refreshNextTimer(state);
  for (const sig of s.openSignals) {
    state.openSignals.set(openSignalKey(sig.type, sig.partnerTaxId), {
      signalId: sig.signalId,
      type: sig.type,
      partnerTaxId: sig.partnerTaxId,
      partner: sig.partner === null ? null : readProfile(sig.partner, strings),
      windowStart: sig.windowStart,
      openedDay: sig.openedDay,
      severity: sig.severity,
      baselineFen: sig.baselineFen,
      currentFen: sig.currentFen,
      reference: copyReference(sig.reference),
    });
  }
  return state;
}
