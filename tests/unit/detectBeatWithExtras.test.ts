import { describe, expect, it } from 'vitest';
import { dayToIso } from '../../src/calendar/workingCalendar.ts';
import type { DisruptionSignal } from '../../src/domain/signal.ts';
import { createDetectorConfig } from '../../pipelines/detect/detectorConfig.ts';
import { scheduledGaps } from '../../pipelines/detect/scheduledGaps.ts';
import { SUPPLIER, detectorContext, fakeCalendar, leg, replay, workingDays } from '../helpers/detectFixtures.ts';

/**
 * A partner on a beat also invoices off it (the month-end billing rush, the eve of a holiday): the extras split
 * beats into short gaps, and the beat must still be seen.
 */
const calendar = fakeCalendar();
const START = '2019-07-01';
const DAYS = workingDays(calendar, START, '2020-03-31');

function upstreamBroken(signals: DisruptionSignal[]): DisruptionSignal[] {
  return signals.filter((s) => s.signal_type === 'UPSTREAM_BROKEN');
}

const purchases = (ordinals: number[]) => ordinals.map((i) => leg({ partner: SUPPLIER, role: 'BUYER', day: DAYS[i]!, amountFen: 3_000_000 }));

describe('a partner on a beat with extra invoices between beats', () => {
  // Seed 2020 at 600 firms: a supplier every 5 working days, plus extras 2 days after a beat (the eve of the Spring
  // Festival, 28 February) and the day after one (31 March / 1 April); its gaps' median fell to 4.5 and only 8 of 11
  // gaps lay within a day of it, so the supplier read as irregular and its stop after working day 65 went unreported.
  const beatWithExtras = [5, 10, 15, 17, 20, 25, 30, 32, 35, 41, 46, 50, 54, 55, 60, 65];

  it('fires UPSTREAM_BROKEN when a 5-day supplier with three month-end extras stops for 10 working days', () => {
    const signals = replay(purchases(beatWithExtras), detectorContext(calendar), { from: START, to: DAYS[90]! }).signals;
    expect(upstreamBroken(signals).map((s) => [s.status, s.window_end])).toEqual([['OPEN', dayToIso(DAYS[75]!)]]);
  });

  // Seed 2020 at 600 firms: a buyer every 8 working days with extras on 30 June, 31 July and 31 August (gaps 9, 4, 3,
  // 8, 8, 4, 4, 8, 8, 1: median 6, on which no gap lies), then no invoice after working day 57.
  const eightDayBeat = [0, 9, 13, 16, 24, 32, 36, 40, 48, 56, 57];

  it('fires UPSTREAM_BROKEN when an 8-day supplier with three month-end extras stops for 16 working days', () => {
    const signals = replay(purchases(eightDayBeat), detectorContext(calendar), { from: START, to: DAYS[90]! }).signals;
    expect(upstreamBroken(signals).map((s) => [s.status, s.window_end])).toEqual([['OPEN', dayToIso(DAYS[73]!)]]);
  });

  it('would miss that stop if no extra invoice could be merged away (linkMaxExtraInvoiceDays = 0)', () => {
    const ctx = detectorContext(calendar, { linkMaxExtraInvoiceDays: 0 });
    expect(upstreamBroken(replay(purchases(eightDayBeat), ctx, { from: START, to: DAYS[90]! }).signals)).toEqual([]);
  });

  // Every 2–7 working days with no beat: a steady 8-day rhythm appears only once five of the eleven days are dropped.
  const nowAndThen = [0, 3, 8, 10, 16, 19, 24, 26, 33, 36, 40];

  it('does not break a partner invoicing now and then whose beat appears only after merging five invoice days', () => {
    const signals = replay(purchases(nowAndThen), detectorContext(calendar), { from: START, to: DAYS[80]! }).signals;
    expect(upstreamBroken(signals)).toEqual([]);
  });

  it('would break it if any number of invoice days could be merged away', () => {
    const ctx = detectorContext(calendar, { linkMaxExtraInvoiceDays: 10 });
    expect(upstreamBroken(replay(purchases(nowAndThen), ctx, { from: START, to: DAYS[80]! }).signals)).toHaveLength(1);
  });

  // Seed 97979 at 600 firms: a partner invoicing at random (about once in 17 working days) had gaps 11, 12, 11, 1, 8,
  // 2, 3, 8 in its 60-day window; merging three extras, two of them inside one beat, made an 11-day beat of it, and
  // its chance pause of 62 working days, across May Day, read as a broken link.
  const twoExtrasInABeat = [20, 31, 43, 54, 55, 63, 65, 68, 76];

  it('does not break a partner whose beat appears only once two extras are merged into one beat', () => {
    const signals = replay(purchases(twoExtrasInABeat), detectorContext(calendar), { from: START, to: DAYS[110]! }).signals;
    expect(upstreamBroken(signals)).toEqual([]);
  });

  it('rejects a negative or fractional number of extras', () => {
    expect(() => createDetectorConfig({ linkMaxExtraInvoiceDays: -1 })).toThrow(/linkMaxExtraInvoiceDays/);
    expect(() => createDetectorConfig({ linkMaxExtraInvoiceDays: 1.5 })).toThrow(/linkMaxExtraInvoiceDays/);
  });
});

describe('scheduledGaps', () => {
  it('merges an extra into the beat it split and keeps a postponed beat as two gaps', () => {
    const out = new Float64Array(8);
    // Beat 8: 4 + 4 is one beat split by an extra; 9 then 7 is a beat postponed by a day; a trailing 1 is an extra.
    const result = scheduledGaps(Float64Array.from([8, 4, 4, 9, 7, 1]), 6, 8, 1, out);
    expect(result).toEqual({ count: 4, extras: 2, crowdedBeats: 0 });
    expect([...out.subarray(0, result.count)]).toEqual([8, 8, 9, 7]);
  });

  it('counts a beat that absorbed two extras as crowded', () => {
    const out = new Float64Array(8);
    // Beat 11: 1 + 8 + 2 holds two extras, 3 + 8 one.
    const result = scheduledGaps(Float64Array.from([11, 12, 11, 1, 8, 2, 3, 8]), 8, 11, 1, out);
    expect(result).toEqual({ count: 5, extras: 3, crowdedBeats: 1 });
    expect([...out.subarray(0, result.count)]).toEqual([11, 12, 11, 11, 11]);
  });
});

describe('a beat whose gaps straddle it', () => {
  // Seed 4711 at 600 firms: a supplier on a 6-day beat, late and on time by turns (gaps 7, 5, 7, 5, … and a 4), stops.
  // Its last ten gaps: 4, 6, 7, 5, 7, 5, 7, 5, 7, 5 (median 5.5, so each 7 lies 1.5 days off it).
  const straddling = [0, 4, 10, 17, 22, 29, 34, 41, 46, 53, 58];

  it('fires UPSTREAM_BROKEN 12 working days after the last invoice of a supplier whose gaps alternate either side of its 6-day beat', () => {
    const signals = replay(purchases(straddling), detectorContext(calendar), { from: START, to: DAYS[90]! }).signals;
    expect(upstreamBroken(signals).map((s) => [s.status, s.window_end])).toEqual([['OPEN', dayToIso(DAYS[70]!)]]);
  });
});
