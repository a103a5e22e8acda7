import { stringHash52 } from './stringHash52.ts';

/** Marks a free slot; a leg id whose hash is 0 is kept as EMPTY_STAND_IN instead, which no other hash can be. */
const EMPTY = 0;
const EMPTY_STAND_IN = 2 ** 52;

/**
 * The leg ids applied to one open working day, kept to drop redelivered copies (at-least-once delivery), as
 * 52-bit hashes in an open-addressing table of doubles.
 *
 * Why not a Set of the ids: every leg's id, a fresh 43-character string from its Avro record (a UUID and the
 * role), stayed reachable until its day closed, and so did the Set's entry. At 14,000 firms that is state living
 * for seconds, which each of detect's scavenges copied (docs/performance.md, "Session 22"). A hash is a number
 * inside an array that does not move. Two different leg ids of one firm's open day hashing alike (~n² / 2^53 for
 * n legs, ~1e-10 at a thousand) would make the second look like a copy of the first.
 */
export class LegIdSet {
  private slots: Float64Array;
  private count = 0;

  constructor(capacity = 8) {
    this.slots = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Adds the leg id; false when it (or an id of equal hash) was already there. */
  add(legId: string): boolean {
    return this.addHash(stringHash52(legId));
  }

  /** Adds a hash as stored by `hashes()`; false when it was already there. */
  addHash(hash: number): boolean {
    const h = hash === EMPTY ? EMPTY_STAND_IN : hash;
    if ((this.count + 1) * 4 > this.slots.length * 3) this.grow();
    const mask = this.slots.length - 1;
    // The low 32 bits of the hash (ToUint32) pick the slot: both FNV passes feed them.
    for (let i = (h >>> 0) & mask; ; i = (i + 1) & mask) {
      const v = this.slots[i]!;
      if (v === h) return false;
      if (v === EMPTY) {
        this.slots[i] = h;
        this.count++;
        return true;
      }
    }
  }

  /** The stored hashes in ascending order: canonical, so equal sets give equal snapshots. */
  hashes(): number[] {
    const out: number[] = [];
    for (const v of this.slots) if (v !== EMPTY) out.push(v === EMPTY_STAND_IN ? EMPTY : v);
    return out.sort((a, b) => a - b);
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2);
    this.count = 0;
    for (const v of old) if (v !== EMPTY) this.addHash(v === EMPTY_STAND_IN ? EMPTY : v);
  }
}
