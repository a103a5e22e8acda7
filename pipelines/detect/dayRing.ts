import type { DetectorConfig } from './detectorConfig.ts';

/**
 * Per-working-day figures of one enterprise, stored in one Float64Array as
 * `RING_FIELDS` rings of `ringSize` slots indexed by working ordinal mod
 * ringSize. Only closed working days are written, once each, in order, so a
 * slot always holds the figure of the latest closed ordinal that maps to it,
 * and ordinals before the firm was tracked read as zero.
 *
 * All figures are integer fen (or counts) held in doubles: sums stay exact
 * below 2^53, so the order legs arrive in can never change a result.
 */
export const DayField = {
  /** Netted output as seller (ISSUED + VOIDED + RED_LETTER). */
  SALES: 0,
  /** Netted input as buyer. */
  PURCHASES: 1,
  /** Gross output: ISSUED seller legs only. > 0 means the firm issued an invoice that day. */
  GROSS_OUT: 2,
  /** Gross input: ISSUED buyer legs only. */
  GROSS_IN: 3,
  /** |amount| of VOIDED and RED_LETTER seller legs. */
  CORRECTION_FEN: 4,
  /** Number of VOIDED and RED_LETTER seller legs (cancelled orders only: see cancelledCorrections.ts). */
  CORRECTION_COUNT: 5,
  /** Number of ISSUED seller legs (invoices issued). */
  ISSUED_COUNT: 6,
} as const;
export type DayField = (typeof DayField)[keyof typeof DayField];
export const RING_FIELDS = 7;

/**
 * Sliding sums kept up to date in O(1) per closed working day, so a healthy
 * firm costs a handful of additions per day (see slideSums). W = windowDays,
 * B = baselineDays, o = the last closed ordinal.
 */
export const SlidingSum = {
  /** Σ SALES over [o-W+1, o]: the current window. */
  SALES_CURRENT: 0,
  /** Σ SALES over [o-2W+1, o-W]: the newest rolling window inside the baseline. */
  SALES_NEWEST_BASELINE_WINDOW: 1,
  /** Σ SALES over [o-B-W, o-B-1]: the rolling window that just left the baseline. */
  SALES_LEFT_BASELINE_WINDOW: 2,
  /** Σ max(0, rolling W-sum ending at k) for k in [o-B, o-W]: bounds the baseline median from above. */
  SALES_BASELINE_POSITIVE_TOTAL: 3,
  PURCHASES_CURRENT: 4,
  PURCHASES_NEWEST_BASELINE_WINDOW: 5,
  PURCHASES_LEFT_BASELINE_WINDOW: 6,
  PURCHASES_BASELINE_POSITIVE_TOTAL: 7,
  /** Σ GROSS_OUT over the current window. */
  GROSS_OUT_CURRENT: 8,
  CORRECTION_FEN_CURRENT: 9,
  CORRECTION_COUNT_CURRENT: 10,
  /** Σ GROSS_OUT over the baseline [o-W-B+1, o-W]. */
  GROSS_OUT_BASELINE: 11,
  CORRECTION_FEN_BASELINE: 12,
  /** Σ GROSS_OUT / GROSS_IN over the last B working days [o-B+1, o]: a partner's share is measured against these. */
  GROSS_OUT_RECENT: 13,
  GROSS_IN_RECENT: 14,
  /** Σ ISSUED_COUNT over the current window and over the baseline [o-W-B+1, o-W]. */
  ISSUED_COUNT_CURRENT: 15,
  ISSUED_COUNT_BASELINE: 16,
  /** Σ CORRECTION_COUNT over the baseline. */
  CORRECTION_COUNT_BASELINE: 17,
} as const;
export type SlidingSum = (typeof SlidingSum)[keyof typeof SlidingSum];
export const SLIDING_SUMS = 18;

/**
 * A working day's flows, as an open day accumulates them leg by leg and a
 * snapshot stores them. Netted flows include voids and red letters; gross
 * flows count ISSUED legs only.
 */
export interface DayTotals {
  /** Netted output as seller. */
  sales: number;
  /** Netted input as buyer. */
  purchases: number;
  grossOut: number;
  grossIn: number;
  /** |amount| and number of VOIDED and RED_LETTER seller legs. */
  correctionFen: number;
  correctionCount: number;
}

/** The figures of one working day as they enter the ring: its corrections are the cancellations only (see cancelledCorrections.ts). */
export interface DayFigures extends DayTotals {
  issuedCount: number;
}

/** A copy of the totals alone, so a snapshot and its restore carry the same six fields. */
export function copyDayTotals(d: DayTotals): DayTotals {
  return { sales: d.sales, purchases: d.purchases, grossOut: d.grossOut, grossIn: d.grossIn, correctionFen: d.correctionFen, correctionCount: d.correctionCount };
}

export function slotOf(ringSize: number, ordinal: number): number {
  const m = ordinal % ringSize;
  return m < 0 ? m + ringSize : m;
}

/** Figure of `field` on working ordinal `ordinal`; only valid for the last ringSize closed ordinals. */
export function readDay(days: Float64Array, ringSize: number, field: DayField, ordinal: number): number {
  return days[field * ringSize + slotOf(ringSize, ordinal)] ?? 0;
}

/** Σ field over [from, to] (inclusive ordinals); O(to - from). */
export function sumDays(days: Float64Array, ringSize: number, field: DayField, from: number, to: number): number {
  let total = 0;
  for (let k = from; k <= to; k++) total += readDay(days, ringSize, field, k);
  return total;
}

/**
 * Writes the figures of the newly closed ordinal `o` (overwriting o - ringSize)
 * and slides every sum forward by one working day. Precondition: `o` is the
 * ordinal right after the previous closed one, and ringSize ≥ B + W + 2 so the
 * oldest figure a sum drops (o - B - W - 1) is still in the ring.
 *
 * Runs for every tracked enterprise on every working day, so it allocates
 * nothing and computes the seven ring slots it touches once: a window
 * [o-lag-len+1, o-lag] gains x(o-lag) and loses x(o-lag-len).
 */
export function pushDay(days: Float64Array, sums: Float64Array, ringSize: number, config: DetectorConfig, o: number, figures: DayFigures): void {
  const W = config.windowDays;
  const B = config.baselineDays;
  const now = slotOf(ringSize, o);
  const windowAgo = slotOf(ringSize, o - W);
  const twoWindowsAgo = slotOf(ringSize, o - 2 * W);
  const baselineAgo = slotOf(ringSize, o - B);
  const windowAndBaselineAgo = slotOf(ringSize, o - W - B);
  const leftNewest = slotOf(ringSize, o - B - 1);
  const leftOldest = slotOf(ringSize, o - B - W - 1);

  days[DayField.SALES * ringSize + now] = figures.sales;
  days[DayField.PURCHASES * ringSize + now] = figures.purchases;
  days[DayField.GROSS_OUT * ringSize + now] = figures.grossOut;
  days[DayField.GROSS_IN * ringSize + now] = figures.grossIn;
  days[DayField.CORRECTION_FEN * ringSize + now] = figures.correctionFen;
  days[DayField.CORRECTION_COUNT * ringSize + now] = figures.correctionCount;
  days[DayField.ISSUED_COUNT * ringSize + now] = figures.issuedCount;

  for (let flow = 0; flow < 2; flow++) {
    const base = (flow === 0 ? DayField.SALES : DayField.PURCHASES) * ringSize;
    const first = flow === 0 ? SlidingSum.SALES_CURRENT : SlidingSum.PURCHASES_CURRENT;
    // The four sums of a flow are consecutive: current, newest baseline window, window that left, positive total.
    const newest = (sums[first + 1] ?? 0) + (days[base + windowAgo] ?? 0) - (days[base + twoWindowsAgo] ?? 0);
    const left = (sums[first + 2] ?? 0) + (days[base + leftNewest] ?? 0) - (days[base + leftOldest] ?? 0);
    sums[first] = (sums[first] ?? 0) + (days[base + now] ?? 0) - (days[base + windowAgo] ?? 0);
    sums[first + 3] = (sums[first + 3] ?? 0) + Math.max(0, newest) - Math.max(0, left);
    sums[first + 1] = newest;
    sums[first + 2] = left;
  }
  const out = DayField.GROSS_OUT * ringSize;
  const fen = DayField.CORRECTION_FEN * ringSize;
  const count = DayField.CORRECTION_COUNT * ringSize;
  const inn = DayField.GROSS_IN * ringSize;
  sums[SlidingSum.GROSS_OUT_CURRENT] = (sums[SlidingSum.GROSS_OUT_CURRENT] ?? 0) + (days[out + now] ?? 0) - (days[out + windowAgo] ?? 0);
  sums[SlidingSum.CORRECTION_FEN_CURRENT] = (sums[SlidingSum.CORRECTION_FEN_CURRENT] ?? 0) + (days[fen + now] ?? 0) - (days[fen + windowAgo] ?? 0);
  sums[SlidingSum.CORRECTION_COUNT_CURRENT] = (sums[SlidingSum.CORRECTION_COUNT_CURRENT] ?? 0) + (days[count + now] ?? 0) - (days[count + windowAgo] ?? 0);
  sums[SlidingSum.GROSS_OUT_BASELINE] = (sums[SlidingSum.GROSS_OUT_BASELINE] ?? 0) + (days[out + windowAgo] ?? 0) - (days[out + windowAndBaselineAgo] ?? 0);
  sums[SlidingSum.CORRECTION_FEN_BASELINE] = (sums[SlidingSum.CORRECTION_FEN_BASELINE] ?? 0) + (days[fen + windowAgo] ?? 0) - (days[fen + windowAndBaselineAgo] ?? 0);
  sums[SlidingSum.GROSS_OUT_RECENT] = (sums[SlidingSum.GROSS_OUT_RECENT] ?? 0) + (days[out + now] ?? 0) - (days[out + baselineAgo] ?? 0);
  sums[SlidingSum.GROSS_IN_RECENT] = (sums[SlidingSum.GROSS_IN_RECENT] ?? 0) + (days[inn + now] ?? 0) - (days[inn + baselineAgo] ?? 0);
  const issued = DayField.ISSUED_COUNT * ringSize;
  sums[SlidingSum.ISSUED_COUNT_CURRENT] = (sums[SlidingSum.ISSUED_COUNT_CURRENT] ?? 0) + (days[issued + now] ?? 0) - (days[issued + windowAgo] ?? 0);
  sums[SlidingSum.ISSUED_COUNT_BASELINE] = (sums[SlidingSum.ISSUED_COUNT_BASELINE] ?? 0) + (days[issued + windowAgo] ?? 0) - (days[issued + windowAndBaselineAgo] ?? 0);
  sums[SlidingSum.CORRECTION_COUNT_BASELINE] = (sums[SlidingSum.CORRECTION_COUNT_BASELINE] ?? 0) + (days[count + windowAgo] ?? 0) - (days[count + windowAndBaselineAgo] ?? 0);
}

/**
 * Rebuilds the four sliding sums of SALES and PURCHASES from the ring after
 * earlier closed days were amended (a correction netted on the day of the
 * invoice it cancels), as if every amended figure had been pushed that way.
 * `o` is the last closed ordinal; needs ringSize ≥ B + W + 1. O(B × W),
 * only on days with such an amendment.
 */
export function recomputeFlowSums(days: Float64Array, sums: Float64Array, ringSize: number, config: DetectorConfig, o: number): void {
  const W = config.windowDays;
  const B = config.baselineDays;
  for (const [field, first] of [
    [DayField.SALES, SlidingSum.SALES_CURRENT],
    [DayField.PURCHASES, SlidingSum.PURCHASES_CURRENT],
  ] as const) {
    sums[first] = sumDays(days, ringSize, field, o - W + 1, o);
    sums[first + 1] = sumDays(days, ringSize, field, o - 2 * W + 1, o - W);
    sums[first + 2] = sumDays(days, ringSize, field, o - B - W, o - B - 1);
    let positive = 0;
    for (let k = o - B; k <= o - W; k++) positive += Math.max(0, sumDays(days, ringSize, field, k - W + 1, k));
    sums[first + 3] = positive;
  }
}

/** Adds `fen` to the figure of `field` on the closed ordinal `ordinal` (still in the ring); sums are left to recomputeFlowSums. */
export function amendDay(days: Float64Array, ringSize: number, field: DayField, ordinal: number, fen: number): void {
  const index = field * ringSize + slotOf(ringSize, ordinal);
  days[index] = (days[index] ?? 0) + fen;
}
