import type { DayNumber } from '../../src/calendar/workingCalendar.ts';
import type { LegRole } from '../../src/domain/invoiceLeg.ts';
import type { DisruptionType, Severity } from '../../src/domain/signal.ts';
import { DEFAULT_DETECTOR_CONFIG, ringSizeFor } from './detectorConfig.ts';
import { InvoiceDayIndex } from './invoiceDayIndex.ts';
import type { LegIdSet } from './legIdSet.ts';
import { stringHash52 } from './stringHash52.ts';
import type { LinkHistory } from './linkHistory.ts';
import { LinkTimers } from './linkTimers.ts';
import { RING_FIELDS, SLIDING_SUMS, type DayTotals } from './dayRing.ts';

/** UPSTREAM: the partner supplies the enterprise; DOWNSTREAM: the partner buys from it. */
export type LinkDirection = 'UPSTREAM' | 'DOWNSTREAM';

/**
 * Name and district of a party as of its latest leg by event time (ties broken
 * by legRank of the leg_id), so the result does not depend on arrival order.
 */
export interface PartyProfile {
  name: string;
  districtCode: string;
  asOfMs: number;
  /** legRank(leg_id) of that leg: a small integer, where the leg_id string cost ~80 bytes a profile. */
  legRank: number;
}

/**
 * The tie-break of two legs of the same instant: a 31-bit FNV-1a hash of the
 * leg_id, kept as a small integer (no heap number). Any fixed total order on
 * leg ids makes the profile independent of arrival order; two different leg
 * ids of the same millisecond hashing alike (~1 in 2^31) would let the first
 * to arrive name the party.
 */
export function legRank(legId: string): number {
  return legRankOfHash(stringHash52(legId));
}

/** legRank from the leg id's stringHash52, whose high 32 bits are the same FNV-1a pass: applyLeg hashes a leg id once. */
export function legRankOfHash(hash: number): number {
  return Math.floor(hash / 0x100000) >>> 1;
}

/** What a regular partner looked like when it last invoiced: the facts a broken-link alert quotes. */
export interface LinkRegularity {
  /** Median gap between its invoice days, in working days. */
  usualGapDays: number;
  /** Its share of the enterprise's gross purchases (UPSTREAM) or sales (DOWNSTREAM) over the baseline window. */
  share: number;
  /** Distinct working days it invoiced on in the baseline window. */
  invoiceDays: number;
  /** Gross fen it invoiced in the baseline window. */
  baselineFen: number;
}

/** One partner in one direction. Only ISSUED legs count: a voided invoice is not a sign of life. */
export interface PartnerLink {
  direction: LinkDirection;
  partnerTaxId: string;
  /**
   * linkKey(direction, partnerTaxId), the very string the link is filed under (interned when the partition shares
   * strings): a new open day of a known partner takes it, and the partner's strings, instead of looking fresh
   * copies up in the interner, which cost detect ~7 % of its thread (docs/performance.md, "Session 22").
   */
  key: string;
  partner: PartyProfile;
  /** Working ordinals (ascending) it invoiced on within the last baselineDays closed working days, and gross fen of each. */
  history: LinkHistory;
  lastOrdinal: number;
  /** The working day of lastOrdinal. */
  lastDay: DayNumber;
  /** Set while the partner counts as regular. */
  regularity: LinkRegularity | null;
  /** Working ordinal on whose close silence makes the link broken; null for non-regular partners. */
  deadlineOrdinal: number | null;
  /** Ordinal at which this link is scheduled in EnterpriseState.timers (earliest pending), or null. */
  timerOrdinal: number | null;
}

/** Issued flow on a link during a day that is not closed yet. */
export interface OpenDayLink {
  direction: LinkDirection;
  partnerTaxId: string;
  partner: PartyProfile;
  grossFen: number;
}

/** A voided or red-letter seller leg of a day that is not closed yet, kept until close to tell a reissue from a cancellation. */
export interface OpenDayCorrection {
  partnerTaxId: string;
  /** |amount| of the correction, fen. */
  fen: number;
  /** The invoice it cancels (null when the feed did not say). */
  originalInvoiceNo: string | null;
  /** Event time of the correction (epoch ms). */
  issuedAtMs: number;
}

/**
 * A voided or red-letter leg (either role) of a day that is not closed yet, kept until close so its amount can be
 * netted against the day the corrected invoice was issued (see moveCorrectionsToOriginals in enterpriseDetector.ts).
 */
export interface OpenDayFlowCorrection {
  role: 'SELLER' | 'BUYER';
  originalInvoiceNo: string;
  /** The leg's signed amount (negative: it shrinks the flow), fen. */
  amountFen: number;
}

/**
 * Everything applied for one working ordinal that is not closed yet. Its
 * correction totals count every voided and red-letter seller leg of the day,
 * reissued or not (enterprise_daily reports these).
 */
export interface OpenDay extends DayTotals {
  /** Dedup memory: leg_ids applied to this ordinal, forgotten once it closes (later copies are late). */
  legIds: LegIdSet;
  /** The same corrections one by one; closeDay nets out the reissued ones (see cancelledCorrections.ts). */
  corrections: OpenDayCorrection[];
  /** The day's issued sales, ISSUED_SALE_FIELDS numbers each (see cancelledCorrections.ts), to tell reissues. */
  issuedSales: number[];
  links: Map<string, OpenDayLink>;
  /** Voided and red-letter legs naming the invoice they correct, both roles. */
  flowCorrections: OpenDayFlowCorrection[];
}

/** The reference an open signal was measured against, frozen at open time (for hysteresis and explanations). */
export type FrozenReference =
  | { kind: 'flow'; baselineFen: number; historyDays: number }
  | { kind: 'silence'; activeDays: number; baseDays: number }
  | { kind: 'link'; regularity: LinkRegularity }
  | { kind: 'void'; normShare: number; normCountShare: number };

export interface OpenSignal {
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

/** Where an enterprise stands in working days: plain numbers, which a snapshot stores as they are. */
export interface EnterpriseDayMarks {
  lastClosedDay: DayNumber | null;
  lastClosedOrdinal: number | null;
  /** Earliest day of any applied leg, where the first closeDay starts catching up from. */
  firstLegDay: DayNumber | null;
  /** First working ordinal of the current active spell (reset after ringSize idle working days). */
  firstActiveOrdinal: number | null;
  lastActiveOrdinal: number | null;
  /** Last working ordinal / day the firm issued a sales invoice. */
  lastIssueOrdinal: number | null;
  lastIssueDay: DayNumber | null;
}

/** A copy of the marks alone, so a snapshot and its restore carry the same seven fields. */
export function copyDayMarks(m: EnterpriseDayMarks): EnterpriseDayMarks {
  return {
    lastClosedDay: m.lastClosedDay,
    lastClosedOrdinal: m.lastClosedOrdinal,
    firstLegDay: m.firstLegDay,
    firstActiveOrdinal: m.firstActiveOrdinal,
    lastActiveOrdinal: m.lastActiveOrdinal,
    lastIssueOrdinal: m.lastIssueOrdinal,
    lastIssueDay: m.lastIssueDay,
  };
}

/**
 * Detector state of one enterprise, keyed by its tax ID (not its district, so
 * a firm that migrates its registration keeps its history).
 */
export interface EnterpriseState extends EnterpriseDayMarks {
  taxId: string;
  profile: PartyProfile;
  /** Slots per ring (see dayRing.ts); fixed by the config the state was built with. */
  ringSize: number;
  /** RING_FIELDS rings of ringSize per-working-day figures. */
  days: Float64Array;
  /** SLIDING_SUMS running sums (see dayRing.ts SlidingSum). */
  sums: Float64Array;
  openDays: Map<number, OpenDay>;
  /** Keyed by linkKey(direction, partnerTaxId). */
  links: Map<string, PartnerLink>;
  /** Timer wheel: link keys to look at when a working ordinal closes (stale entries are skipped). */
  timers: LinkTimers;
  /** Smallest ordinal in `timers`, or null when empty: closeDay only looks at the wheel when it is due. */
  nextTimerOrdinal: number | null;
  /** Keyed by openSignalKey(type, partnerTaxId): at most one open signal per (type, partner). */
  openSignals: Map<string, OpenSignal>;
  /**
   * Counting working ordinal of the firm's issued invoices (either role), so a later void or red-letter
   * invoice nets out the flow on the day the corrected invoice was issued. Days older than the ring are
   * ignored on lookup and pruned as days close.
   */
  issuedInvoices: InvoiceDayIndex;
}

/** The direction of the link a leg of `role` touches: a seller's partner buys from it. */
export function linkDirectionOf(role: LegRole): LinkDirection {
  return role === 'SELLER' ? 'DOWNSTREAM' : 'UPSTREAM';
}

export function linkKey(direction: LinkDirection, partnerTaxId: string): string {
  return `${direction}|${partnerTaxId}`;
}

/** The key of the link a leg of `role` with `partner_tax_id` touches. */
export function legLinkKey(leg: { role: LegRole; partner_tax_id: string }): string {
  return linkKey(linkDirectionOf(leg.role), leg.partner_tax_id);
}

/** Keys of the firm-level signals, built once: closeDay looks them up for every enterprise every day. */
const FIRM_LEVEL_KEYS: Readonly<Record<DisruptionType, string>> = {
  SALES_DROP: 'SALES_DROP|',
  PURCHASE_DROP: 'PURCHASE_DROP|',
  SILENCE: 'SILENCE|',
  UPSTREAM_BROKEN: 'UPSTREAM_BROKEN|',
  DOWNSTREAM_BROKEN: 'DOWNSTREAM_BROKEN|',
  VOID_SPIKE: 'VOID_SPIKE|',
};

export function openSignalKey(type: DisruptionType, partnerTaxId: string | null): string {
  return partnerTaxId === null ? FIRM_LEVEL_KEYS[type] : `${type}|${partnerTaxId}`;
}

/** The open signal of (type, partner), if any; O(1) and allocation-free for a firm with no open signal. */
export function findOpenSignal(state: EnterpriseState, type: DisruptionType, partnerTaxId: string | null): OpenSignal | undefined {
  if (state.openSignals.size === 0) return undefined;
  return state.openSignals.get(openSignalKey(type, partnerTaxId));
}

/** A fresh state. Its rings are sized for the default config; closeDay resizes a state that never closed a day. */
export function createEnterpriseState(taxId: string, name: string, districtCode: string, ringSize = ringSizeFor(DEFAULT_DETECTOR_CONFIG)): EnterpriseState {
  return {
    taxId,
    profile: { name, districtCode, asOfMs: Number.MIN_SAFE_INTEGER, legRank: -1 },
    ringSize,
    days: new Float64Array(RING_FIELDS * ringSize),
    sums: new Float64Array(SLIDING_SUMS),
    lastClosedDay: null,
    lastClosedOrdinal: null,
    firstLegDay: null,
    firstActiveOrdinal: null,
    lastActiveOrdinal: null,
    lastIssueOrdinal: null,
    lastIssueDay: null,
    openDays: new Map(),
    links: new Map(),
    timers: new LinkTimers(),
    nextTimerOrdinal: null,
    openSignals: new Map(),
    issuedInvoices: new InvoiceDayIndex(),
  };
}

/** True when `(asOfMs, rank)` is newer than the profile, i.e. the leg's view of the party should win. */
export function isNewerProfile(profile: PartyProfile, asOfMs: number, rank: number): boolean {
  return asOfMs > profile.asOfMs || (asOfMs === profile.asOfMs && rank > profile.legRank);
}

/** Who the enterprise is right now, as explanations name it. */
export function enterpriseLabel(state: EnterpriseState): { taxId: string; name: string; districtCode: string } {
  return { taxId: state.taxId, name: state.profile.name, districtCode: state.profile.districtCode };
}
