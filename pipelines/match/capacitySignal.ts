import type { MatchNeed } from '../../src/domain/matchList.ts';
import type { DisruptionType } from '../../src/domain/signal.ts';
import type { ComponentScore } from './componentScore.ts';

/** Without a signal either way a candidate's capacity is unknown: neutral, so it neither helps nor hurts. */
export const NEUTRAL_CAPACITY = 0.5;

/**
 * Capacity signal: a supplier whose own sales dropped has spare capacity; a
 * buyer whose purchases dropped needs inputs. Either is the best candidate
 * the 2020 story knew: two disrupted firms that fix each other.
 */
export function capacitySignal(need: MatchNeed, candidateOpenTypes: ReadonlySet<DisruptionType>): ComponentScore {
  if (need === 'SUPPLIER' && candidateOpenTypes.has('SALES_DROP')) {
    return { value: 1, reason: { component: 'capacity', zh: '其销售近期下降，有闲置产能', en: 'its own sales dropped: spare capacity' } };
  }
  if (need === 'BUYER' && candidateOpenTypes.has('PURCHASE_DROP')) {
    return { value: 1, reason: { component: 'capacity', zh: '其采购近期下降，正缺原料', en: 'its own purchases dropped: it needs inputs' } };
  }
  return { value: NEUTRAL_CAPACITY, reason: null };
}
