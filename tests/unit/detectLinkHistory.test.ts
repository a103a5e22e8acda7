import { describe, expect, it } from 'vitest';
import { LinkHistory } from '../../pipelines/detect/linkHistory.ts';

describe('LinkHistory', () => {
  it('gives back the ordinals and fen it recorded, oldest first', () => {
    const history = LinkHistory.of([5_000, 5_004, 5_009], [1_000_000, 2_500_000, 7]);
    expect(history.size).toBe(3);
    expect(history.ordinals()).toEqual([5_000, 5_004, 5_009]);
    expect(history.fen()).toEqual([1_000_000, 2_500_000, 7]);
    expect(history.totalFen()).toBe(3_500_007);
  });

  it('forgets the days before the window as it records new ones, all but the newest of them (the lead-in)', () => {
    const history = new LinkHistory();
    for (let o = 1; o <= 300; o += 4) history.record(o, o * 1_000, o - 59);
    // The last day recorded is 297, whose window starts at 238: 237 leads into it.
    expect(history.ordinals()).toEqual([237, 241, 245, 249, 253, 257, 261, 265, 269, 273, 277, 281, 285, 289, 293, 297]);
    expect(history.fenAt(0)).toBe(237_000);
    expect(history.firstIndexFrom(238)).toBe(1);
    expect(history.totalFen(history.firstIndexFrom(238))).toBe(history.totalFen() - 237_000);
    expect(history.ordinalAt(history.size - 1)).toBe(297);
  });

  it('keeps a lead-in from before a long pause, and no older day', () => {
    const history = new LinkHistory();
    for (const o of [10, 20, 30, 150, 160]) history.record(o, 1, o - 59);
    expect(history.ordinals()).toEqual([30, 150, 160]);
    expect(history.firstIndexFrom(160 - 59)).toBe(1);
    expect(history.firstIndexFrom(161)).toBe(3);
  });

  it('stays exact when a history spans 256 working days or more', () => {
    const history = new LinkHistory();
    for (const o of [10, 100, 265, 266, 600]) history.record(o, 3, Number.NEGATIVE_INFINITY);
    expect(history.ordinals()).toEqual([10, 100, 265, 266, 600]);
    expect(history.fen()).toEqual([3, 3, 3, 3, 3]);
  });

  it('stays exact for a day of more fen than fits beside the ordinal', () => {
    const history = LinkHistory.of([1, 2, 3], [5, 2 ** 50, 6]);
    expect(history.fen()).toEqual([5, 2 ** 50, 6]);
    expect(history.ordinals()).toEqual([1, 2, 3]);
  });

  it('refuses a day that is not newer than the last one recorded', () => {
    const history = LinkHistory.of([7, 9], [1, 1]);
    expect(() => history.record(9, 1, 0)).toThrow(RangeError);
    expect(() => LinkHistory.of([1, 2], [1])).toThrow(RangeError);
  });
});
