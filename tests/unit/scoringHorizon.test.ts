import { describe, expect, it } from 'vitest';
import { createWorkingCalendar } from '../../src/calendar/chineseWorkingCalendar.ts';
import { dayToIso, isoToDay, startOfDay } from '../../src/calendar/workingCalendar.ts';
import { DEFAULT_DETECTOR_CONFIG } from '../../pipelines/detect/detectorConfig.ts';
import { scoringHorizon } from '../../src/eval/scoringHorizon.ts';

const calendar = createWorkingCalendar({ closures: [] });
const noon = (iso: string) => startOfDay(isoToDay(iso)) + 12 * 3_600_000;

describe('scoring horizon', () => {
  it('leaves out labels observable in the last confirmation span of working days before the last closed day', () => {
    // Newest event Thu 2020-12-31; the last closed day is Sun 12-27, so Fri 12-25; 8 working days before it is Tue 12-15.
    const horizon = scoringHorizon(calendar, noon('2020-12-31'), DEFAULT_DETECTOR_CONFIG);
    expect(dayToIso(horizon)).toBe('2020-12-15');
    expect(calendar.workingOrdinal(isoToDay('2020-12-25')) - calendar.workingOrdinal(horizon)).toBe(DEFAULT_DETECTOR_CONFIG.dropMaxConfirmDays);
  });

  it('counts working days only: a holiday week in the tail pushes the horizon back, a make-up Sunday counts', () => {
    // Newest event Mon 2020-10-12: the last closed day, Thu 10-08, is in the National Day holiday, so it is Wed 09-30;
    // 8 working days before that, counting the 调休 make-up Sunday 09-27, is Mon 09-21.
    const horizon = scoringHorizon(calendar, noon('2020-10-12'), DEFAULT_DETECTOR_CONFIG);
    expect(dayToIso(horizon)).toBe('2020-09-21');
  });

  it('follows the detector configuration', () => {
    const short = scoringHorizon(calendar, noon('2020-12-31'), { ...DEFAULT_DETECTOR_CONFIG, dropMaxConfirmDays: 3 });
    expect(dayToIso(short)).toBe('2020-12-22');
  });
});
