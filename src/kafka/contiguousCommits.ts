/**
 * Which offsets a consumer may commit when batches are acknowledged out of
 * step with their handling (a batch handed to a pipelined writer is resolved
 * at once, but written later).
 *
 * Each partition keeps its batches in the order they were handled. A commit
 * covers a batch only when it and every earlier batch of the partition are
 * confirmed written, so a commit never passes an unwritten record; a batch
 * whose write failed stays at the head and blocks every later commit of its
 * partition (the records are read again after a restart or rebalance, and the
 * idempotent sinks absorb what was written twice). Commits never move a
 * partition's offset backwards.
 */
export interface PendingBatch {
  readonly topic: string;
  readonly partition: number;
  /** The offset after the batch's last record: what a commit covering it says. */
  readonly nextOffset: bigint;
}

export interface OffsetCommit {
  topic: string;
  partition: number;
  /** Next offset to read, as Kafka's commit API takes it. */
  offset: string;
}

type BatchState = 'pending' | 'written' | 'failed';

interface Entry extends PendingBatch {
  state: BatchState;
}

/** One per partition ever tracked (a consumer's assignment: a few dozen at most), kept for its last commit. */
interface PartitionQueue {
  topic: string;
  partition: number;
  entries: Entry[];
  /** The highest offset handed out by `ready()` and not yet reported back; null when none. */
  readyOffset: bigint | null;
  committed: bigint | null;
}

export class ContiguousCommits {
  private readonly partitions = new Map<string, PartitionQueue>();
  private readonly entries = new WeakMap<PendingBatch, Entry>();

  /** Registers a handled batch, behind every earlier batch of its partition. */
  track(topic: string, partition: number, nextOffset: bigint): PendingBatch {
    const key = `${topic}:${partition}`;
    let queue = this.partitions.get(key);
    if (!queue) {
      queue = { topic, partition, entries: [], readyOffset: null, committed: null };
      this.partitions.set(key, queue);
    }
    const entry: Entry = { topic, partition, nextOffset, state: 'pending' };
    queue.entries.push(entry);
    this.entries.set(entry, entry);
    return entry;
  }

  /** The batch's records are written. */
  written(batch: PendingBatch): void {
    this.settle(batch, 'written');
  }

  /** The batch's write gave up: no commit of its partition may pass it from now on. */
  failed(batch: PendingBatch): void {
    this.settle(batch, 'failed');
  }

  /**
   * The offsets that may be committed now, one per partition whose confirmed
   * prefix grew past its last commit. Report the outcome with `committed()`;
   * offsets not reported are offered again.
   */
  ready(): OffsetCommit[] {
    const out: OffsetCommit[] = [];
    for (const queue of this.partitions.values()) {
      let upTo: bigint | null = null;
      while (queue.entries.length > 0 && queue.entries[0]!.state === 'written') upTo = queue.entries.shift()!.nextOffset;
      if (upTo !== null && (queue.readyOffset === null || upTo > queue.readyOffset)) queue.readyOffset = upTo;
      const offset = queue.readyOffset;
      if (offset !== null && (queue.committed === null || offset > queue.committed)) out.push({ topic: queue.topic, partition: queue.partition, offset: offset.toString() });
    }
    return out;
  }

  /** The group accepted these offsets. */
  committed(commits: readonly OffsetCommit[]): void {
    for (const c of commits) {
      const queue = this.partitions.get(`${c.topic}:${c.partition}`);
      if (!queue) continue;
      const offset = BigInt(c.offset);
      if (queue.committed === null || offset > queue.committed) queue.committed = offset;
    }
  }

  /** Batches tracked and not yet written (pending or failed). */
  unwritten(): number {
    let n = 0;
    for (const queue of this.partitions.values()) n += queue.entries.filter((e) => e.state !== 'written').length;
    return n;
  }

  private settle(batch: PendingBatch, state: Exclude<BatchState, 'pending'>): void {
    const entry = this.entries.get(batch);
    if (!entry) throw new RangeError('not a batch of this tracker');
    if (entry.state !== 'pending') throw new RangeError(`batch of ${entry.topic}:${entry.partition} through ${entry.nextOffset} already ${entry.state}`);
    entry.state = state;
  }
}
