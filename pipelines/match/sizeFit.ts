import { formatYuan } from '../detect/formatYuan.ts';
import type { ComponentScore } from './componentScore.ts';

/**
 * Size fit: can the candidate carry the lost flow? `candidateMonthlyFen` is
 * its own monthly flow of the matched goods, `lostMonthlyFen` the lost
 * flow's. At least the lost volume fits fully, tapering a little for a
 * candidate ten or a hundred times bigger (a small order matters less to it);
 * smaller candidates fit by the square root of the ratio, so a firm half the
 * size still covers a good part.
 */
export function sizeFit(candidateMonthlyFen: number, lostMonthlyFen: number): ComponentScore {
  if (lostMonthlyFen <= 0) return { value: 0.5, reason: null };
  if (candidateMonthlyFen <= 0) return { value: 0, reason: null };
  const ratio = candidateMonthlyFen / lostMonthlyFen;
  const value = ratio >= 1 ? 1 - Math.min(0.3, Math.log10(ratio) * 0.1) : Math.sqrt(ratio);
  const pct = Math.round(ratio * 100);
  return {
    value,
    reason: {
      component: 'size_fit',
      zh: `月均交易额 ${formatYuan(Math.round(candidateMonthlyFen))}，相当于损失流量的 ${pct}%`,
      en: `trades ${formatYuan(Math.round(candidateMonthlyFen))} a month in these goods, ${pct}% of the lost flow`,
    },
  };
}
