import { dayOfInstant, dayToIso } from '../../src/calendar/workingCalendar.ts';

/**
 * A calendar month in Asia/Shanghai as one integer (year × 12 + month − 1), so
 * "the last three months" is integer arithmetic. Recent volumes are kept in
 * monthly buckets: fine enough to rank partners, coarse enough that an index
 * of 100k firms stays small.
 */
export type MonthKey = number;

export function monthOfInstant(epochMs: number): MonthKey {
  return monthOfIsoDate(dayToIso(dayOfInstant(epochMs)));
}

/** The month of a YYYY-MM-DD date (a signal's window_start). */
export function monthOfIsoDate(iso: string): MonthKey {
  return Number(iso.slice(0, 4)) * 12 + Number(iso.slice(5, 7)) - 1;
}

/** YYYY-MM-DD of an instant in Asia/Shanghai. */
export function dateOfInstant(epochMs: number): string {
  return dayToIso(dayOfInstant(epochMs));
}

/** Months in the recent window ending with (and including) `asOf`. */
export function inWindow(month: MonthKey, asOf: MonthKey, windowMonths: number): boolean {
  return month <= asOf && month > asOf - windowMonths;
}
