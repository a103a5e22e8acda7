import { describe, expect, it } from 'vitest';
import { ContiguousCommits } from '../../src/kafka/contiguousCommits.ts';

const T = 'yunlian.invoices.qingpu';

describe('ContiguousCommits', () => {
  it('commits a partition only through the batches written so far, in the order they were handled', () => {
    const commits = new ContiguousCommits();
    const a = commits.track(T, 0, 100n);
    const b = commits.track(T, 0, 200n);
    const c = commits.track(T, 0, 300n);
    commits.written(b);
    commits.written(c);
    expect(commits.ready()).toEqual([]);
    commits.written(a);
    expect(commits.ready()).toEqual([{ topic: T, partition: 0, offset: '300' }]);
  });

  it('never commits past a batch whose write failed, however many later batches are written', () => {
    const commits = new ContiguousCommits();
    const a = commits.track(T, 3, 10n);
    const b = commits.track(T, 3, 20n);
    const c = commits.track(T, 3, 30n);
    commits.written(a);
    commits.failed(b);
    commits.written(c);
    expect(commits.ready()).toEqual([{ topic: T, partition: 3, offset: '10' }]);
    commits.committed(commits.ready());
    commits.track(T, 3, 40n);
    expect(commits.ready()).toEqual([]);
    expect(commits.unwritten()).toBe(2);
  });

  it('keeps partitions independent: a slow write on one does not hold another', () => {
    const commits = new ContiguousCommits();
    commits.track(T, 0, 5n);
    const other = commits.track(T, 1, 7n);
    const otherTopic = commits.track('yunlian.invoices.wujiang', 0, 9n);
    commits.written(other);
    commits.written(otherTopic);
    expect(commits.ready()).toEqual([
      { topic: T, partition: 1, offset: '7' },
      { topic: 'yunlian.invoices.wujiang', partition: 0, offset: '9' },
    ]);
  });

  it('offers an offset again until it is reported committed, and never one below the last commit', () => {
    const commits = new ContiguousCommits();
    commits.written(commits.track(T, 0, 100n));
    const first = commits.ready();
    expect(first).toEqual([{ topic: T, partition: 0, offset: '100' }]);
    // A commit refused during a rebalance is not reported: the same offset comes back.
    expect(commits.ready()).toEqual(first);
    commits.committed(first);
    expect(commits.ready()).toEqual([]);
    // The same records read again after a rebalance (from an older committed offset) commit nothing lower.
    commits.written(commits.track(T, 0, 60n));
    expect(commits.ready()).toEqual([]);
    commits.written(commits.track(T, 0, 160n));
    expect(commits.ready()).toEqual([{ topic: T, partition: 0, offset: '160' }]);
  });

  it('refuses to settle a batch twice', () => {
    const commits = new ContiguousCommits();
    const a = commits.track(T, 0, 1n);
    commits.written(a);
    expect(() => commits.failed(a)).toThrow(RangeError);
  });
});
