/**
 * The working-day calendar detectors count in: the Chinese statutory calendar
 * (holidays and 调休 make-up working days, from lunar-typescript) minus the
 * configured regional closures.
 *
 * Detectors ask isWorkingDay / workingOrdinal millions of times, so each
 * Gregorian year is computed once, lazily, into flat typed arrays over a
 * contiguous range of years; a lookup is one bounds check and one array read.
 */
import type { District } from '../domain/district.ts';
import { ConfigError } from '../runtime/errors.ts';
import { closureAppliesTo, closureDays, closureReasonText, type RegionalClosure } from './regionalClosure.ts';
import { hasStatutoryData, statutoryDaysOfYear } from './statutoryHolidays.ts';
import type { DayNumber, WorkingCalendar } from './workingCalendar.ts';

export interface WorkingCalendarOptions {
  /** Regional closures, usually from loadClosures(); pass [] for the bare statutory calendar. */
  closures: readonly RegionalClosure[];
  /**
   * The district whose calendar this is. Without it, the zone's common calendar:
   * only closures that close every zone district apply (see closureAppliesTo).
   */
  district?: District;
  /**
   * What to do for a year lunar-typescript has no holiday data for
   * (hasStatutoryData false; 1.8.6 covers 2002–2026): 'weekendsOnly' (default)
   * treats it as weekends off and nothing else; 'reject' throws ConfigError
   * when such a year is first touched, so a stale package fails loudly.
   */
  uncoveredYears?: 'weekendsOnly' | 'reject';
}

/** Years outside this range are rejected with RangeError: they can only come from corrupt timestamps, and tables are contiguous. */
export const CALENDAR_MIN_YEAR = 1900;
export const CALENDAR_MAX_YEAR = 2199;

/**
 * Ordinals are anchored so that workingOrdinal(2019-12-31) = 0, whatever order
 * years are loaded in: two processes with the same closures agree on every
 * ordinal, so ordinals may be kept in snapshotted detector state.
 * Anchoring inside covered data also means 'reject' never trips on the anchor.
 */
const ANCHOR_YEAR = 2020;
const DAY_MS = 86_400_000;
const WEEKEND = '周末 weekend';
/** Reason code 0 marks a working day; other codes index reasonTexts. */
const WORKING = 0;

interface ClosureSpan {
  first: DayNumber;
  last: DayNumber;
  reason: string;
}

export class ChineseWorkingCalendar implements WorkingCalendar {
  private readonly closures: readonly ClosureSpan[];
  private readonly uncoveredYears: 'weekendsOnly' | 'reject';

  private readonly reasonTexts: string[] = ['', WEEKEND];
  private readonly reasonCodes = new Map<string, number>([[WEEKEND, 1]]);

  /** Per-year reason codes, firstYear..lastYear; empty until first use. */
  private readonly years: Uint16Array[] = [];
  private firstYear = ANCHOR_YEAR;
  private lastYear = ANCHOR_YEAR - 1;

  // Flat tables over [startDay, startDay + length), rebuilt when the year range grows.
  private startDay = 0;
  private length = 0;
  private reasonOfDay = new Uint16Array(0);
  private ordinalOfDay = new Int32Array(0);
  /** workingDayOfOrdinal[o - firstOrdinal] is the working day with ordinal o. */
  private workingDayOfOrdinal = new Int32Array(0);
  private firstOrdinal = 1;

  constructor(options: WorkingCalendarOptions) {
    this.uncoveredYears = options.uncoveredYears ?? 'weekendsOnly';
    this.closures = options.closures
      .filter((closure) => closureAppliesTo(closure, options.district))
      .map((closure) => ({ ...closureDays(closure), reason: closureReasonText(closure) }));
  }

  isWorkingDay(day: DayNumber): boolean {
    const i = day - this.startDay;
    if (i >= 0 && i < this.length && (i | 0) === i) return this.reasonOfDay[i] === WORKING;
    // Index first: loading a year replaces the arrays, so read this.reasonOfDay after it.
    const index = this.indexOf(day);
    return this.reasonOfDay[index] === WORKING;
  }

  workingOrdinal(day: DayNumber): number {
    const i = day - this.startDay;
    if (i >= 0 && i < this.length && (i | 0) === i) return this.ordinalOfDay[i] as number;
    const index = this.indexOf(day);
    return this.ordinalOfDay[index] as number;
  }

  /**
   * For a working `day` as the interface states. For a non-working day it is
   * still defined: n > 0 gives the n-th working day after it, n < 0 the |n|-th
   * working day before it (so -1 from a Sunday is the Friday), 0 the day itself.
   * Throws RangeError for a non-integer n or a result outside the supported years.
   */
  addWorkingDays(day: DayNumber, n: number): DayNumber {
    if (!Number.isInteger(n)) throw new RangeError(`working-day count must be an integer: ${n}`);
    if (n === 0) return day;
    const i = this.indexOf(day);
    const ordinal = this.ordinalOfDay[i] as number;
    // A non-working day shares the ordinal of the working day before it, which
    // already counts as one step back.
    const target = ordinal + n + (n < 0 && this.reasonOfDay[i] !== WORKING ? 1 : 0);
    return this.dayOfOrdinal(target);
  }

  closureReason(day: DayNumber): string | null {
    const index = this.indexOf(day);
    const code = this.reasonOfDay[index] as number;
    return code === WORKING ? null : (this.reasonTexts[code] as string);
  }

  /** Index of `day` in the flat tables, loading its year first if needed. */
  private indexOf(day: DayNumber): number {
    if (!Number.isInteger(day)) throw new RangeError(`day number must be an integer: ${day}`);
    const i = day - this.startDay;
    if (i >= 0 && i < this.length) return i;
    this.cover(new Date(day * DAY_MS).getUTCFullYear());
    return day - this.startDay;
  }

  private dayOfOrdinal(ordinal: number): DayNumber {
    while (ordinal < this.firstOrdinal) this.cover(this.firstYear - 1);
    while (ordinal >= this.firstOrdinal + this.workingDayOfOrdinal.length) this.cover(this.lastYear + 1);
    return this.workingDayOfOrdinal[ordinal - this.firstOrdinal] as number;
  }

  /** Grows the loaded range of years to include `year`, then rebuilds the flat tables. */
  private cover(year: number): void {
    // Also catches NaN, the year of a day number too large for Date.
    if (!(year >= CALENDAR_MIN_YEAR && year <= CALENDAR_MAX_YEAR)) {
      throw new RangeError(`working calendar covers ${CALENDAR_MIN_YEAR}–${CALENDAR_MAX_YEAR}, not ${year}`);
    }
    // The range always contains the anchor year. Each year is built before the
    // bounds move, so a ConfigError from 'reject' leaves the tables consistent.
    while (this.lastYear < Math.max(year, ANCHOR_YEAR)) {
      this.years.push(this.buildYear(this.lastYear + 1));
      this.lastYear += 1;
    }
    while (year < this.firstYear) {
      this.years.unshift(this.buildYear(this.firstYear - 1));
      this.firstYear -= 1;
    }
    this.flatten();
  }

  /** Reason codes for each day of one year: statutory holiday, closure, make-up day, weekend, in that order of precedence. */
  private buildYear(year: number): Uint16Array {
    if (this.uncoveredYears === 'reject' && !hasStatutoryData(year)) {
      throw new ConfigError(`lunar-typescript has no statutory holidays for ${year}; upgrade it or allow uncoveredYears: 'weekendsOnly'`, {
        code: 'CALENDAR_YEAR_UNCOVERED',
        context: { year },
      });
    }
    const statutory = statutoryDaysOfYear(year);
    const first = firstDayOfYear(year);
    const codes = new Uint16Array(firstDayOfYear(year + 1) - first);
    for (let i = 0; i < codes.length; i++) {
      const day = first + i;
      const entry = statutory.get(day);
      const closure = this.closures.find((c) => c.first <= day && day <= c.last);
      if (entry?.kind === 'holiday') codes[i] = this.codeOf(`${entry.name_zh} ${entry.name_en}`);
      // A closure also cancels a make-up working day (Sat 1 Feb 2020 lapsed).
      else if (closure !== undefined) codes[i] = this.codeOf(closure.reason);
      else if (entry?.kind === 'makeUpWorkday') codes[i] = WORKING;
      else codes[i] = isWeekend(day) ? 1 : WORKING;
    }
    return codes;
  }

  private codeOf(reason: string): number {
    let code = this.reasonCodes.get(reason);
    if (code === undefined) {
      code = this.reasonTexts.push(reason) - 1;
      this.reasonCodes.set(reason, code);
    }
    return code;
  }

  private flatten(): void {
    const startDay = firstDayOfYear(this.firstYear);
    const length = firstDayOfYear(this.lastYear + 1) - startDay;
    const reasonOfDay = new Uint16Array(length);
    let offset = 0;
    for (const year of this.years) {
      reasonOfDay.set(year, offset);
      offset += year.length;
    }

    // workingOrdinal(anchor - 1) = 0; forward it counts working days, backward it
    // subtracts them, so (a, b] always holds ordinal(b) - ordinal(a) working days.
    const ordinalOfDay = new Int32Array(length);
    const anchor = firstDayOfYear(ANCHOR_YEAR) - startDay;
    let ordinal = 0;
    for (let i = anchor; i < length; i++) {
      if (reasonOfDay[i] === WORKING) ordinal += 1;
      ordinalOfDay[i] = ordinal;
    }
    ordinal = 0;
    for (let i = anchor - 1; i >= 0; i--) {
      ordinalOfDay[i] = ordinal;
      if (reasonOfDay[i] === WORKING) ordinal -= 1;
    }
    // `ordinal` is now the ordinal of the day before startDay.
    const firstOrdinal = ordinal + 1;
    const lastOrdinal = ordinalOfDay[length - 1] as number;
    const workingDayOfOrdinal = new Int32Array(lastOrdinal - firstOrdinal + 1);
    for (let i = 0; i < length; i++) {
      if (reasonOfDay[i] === WORKING) workingDayOfOrdinal[(ordinalOfDay[i] as number) - firstOrdinal] = startDay + i;
    }

    this.reasonOfDay = reasonOfDay;
    this.ordinalOfDay = ordinalOfDay;
    this.workingDayOfOrdinal = workingDayOfOrdinal;
    this.firstOrdinal = firstOrdinal;
    this.startDay = startDay;
    this.length = length;
  }
}

/** The working calendar for the zone (or one district of it). */
export function createWorkingCalendar(options: WorkingCalendarOptions): WorkingCalendar {
  return new ChineseWorkingCalendar(options);
}

function firstDayOfYear(year: number): DayNumber {
  return Date.UTC(year, 0, 1) / DAY_MS;
}

function isWeekend(day: DayNumber): boolean {
  // Day 0, 1970-01-01, was a Thursday; 0 = Sunday.
  const weekday = (((day + 4) % 7) + 7) % 7;
  return weekday === 0 || weekday === 6;
}
