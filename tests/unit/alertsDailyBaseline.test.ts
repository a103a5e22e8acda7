import { describe, expect, it } from 'vitest';
import { dailyAgainstBaseline, medianFen, type EnterpriseDailyRow } from '../../pipelines/alerts/dailyBaseline.ts';
import { createWorkingCalendar } from '../../src/calendar/chineseWorkingCalendar.ts';
import { loadClosures } from '../../src/calendar/loadClosures.ts';
import { dayToIso, isoToDay } from '../../src/calendar/workingCalendar.ts';

const calendar = createWorkingCalendar({ closures: loadClosures() });

function salesRows(from: string, to: string, amount: (day: string) => number): EnterpriseDailyRow[] {
  const rows: EnterpriseDailyRow[] = [];
  for (let d = isoToDay(from); d <= isoToDay(to); d++) if (calendar.isWorkingDay(d)) rows.push({ day: dayToIso(d), direction: 'SALES', amount_fen: amount(dayToIso(d)) });
  return rows;
}

describe('daily flow against baseline for the enterprise chart', () => {
  const rows = salesRows('2019-09-02', '2020-03-20', (day) => (day >= '2020-03-09' ? 30_000 : 100_000));
  const points = dailyAgainstBaseline(rows, { calendar });

  it('shows the last 60 working days, none of them a weekend, the Spring Festival or the 2020 shutdown', () => {
    expect(points).toHaveLength(60);
    expect(points.at(-1)!.day).toBe('2020-03-20');
    for (const p of points) {
      expect(calendar.isWorkingDay(isoToDay(p.day))).toBe(true);
      expect(p.day < '2020-01-24' || p.day >= '2020-02-10').toBe(true);
    }
  });

  it('keeps the baseline at the usual level while the sales drop, so the drop is visible', () => {
    const last = points.at(-1)!;
    expect(last.sales_fen).toBe(30_000);
    expect(last.sales_baseline_fen).toBe(100_000);
  });

  it('has no purchases baseline for a firm that never bought, and zero purchases', () => {
    expect(points.every((p) => p.purchases_fen === 0 && p.purchases_baseline_fen === null)).toBe(true);
  });

  it('shows no baseline while a new firm has less than half a baseline window of history', () => {
    const young = dailyAgainstBaseline(salesRows('2020-03-02', '2020-03-20', () => 50_000), { calendar });
    expect(young.at(-1)!.sales_baseline_fen).toBeNull();
    expect(young.at(-1)!.sales_fen).toBe(50_000);
  });

  it('counts a working day without invoices as zero in the median', () => {
    // Every other working day silent: the median of the prior 60 is the mean of the middle pair (0 and 80_000) → 40_000.
    let i = 0;
    const sparse = salesRows('2019-06-03', '2019-12-31', () => 80_000).filter(() => i++ % 2 === 0);
    const last = dailyAgainstBaseline(sparse, { calendar, endDay: '2019-12-31' }).at(-1)!;
    expect(last.sales_baseline_fen).toBe(40_000);
  });

  it('rounds a median between two amounts to whole fen', () => {
    expect(medianFen([1, 2])).toBe(2);
    expect(medianFen([5, 1, 3])).toBe(3);
    expect(() => medianFen([])).toThrow(RangeError);
  });

  it('returns no points for an enterprise without daily rows', () => {
    expect(dailyAgainstBaseline([], { calendar })).toEqual([]);
  });
});
