import type { DayNumber } from '../../src/calendar/workingCalendar.ts';
import { dayToIso } from '../../src/calendar/workingCalendar.ts';
import type { DisruptionSignal, Severity } from '../../src/domain/signal.ts';
import type { DetectorConfig } from './detectorConfig.ts';
import type { DetectorContext } from './detectorContext.ts';
import { readDay, sumDays, type DayField, type SlidingSum } from './dayRing.ts';
import { absentIrregularFen, cancelledBeatFen, takeoverBeatDays } from './dropPartners.ts';
import { largestCancellationFen } from './largestCancellation.ts';
import { enterpriseLabel, findOpenSignal, type EnterpriseState, type LinkDirection } from './enterpriseState.ts';
import { explainFlowDrop, explainFlowNewLevel, explainFlowRecovered, type Flow } from './explanation.ts';
import { medianOf } from './median.ts';
import { openSignal, resolveSignal } from './signalFactory.ts';

/** Which flow a drop detector watches: the seller side (SALES_DROP) or the buyer side (PURCHASE_DROP). */
export interface FlowSpec {
  type: 'SALES_DROP' | 'PURCHASE_DROP';
  flow: Flow;
  /** The partners whose flow it is: buyers (DOWNSTREAM) for sales, suppliers (UPSTREAM) for purchases. */
  direction: LinkDirection;
  field: DayField;
  /** The gross of the same side (ISSUED legs only): what `field` would be without voids and red-letter invoices. */
  grossField: DayField;
  current: SlidingSum;
  baselinePositiveTotal: SlidingSum;
  /**
   * Where the ring keeps this flow's cancelled corrections (fen per working day of the correction) and the
   * window's gross sum; null for a flow whose cancellations it does not keep (see largestCancellationFen).
   */
  cancelled: { field: DayField; grossCurrent: SlidingSum } | null;
}

/** Severity of a drop to `ratio` (current / baseline) of the baseline. */
export function dropSeverity(ratio: number, config: DetectorConfig): Severity {
  if (ratio < config.dropHighRatio) return 'HIGH';
  if (ratio < config.dropMediumRatio) return 'MEDIUM';
  return 'LOW';
}

/** Rolling window sums the baseline median is taken over, oldest first; reused between calls. */
let scratch = new Float64Array(64);

/**
 * The baseline of the window ending at working ordinal `o`: the median of the
 * rolling W-day sums that lie wholly inside the B working days before that
 * window and inside the firm's active spell, provided the firm's trading on
 * this side spans minHistoryDays of the baseline; else null. Leaves the
 * rolling sums in `scratch` (sorted). O(B log B).
 */
function baselineAt(state: EnterpriseState, spec: FlowSpec, o: number, config: DetectorConfig): number | null {
  const W = config.windowDays;
  const B = config.baselineDays;
  if (state.firstActiveOrdinal === null) return null;
  const baselineEnd = o - W;
  if (Math.min(B, baselineEnd - state.firstActiveOrdinal + 1) < config.minHistoryDays) return null;
  const oldestWindowEnd = Math.max(o - B, state.firstActiveOrdinal + W - 1);
  const windows = baselineEnd - oldestWindowEnd + 1;
  if (windows < 1) return null;
  // History means trading on this side: the first to the last day with this flow inside the baseline must
  // span minHistoryDays, so a firm that traded for a few weeks and paused is not judged on them.
  let spanStart = Math.max(baselineEnd - B + 1, state.firstActiveOrdinal);
  while (spanStart <= baselineEnd && readDay(state.days, state.ringSize, spec.field, spanStart) === 0) spanStart++;
  let spanEnd = baselineEnd;
  while (spanEnd > spanStart && readDay(state.days, state.ringSize, spec.field, spanEnd) === 0) spanEnd--;
  if (spanEnd - spanStart + 1 < config.minHistoryDays) return null;

  if (scratch.length < windows) scratch = new Float64Array(windows);
  // Windows ending after spanEnd (a pause at the end of the baseline) stay in: they can only lower the
  // median, which errs on the side of not alerting, and it keeps the O(1) bound in evaluateFlowDrop a valid filter.
  let rolling = sumDays(state.days, state.ringSize, spec.field, oldestWindowEnd - W + 1, oldestWindowEnd);
  scratch[0] = rolling;
  for (let i = 1; i < windows; i++) {
    const end = oldestWindowEnd + i;
    rolling += readDay(state.days, state.ringSize, spec.field, end) - readDay(state.days, state.ringSize, spec.field, end - W);
    scratch[i] = rolling;
  }
  const baselineFen = Math.floor(medianOf(scratch, windows));
  return baselineFen < config.minBaselineFen ? null : baselineFen;
}

/**
 * Working days a drop of this flow must hold before it opens: dropConfirmDays,
 * or for a lumpy flow the working days per "effective invoice day" of its
 * baseline — days / ((Σx)² / Σx²) over the daily figures x > 0 of the B days
 * before the current window (ten equal days give 1 per day; one big invoice a
 * week among small daily ones about 7) — capped at dropMaxConfirmDays. O(B),
 * only on the rare days a drop is about to open.
 */
export function confirmDaysFor(state: EnterpriseState, spec: FlowSpec, o: number, config: DetectorConfig): number {
  const W = config.windowDays;
  const baselineEnd = o - W;
  const first = Math.max(baselineEnd - config.baselineDays + 1, state.firstActiveOrdinal ?? baselineEnd + 1);
  let total = 0;
  let squares = 0;
  for (let k = first; k <= baselineEnd; k++) {
    const x = readDay(state.days, state.ringSize, spec.field, k);
    if (x <= 0) continue;
    total += x;
    squares += x * x;
  }
  if (squares <= 0) return config.dropConfirmDays;
  const days = baselineEnd - first + 1;
  const effectiveDays = (total * total) / squares;
  const spacing = Math.ceil(days / effectiveDays);
  const bulk = Math.ceil(days / daysHoldingHalf(state, spec, first, baselineEnd, total));
  return Math.min(config.dropMaxConfirmDays, Math.max(config.dropConfirmDays, spacing, bulk));
}

/** Daily figures of a baseline, largest first; reused between calls. */
let bulkScratch = new Float64Array(64);

/**
 * The fewest days of [first, last] whose figures add up to half the flow's
 * positive `total` there: how many invoice days carry the bulk of it.
 *
 * Why, on top of the effective-days measure of confirmDaysFor: that measure
 * weighs every day, so a flow with one dominant buyer invoicing weekly (70 %
 * of sales) among small daily sales reads as an invoice every 3 days, while
 * what its 10-day sum hangs on is the weekly invoice. One such invoice voided
 * (seed 7 at 600 firms), or two main buyers invoicing on the same day and then
 * not for a week, leaves a window at a third of the baseline for the 4 or 5
 * days until the next one is due: a dip of the beat, not a collapse. The days
 * that carry half the flow say how far apart the invoices that matter are.
 * O(B log B), only on the rare days a drop is about to open.
 */
function daysHoldingHalf(state: EnterpriseState, spec: FlowSpec, first: number, last: number, total: number): number {
  if (bulkScratch.length < last - first + 1) bulkScratch = new Float64Array(last - first + 1);
  let n = 0;
  for (let k = first; k <= last; k++) {
    const x = readDay(state.days, state.ringSize, spec.field, k);
    if (x > 0) bulkScratch[n++] = x;
  }
  const largestFirst = bulkScratch.subarray(0, n).sort().reverse();
  let held = 0;
  let count = 0;
  while (count < n && held < total / 2) held += largestFirst[count++] ?? 0;
  return Math.max(1, count);
}

/**
 * Whether the drop of the window ending at `o` (current / `baselineFen` already
 * below dropRatio) held over the `confirmDays` working days ending at `o`.
 *
 * An even flow (confirmDays = dropConfirmDays) must be below dropRatio on each
 * day. A lumpy flow collapsed to a third still gets an invoice now and then,
 * and each can lift a window of its longer confirmation just above the line
 * (seed 1234567 at 600 firms: a purchase drop to 26 % read 0.31, 0.37, 0.28,
 * 0.38, 0.44, 0.33, … of the baseline), so it may have one such day, provided
 * every window stayed under dropResolveRatio (the line an open drop must
 * regain to recover).
 *
 * A lumpy flow that trades on most days (dropSpanMinTradingShare of its
 * baseline) is judged on the span as a whole: more than half of its windows
 * below the line, their mean ratio below it too, and none above
 * dropSpanMaxRatio. Such a flow that fell to
 * 35–40 % hovers around the line as its big invoices fall in and out of the
 * window (seed 1618: 0.41, 0.43, 0.34, 0.34, 0.44, 0.42, 0.34 of the baseline
 * for a realised 0.37 of normal), a drop by DESIGN.md's rule though no 7 days
 * of it have fewer than four windows above the line. Each of its windows is
 * judged against the baseline as it stood at the span's first day, or its own
 * if higher: as the drop's own days enter a window's 60-day baseline they sink
 * the bar it must clear (seed 2020: ¥609k to ¥511k during a sales drop to
 * 0.32 of normal); a pending change is measured against the level before it.
 * Not so a flow invoiced on one day in five: its windows count its invoices,
 * a span with one invoice fewer than usual is chance, and the median of its
 * few-invoice windows jumps between levels (seeds 7 and 86420: a purchase flow
 * invoiced on 9–11 of 60 days read 0.29, 0.31, 0.62, 0.62, 0.62, 0.31, … with
 * no drop in the plan). And not a flow that ran clearly above the line for
 * the older half of the span and fell only in its newer days: that is a fresh
 * dip whose own confirmation has just begun, the deep newer days making up the
 * mean (seed 24680: 0.53, 0.52, 0.51, then 0.26–0.28 for four days after a
 * weekly invoice was cancelled; the next one came the day after). Hovering is
 * within a quarter of the line.
 *
 * Pure reads of the day ring (the span lies within dropMaxConfirmDays, which
 * ringSizeFor keeps); O(P · B log B), only on the rare days a drop is about to open.
 */
function confirmedOverSpan(state: EnterpriseState, spec: FlowSpec, o: number, baselineFen: number, confirmDays: number, config: DetectorConfig): boolean {
  const W = config.windowDays;
  const lumpy = confirmDays > config.dropConfirmDays;
  const asWhole = lumpy && tradingShare(state, spec, o, config) >= config.dropSpanMinTradingShare;
  const spanStartBaseline = asWhole ? (baselineAt(state, spec, o - (confirmDays - 1), config) ?? 0) : 0;
  let daysAbove = 0;
  let highestRatio = 0;
  let ratioSum = sumDays(state.days, state.ringSize, spec.field, o - W + 1, o) / Math.max(baselineFen, spanStartBaseline);
  for (let back = 1; back < confirmDays; back++) {
    const own = baselineAt(state, spec, o - back, config);
    if (own === null) return false;
    const reference = Math.max(own, spanStartBaseline);
    const windowFen = sumDays(state.days, state.ringSize, spec.field, o - back - W + 1, o - back);
    if (windowFen >= config.dropResolveRatio * reference) return false;
    if (windowFen >= config.dropRatio * reference) daysAbove++;
    ratioSum += windowFen / reference;
    highestRatio = Math.max(highestRatio, windowFen / reference);
  }
  if (!lumpy) return daysAbove === 0;
  if (daysAbove <= 1) return true;
  return asWhole && daysAbove < confirmDays / 2 && ratioSum / confirmDays < config.dropRatio && highestRatio < config.dropSpanMaxRatio;
}

/** Share of the B working days before the window ending at `o` (within the active spell) with this flow. O(B). */
function tradingShare(state: EnterpriseState, spec: FlowSpec, o: number, config: DetectorConfig): number {
  const baselineEnd = o - config.windowDays;
  const first = Math.max(baselineEnd - config.baselineDays + 1, state.firstActiveOrdinal ?? baselineEnd + 1);
  if (first > baselineEnd) return 0;
  let trading = 0;
  for (let k = first; k <= baselineEnd; k++) if (readDay(state.days, state.ringSize, spec.field, k) > 0) trading++;
  return trading / (baselineEnd - first + 1);
}

/**
 * Opens or resolves the drop of one flow after working ordinal `o` (day `day`)
 * closed. Fires when the current W-day sum < dropRatio × baseline, the
 * baseline being the median of the rolling W-day sums that lie wholly inside
 * the B working days before the current window and inside the firm's active
 * spell, once the firm's trading on this side spans minHistoryDays of the
 * baseline. Month-end spikes and holiday-edge dips move a few rolling sums,
 * not their median. It must also be a collapse, not the flow's own swing: at
 * most dropMaxLowWindowShare of the baseline's windows were as low, the
 * latest half-window runs below dropRatio too, and the drop held over the
 * last confirmDaysFor days (longer for a lumpy flow; see confirmedOverSpan).
 *
 * Cost: O(1) for almost every firm and day. The median m of n rolling sums
 * satisfies ceil(n/2) · m ≤ Σ max(0, sum), which the ring keeps as a sliding
 * total, so the exact median (O(B log B)) is only computed when even that
 * upper bound says the drop is possible.
 */
export function evaluateFlowDrop(
  state: EnterpriseState,
  spec: FlowSpec,
  o: number,
  day: DayNumber,
  ctx: DetectorContext,
  mayOpen: boolean,
): DisruptionSignal | null {
  const { config } = ctx;
  const W = config.windowDays;
  const B = config.baselineDays;
  const current = state.sums[spec.current] ?? 0;

  const open = findOpenSignal(state, spec.type, null);
  if (open !== undefined) {
    if (open.reference.kind !== 'flow') throw new RangeError(`${spec.type} open with a ${open.reference.kind} reference`);
    // Set when the flow has not recovered but settled at a new level; null when it recovered.
    let newLevelFen: number | null = null;
    if (current < config.dropResolveRatio * open.reference.baselineFen) {
      // A firm that lost a supplier for good buys less for good: once the baseline of the latest B days has
      // absorbed the lower level, that level is the firm's normal and the alert is closed, so that a further
      // collapse from it (seed 5150: an injected purchase drop months after the lost main supplier) is seen.
      // Only firms with an open drop pay the O(B log B) baseline; a flow at zero keeps no baseline and stays open.
      newLevelFen = current > 0 ? baselineAt(state, spec, o, config) : null;
      if (newLevelFen === null || current < config.dropResolveRatio * newLevelFen) return null;
    }
    const facts = {
      enterprise: enterpriseLabel(state),
      flow: spec.flow,
      since: dayToIso(open.windowStart),
      day: dayToIso(day),
      windowDays: W,
      currentFen: current,
      baselineFen: open.reference.baselineFen,
    };
    const explanation = newLevelFen === null ? explainFlowRecovered(facts) : explainFlowNewLevel({ ...facts, levelFen: newLevelFen });
    return resolveSignal(state, ctx, open, day, current, explanation);
  }
  if (!mayOpen || state.firstActiveOrdinal === null) return null;

  const baselineEnd = o - W;
  const historyDays = Math.min(B, baselineEnd - state.firstActiveOrdinal + 1);
  if (historyDays < config.minHistoryDays) return null;
  const windows = baselineEnd - Math.max(o - B, state.firstActiveOrdinal + W - 1) + 1;
  if (windows < 1) return null;
  const upperBound = (state.sums[spec.baselinePositiveTotal] ?? 0) / Math.ceil(windows / 2);
  if (upperBound < config.minBaselineFen || current >= config.dropRatio * upperBound) return null;

  const baselineFen = baselineAt(state, spec, o, config);
  if (baselineFen === null || current >= config.dropRatio * baselineFen) return null;
  let windowsAsLow = 0;
  for (let i = 0; i < windows; i++) if ((scratch[i] ?? 0) <= current) windowsAsLow++;
  if (windowsAsLow > config.dropMaxLowWindowShare * windows) return null;
  // The drop must show without the partners that were never regular and skipped this window (see absentIrregularFen).
  const absentFen = absentIrregularFen(state, spec.direction, o, config);
  if (absentFen > 0 && current >= config.dropRatio * (baselineFen - absentFen)) return null;
  // … and with its one largest day of cancelled orders put back (see largestCancellationFen).
  const largestCancelledFen = largestCancellationFen(state, spec, o, config);
  if (largestCancelledFen > 0 && current + largestCancelledFen >= config.dropRatio * baselineFen) return null;
  // A drop is a level that stays down, not one unlucky window: a holiday-edge dip recovers within a day or two, and a
  // lumpy flow (one buyer taking a big delivery weekly) whose one invoice of the window came in small recovers
  // when its next big invoice is due, so such a flow must stay down for the spacing of its invoices.
  // … and a flow that moved to a slower partner must stay down for that partner's beat (see takeoverBeatDays).
  const confirmDays = Math.max(confirmDaysFor(state, spec, o, config), Math.min(config.dropMaxConfirmDays, takeoverBeatDays(state, spec.direction, o, config)));
  if (!confirmedOverSpan(state, spec, o, baselineFen, confirmDays, config)) return null;
  // … and a window that hangs on a regular partner's latest invoice, which was cancelled, waits for its next one: the
  // cancelled invoice outweighs the rest of the window, which it would have lifted above the line.
  const cancelledBeat = cancelledBeatFen(state, spec.direction, spec.field, spec.grossField, o, config);
  if (cancelledBeat >= current && cancelledBeat > 0 && current + cancelledBeat >= config.dropRatio * baselineFen) return null;
  // The window crosses dropRatio on the day it fires, so its own ratio is always near the threshold;
  // the run rate of the latest half-window says how deep the drop really is.
  const recentDays = Math.ceil(W / 2);
  const recentFen = sumDays(state.days, state.ringSize, spec.field, o - recentDays + 1, o);
  const recentRatio = (recentFen * W) / recentDays / baselineFen;
  // A collapse is where the firm runs now: the latest half-window must be below the drop line too. A window that is
  // low because of its older half, while the latest days run at 40 % or more, is a dip that is over or a flow that
  // is thinner but still going (one late invoice of a lumpy flow, a holiday edge, a lost minor buyer).
  if (recentRatio >= config.dropRatio) return null;
  const severity = dropSeverity(Math.min(current / baselineFen, recentRatio), config);
  const windowStart = ctx.calendar.addWorkingDays(day, -(W - 1));
  return openSignal(state, ctx, {
    type: spec.type,
    partnerTaxId: null,
    partner: null,
    windowStart,
    day,
    severity,
    baselineFen,
    currentFen: current,
    reference: { kind: 'flow', baselineFen, historyDays },
    explanation: explainFlowDrop({
      enterprise: enterpriseLabel(state),
      flow: spec.flow,
      windowStart: dayToIso(windowStart),
      windowEnd: dayToIso(day),
      windowDays: W,
      baselineDays: B,
      currentFen: current,
      baselineFen,
      severity,
      baselineWindows: windows,
      windowsAsLow,
      recentDays,
      recentRatio,
    }),
  });
}
