/**
 * The recent live events an SSE client may have missed, in a bounded ring.
 *
 * Ids are `<boot>-<seq>`: `seq` grows by one per event and `boot` names this
 * process's lifetime, so a browser that reconnects after a server restart (or
 * after falling further behind than the ring holds) is told to reload instead
 * of silently missing events.
 */
export interface LiveEvent<T = unknown> {
  id: string;
  seq: number;
  type: string;
  data: T;
}

export type ReplayResult<T> =
  /** Everything after the given id, oldest first (possibly nothing). */
  | { kind: 'events'; events: LiveEvent<T>[] }
  /** Events after that id are no longer held (other boot, or overwritten): the client must refetch. */
  | { kind: 'gap' };

export interface EventRing<T = unknown> {
  readonly boot: string;
  push(type: string, data: T): LiveEvent<T>;
  /** Replays after `lastEventId`; null or empty means a fresh client, which gets nothing. */
  since(lastEventId: string | null): ReplayResult<T>;
  size(): number;
}

const ID = /^([a-z0-9]{1,32})-(\d{1,15})$/;

export function createEventRing<T = unknown>(opts: { capacity: number; boot: string }): EventRing<T> {
  if (!Number.isInteger(opts.capacity) || opts.capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${opts.capacity}`);
  if (!/^[a-z0-9]{1,32}$/.test(opts.boot)) throw new RangeError(`boot id must be [a-z0-9]{1,32}, got ${opts.boot}`);
  const slots: Array<LiveEvent<T> | undefined> = new Array(opts.capacity);
  let nextSeq = 1;
  return {
    boot: opts.boot,
    push(type, data) {
      const event: LiveEvent<T> = { id: `${opts.boot}-${nextSeq}`, seq: nextSeq, type, data };
      slots[nextSeq % opts.capacity] = event;
      nextSeq++;
      return event;
    },
    since(lastEventId) {
      if (lastEventId === null || lastEventId === '') return { kind: 'events', events: [] };
      const match = ID.exec(lastEventId);
      if (!match || match[1] !== opts.boot) return { kind: 'gap' };
      const last = Number(match[2]);
      if (last >= nextSeq) return { kind: 'gap' };
      const oldest = Math.max(1, nextSeq - opts.capacity);
      // The client saw `last`; it needs last+1 … nextSeq-1, all of which must still be held.
      if (last + 1 < oldest) return { kind: 'gap' };
      const events: LiveEvent<T>[] = [];
      for (let seq = last + 1; seq < nextSeq; seq++) events.push(slots[seq % opts.capacity]!);
      return { kind: 'events', events };
    },
    size: () => Math.min(nextSeq - 1, opts.capacity),
  };
}
