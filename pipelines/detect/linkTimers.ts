/**
 * The timer wheel of one firm's links: which link keys to look at when a
 * working ordinal closes (a break deadline, or the day an idle link can be
 * forgotten). Stale entries are allowed; the caller skips them.
 *
 * A binary min-heap on due ordinal in two parallel arrays. A Map from ordinal
 * to an array of keys cost ~110 bytes a link in `npm run bench -- --only
 * memory` (a hash table plus an array per due day, most holding one or two
 * keys); here an entry costs two array slots. O(log entries) to add or take.
 */
export class LinkTimers {
  private dues: number[] = [];
  private keys: string[] = [];

  /** Entries held, stale ones included. */
  get size(): number {
    return this.dues.length;
  }

  /** The earliest due ordinal, or null when empty. */
  get next(): number | null {
    return this.dues.length === 0 ? null : this.dues[0]!;
  }

  add(due: number, key: string): void {
    const dues = this.dues;
    const keys = this.keys;
    let i = dues.length;
    dues.push(due);
    keys.push(key);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (dues[parent]! <= due) break;
      dues[i] = dues[parent]!;
      keys[i] = keys[parent]!;
      i = parent;
    }
    dues[i] = due;
    keys[i] = key;
  }

  /** Removes and returns the keys due at or before `ordinal` (in no particular order; empty when none). */
  takeDue(ordinal: number): string[] {
    const out: string[] = [];
    while (this.dues.length > 0 && this.dues[0]! <= ordinal) out.push(this.pop());
    return out;
  }

  private pop(): string {
    const dues = this.dues;
    const keys = this.keys;
    const top = keys[0]!;
    const lastDue = dues.pop()!;
    const lastKey = keys.pop()!;
    const n = dues.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && dues[child + 1]! < dues[child]!) child++;
      if (dues[child]! >= lastDue) break;
      dues[i] = dues[child]!;
      keys[i] = keys[child]!;
      i = child;
    }
    dues[i] = lastDue;
    keys[i] = lastKey;
    return top;
  }
}
