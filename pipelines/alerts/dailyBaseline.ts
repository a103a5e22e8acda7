import { dayToIso, isoToDay, type DayNumber, type WorkingCalendar } from '../../src/calendar/workingCalendar.ts';

/**
 * An enterprise's daily sales and purchases against its own baseline, for the
 * enterprise page's chart. The baseline of a working day is the median of the
 * same direction over the prior `baselineWorkingDays` working days (DESIGN.md
 * section 4: holidays excluded, so a Spring Festival never looks like a drop).
 */
export type Direction = 'SALES' | 'PURCHASES';

export interface EnterpriseDailyRow {
  day: string;
  direction: Direction;
  amount_fen: number;
}

export interface DailyPoint {
  day: string;
  sales_fen: number;
  purchases_fen: number;
  /** null while the enterprise has too little history for a fair median. */
  sales_baseline_fen: number | null;
  purchases_baseline_fen: number | null;
}

export interface DailySeriesOptions {
  calendar: WorkingCalendar;
  displayWorkingDays?: number;
  baselineWorkingDays?: number;
  /** Last day shown; defaults to the newest row. */
  endDay?: string;
}

/** Median of integer fen, rounded to whole fen. Throws RangeError on an empty list. */
export function medianFen(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

function lastWorkingDayOnOrBefore(calendar: WorkingCalendar, day: DayNumber): DayNumber {
  let d = day;
  // A year has at most a few weeks of consecutive non-working days; bound the walk anyway.
  for (let i = 0; i < 60 && !calendar.isWorkingDay(d); i++) d--;
  return d;
}

export function dailyAgainstBaseline(rows: readonly EnterpriseDailyRow[], opts: DailySeriesOptions): DailyPoint[] {
  const display = opts.displayWorkingDays ?? 60;
  const baseline = opts.baselineWorkingDays ?? 60;
  if (rows.length === 0 && opts.endDay === undefined) return [];
  const amounts: Record<Direction, Map<DayNumber, number>> = { SALES: new Map(), PURCHASES: new Map() };
  const firstDay: Record<Direction, DayNumber> = { SALES: Infinity, PURCHASES: Infinity };
  let newest = -Infinity;
  for (const row of rows) {
    const day = isoToDay(row.day);
    const map = amounts[row.direction];
    map.set(day, (map.get(day) ?? 0) + row.amount_fen);
    firstDay[row.direction] = Math.min(firstDay[row.direction], day);
    newest = Math.max(newest, day);
  }
  const { calendar } = opts;
  const end = lastWorkingDayOnOrBefore(calendar, opts.endDay === undefined ? newest : isoToDay(opts.endDay));
  const start = calendar.addWorkingDays(end, -(display + baseline - 1));
  const workingDays: DayNumber[] = [];
  for (let d = start; d <= end; d++) if (calendar.isWorkingDay(d)) workingDays.push(d);

  // Days before a direction's first record are "not yet trading", not zero; a median needs at least half a window of real days.
  const minHistory = Math.ceil(baseline / 2);
  const baselineAt = (direction: Direction, index: number): number | null => {
    const prior = workingDays.slice(Math.max(0, index - baseline), index).filter((d) => d >= firstDay[direction]);
    return prior.length < minHistory ? null : medianFen(prior.map((d) => amounts[direction].get(d) ?? 0));
  };
  const points: DailyPoint[] = [];
  for (let i = Math.max(0, workingDays.length - display); i < workingDays.length; i++) {
    const day = workingDays[i]!;
    points.push({
      day: dayToIso(day),
      sales_fen: amounts.SALES.get(day) ?? 0,
      purchases_fen: amounts.PURCHASES.get(day) ?? 0,
      sales_baseline_fen: baselineAt('SALES', i),
      purchases_baseline_fen: baselineAt('PURCHASES', i),
    });
  }
  return points;
}
