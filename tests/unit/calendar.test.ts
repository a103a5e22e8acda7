import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChineseWorkingCalendar, createWorkingCalendar } from '../../src/calendar/chineseWorkingCalendar.ts';
import { DEFAULT_CLOSURES_PATH, loadClosures } from '../../src/calendar/loadClosures.ts';
import { parseClosures, type RegionalClosure } from '../../src/calendar/regionalClosure.ts';
import { hasStatutoryData } from '../../src/calendar/statutoryHolidays.ts';
import { dayToIso, isoToDay, type DayNumber } from '../../src/calendar/workingCalendar.ts';
import { ConfigError } from '../../src/runtime/errors.ts';

const d = isoToDay;

/** Every day from `from` to `to`, inclusive. */
function daysBetween(from: string, to: string): DayNumber[] {
  const days: DayNumber[] = [];
  for (let day = d(from); day <= d(to); day++) days.push(day);
  return days;
}

function isSaturdayOrSunday(day: DayNumber): boolean {
  const weekday = new Date(`${dayToIso(day)}T00:00:00Z`).getUTCDay();
  return weekday === 0 || weekday === 6;
}

// The 2020 facts of DOMAIN.md "Working days", written down independently of
// lunar-typescript so the test can disagree with the package.
const STATUTORY_HOLIDAYS_2020: ReadonlyArray<readonly [string, string]> = [
  ['2020-01-01', '2020-01-01'], // New Year
  ['2020-01-24', '2020-02-02'], // Spring Festival, extended by the State Council to 2 Feb
  ['2020-04-04', '2020-04-06'], // Qingming
  ['2020-05-01', '2020-05-05'], // Labour Day
  ['2020-06-25', '2020-06-27'], // Dragon Boat
  ['2020-10-01', '2020-10-08'], // National Day + Mid-Autumn
];
const ZONE_SHUTDOWN_2020 = ['2020-02-03', '2020-02-09'] as const;
/** Weekend days worked in 2020; Sat 1 Feb lapsed with the extension. */
const MAKE_UP_WORKDAYS_2020 = ['2020-01-19', '2020-04-26', '2020-05-09', '2020-06-28', '2020-09-27', '2020-10-10'];

const closures = loadClosures();
const zone = createWorkingCalendar({ closures });

describe('the 2020 working calendar of the demonstration zone', () => {
  it('does not work on New Year’s Day, 1 Jan 2020', () => {
    expect(zone.isWorkingDay(d('2020-01-01'))).toBe(false);
    expect(zone.closureReason(d('2020-01-01'))).toContain('元旦');
    expect(zone.isWorkingDay(d('2020-01-02'))).toBe(true);
    expect(zone.closureReason(d('2020-01-02'))).toBeNull();
  });

  it('does not work through the extended Spring Festival, 24 Jan – 2 Feb 2020', () => {
    for (const day of daysBetween('2020-01-24', '2020-02-02')) {
      expect(zone.isWorkingDay(day), dayToIso(day)).toBe(false);
      expect(zone.closureReason(day), dayToIso(day)).toBe('春节 Spring Festival');
    }
    expect(zone.isWorkingDay(d('2020-01-23'))).toBe(true);
  });

  it('keeps Sat 1 Feb 2020 off: the make-up working day lapsed with the extension', () => {
    expect(zone.isWorkingDay(d('2020-02-01'))).toBe(false);
    // Even the bare statutory calendar has it off: lunar-typescript lists it as a Spring Festival holiday.
    expect(createWorkingCalendar({ closures: [] }).isWorkingDay(d('2020-02-01'))).toBe(false);
  });

  it('is closed 3–9 Feb 2020 by the regional closure and works again from Mon 10 Feb', () => {
    const shutdown = closures.find((c) => c.from === '2020-02-03');
    expect(shutdown).toBeDefined();
    for (const day of daysBetween(...ZONE_SHUTDOWN_2020)) {
      expect(zone.isWorkingDay(day), dayToIso(day)).toBe(false);
      expect(zone.closureReason(day)).toBe(`${shutdown?.reason_zh} ${shutdown?.reason_en}`);
    }
    expect(zone.isWorkingDay(d('2020-02-10'))).toBe(true);
    expect(zone.addWorkingDays(d('2020-01-23'), 1)).toBe(d('2020-02-10'));
  });

  it('works on 3 Feb 2020 when no regional closure is configured, so the shutdown comes from config', () => {
    const statutory = createWorkingCalendar({ closures: [] });
    expect(statutory.isWorkingDay(d('2020-02-03'))).toBe(true);
    expect(statutory.addWorkingDays(d('2020-01-23'), 1)).toBe(d('2020-02-03'));
  });

  it('works on Sun 19 Jan 2020, the Spring Festival make-up day', () => {
    expect(isSaturdayOrSunday(d('2020-01-19'))).toBe(true);
    expect(zone.isWorkingDay(d('2020-01-19'))).toBe(true);
    expect(zone.closureReason(d('2020-01-19'))).toBeNull();
  });

  it.each([
    ['Qingming', '2020-04-04', '2020-04-06', [], ['2020-04-03', '2020-04-07']],
    ['Labour Day', '2020-05-01', '2020-05-05', ['2020-04-26', '2020-05-09'], ['2020-04-30', '2020-05-06']],
    ['Dragon Boat', '2020-06-25', '2020-06-27', ['2020-06-28'], ['2020-06-24', '2020-06-29']],
    ['National Day', '2020-10-01', '2020-10-08', ['2020-09-27', '2020-10-10'], ['2020-09-30', '2020-10-09']],
  ])('does not work on %s (%s – %s) and works on its make-up weekend days', (_name, from, to, makeUps, around) => {
    for (const day of daysBetween(from, to)) expect(zone.isWorkingDay(day), dayToIso(day)).toBe(false);
    for (const iso of makeUps) {
      expect(isSaturdayOrSunday(d(iso)), iso).toBe(true);
      expect(zone.isWorkingDay(d(iso)), iso).toBe(true);
    }
    for (const iso of around) expect(zone.isWorkingDay(d(iso)), iso).toBe(true);
  });

  it('takes ordinary weekends off', () => {
    for (const iso of ['2020-01-11', '2020-01-12', '2020-03-07', '2020-03-08', '2020-11-28', '2020-11-29']) {
      expect(zone.isWorkingDay(d(iso)), iso).toBe(false);
      expect(zone.closureReason(d(iso))).toBe('周末 weekend');
    }
  });

  it('counts the working days of 2020 exactly as the statutory rules and the zone shutdown say', () => {
    const offDays = new Set<DayNumber>([...STATUTORY_HOLIDAYS_2020, ZONE_SHUTDOWN_2020].flatMap(([from, to]) => daysBetween(from, to)));
    const makeUps = new Set(MAKE_UP_WORKDAYS_2020.map(d));
    const year = daysBetween('2020-01-01', '2020-12-31');
    const byRules = year.filter((day) => !offDays.has(day) && (makeUps.has(day) || !isSaturdayOrSunday(day))).length;

    // Cross-check of the oracle itself: 262 weekdays in 2020 (leap year from a
    // Wednesday), minus 24 weekdays off (1 + 6 Spring Festival + 5 shutdown + 1
    // + 3 + 2 + 6), plus 6 make-up days.
    expect(byRules).toBe(262 - 24 + 6);
    expect(year.filter((day) => zone.isWorkingDay(day)).length).toBe(byRules);
    expect(zone.workingOrdinal(d('2020-12-31')) - zone.workingOrdinal(d('2019-12-31'))).toBe(byRules);
    for (const day of year) expect(zone.isWorkingDay(day), dayToIso(day)).toBe(!offDays.has(day) && (makeUps.has(day) || !isSaturdayOrSunday(day)));
  });
});

describe('working ordinals and working-day arithmetic', () => {
  it('raises the ordinal by one on each working day and holds it across non-working days, 2019–2021', () => {
    for (const day of daysBetween('2019-01-02', '2021-12-31')) {
      expect(zone.workingOrdinal(day) - zone.workingOrdinal(day - 1), dayToIso(day)).toBe(zone.isWorkingDay(day) ? 1 : 0);
    }
  });

  it('holds one ordinal from the last working day before Spring Festival to the end of the shutdown', () => {
    const before = zone.workingOrdinal(d('2020-01-23'));
    for (const day of daysBetween('2020-01-24', '2020-02-09')) expect(zone.workingOrdinal(day)).toBe(before);
    expect(zone.workingOrdinal(d('2020-02-10'))).toBe(before + 1);
  });

  it('adds working days forward and backward across Spring Festival and the shutdown', () => {
    expect(zone.addWorkingDays(d('2020-01-22'), 3)).toBe(d('2020-02-11'));
    expect(zone.addWorkingDays(d('2020-02-10'), -1)).toBe(d('2020-01-23'));
    expect(zone.addWorkingDays(d('2020-02-14'), -7)).toBe(d('2020-01-21'));
    // 19 Jan (make-up Sunday) is a step of its own.
    expect(zone.addWorkingDays(d('2020-01-17'), 1)).toBe(d('2020-01-19'));
    expect(zone.addWorkingDays(d('2020-01-20'), -1)).toBe(d('2020-01-19'));
  });

  it('makes adding n then -n working days a round trip that spans exactly n ordinals', () => {
    const workingDays = daysBetween('2020-01-01', '2020-12-31').filter((day) => zone.isWorkingDay(day));
    for (const day of workingDays) {
      for (const n of [-70, -10, -1, 1, 7, 60]) {
        const moved = zone.addWorkingDays(day, n);
        expect(zone.isWorkingDay(moved)).toBe(true);
        expect(zone.workingOrdinal(moved) - zone.workingOrdinal(day)).toBe(n);
        expect(zone.addWorkingDays(moved, -n)).toBe(day);
      }
    }
  });

  it('counts from a non-working day to the nearest working days on either side', () => {
    expect(zone.addWorkingDays(d('2020-03-08'), 1)).toBe(d('2020-03-09'));
    expect(zone.addWorkingDays(d('2020-03-08'), -1)).toBe(d('2020-03-06'));
    expect(zone.addWorkingDays(d('2020-02-05'), 1)).toBe(d('2020-02-10'));
    expect(zone.addWorkingDays(d('2020-02-05'), -1)).toBe(d('2020-01-23'));
  });

  it('gives the same ordinals whichever year a calendar loads first', () => {
    const fromPast = createWorkingCalendar({ closures });
    fromPast.isWorkingDay(d('2010-06-01'));
    const fromFuture = createWorkingCalendar({ closures });
    fromFuture.isWorkingDay(d('2025-06-01'));
    for (const iso of ['2009-01-05', '2015-03-02', '2019-12-31', '2020-02-10', '2024-10-08', '2026-12-31']) {
      expect(fromPast.workingOrdinal(d(iso)), iso).toBe(fromFuture.workingOrdinal(d(iso)));
    }
    expect(zone.workingOrdinal(d('2019-12-31'))).toBe(0);
  });

  it('adds working days across year boundaries the calendar has not loaded yet', () => {
    const fresh = createWorkingCalendar({ closures });
    const day = fresh.addWorkingDays(d('2020-12-31'), 600);
    expect(fresh.workingOrdinal(day) - fresh.workingOrdinal(d('2020-12-31'))).toBe(600);
    expect(fresh.addWorkingDays(day, -600)).toBe(d('2020-12-31'));
  });

  it('rejects day numbers that are not integers or lie outside the supported years', () => {
    expect(() => zone.isWorkingDay(d('2020-02-10') + 0.5)).toThrow(RangeError);
    expect(() => zone.workingOrdinal(d('2020-01-01') + 200 * 366)).toThrow(RangeError);
    expect(() => zone.isWorkingDay(1e12)).toThrow(RangeError);
    expect(() => zone.addWorkingDays(d('2020-02-10'), 1.5)).toThrow(RangeError);
  });
});

describe('other years come from lunar-typescript', () => {
  it('does not work through Spring Festival 2021 (11–17 Feb) and works its make-up days Sun 7 and Sat 20 Feb', () => {
    for (const day of daysBetween('2021-02-11', '2021-02-17')) {
      expect(zone.isWorkingDay(day), dayToIso(day)).toBe(false);
      expect(zone.closureReason(day)).toBe('春节 Spring Festival');
    }
    expect(zone.isWorkingDay(d('2021-02-07'))).toBe(true);
    expect(zone.isWorkingDay(d('2021-02-20'))).toBe(true);
    expect(zone.isWorkingDay(d('2021-02-10'))).toBe(true);
    expect(zone.isWorkingDay(d('2021-02-18'))).toBe(true);
  });

  it('leaves early February 2021 open: the 2020 shutdown was a one-off', () => {
    for (const iso of ['2021-02-03', '2021-02-04', '2021-02-05']) expect(zone.isWorkingDay(d(iso)), iso).toBe(true);
  });

  it('treats a year without package data as weekends only, or rejects it when asked to', () => {
    expect(hasStatutoryData(2020)).toBe(true);
    expect(hasStatutoryData(2150)).toBe(false);
    expect(zone.isWorkingDay(d('2150-01-01'))).toBe(!isSaturdayOrSunday(d('2150-01-01')));
    const strict = createWorkingCalendar({ closures, uncoveredYears: 'reject' });
    expect(strict.isWorkingDay(d('2020-02-10'))).toBe(true);
    expect(() => strict.isWorkingDay(d('2150-01-01'))).toThrow(ConfigError);
    // A rejected year leaves the calendar usable for covered years.
    expect(strict.workingOrdinal(d('2020-02-10'))).toBe(zone.workingOrdinal(d('2020-02-10')));
  });
});

describe('regional closures', () => {
  it('ships the 2020 Spring Festival extension and the zone shutdown in config/closures.json', () => {
    expect(closures.map((c) => [c.from, c.to])).toEqual([
      ['2020-01-31', '2020-02-02'],
      ['2020-02-03', '2020-02-09'],
    ]);
  });

  it('cancels a make-up working day that falls inside a closure', () => {
    const closure: RegionalClosure = { from: '2020-01-18', to: '2020-01-19', reason_zh: '停电', reason_en: 'power cut' };
    const calendar = createWorkingCalendar({ closures: [closure] });
    expect(calendar.isWorkingDay(d('2020-01-19'))).toBe(false);
    expect(calendar.closureReason(d('2020-01-19'))).toBe('停电 power cut');
  });

  it('applies a closure limited to some districts only to those districts’ calendars', () => {
    const local: RegionalClosure = { from: '2020-03-02', to: '2020-03-03', reason_zh: '封控', reason_en: 'local lockdown', districts: ['jiashan'] };
    const everywhere: RegionalClosure = { ...local, from: '2020-03-04', to: '2020-03-04', districts: ['qingpu', 'jiashan', 'wujiang'] };
    const jiashan = createWorkingCalendar({ closures: [local, everywhere], district: 'jiashan' });
    const qingpu = createWorkingCalendar({ closures: [local, everywhere], district: 'qingpu' });
    const wholeZone = createWorkingCalendar({ closures: [local, everywhere] });
    expect(jiashan.isWorkingDay(d('2020-03-02'))).toBe(false);
    expect(qingpu.isWorkingDay(d('2020-03-02'))).toBe(true);
    expect(wholeZone.isWorkingDay(d('2020-03-02'))).toBe(true);
    for (const calendar of [jiashan, qingpu, wholeZone]) expect(calendar.isWorkingDay(d('2020-03-04'))).toBe(false);
  });

  it('closes the shipped 2020 shutdown for each district calendar too', () => {
    for (const district of ['qingpu', 'jiashan', 'wujiang'] as const) {
      const calendar = createWorkingCalendar({ closures, district });
      expect(calendar.isWorkingDay(d('2020-02-07'))).toBe(false);
      expect(calendar.isWorkingDay(d('2020-02-10'))).toBe(true);
    }
  });

  const closuresDirs: string[] = [];
  afterAll(() => {
    for (const dir of closuresDirs) rmSync(dir, { recursive: true, force: true });
  });

  function writeClosuresFile(content: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'yunlian-closures-'));
    closuresDirs.push(dir);
    const path = join(dir, 'closures.json');
    writeFileSync(path, content);
    return path;
  }

  function configErrorOf(action: () => unknown): ConfigError {
    try {
      action();
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error('expected a ConfigError');
  }

  const good = { from: '2020-02-03', to: '2020-02-09', reason_zh: '延迟复工', reason_en: 'delayed resumption' };

  it.each([
    ['an impossible date', { ...good, to: '2020-02-30' }, '"to"'],
    ['"from" after "to"', { ...good, from: '2020-02-10' }, 'after'],
    ['an unknown district', { ...good, districts: ['pudong'] }, 'pudong'],
    ['a misspelt field', { ...good, districs: ['qingpu'] }, 'districs'],
    ['an empty reason', { ...good, reason_en: ' ' }, 'reason_en'],
  ])('rejects a closures file with %s by a ConfigError naming the entry', (_case, bad, problem) => {
    const path = writeClosuresFile(JSON.stringify({ closures: [good, bad] }));
    const error = configErrorOf(() => loadClosures(path));
    expect(error.message).toContain(path);
    expect(error.message).toContain('entry 1');
    expect(error.message).toContain(JSON.stringify(bad).slice(0, 40));
    expect(error.message).toContain(problem);
    expect(error.context['index']).toBe(1);
    expect(error.context['entry']).toEqual(bad);
    expect(error.retriable).toBe(false);
  });

  it('rejects a closures file that is missing, not JSON, or not an object with a closures list', () => {
    expect(configErrorOf(() => loadClosures(join(tmpdir(), 'no-such-dir-yunlian', 'closures.json'))).code).toBe('CLOSURES_UNREADABLE');
    expect(configErrorOf(() => loadClosures(writeClosuresFile('{"closures": ['))).message).toContain('not valid JSON');
    expect(configErrorOf(() => parseClosures([good], 'inline')).message).toContain('{"closures": [...]}');
  });

  it('loads the shipped file from its default path regardless of the working directory', () => {
    expect(DEFAULT_CLOSURES_PATH.endsWith(join('config', 'closures.json'))).toBe(true);
    expect(loadClosures(DEFAULT_CLOSURES_PATH)).toEqual(closures);
    expect(new ChineseWorkingCalendar({ closures }).isWorkingDay(d('2020-02-03'))).toBe(false);
  });
});
