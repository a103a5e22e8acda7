import { YunlianError } from '../runtime/errors.ts';

/**
 * Group commit for a consumer's sink writes: a batch handler adds its output
 * and returns without waiting for the write; while one write is in flight the
 * next one gathers everything handled meanwhile, so the write size follows the
 * load by itself (a database's group commit, Vector's sinks). chDB's cost per
 * row halves from ~1,000 to ~5,000 rows an insert (docs/performance.md), and
 * when handlers wait for their own write, a write carries one fetch round.
 *
 * - One write at a time, in the order the items were added: a partition's
 *   outputs (ingest's legs) stay in partition order.
 * - Memory is bounded: a write carries at most `maxWeight` (an item heavier
 *   than that goes alone), and once the next write is full `add` waits for the
 *   one in flight — the handler does not return, so the consumer fetches no
 *   more. At most two writes' worth is held.
 * - An item waits at most `lingerMs` for company when no write is in flight.
 * - Each item's `written` settles with the outcome of the write that carried
 *   it; offsets may be committed only after it resolves (ContiguousCommits).
 * - The first failed write is final: everything gathered after it is rejected
 *   unwritten and `add` refuses, so no later write can overtake a lost one.
 *   Retrying belongs inside `write` (it retries the same items).
 */
export interface GroupCommitWriterOptions<T> {
  /** Most weight one write carries (e.g. records); also what may gather while a write is in flight. */
  maxWeight: number;
  /** An item's weight (default 1). */
  weightOf?: (item: T) => number;
  /** Longest an item waits for company when no write is in flight. */
  lingerMs: number;
  /** Clock for the linger (default Date.now). */
  now?: () => number;
}

/** An item taken into a write; `written` rejects when that write failed or was abandoned. */
export interface AcceptedItem {
  written: Promise<void>;
}

/** `add` after a write failed: the writer takes nothing more (not retriable: the consumer must restart from its commits). */
export class GroupWriteFailedError extends YunlianError {
  constructor(cause: unknown) {
    super('an earlier write failed; nothing more is written', { code: 'GROUP_WRITE_FAILED', retriable: false, cause });
  }
}

interface Group<T> {
  items: T[];
  weight: number;
  firstAt: number;
  done: Promise<void>;
  settle(error?: unknown): void;
}

export class GroupCommitWriter<T> {
  private gathering: Group<T> | null = null;
  private writing = false;
  private failure: { error: unknown } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private roomWaiters: Array<() => void> = [];
  private readonly now: () => number;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly options: GroupCommitWriterOptions<T>,
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Adds `item` to the next write, first waiting while that write is full and
   * another is in flight. Throws GroupWriteFailedError once a write failed.
   */
  async add(item: T): Promise<AcceptedItem> {
    const weight = this.options.weightOf?.(item) ?? 1;
    for (;;) {
      if (this.failure) throw new GroupWriteFailedError(this.failure.error);
      const next = this.gathering;
      if (!next || next.items.length === 0 || next.weight + weight <= this.options.maxWeight) break;
      if (!this.writing) {
        this.startWrite();
        continue;
      }
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
    const group = (this.gathering ??= newGroup<T>(this.now()));
    group.items.push(item);
    group.weight += weight;
    this.schedule();
    return { written: group.done };
  }

  private schedule(): void {
    const group = this.gathering;
    if (this.writing || this.failure || !group) return;
    const waited = this.now() - group.firstAt;
    if (group.weight >= this.options.maxWeight || waited >= this.options.lingerMs) {
      this.startWrite();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.schedule();
    }, this.options.lingerMs - waited);
  }

  private startWrite(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const group = this.gathering;
    if (!group) return;
    this.gathering = null;
    this.writing = true;
    this.wakeWaiters();
    void this.runWrite(group);
  }

  private async runWrite(group: Group<T>): Promise<void> {
    try {
      await this.write(group.items);
    } catch (error) {
      this.failure = { error };
      group.settle(error ?? new Error('group write failed'));
      // Gathered behind the failed write: never written, and must not be written ahead of it.
      const behind = this.gathering;
      this.gathering = null;
      behind?.settle(new GroupWriteFailedError(error));
      return;
    } finally {
      this.writing = false;
      this.wakeWaiters();
    }
    group.settle();
    this.schedule();
  }

  private wakeWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }
}

function newGroup<T>(firstAt: number): Group<T> {
  let settle!: (error?: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    settle = (error?: unknown) => (error === undefined ? resolve() : reject(error));
  });
  // Whoever added an item awaits `written`; a group nobody awaits any more (its consumer stopped) must not crash
  // the process with an unhandled rejection.
  done.catch(() => undefined);
  return { items: [], weight: 0, firstAt, done, settle };
}
