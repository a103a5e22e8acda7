/**
 * Days are counted in Asia/Shanghai (UTC+8, no DST) as integer day numbers
 * since 1970-01-01, so window arithmetic is integer arithmetic.
 */
export type DayNumber = number;

const SHANGHAI_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

export function dayOfInstant(epochMs: number): DayNumber {
  return Math.floor((epochMs + SHANGHAI_OFFSET_MS) / DAY_MS);
}

/** First instant (epoch ms) of a Shanghai day. */
export function startOfDay(day: DayNumber): number {
  return day * DAY_MS - SHANGHAI_OFFSET_MS;
}

export function dayToIso(day: DayNumber): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Parses YYYY-MM-DD; throws RangeError on anything else. */
export function isoToDay(iso: string): DayNumber {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) throw new RangeError(`not a YYYY-MM-DD date: ${iso}`);
  const ms = Date.parse(`${iso}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== iso) throw new RangeError(`not a valid date: ${iso}`);
  return ms / DAY_MS;
}

/**
 * Which days are working days: the Chinese statutory calendar (with 调休
 * make-up days) minus configured regional closures. Implementations are pure
 * and deterministic.
 */
export interface WorkingCalendar {
  isWorkingDay(day: DayNumber): boolean;
  /**
   * Ordinal of working days: strictly increasing over working days, and for a
   * non-working day equal to the ordinal of the last working day before it.
   * `workingOrdinal(b) - workingOrdinal(a)` is the number of working days in (a, b].
   */
  workingOrdinal(day: DayNumber): number;
  /** The day that is `n` working days after (n > 0) or before (n < 0) `day`, which must itself be a working day. */
  addWorkingDays(day: DayNumber, n: number): DayNumber;
  /** A short reason a day is not worked (e.g. '春节', 'regional closure: 2020 zone resumption'), or null on a working day. */
  closureReason(day: DayNumber): string | null;
}
