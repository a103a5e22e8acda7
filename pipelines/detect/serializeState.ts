import type { DayNumber } from '../../src/calendar/workingCalendar.ts';
import { SIGNAL_TYPES, type DisruptionType, type Severity } from '../../src/domain/signal.ts';
import { PoisonRecordError } from '../../src/runtime/errors.ts';
import { RING_FIELDS, SLIDING_SUMS } from './dayRing.ts';
import { refreshNextTimer } from './linkBreak.ts';
import { InvoiceDayIndex, type SerializedInvoiceDays } from './invoiceDayIndex.ts';
import {
  linkKey,
  openSignalKey,
  type EnterpriseState,
  type FrozenReference,
  type LinkDirection,
  type LinkRegularity,
  type OpenDay,
  type OpenDayCorrection,
  type OpenDayFlowCorrection,
  type OpenDayIssue,
  type OpenDayLink,
  type PartnerLink,
  type PartyProfile,
} from './enterpriseState.ts';

/**
 * JSON-safe snapshot of an EnterpriseState (taken with committed offsets).
 * Collections are sorted so equal states give equal snapshots. The timer
 * wheel is not stored: it is rebuilt from each link's timerOrdinal, which is
 * all it encodes (stale wheel entries are skipped anyway).
 */
export interface SerializedEnterpriseState {
  version: 1;
  taxId: string;
  profile: PartyProfile;
  ringSize: number;
  days: number[];
  sums: number[];
  lastClosedDay: DayNumber | null;
  lastClosedOrdinal: number | null;
  firstLegDay: DayNumber | null;
  firstActiveOrdinal: number | null;
  lastActiveOrdinal: number | null;
  lastIssueOrdinal: number | null;
  lastIssueDay: DayNumber | null;
  openDays: SerializedOpenDay[];
  links: SerializedLink[];
  openSignals: SerializedOpenSignal[];
  /** [working ordinal, invoice number hashes], oldest first (InvoiceDayIndex). */
  issuedInvoiceDays?: SerializedInvoiceDays;
  /** [invoice number, working ordinal]: snapshots written before the index was hashed; read, never written. */
  issuedInvoices?: [string, number][];
}

export interface SerializedOpenDay {
  ordinal: number;
  legIds: string[];
  sales: number;
  purchases: number;
  grossOut: number;
  grossIn: number;
  correctionFen: number;
  correctionCount: number;
  corrections: OpenDayCorrection[];
  /** [reissueKey, invoice numbers] sorted by key. */
  issuedOut: [string, OpenDayIssue[]][];
  links: OpenDayLink[];
  flowCorrections?: OpenDayFlowCorrection[];
}

export type SerializedLink = PartnerLink;

export interface SerializedOpenSignal {
  signalId: string;
  type: DisruptionType;
  partnerTaxId: string | null;
  partner: PartyProfile | null;
  windowStart: DayNumber;
  openedDay: DayNumber;
  severity: Severity;
  baselineFen: number;
  currentFen: number;
  reference: FrozenReference;
}

function byKey<T>(entries: Iterable<[string | number, T]>): T[] {
  return [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, v]) => v);
}

function copyProfile(p: PartyProfile): PartyProfile {
  return { name: p.name, districtCode: p.districtCode, asOfMs: p.asOfMs, legId: p.legId };
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

function copyLink(l: PartnerLink): PartnerLink {
  return {
    direction: l.direction,
    partnerTaxId: l.partnerTaxId,
    partner: copyProfile(l.partner),
    invoiceOrdinals: [...l.invoiceOrdinals],
    invoiceFen: [...l.invoiceFen],
    lastOrdinal: l.lastOrdinal,
    lastDay: l.lastDay,
    regularity: copyRegularity(l.regularity),
    deadlineOrdinal: l.deadlineOrdinal,
    timerOrdinal: l.timerOrdinal,
  };
}

function copyOpenDayLink(l: OpenDayLink): OpenDayLink {
  return { direction: l.direction, partnerTaxId: l.partnerTaxId, partner: copyProfile(l.partner), grossFen: l.grossFen };
}

export function serializeState(state: EnterpriseState): SerializedEnterpriseState {
  return {
    version: 1,
    taxId: state.taxId,
    profile: copyProfile(state.profile),
    ringSize: state.ringSize,
    days: Array.from(state.days),
    sums: Array.from(state.sums),
    lastClosedDay: state.lastClosedDay,
    lastClosedOrdinal: state.lastClosedOrdinal,
    firstLegDay: state.firstLegDay,
    firstActiveOrdinal: state.firstActiveOrdinal,
    lastActiveOrdinal: state.lastActiveOrdinal,
    lastIssueOrdinal: state.lastIssueOrdinal,
    lastIssueDay: state.lastIssueDay,
    openDays: [...state.openDays.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([ordinal, d]) => ({
        ordinal,
        legIds: [...d.legIds].sort(),
        sales: d.sales,
        purchases: d.purchases,
        grossOut: d.grossOut,
        grossIn: d.grossIn,
        correctionFen: d.correctionFen,
        correctionCount: d.correctionCount,
        corrections: d.corrections.map((c) => ({ ...c })),
        issuedOut: [...d.issuedOut.entries()]
          .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
          .map(([k, issues]): [string, OpenDayIssue[]] => [k, issues.map((i) => ({ ...i }))]),
        links: byKey(d.links.entries()).map(copyOpenDayLink),
        flowCorrections: d.flowCorrections.map((c) => ({ ...c })),
      })),
    links: byKey(state.links.entries()).map(copyLink),
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
    issuedInvoiceDays: state.issuedInvoices.serialize(),
  };
}

function bad(taxId: unknown, what: string): PoisonRecordError {
  return new PoisonRecordError(`detector snapshot of ${String(taxId)}: ${what}`, { code: 'DETECTOR_SNAPSHOT', context: { enterprise: String(taxId) } });
}

/**
 * Rebuilds a state from serializeState's output (after a JSON round trip);
 * continuing from it gives exactly the signals of an uninterrupted run.
 * Throws PoisonRecordError on a snapshot of another version or shape.
 */
export function deserializeState(obj: unknown): EnterpriseState {
  const s = obj as SerializedEnterpriseState;
  if (typeof obj !== 'object' || obj === null || s.version !== 1) throw bad(s?.taxId, 'unknown snapshot version');
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
    for (const l of d.links) links.set(linkKey(l.direction, l.partnerTaxId), copyOpenDayLink(l));
    openDays.set(d.ordinal, {
      legIds: new Set(d.legIds),
      sales: d.sales,
      purchases: d.purchases,
      grossOut: d.grossOut,
      grossIn: d.grossIn,
      correctionFen: d.correctionFen,
      correctionCount: d.correctionCount,
      // Snapshots written before reissues were told apart carry no itemised corrections; their days count none.
      corrections: (d.corrections ?? []).map((c) => ({ ...c })),
      issuedOut: new Map((d.issuedOut ?? []).map(([k, issues]) => [k, issues.map((i) => ({ ...i }))])),
      links,
      flowCorrections: (d.flowCorrections ?? []).map((c) => ({ ...c })),
    });
  }
  const links = new Map<string, PartnerLink>();
  const timers = new Map<number, string[]>();
  for (const l of s.links) {
    const key = linkKey(l.direction as LinkDirection, l.partnerTaxId);
    links.set(key, copyLink(l));
    if (l.timerOrdinal !== null) {
      const bucket = timers.get(l.timerOrdinal);
      if (bucket === undefined) timers.set(l.timerOrdinal, [key]);
      else bucket.push(key);
    }
  }
  const state: EnterpriseState = {
    taxId: s.taxId,
    profile: copyProfile(s.profile),
    ringSize: s.ringSize,
    days: Float64Array.from(s.days),
    sums: Float64Array.from(s.sums),
    lastClosedDay: s.lastClosedDay,
    lastClosedOrdinal: s.lastClosedOrdinal,
    firstLegDay: s.firstLegDay,
    firstActiveOrdinal: s.firstActiveOrdinal,
    lastActiveOrdinal: s.lastActiveOrdinal,
    lastIssueOrdinal: s.lastIssueOrdinal,
    lastIssueDay: s.lastIssueDay,
    openDays,
    links,
    timers,
    nextTimerOrdinal: null,
    openSignals: new Map(),
    issuedInvoices: InvoiceDayIndex.restore(s.issuedInvoiceDays, s.issuedInvoices),
  };
  refreshNextTimer(state);
  for (const sig of s.openSignals) {
    state.openSignals.set(openSignalKey(sig.type, sig.partnerTaxId), {
      signalId: sig.signalId,
      type: sig.type,
      partnerTaxId: sig.partnerTaxId,
      partner: sig.partner === null ? null : copyProfile(sig.partner),
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
