import { describe, expect, it } from 'vitest';
import { BusyClock } from '../../src/runtime/busyClock.ts';

function fakeClock(): { now: () => number; at: (ms: number) => void } {
  let t = 0;
  return { now: () => t, at: (ms) => (t = ms) };
}

describe('BusyClock', () => {
  it('counts the wall time of one call as busy time and as call time', () => {
    const clock = fakeClock();
    const busy = new BusyClock(clock.now);
    clock.at(1000);
    const call = busy.start();
    clock.at(1250);
    expect(busy.end(call)).toEqual({ callSeconds: 0.25, busySeconds: 0.25 });
    expect(busy.busySeconds()).toBe(0.25);
  });

  it('counts overlapping calls once in busy time but each in full in call time', () => {
    const clock = fakeClock();
    const busy = new BusyClock(clock.now);
    clock.at(0);
    const a = busy.start();
    clock.at(100);
    const b = busy.start();
    clock.at(300);
    const endA = busy.end(a);
    clock.at(500);
    const endB = busy.end(b);
    expect(endA.callSeconds).toBe(0.3);
    expect(endB.callSeconds).toBe(0.4);
    expect(endA.busySeconds + endB.busySeconds).toBeCloseTo(0.5, 9);
    expect(busy.busySeconds()).toBeCloseTo(0.5, 9);
  });

  it('does not count the idle time between calls', () => {
    const clock = fakeClock();
    const busy = new BusyClock(clock.now);
    const a = busy.start();
    clock.at(100);
    busy.end(a);
    clock.at(1000);
    const b = busy.start();
    clock.at(1200);
    busy.end(b);
    expect(busy.busySeconds()).toBeCloseTo(0.3, 9);
  });

  it('counts a call nested inside a longer one once', () => {
    const clock = fakeClock();
    const busy = new BusyClock(clock.now);
    const outer = busy.start();
    clock.at(200);
    const inner = busy.start();
    clock.at(300);
    busy.end(inner);
    clock.at(1000);
    busy.end(outer);
    expect(busy.busySeconds()).toBeCloseTo(1, 9);
  });

  it('includes the open interval of calls still in flight when read', () => {
    const clock = fakeClock();
    const busy = new BusyClock(clock.now);
    busy.start();
    clock.at(700);
    expect(busy.callsInFlight).toBe(1);
    expect(busy.busySeconds()).toBeCloseTo(0.7, 9);
  });

  it('refuses to end a call when none is in flight', () => {
    const busy = new BusyClock(() => 0);
    expect(() => busy.end({ atMs: 0 })).toThrow(RangeError);
  });
});
