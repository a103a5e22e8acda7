/**
 * Gathers the outputs of batches from several partitions, handled at once,
 * into one sink write.
 *
 * A live stream spread over many partitions arrives as many small batches
 * (a 200 ms fetch of 12 partitions at 5k events/s is ~80 records each), and
 * every ClickHouse insert and Kafka round trip has a fixed cost that such
 * small batches cannot amortise. Each batch handler submits its output and
 * waits; the coalescer writes whatever has gathered — one write at a time, the
 * next group filling while the current one is written — and settles every
 * submitter with the outcome of the write that carried its output. A
 * submitter whose write failed retries its own batch, which joins a later
 * group: the sink must therefore be idempotent across different groupings
 * (ReplacingMergeTree keys, leg ids), which at-least-once delivery requires
 * anyway.
 */
export interface WriteCoalescerOptions<T> {
  /** Write at once when the gathered items weigh this much. */
  maxWeight: number;
  /** An item's weight, e.g. the records of a batch (default 1). */
  weightOf?: (item: T) => number;
  /** Longest an item waits for company before it is written. */
  lingerMs: number;
}

interface Group<T> {
  items: T[];
  weight: number;
  done: Promise<void>;
  settle(error?: unknown): void;
}

export class WriteCoalescer<T> {
  private current: Group<T> | null = null;
  private writing: Promise<void> = Promise.resolve();
  private writeQueued = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly options: WriteCoalescerOptions<T>,
  ) {}

  /** Resolves once `items` are written; rejects with the error of the write that carried them. */
  submit(items: readonly T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    const group = (this.current ??= newGroup<T>());
    for (const item of items) {
      group.items.push(item);
      group.weight += this.options.weightOf?.(item) ?? 1;
    }
    if (group.weight >= this.options.maxWeight) this.queueWrite();
    else this.timer ??= setTimeout(() => this.queueWrite(), this.options.lingerMs);
    return group.done;
  }

  private queueWrite(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.writeQueued) return;
    this.writeQueued = true;
    // One write at a time. The group is taken when the write starts, not when it was queued, so
    // everything that arrived during the previous write goes out together.
    this.writing = this.writing.then(async () => {
      this.writeQueued = false;
      const group = this.current;
      this.current = null;
      if (!group) return;
      try {
        await this.write(group.items);
        group.settle();
      } catch (error) {
        group.settle(error ?? new Error('coalesced write failed'));
      }
    });
  }
}

function newGroup<T>(): Group<T> {
  let settle!: (error?: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    settle = (error?: unknown) => (error === undefined ? resolve() : reject(error));
  });
  return { items: [], weight: 0, done, settle };
}
