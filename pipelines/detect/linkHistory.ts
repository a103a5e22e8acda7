import { ORDINAL_MOD, packedHigh, packedLowOrdinal } from './packedOrdinal.ts';

/**
 * The invoice days of one partner link within the baseline window: the
 * working ordinals (ascending) it invoiced on and the gross fen of each,
 * plus its lead-in: the newest invoice day before the window, if any.
 *
 * Why the lead-in: the gap leading into the window is part of the partner's
 * record. A partner invoicing now and then can keep a beat for the 60 days of
 * one window by chance right after a long pause that just left it (seed
 * 104729 at 600 firms: gaps 9, 1, 12, 10, 8, 10, 8 after a pause of 32
 * working days; seed 47712: 11, 11, 8, 4, 8, 4, 10 after one of 57). Only the
 * day before the window's first invoice tells how long that pause was; the
 * window's own start does not. Readers that want the window alone start at
 * firstIndexFrom(window start).
 *
 * Kept compact because a firm has many links and each holds ~15 invoice days
 * of 60: two number arrays (ordinals, fen) cost ~500 bytes a link in
 * `npm run bench -- --only memory` (array headers plus the slack push/shift
 * leave). Here each day is one double, `fen · 256 + (ordinal mod 256)`, in one
 * array grown by a quarter at a time; the ordinal is rebuilt from the newest
 * one, which is exact while the days held span fewer than 256 ordinals (the
 * 60-day window and its lead-in do: a link idle for a baseline is forgotten,
 * so its lead-in is at most two baselines old, unless a broken-link signal
 * keeps it). A history whose span or fen does not fit (a baseline over 127
 * days, a link restored after a year's silence, or over 2^45 fen on one day)
 * switches to `[ordinal, fen]` pairs instead: same answers, more bytes.
 *
 * Not a typed array: each one costs ~150 bytes of headers and keeps its
 * payload off the V8 heap, where a heap measurement would not see it.
 */
/** Fen at or above this does not fit above the 8 ordinal bits of an exact double. */
const MAX_PACKED_FEN = 2 ** 45;

export class LinkHistory {
  /** Packed days (see above), oldest first, in [0, count); or [ordinal, fen] pairs when `wide`. */
  private days: number[] = [];
  private count = 0;
  /** Newest ordinal recorded: the reference that packed ordinals are rebuilt from. */
  private newest = 0;
  private wide = false;

  /** A history holding these days (ordinals ascending), e.g. from a snapshot. Throws RangeError when the lengths differ. */
  static of(ordinals: readonly number[], fen: readonly number[]): LinkHistory {
    if (ordinals.length !== fen.length) throw new RangeError(`link history with ${ordinals.length} ordinals and ${fen.length} amounts`);
    const history = new LinkHistory();
    for (let i = 0; i < ordinals.length; i++) history.record(ordinals[i]!, fen[i]!, Number.NEGATIVE_INFINITY);
    return history;
  }

  /** Invoice days held. */
  get size(): number {
    return this.count;
  }

  /** Ordinal of the i-th day held, oldest first (0 ≤ i < size). */
  ordinalAt(i: number): number {
    if (this.wide) return this.days[2 * i]!;
    const low = packedLowOrdinal(this.days[i]!);
    return this.newest - ((this.newest - low) & (ORDINAL_MOD - 1));
  }

  /** Gross fen of the i-th day held (0 ≤ i < size). */
  fenAt(i: number): number {
    if (this.wide) return this.days[2 * i + 1]!;
    return packedHigh(this.days[i]!);
  }

  /** Gross fen over the days held from index `from` (0: all, lead-in included). */
  totalFen(from = 0): number {
    let total = 0;
    for (let i = from; i < this.count; i++) total += this.fenAt(i);
    return total;
  }

  /** Index of the oldest day held at or after `ordinal` (size when none is). O(size). */
  firstIndexFrom(ordinal: number): number {
    let i = 0;
    while (i < this.count && this.ordinalAt(i) < ordinal) i++;
    return i;
  }

  /**
   * Forgets the days before `oldest` but the newest of them (the lead-in), then appends day `ordinal` with `fen`.
   * `ordinal` must be newer than every day held (touchLinks records each
   * closed ordinal once); out of order it throws RangeError.
   */
  record(ordinal: number, fen: number, oldest: number): void {
    if (this.count > 0 && ordinal <= this.newest) throw new RangeError(`link history: day ${ordinal} recorded after day ${this.newest}`);
    this.dropBefore(oldest);
    if (!this.wide && !this.packable(ordinal, fen)) this.widen();
    const width = this.wide ? 2 : 1;
    const needed = (this.count + 1) * width;
    if (needed > this.days.length) this.grow(needed);
    if (this.wide) {
      this.days[2 * this.count] = ordinal;
      this.days[2 * this.count + 1] = fen;
    } else {
      this.days[this.count] = fen * ORDINAL_MOD + (ordinal & (ORDINAL_MOD - 1));
    }
    this.count++;
    this.newest = ordinal;
  }

  /** Ordinals oldest first (a copy). */
  ordinals(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.ordinalAt(i));
    return out;
  }

  /** Fen per day, oldest first (a copy). */
  fen(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.fenAt(i));
    return out;
  }

  private dropBefore(oldest: number): void {
    let drop = 0;
    while (drop < this.count && this.ordinalAt(drop) < oldest) drop++;
    // Keep the lead-in: the newest day before `oldest`.
    drop--;
    if (drop <= 0) return;
    const width = this.wide ? 2 : 1;
    this.days.copyWithin(0, drop * width, this.count * width);
    this.count -= drop;
  }

  /** Whether `ordinal` and `fen` can join the packed days: the span held stays under 256 and fen fits. */
  private packable(ordinal: number, fen: number): boolean {
    if (!Number.isSafeInteger(fen) || fen < 0 || fen >= MAX_PACKED_FEN || !Number.isSafeInteger(ordinal)) return false;
    return this.count === 0 || ordinal - this.ordinalAt(0) < ORDINAL_MOD;
  }

  private widen(): void {
    const pairs: number[] = new Array<number>(2 * this.count + 2).fill(0);
    for (let i = 0; i < this.count; i++) {
      pairs[2 * i] = this.ordinalAt(i);
      pairs[2 * i + 1] = this.fenAt(i);
    }
    this.days = pairs;
    this.wide = true;
  }

  /** A new array of exactly the slots needed plus a quarter (at least 2): V8's own growth leaves half again as much. */
  private grow(needed: number): void {
    const next: number[] = new Array<number>(needed + Math.max(2, needed >> 2)).fill(0);
    for (let i = 0; i < this.count * (this.wide ? 2 : 1); i++) next[i] = this.days[i]!;
    this.days = next;
  }
}
