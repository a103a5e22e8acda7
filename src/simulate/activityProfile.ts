import { dayToIso, type DayNumber, type WorkingCalendar } from '../calendar/workingCalendar.ts';

/** How busy an ordinary working day is, relative to a plain mid-month day. */
export interface DayActivity {
  working: boolean;
  /** Multiplies invoice amounts (dips around holidays, month-end spike, post-shutdown ramp-up). */
  amount_factor: number;
  /** Multiplies the chance of a sporadic invoice. Regular links never skip, so a dip never looks like a broken link. */
  sporadic_factor: number;
  /** Chance a regular link invoices off-schedule too (month-end billing rush). */
  extra_occasion: number;
}

export interface ActivityProfile {
  /** First working day after the longest closure of ≥ 7 days (the 2020 复工复产 date), or null. */
  resumption: DayNumber | null;
  /** Working days in [from, to], ascending. */
  working_days: DayNumber[];
  /** Throws RangeError outside [from, to]. */
  at(day: DayNumber): DayActivity;
}

/** Working days it takes to come back to full activity after a long closure. */
const RAMP_WORKING_DAYS = 20;
const LONG_CLOSURE_DAYS = 7;
const HOLIDAY_STRETCH_DAYS = 3;

/**
 * Precomputes the seasonal shape of invoicing from the calendar alone (no
 * dates are hard-coded): volume dips on the last working day before and the
 * first two after a holiday of ≥ 3 days, spikes on the last two working days
 * of a month, and after a long closure ramps from 35 % to full over 20
 * working days.
 */
export function buildActivityProfile(calendar: WorkingCalendar, from: DayNumber, to: DayNumber): ActivityProfile {
  const working_days: DayNumber[] = [];
  for (let d = from; d <= to; d++) if (calendar.isWorkingDay(d)) working_days.push(d);

  let resumption: DayNumber | null = null;
  let longest = 0;
  let run = 0;
  for (let d = from; d <= to; d++) {
    if (calendar.isWorkingDay(d)) {
      if (run >= LONG_CLOSURE_DAYS && run > longest) {
        longest = run;
        resumption = d;
      }
      run = 0;
    } else run++;
  }

  const nextWorking = (d: DayNumber, step: 1 | -1): DayNumber => {
    let x = d + step;
    for (let i = 0; i < 60 && !calendar.isWorkingDay(x); i++) x += step;
    return x;
  };
  const monthOf = (d: DayNumber): string => dayToIso(d).slice(0, 7);

  const table: DayActivity[] = [];
  for (let d = from; d <= to; d++) {
    if (!calendar.isWorkingDay(d)) {
      table.push({ working: false, amount_factor: 0, sporadic_factor: 0, extra_occasion: 0 });
      continue;
    }
    let amount = 1;
    let sporadic = 1;
    let extra = 0;
    const next = nextWorking(d, 1);
    const prev = nextWorking(d, -1);
    if (next - d - 1 >= HOLIDAY_STRETCH_DAYS) {
      amount *= 0.8;
      sporadic *= 0.8;
    }
    if (d - prev - 1 >= HOLIDAY_STRETCH_DAYS) {
      amount *= 0.6;
      sporadic *= 0.7;
    } else if (prev - nextWorking(prev, -1) - 1 >= HOLIDAY_STRETCH_DAYS) amount *= 0.85;
    if (monthOf(next) !== monthOf(d)) {
      amount *= 1.35;
      extra = 0.3;
    } else if (monthOf(nextWorking(next, 1)) !== monthOf(d)) amount *= 1.2;
    if (resumption !== null && d >= resumption) {
      const k = calendar.workingOrdinal(d) - calendar.workingOrdinal(resumption);
      if (k < RAMP_WORKING_DAYS) {
        amount *= 0.35 + (0.65 * k) / RAMP_WORKING_DAYS;
        sporadic *= 0.5 + (0.5 * k) / RAMP_WORKING_DAYS;
      }
    }
    table.push({ working: true, amount_factor: amount, sporadic_factor: sporadic, extra_occasion: extra });
  }

  return {
    resumption,
    working_days,
    at(day) {
      const entry = table[day - from];
      if (!entry) throw new RangeError(`day ${dayToIso(day)} is outside the simulated range`);
      return entry;
    },
  };
}
