import type { ClickHouseClient } from '@clickhouse/client';
import { CALENDAR_MAX_YEAR, CALENDAR_MIN_YEAR } from '../../src/calendar/chineseWorkingCalendar.ts';
import { dayToIso, isoToDay, type DayNumber, type WorkingCalendar } from '../../src/calendar/workingCalendar.ts';
import { toClickHouseFailure } from './clickhouseErrors.ts';
import { insertRows } from './insertRows.ts';

/**
 * `yunlian.working_days`: the working-day calendar the detectors count in,
 * as a table. ClickHouse has no Chinese statutory calendar (调休 make-up days,
 * the 2020 Spring Festival extension, regional closures), so analyst views
 * that speak in working days (recovery time, disrupted firms per working day,
 * the lost flow of a broken link) read it from here. The rows come from the
 * same WorkingCalendar the detect pipeline uses (src/calendar), filled at
 * start-up by fillWorkingDays; nothing in the table is typed by hand.
 *
 * Why a table rather than counting the days present in enterprise_daily:
 * enterprise_daily only has the days somebody invoiced, so the count depends
 * on activity (a quiet or small data set has gaps, a silent firm has no rows
 * at all), and it cannot say which days to leave out of a day grid or where a
 * weekend invoice is credited. The calendar is the definition; activity is not.
 *
 * The DDL lives here with its filler; it is created by VIEWS_MIGRATION
 * (viewsMigration.ts) before the views that read it, because ClickHouse
 * resolves a plain view's tables when the view is created.
 */
export const WORKING_DAYS_TABLE_STATEMENT = `CREATE TABLE IF NOT EXISTS yunlian.working_days (
      day Date COMMENT 'Calendar day, Asia/Shanghai',
      is_working_day Bool COMMENT 'Worked under the zone calendar: statutory holidays with 调休 make-up days, minus regional closures that close every zone district',
      working_ordinal Int32 COMMENT 'Strictly increasing over working days (2019-12-31 = 0); a non-working day carries the ordinal of the last working day before it, so ordinal(b) - ordinal(a) = working days in (a, b]',
      rollup_day Date COMMENT 'The working day whose enterprise_daily / links_daily figures include invoices issued on this day: the day itself, or the next working day',
      closure_reason String COMMENT 'Why the day is not worked (周末 weekend, 春节, regional closure …); empty on a working day'
    ) ENGINE = ReplacingMergeTree
    ORDER BY day
    COMMENT 'Working-day calendar of the detectors, one row per calendar day, filled from src/calendar by fillWorkingDays (query with FINAL)'`;

/** One row of `yunlian.working_days` as written (JSONEachRow) and read back. */
export interface WorkingDayRow {
  day: string;
  is_working_day: boolean;
  working_ordinal: number;
  rollup_day: string;
  closure_reason: string;
}

/** A closure longer than this many days would make rollup_day search forever: the calendar is broken. */
const MAX_CLOSED_RUN_DAYS = 366;

/**
 * The rows for every calendar day of fromYear..toYear (inclusive). Pure.
 * Throws RangeError when the years are not integers in the calendar's range or
 * fromYear > toYear, or when no working day follows a day within a year.
 */
export function workingDayRows(calendar: WorkingCalendar, fromYear: number, toYear: number): WorkingDayRow[] {
  checkYears(fromYear, toYear);
  const first = isoToDay(`${fromYear}-01-01`);
  const last = isoToDay(`${toYear}-12-31`);
  const rows: WorkingDayRow[] = [];
  let nextWorking: DayNumber | null = null;
  // Walk backwards so each non-working day's rollup day is the working day met last.
  for (let d = last; d >= first; d--) {
    const working = calendar.isWorkingDay(d);
    if (working) nextWorking = d;
    const rollup = working ? d : (nextWorking ?? nextWorkingDayAfter(calendar, d));
    rows.push({
      day: dayToIso(d),
      is_working_day: working,
      working_ordinal: calendar.workingOrdinal(d),
      rollup_day: dayToIso(rollup),
      closure_reason: working ? '' : (calendar.closureReason(d) ?? ''),
    });
  }
  return rows.reverse();
}

/**
 * Makes `yunlian.working_days` hold `calendar` for fromYear..toYear: writes
 * only the rows that are missing or differ, so calling it at every start-up
 * writes nothing once the table is current, and a changed closures file
 * rewrites exactly the days it changed. Returns the number of rows written.
 *
 * Call it with the full range the data spans (ordinals of later days shift
 * when an earlier closure changes, and days outside the range are left as
 * they are). Throws RangeError on bad years, a typed ClickHouse failure
 * (toClickHouseFailure) when the read or the insert fails.
 */
export async function fillWorkingDays(client: ClickHouseClient, calendar: WorkingCalendar, fromYear: number, toYear: number): Promise<number> {
  const wanted = workingDayRows(calendar, fromYear, toYear);
  const existing = new Map<string, string>();
  try {
    const rs = await client.query({
      query: `SELECT day, is_working_day, working_ordinal, rollup_day, closure_reason
              FROM yunlian.working_days FINAL WHERE day BETWEEN {from:Date} AND {to:Date}`,
      query_params: { from: `${fromYear}-01-01`, to: `${toYear}-12-31` },
      format: 'JSONEachRow',
    });
    for (const row of await rs.json<WorkingDayRow>()) existing.set(row.day, rowKey(row));
  } catch (error) {
    throw toClickHouseFailure(error, { operation: 'fillWorkingDays', table: 'yunlian.working_days' });
  }
  const changed = wanted.filter((row) => existing.get(row.day) !== rowKey(row));
  await insertRows(client, { table: 'yunlian.working_days', rows: changed });
  return changed.length;
}

/** Comparable form of a row whatever JSON types ClickHouse returned (Date as YYYY-MM-DD, Bool as true/false, Int32 as a number). */
function rowKey(row: WorkingDayRow): string {
  return [row.day, row.is_working_day === true || String(row.is_working_day) === '1' ? 1 : 0, Number(row.working_ordinal), row.rollup_day, row.closure_reason].join('|');
}

function nextWorkingDayAfter(calendar: WorkingCalendar, day: DayNumber): DayNumber {
  for (let d = day + 1; d <= day + MAX_CLOSED_RUN_DAYS; d++) if (calendar.isWorkingDay(d)) return d;
  throw new RangeError(`no working day within ${MAX_CLOSED_RUN_DAYS} days after ${dayToIso(day)}: check the closures`);
}

function checkYears(fromYear: number, toYear: number): void {
  for (const year of [fromYear, toYear]) {
    if (!Number.isInteger(year) || year < CALENDAR_MIN_YEAR || year > CALENDAR_MAX_YEAR) {
      throw new RangeError(`year must be an integer in ${CALENDAR_MIN_YEAR}..${CALENDAR_MAX_YEAR}, got ${year}`);
    }
  }
  if (fromYear > toYear) throw new RangeError(`fromYear ${fromYear} is after toYear ${toYear}`);
}
