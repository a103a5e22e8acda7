/**
 * Serialises work per partition while letting different partitions run side
 * by side. A stateful consumer handles several partitions at once, but a
 * partition's batches, its state snapshots (idle timer, shutdown) and its
 * output bookkeeping must never interleave with each other.
 */
export class PartitionLocks {
  private readonly tails = new Map<number, Promise<unknown>>();

  /** Runs `work` after every earlier work of the same partition settled; resolves or rejects with its outcome. */
  run<T>(partition: number, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(partition) ?? Promise.resolve();
    const result = previous.then(work);
    // The next work waits for this one whatever its outcome; the outcome itself goes to this caller.
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(partition, tail);
    void tail.then(() => {
      // Drop the entry once nothing is queued behind it, so revoked partitions do not accumulate.
      if (this.tails.get(partition) === tail) this.tails.delete(partition);
    });
    return result;
  }
}
