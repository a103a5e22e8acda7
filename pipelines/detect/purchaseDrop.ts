import type { DayNumber } from '../../src/calendar/workingCalendar.ts';
import type { DisruptionSignal } from '../../src/domain/signal.ts';
import { DayField, SlidingSum } from './dayRing.ts';
import type { DetectorContext } from './detectorContext.ts';
import type { EnterpriseState } from './enterpriseState.ts';
import { evaluateFlowDrop, type FlowSpec } from './flowDrop.ts';

/** PURCHASE_DROP watches the netted input of the enterprise as buyer: raw-material shortage or halted production. */
export const PURCHASES_FLOW: FlowSpec = {
  type: 'PURCHASE_DROP',
  flow: 'PURCHASES',
  direction: 'UPSTREAM',
  field: DayField.PURCHASES,
  grossField: DayField.GROSS_IN,
  current: SlidingSum.PURCHASES_CURRENT,
  baselinePositiveTotal: SlidingSum.PURCHASES_BASELINE_POSITIVE_TOTAL,
  // The ring keeps cancelled corrections of sales only (VOID_SPIKE's figures); a buyer's are netted but not kept apart.
  cancelled: null,
};

export function evaluatePurchaseDrop(state: EnterpriseState, o: number, day: DayNumber, ctx: DetectorContext): DisruptionSignal | null {
  return evaluateFlowDrop(state, PURCHASES_FLOW, o, day, ctx, true);
}
