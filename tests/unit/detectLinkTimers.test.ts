import { describe, expect, it } from 'vitest';
import { LinkTimers } from '../../pipelines/detect/linkTimers.ts';
import { seededRandom } from '../helpers/detectFixtures.ts';

describe('LinkTimers', () => {
  it('hands out each key on its due ordinal, earliest first, and nothing before', () => {
    const timers = new LinkTimers();
    timers.add(12, 'UPSTREAM|b');
    timers.add(10, 'DOWNSTREAM|a');
    timers.add(12, 'UPSTREAM|c');
    expect(timers.next).toBe(10);
    expect(timers.takeDue(9)).toEqual([]);
    expect(timers.takeDue(10)).toEqual(['DOWNSTREAM|a']);
    expect(timers.next).toBe(12);
    expect(timers.takeDue(12).sort()).toEqual(['UPSTREAM|b', 'UPSTREAM|c']);
    expect(timers.size).toBe(0);
    expect(timers.next).toBeNull();
  });

  it('orders a thousand random entries by due ordinal, duplicates kept', () => {
    const random = seededRandom(7);
    const timers = new LinkTimers();
    const entries: Array<[number, string]> = [];
    for (let i = 0; i < 1_000; i++) {
      const due = Math.floor(random() * 200);
      entries.push([due, `k${i}`]);
      timers.add(due, `k${i}`);
    }
    for (let o = 0; o < 200; o++) {
      const expected = entries.filter(([due]) => due === o).map(([, k]) => k).sort();
      expect(timers.takeDue(o).sort()).toEqual(expected);
    }
    expect(timers.size).toBe(0);
  });
});
