import type { DetectorConfig } from './detectorConfig.ts';
import { readDay } from './dayRing.ts';
import type { EnterpriseState } from './enterpriseState.ts';
import type { FlowSpec } from './flowDrop.ts';

/**
 * The most one working day's cancelled corrections took out of the flow's
 * window ending at working ordinal `o`: the largest daily figure of the
 * flow's cancelled fen (voids and red-letter invoices that were not reissued,
 * by the day of the correction) in the window, but never more than the
 * window's gross falls short of its net by (a correction of an invoice from
 * before the window was netted there, not here). 0 for a flow whose
 * cancellations the ring does not keep. O(W), only on the rare days a drop is
 * about to open.
 *
 * Why: a window that is low only because one order was cancelled is that
 * cancelled order, not a level that stays down (DESIGN.md: cancelled orders
 * are VOID_SPIKE's business, and one is no spike). A firm selling to one main
 * buyer on an 8-day beat gets one or two of its invoices per 10-day window;
 * when the one due is voided the same day, the window holds a small earlier
 * invoice and reads at a third of the baseline until the next one (seed
 * 69314 at 600 firms: ¥353k voided on 15 May, a SALES_DROP over May Day with
 * no drop planned; seed 86420: a ¥241k invoice red-lettered in full, 33 % of
 * the baseline, 41 % with it). A spiking seller's buyers lose many invoices
 * over many days, so one day put back leaves their drop standing.
 */
export function largestCancellationFen(state: EnterpriseState, spec: FlowSpec, o: number, config: DetectorConfig): number {
  if (spec.cancelled === null) return 0;
  let largest = 0;
  for (let k = o - config.windowDays + 1; k <= o; k++) largest = Math.max(largest, readDay(state.days, state.ringSize, spec.cancelled.field, k));
  if (largest <= 0) return 0;
  const netted = (state.sums[spec.cancelled.grossCurrent] ?? 0) - (state.sums[spec.current] ?? 0);
  return Math.max(0, Math.min(largest, netted));
}
