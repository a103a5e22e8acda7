import type { DayNumber } from '../../src/calendar/workingCalendar.ts';
import type { DisruptionSignal } from '../../src/domain/signal.ts';
import { DayField, SlidingSum } from './dayRing.ts';
import type { DetectorContext } from './detectorContext.ts';
import type { EnterpriseState } from './enterpriseState.ts';
import { evaluateFlowDrop, type FlowSpec } from './flowDrop.ts';

/** SALES_DROP watches the netted output of the enterprise as seller. */
export const SALES_FLOW: FlowSpec = {
  type: 'SALES_DROP',
  flow: 'SALES',
  direction: 'DOWNSTREAM',
  field: DayField.SALES,
  grossField: DayField.GROSS_OUT,
  current: SlidingSum.SALES_CURRENT,
  baselinePositiveTotal: SlidingSum.SALES_BASELINE_POSITIVE_TOTAL,
  cancelled: { field: DayField.CORRECTION_FEN, grossCurrent: SlidingSum.GROSS_OUT_CURRENT },
};

/** See evaluateFlowDrop; `mayOpen` is false while SILENCE explains the drop (config.salesDropDuringSilence). */
export function evaluateSalesDrop(state: EnterpriseState, o: number, day: DayNumber, ctx: DetectorContext, mayOpen: boolean): DisruptionSignal | null {
  return evaluateFlowDrop(state, SALES_FLOW, o, day, ctx, mayOpen);
}
