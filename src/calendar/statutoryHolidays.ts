/**
 * The Chinese statutory holiday calendar (法定节假日 with 调休 make-up working
 * days), read from the maintained `lunar-typescript` package. This is the only
 * file that imports it: DOMAIN.md forbids hand-typed holiday lists, so when the
 * State Council publishes next year's arrangement, upgrading the package is the
 * whole fix.
 */
import { HolidayUtil } from 'lunar-typescript';
import { isoToDay, type DayNumber } from './workingCalendar.ts';

/** What the statutory calendar says about one day that is not an ordinary day. */
export type StatutoryDay =
  | { kind: 'holiday'; name_zh: string; name_en: string }
  /** A weekend day worked to compensate for a bridged holiday (调休上班). */
  | { kind: 'makeUpWorkday'; name_zh: string; name_en: string };

/**
 * English names of the holiday names lunar-typescript uses (HolidayUtil.NAMES).
 * A translation table, not a holiday list: which days are holidays always comes
 * from the package. A name the package adds later falls back to the Chinese name.
 */
const HOLIDAY_NAMES_EN: Readonly<Record<string, string>> = {
  元旦节: "New Year's Day",
  春节: 'Spring Festival',
  清明节: 'Qingming Festival',
  劳动节: 'Labour Day',
  端午节: 'Dragon Boat Festival',
  中秋节: 'Mid-Autumn Festival',
  国庆节: 'National Day',
  国庆中秋: 'National Day and Mid-Autumn Festival',
  抗战胜利日: 'Victory Day',
};

/**
 * The statutory holidays and make-up working days of one Gregorian year, keyed
 * by day number. Ordinary days (worked on weekdays, rest at weekends) are absent.
 * Empty for a year the package has no data for; see hasStatutoryData.
 */
export function statutoryDaysOfYear(year: number): Map<DayNumber, StatutoryDay> {
  const days = new Map<DayNumber, StatutoryDay>();
  for (const holiday of HolidayUtil.getHolidays(year)) {
    const name_zh = holiday.getName();
    const name_en = HOLIDAY_NAMES_EN[name_zh] ?? name_zh;
    days.set(isoToDay(holiday.getDay()), { kind: holiday.isWork() ? 'makeUpWorkday' : 'holiday', name_zh, name_en });
  }
  return days;
}

/**
 * Whether the package knows the statutory holidays of `year` (lunar-typescript
 * 1.8.6 covers 2002–2026; 2001 only has the make-up days before New Year 2002).
 * Every year has at least New Year's Day off, so a year without a single
 * holiday is a year without data.
 */
export function hasStatutoryData(year: number): boolean {
  return HolidayUtil.getHolidays(year).some((holiday) => !holiday.isWork());
}
