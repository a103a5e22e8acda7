import { describe, expect, it } from 'vitest';
import { WriteCoalescer } from '../../src/kafka/writeCoalescer.ts';

/** A sink that records each write and lets the test decide when (and how) it finishes. */
function controlledSink() {
  const writes: number[][] = [];
  const finishers: Array<(error?: Error) => void> = [];
  const write = (items: number[]) => {
    writes.push(items);
    return new Promise<void>((resolve, reject) => finishers.push((error) => (error ? reject(error) : resolve())));
  };
  return { writes, write, finish: (i: number, error?: Error) => finishers[i]!(error) };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('WriteCoalescer', () => {
  it('writes the batches submitted within the linger time together and resolves each submitter', async () => {
    const written: number[][] = [];
    const coalescer = new WriteCoalescer<number>(async (items) => void written.push(items), { maxWeight: 100, lingerMs: 10 });
    await Promise.all([coalescer.submit([1, 2]), coalescer.submit([3]), coalescer.submit([4, 5])]);
    expect(written).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('writes at once when the gathered weight reaches the maximum, without waiting for the linger', async () => {
    const written: number[][] = [];
    const coalescer = new WriteCoalescer<number>(async (items) => void written.push(items), { maxWeight: 50, lingerMs: 60_000, weightOf: (n) => n });
    const first = coalescer.submit([20]);
    await tick();
    expect(written).toEqual([]);
    await Promise.all([first, coalescer.submit([30])]);
    expect(written).toEqual([[20, 30]]);
  });

  it('writes one group at a time; what arrives during a write goes out together next', async () => {
    const sink = controlledSink();
    const coalescer = new WriteCoalescer<number>(sink.write, { maxWeight: 1, lingerMs: 1 });
    const a = coalescer.submit([1]);
    await tick();
    const b = coalescer.submit([2]);
    const c = coalescer.submit([3]);
    await tick();
    expect(sink.writes).toEqual([[1]]);
    sink.finish(0);
    await a;
    await tick();
    expect(sink.writes).toEqual([[1], [2, 3]]);
    sink.finish(1);
    await Promise.all([b, c]);
  });

  it('rejects exactly the submitters whose write failed; their retry joins a later write', async () => {
    const sink = controlledSink();
    const coalescer = new WriteCoalescer<string>(sink.write as unknown as (items: string[]) => Promise<void>, { maxWeight: 2, lingerMs: 1 });
    const failing = [coalescer.submit(['a']), coalescer.submit(['b'])];
    await tick();
    const later = coalescer.submit(['c']);
    sink.finish(0, new Error('ClickHouse down'));
    const outcomes = await Promise.allSettled(failing);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect((outcomes[0] as PromiseRejectedResult).reason).toEqual(new Error('ClickHouse down'));
    const retry = coalescer.submit(['a']);
    await new Promise((r) => setTimeout(r, 5));
    expect(sink.writes).toEqual([['a', 'b'], ['c', 'a']]);
    sink.finish(1);
    await Promise.all([later, retry]);
  });

  it('never writes an empty group', async () => {
    const written: number[][] = [];
    const coalescer = new WriteCoalescer<number>(async (items) => void written.push(items), { maxWeight: 10, lingerMs: 1 });
    await coalescer.submit([]);
    await new Promise((r) => setTimeout(r, 5));
    expect(written).toEqual([]);
  });
});
