/**
 * Min-heap of events waiting to arrive on their feed, ordered by arrival
 * instant and then by creation order (so ties are deterministic).
 */
export interface Pending<T> {
  arrival_ms: number;
  seq: number;
  item: T;
}

export class ArrivalQueue<T> {
  private readonly heap: Pending<T>[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(entry: Pending<T>): void {
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  /** Removes and returns the earliest entry if it arrives before `limitMs` (exclusive). */
  popBefore(limitMs: number): Pending<T> | undefined {
    const h = this.heap;
    if (h.length === 0 || h[0]!.arrival_ms >= limitMs) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before<T>(a: Pending<T>, b: Pending<T>): boolean {
  return a.arrival_ms < b.arrival_ms || (a.arrival_ms === b.arrival_ms && a.seq < b.seq);
}
