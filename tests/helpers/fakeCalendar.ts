import { isoToDay, type DayNumber, type WorkingCalendar } from '../../src/calendar/workingCalendar.ts';

/**
 * A calendar of 2018 to 2023 with weekends off plus the declared closures: deliberately not the real Chinese calendar
 * (the detectors and the simulator take the calendar as an injected dependency), so a test's working days are plain
 * to see. Shared by the detect and simulate tests. It holds callers to the letter of WorkingCalendar, where the real
 * one is lenient: addWorkingDays from a day that is not a working day throws.
 */
export function fakeCalendar(closures: readonly (readonly [string, string])[] = []): WorkingCalendar {
  const first = isoToDay('2018-01-01');
  const last = isoToDay('2023-12-31');
  const closed = closures.map(([a, b]) => [isoToDay(a), isoToDay(b)] as const);
  const working: boolean[] = [];
  const ordinals: number[] = [];
  const workingDays: DayNumber[] = [];
  let ordinal = 0;
  for (let d = first; d <= last; d++) {
    const weekday = (d + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
    const isWorking = weekday !== 0 && weekday !== 6 && !closed.some(([a, b]) => d >= a && d <= b);
    if (isWorking) {
      ordinal++;
      workingDays[ordinal] = d;
    }
    working.push(isWorking);
    ordinals.push(ordinal);
  }
  const index = (day: DayNumber): number => {
    if (day < first || day > last) throw new RangeError(`fake calendar has no day ${day}`);
    return day - first;
  };
  return {
    isWorkingDay: (day) => working[index(day)] ?? false,
    workingOrdinal: (day) => ordinals[index(day)] ?? 0,
    addWorkingDays(day, n) {
      const i = index(day);
      if (!working[i]) throw new RangeError(`${day} is not a working day`);
      const target = workingDays[(ordinals[i] ?? 0) + n];
      if (target === undefined) throw new RangeError('outside the fake calendar');
      return target;
    },
    closureReason: (day) => (working[index(day)] ? null : 'closed'),
  };
}
