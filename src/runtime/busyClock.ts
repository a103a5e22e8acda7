/** When a call started, as `start()` returned it; hand it back to `end()`. */
export interface CallStart {
  readonly atMs: number;
}

/** What ending one call adds: its own duration, and the busy time accrued since the clock last moved. */
export interface CallEnd {
  /** This call's start to end: includes any time it queued behind other calls. */
  callSeconds: number;
  /**
   * Wall time during which at least one call was in flight, accrued since the
   * previous `end()` (or since the resource went from idle to busy). The sum
   * over all ends is the union of the calls' intervals: overlapping calls count
   * once. Add it to a counter as it comes, so a reader sees it without waiting
   * for the resource to go idle.
   */
  busySeconds: number;
}

/**
 * The busy time of a resource that serves one call at a time (embedded chDB
 * runs one query at a time per process, bench/chdbConcurrency.ts): the share
 * of a run it was busy says whether the pipelines wait for it. Summed call
 * times would count queueing twice; this counts the union of the intervals.
 *
 * `now` is a monotonic clock in milliseconds (performance.now in production,
 * a fake one in tests). Every `start()` must be followed by exactly one
 * `end()` of what it returned, failed calls too, or the clock counts the
 * resource busy forever; `end()` of a call not started throws RangeError.
 */
export class BusyClock {
  private inFlight = 0;
  /** Where the busy time has been accrued up to; meaningful only while inFlight > 0. */
  private accruedUntilMs = 0;
  private totalBusyMs = 0;

  constructor(private readonly now: () => number) {}

  start(): CallStart {
    const atMs = this.now();
    if (this.inFlight === 0) this.accruedUntilMs = atMs;
    this.inFlight++;
    return { atMs };
  }

  end(call: CallStart): CallEnd {
    if (this.inFlight === 0) throw new RangeError('BusyClock.end() without a call in flight');
    const nowMs = this.now();
    // A clock that steps back (it should not: it is monotonic) must not make busy time negative.
    const busyMs = Math.max(0, nowMs - this.accruedUntilMs);
    this.accruedUntilMs = Math.max(this.accruedUntilMs, nowMs);
    this.inFlight--;
    this.totalBusyMs += busyMs;
    return { callSeconds: Math.max(0, nowMs - call.atMs) / 1000, busySeconds: busyMs / 1000 };
  }

  /** Calls started and not yet ended. */
  get callsInFlight(): number {
    return this.inFlight;
  }

  /** Busy time so far, including the open interval of calls still in flight. */
  busySeconds(): number {
    const open = this.inFlight > 0 ? Math.max(0, this.now() - this.accruedUntilMs) : 0;
    return (this.totalBusyMs + open) / 1000;
  }
}
