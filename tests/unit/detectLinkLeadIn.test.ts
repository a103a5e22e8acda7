import { describe, expect, it } from 'vitest';
import { dayToIso } from '../../src/calendar/workingCalendar.ts';
import type { EnterpriseState } from '../../pipelines/detect/enterpriseState.ts';
import { deserializeState, serializeState } from '../../pipelines/detect/serializeState.ts';
import { SUPPLIER, detectorContext, fakeCalendar, leg, ofType, replay, workingDays } from '../helpers/detectFixtures.ts';

/**
 * DESIGN.md: a partner whose pattern was always sporadic is no broken link when it pauses. One invoicing now and
 * then can keep a beat for one 60-day window by chance; what gives it away is the long pause that led into that
 * window, which the link's lead-in (its invoice day before the window) remembers.
 */
const calendar = fakeCalendar();
const START = '2019-07-01';
const DAYS = workingDays(calendar, START, '2020-06-30');

const purchases = (indices: number[]) => indices.map((i) => leg({ partner: SUPPLIER, role: 'BUYER', day: DAYS[i]!, amountFen: 3_000_000 }));
const upstreamBroken = (indices: number[], to: number) =>
  ofType(replay(purchases(indices), detectorContext(calendar), { from: START, to: DAYS[to]! }).signals, 'UPSTREAM_BROKEN');

describe('a partner that kept a beat for one window right after a long pause', () => {
  it('does not break a partner that invoiced every 8–12 working days after a 32-day pause, when it pauses again', () => {
    // Seed 104729 at 600 firms: gaps 1, 32, then 9, 1, 12, 10, 8, 10, 8 (a 9-day "beat" filling the window ending
    // on day 91), then a pause of 38 working days over the Dragon Boat festival.
    const chanceBeat = [0, 1, 33, 42, 43, 55, 65, 73, 83, 91, 129];
    expect(upstreamBroken(chanceBeat, 135)).toEqual([]);
  });

  it('does not break a partner that invoiced every 8–12 working days after a 57-day pause, when it pauses again', () => {
    // Seed 47712 at 600 firms: a pause of 57, then 11, 11, 8, 4, 8, 4, 10 (an 11-day beat once the two 4s are
    // merged as extras), then a pause of 28 over National Day.
    const chanceBeat = [0, 57, 68, 79, 87, 91, 99, 103, 113, 141];
    expect(upstreamBroken(chanceBeat, 145)).toEqual([]);
  });

  it('still breaks a 9-day supplier whose invoice before the window was on its beat', () => {
    const beat = [0, 9, 18, 27, 36, 45, 54, 63, 72, 81, 90, 99];
    const signals = upstreamBroken(beat, 130);
    expect(signals.map((s) => [s.status, s.window_end])).toEqual([['OPEN', dayToIso(DAYS[99 + 18]!)]]);
  });

  it('judges a partner back from a break regular again only once the invoice that ended the break has left the window', () => {
    // A 5-day supplier stops after day 35 (broken on day 45) and resumes on its beat on day 70. Stopped again after
    // day 125, it is not reported: that window (days 66–125) starts with the invoice of day 70, which came 35 days
    // after its lead-in. Stopped after day 135 (window 76–135, lead-in day 70), it is.
    const resumed = [...Array.from({ length: 8 }, (_, i) => 5 * i), ...Array.from({ length: 14 }, (_, i) => 70 + 5 * i)];
    const opened = (indices: number[], to: number) =>
      upstreamBroken(indices, to)
        .filter((s) => s.status === 'OPEN')
        .map((s) => s.window_end);
    expect(opened(resumed.filter((i) => i <= 125), 150)).toEqual([dayToIso(DAYS[45]!)]);
    expect(opened(resumed, 160)).toEqual([dayToIso(DAYS[45]!), dayToIso(DAYS[145]!)]);
  });

  it('keeps the lead-in across a snapshot, so a restored run does not break the partner either', () => {
    const chanceBeat = [0, 1, 33, 42, 43, 55, 65, 73, 83, 91, 129];
    const ctx = detectorContext(calendar);
    // Cut after day 70: the history holds day 1 as the lead-in of the window 11–70.
    const first = replay(purchases(chanceBeat), ctx, { from: START, to: DAYS[70]! });
    const restored = new Map<string, EnterpriseState>();
    for (const [taxId, state] of first.states) restored.set(taxId, deserializeState(JSON.parse(JSON.stringify(serializeState(state))) as unknown));
    const rest = replay(purchases(chanceBeat), ctx, { from: DAYS[70]! + 1, to: DAYS[135]!, states: restored });
    expect(ofType([...first.signals, ...rest.signals], 'UPSTREAM_BROKEN')).toEqual([]);
  });
});
