import { describe, expect, it } from 'vitest';
import { createEventRing } from '../../pipelines/alerts/eventRing.ts';

describe('the live event ring', () => {
  it('gives a reconnecting client exactly the events after its Last-Event-ID, oldest first', () => {
    const ring = createEventRing<number>({ capacity: 10, boot: 'b1' });
    const ids = [1, 2, 3, 4].map((n) => ring.push('signal', n).id);
    const replay = ring.since(ids[1]!);
    expect(replay).toEqual({ kind: 'events', events: [expect.objectContaining({ data: 3, id: ids[2] }), expect.objectContaining({ data: 4, id: ids[3] })] });
  });

  it('numbers events monotonically within one boot', () => {
    const ring = createEventRing({ capacity: 3, boot: 'b1' });
    const seqs = Array.from({ length: 7 }, () => ring.push('case', null).seq);
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('replays nothing to a client that saw the newest event, and nothing to a fresh client', () => {
    const ring = createEventRing({ capacity: 5, boot: 'b1' });
    const last = ring.push('signal', 'x').id;
    expect(ring.since(last)).toEqual({ kind: 'events', events: [] });
    expect(ring.since(null)).toEqual({ kind: 'events', events: [] });
  });

  it('reports a gap when the missed events were already overwritten', () => {
    const ring = createEventRing({ capacity: 3, boot: 'b1' });
    const first = ring.push('signal', 1).id;
    for (let i = 2; i <= 4; i++) ring.push('signal', i);
    // Holds 2..4; the client saw 1 and needs 2..4: still complete.
    expect(ring.since(first).kind).toBe('events');
    ring.push('signal', 5);
    // Now holds 3..5: event 2 is gone.
    expect(ring.since(first)).toEqual({ kind: 'gap' });
  });

  it('reports a gap for ids of another server boot, ids from the future and malformed ids', () => {
    const ring = createEventRing({ capacity: 5, boot: 'b2' });
    ring.push('signal', 1);
    expect(ring.since('b1-1')).toEqual({ kind: 'gap' });
    expect(ring.since('b2-9')).toEqual({ kind: 'gap' });
    expect(ring.since("b2-1' OR 1=1")).toEqual({ kind: 'gap' });
  });

  it('refuses a capacity below one', () => {
    expect(() => createEventRing({ capacity: 0, boot: 'b' })).toThrow(RangeError);
  });
});
