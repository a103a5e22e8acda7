import type { MatchNeed } from '../../src/domain/matchList.ts';
import { formatYuan } from '../detect/formatYuan.ts';
import type { ComponentScore } from './componentScore.ts';

/**
 * Familiarity: the candidate already trades these goods with the enterprise
 * in the needed direction (a second supplier of the same input). It has
 * passed the firm's qualification and can scale up within days, which is how
 * most lost suppliers are actually replaced; a new relationship scores 0.
 * An existing partner scores 0.6, up to 1 as its share of the goods reaches
 * the lost flow's size (the bigger partner scales up more easily).
 * `sharedFen`: recent flow of the matched goods between the two, fen;
 * `lostFen`: the lost flow over the same window, fen.
 */
export function familiarity(need: MatchNeed, sharedFen: number, lostFen: number): ComponentScore {
  if (sharedFen <= 0) return { value: 0, reason: null };
  const value = 0.6 + 0.4 * (lostFen > 0 ? Math.min(1, sharedFen / lostFen) : 1);
  const amount = formatYuan(sharedFen);
  return need === 'SUPPLIER'
    ? { value, reason: { component: 'familiarity', zh: `已向该企业供应同类商品（近期 ${amount}）`, en: `already supplies these goods to the enterprise (${amount} recently)` } }
    : { value, reason: { component: 'familiarity', zh: `已向该企业采购同类商品（近期 ${amount}）`, en: `already buys these goods from the enterprise (${amount} recently)` } };
}
