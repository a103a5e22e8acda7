import { dayToIso, type DayNumber } from '../../src/calendar/workingCalendar.ts';
import type { DisruptionSignal, Severity } from '../../src/domain/signal.ts';
import type { DetectorContext } from './detectorContext.ts';
import { DayField, SlidingSum, sumDays } from './dayRing.ts';
import { enterpriseLabel, findOpenSignal, type EnterpriseState } from './enterpriseState.ts';
import { explainVoidSpike, explainVoidSpikeEnded } from './explanation.ts';
import { openSignal, resolveSignal } from './signalFactory.ts';

/** Severity of a void spike by the corrected share of output. */
export function voidSeverity(share: number): Severity {
  if (share >= 0.5) return 'HIGH';
  if (share >= 0.3) return 'MEDIUM';
  return 'LOW';
}

/** Corrections as a share of gross output; with no output at all, any correction counts as 100 %. */
function shareOf(correctionFen: number, grossFen: number): number {
  if (grossFen > 0) return correctionFen / grossFen;
  return correctionFen > 0 ? 1 : 0;
}

/**
 * P(X ≥ k) for X ~ Poisson(mean), summed upwards from k so tiny tails keep their precision. O(k + terms).
 */
export function poissonUpperTail(k: number, mean: number): number {
  if (k <= 0) return 1;
  if (mean <= 0) return 0;
  let term = Math.exp(-mean);
  for (let i = 1; i <= k; i++) term *= mean / i;
  let tail = 0;
  for (let i = k; i < k + 1000 && term > tail * 1e-15; i++) {
    tail += term;
    term *= mean / (i + 1);
  }
  return Math.min(1, tail);
}

/** Whether `value` is above its norm by the multiplier and by the excess. (A module function: see goodsByTaxCode in invoiceLegs.ts for what a closure costs under tsx.) */
function above(value: number, norm: number, multiplier: number, excess: number): boolean {
  return value >= Math.max(multiplier * norm, norm + excess);
}

/**
 * VOID_SPIKE after working ordinal `o` closed: the share of the firm's
 * invoices over the current W working days that were cancelled (voided or
 * red-lettered without a reissue) against its own norm over the B working
 * days before. Opens when that share ≥ max(voidShareMultiplier × norm,
 * norm + voidShareExcess), with at least voidMinCount cancellations, a count
 * that the firm's own correction rate (plus voidPriorCorrections) makes
 * improbable (voidSurpriseProbability); resolves when neither the share by
 * number nor the share in fen stays above the (lower) resolve bar, or
 * corrections thin out. O(1): all figures are sliding sums.
 */
export function evaluateVoidSpike(state: EnterpriseState, o: number, day: DayNumber, ctx: DetectorContext): DisruptionSignal | null {
  const { config } = ctx;
  const W = config.windowDays;
  const B = config.baselineDays;
  const correctionCount = state.sums[SlidingSum.CORRECTION_COUNT_CURRENT] ?? 0;
  const correctionFen = state.sums[SlidingSum.CORRECTION_FEN_CURRENT] ?? 0;
  const grossFen = state.sums[SlidingSum.GROSS_OUT_CURRENT] ?? 0;
  const share = shareOf(correctionFen, grossFen);
  // The share of invoices, besides the share of fen: cancelled orders that happen to be the firm's small ones
  // barely move its output in fen, yet a third of its invoices being cancelled is the spike all the same.
  const countShare = shareOf(correctionCount, state.sums[SlidingSum.ISSUED_COUNT_CURRENT] ?? 0);

  const open = findOpenSignal(state, 'VOID_SPIKE', null);
  if (open !== undefined) {
    if (open.reference.kind !== 'void') throw new RangeError(`VOID_SPIKE open with a ${open.reference.kind} reference`);
    const { normShare: norm, normCountShare } = open.reference;
    const stillHigh =
      correctionCount >= config.voidMinCount &&
      (above(share, norm, config.voidResolveMultiplier, config.voidResolveExcess) ||
        above(countShare, normCountShare, config.voidResolveMultiplier, config.voidResolveExcess));
    if (stillHigh) return null;
    return resolveSignal(
      state,
      ctx,
      open,
      day,
      correctionFen,
      explainVoidSpikeEnded({ enterprise: enterpriseLabel(state), day: dayToIso(day), windowDays: W, share, normShare: norm }),
    );
  }

  if (correctionCount < config.voidMinCount || state.firstActiveOrdinal === null) return null;
  if (Math.min(B, o - W - state.firstActiveOrdinal + 1) < config.minHistoryDays) return null;
  const baselineGross = state.sums[SlidingSum.GROSS_OUT_BASELINE] ?? 0;
  if (baselineGross < config.minBaselineFen) return null;
  const normShare = (state.sums[SlidingSum.CORRECTION_FEN_BASELINE] ?? 0) / baselineGross;
  const normCountShare = shareOf(state.sums[SlidingSum.CORRECTION_COUNT_BASELINE] ?? 0, state.sums[SlidingSum.ISSUED_COUNT_BASELINE] ?? 0);
  // Cancelled orders are a share of the orders: a third of the invoices cancelled is the spike whatever their size,
  // while one or two large invoices voided move the share in fen a long way and are no spike at all.
  if (!above(countShare, normCountShare, config.voidShareMultiplier, config.voidShareExcess)) return null;
  // Only now (rarely) count the baseline's corrections: O(B) on the few days the cheap tests above pass.
  const baseDays = Math.min(B, o - W - state.firstActiveOrdinal + 1);
  const baselineCount = sumDays(state.days, state.ringSize, DayField.CORRECTION_COUNT, o - W - baseDays + 1, o - W);
  const expectedCount = ((baselineCount + config.voidPriorCorrections) * W) / baseDays;
  if (poissonUpperTail(correctionCount, expectedCount) > config.voidSurpriseProbability) return null;

  const windowStart = ctx.calendar.addWorkingDays(day, -(W - 1));
  const severity = voidSeverity(share);
  // The corrections the firm's own norm would predict for this window's output.
  const baselineFen = Math.round(normShare * grossFen);
  return openSignal(state, ctx, {
    type: 'VOID_SPIKE',
    partnerTaxId: null,
    partner: null,
    windowStart,
    day,
    severity,
    baselineFen,
    currentFen: correctionFen,
    reference: { kind: 'void', normShare, normCountShare },
    explanation: explainVoidSpike({
      enterprise: enterpriseLabel(state),
      windowStart: dayToIso(windowStart),
      windowEnd: dayToIso(day),
      windowDays: W,
      baselineDays: B,
      share,
      normShare,
      correctionCount,
      correctionFen,
      grossFen,
      severity,
    }),
  });
}
