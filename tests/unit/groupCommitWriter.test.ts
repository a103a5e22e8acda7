import { describe, expect, it } from 'vitest';
import { slowSink, tick } from '../helpers/slowSink.ts';
import { GroupCommitWriter, GroupWriteFailedError } from '../../src/kafka/groupCommitWriter.ts';
import { ContiguousCommits } from '../../src/kafka/contiguousCommits.ts';

/** Whether a promise has settled yet, without waiting for it. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await tick();
  return done;
}

describe('GroupCommitWriter', () => {
  it('puts every item added while a slow write is in flight into the next write, together', async () => {
    const sink = slowSink<number>();
    const writer = new GroupCommitWriter<number>(sink.write, { maxWeight: 100, lingerMs: 0 });
    const first = await writer.add(1);
    await tick();
    expect(sink.writes).toEqual([[1]]);
    const during = await Promise.all([writer.add(2), writer.add(3), writer.add(4)]);
    await tick();
    expect(sink.writes).toEqual([[1]]);
    sink.finish(0);
    await first.written;
    await tick();
    expect(sink.writes).toEqual([[1], [2, 3, 4]]);
    expect(await settled(during[0]!.written)).toBe(false);
    sink.finish(1);
    await Promise.all(during.map((d) => d.written));
  });

  it('returns from add before the write, and resolves written only once the write carrying the item is confirmed', async () => {
    const sink = slowSink<number>();
    const writer = new GroupCommitWriter<number>(sink.write, { maxWeight: 100, lingerMs: 0 });
    const { written } = await writer.add(7);
    await tick();
    expect(sink.writes).toEqual([[7]]);
    expect(await settled(written)).toBe(false);
    sink.finish(0);
    expect(await settled(written)).toBe(true);
  });

  it('lets an item wait at most the linger for company when no write is in flight', async () => {
    const sink = slowSink<number>();
    const writer = new GroupCommitWriter<number>(sink.write, { maxWeight: 100, lingerMs: 30 });
    await writer.add(1);
    await writer.add(2);
    await tick();
    expect(sink.writes).toEqual([]);
    await new Promise((r) => setTimeout(r, 60));
    expect(sink.writes).toEqual([[1, 2]]);
  });

  it('caps a write at the maximum weight and makes add wait while the next write is full and one is in flight', async () => {
    const sink = slowSink<number>();
    const writer = new GroupCommitWriter<number>(sink.write, { maxWeight: 10, weightOf: (n) => n, lingerMs: 60_000 });
    await writer.add(6);
    await writer.add(3);
    // 6 + 3 + 4 would pass the maximum: the gathered items go now, the 4 starts the next write.
    await writer.add(4);
    expect(sink.writes).toEqual([[6, 3]]);
    await writer.add(5);
    const blocked = writer.add(2);
    expect(await settled(blocked)).toBe(false);
    sink.finish(0);
    await blocked;
    // Room came when the first write ended: the full next write went, and the 2 gathers behind it.
    expect(sink.writes).toEqual([[6, 3], [4, 5]]);
    sink.finish(1);
  });

  it('writes an item heavier than the maximum on its own', async () => {
    const sink = slowSink<number>();
    const writer = new GroupCommitWriter<number>(sink.write, { maxWeight: 10, weightOf: (n) => n, lingerMs: 60_000 });
    await writer.add(1);
    await writer.add(50);
    expect(sink.writes).toEqual([[1]]);
    sink.finish(0);
    await tick();
    expect(sink.writes).toEqual([[1], [50]]);
    sink.finish(1);
  });

  it('after a failed write rejects its items and everything gathered behind it, writes nothing more and refuses new items', async () => {
    const sink = slowSink<number>();
    const writer = new GroupCommitWriter<number>(sink.write, { maxWeight: 100, lingerMs: 0 });
    const failing = await writer.add(1);
    await tick();
    const behind = await writer.add(2);
    sink.finish(0, new Error('ClickHouse down'));
    await expect(failing.written).rejects.toThrow('ClickHouse down');
    await expect(behind.written).rejects.toBeInstanceOf(GroupWriteFailedError);
    await expect(writer.add(3)).rejects.toBeInstanceOf(GroupWriteFailedError);
    await tick();
    expect(sink.writes).toEqual([[1]]);
  });

  it('releases an add waiting for room with an error when the write in flight fails', async () => {
    const sink = slowSink<number>();
    const writer = new GroupCommitWriter<number>(sink.write, { maxWeight: 1, lingerMs: 0 });
    await writer.add(1);
    await tick();
    await writer.add(2);
    const waiting = writer.add(3);
    expect(await settled(waiting)).toBe(false);
    sink.finish(0, new Error('gone'));
    await expect(waiting).rejects.toBeInstanceOf(GroupWriteFailedError);
  });

  it('with ContiguousCommits as the consumer uses them, commits a batch only once its write is confirmed, and nothing behind a failed write', async () => {
    const sink = slowSink<number>();
    const writer = new GroupCommitWriter<number>(sink.write, { maxWeight: 100, lingerMs: 0 });
    const commits = new ContiguousCommits();
    const topic = 'yunlian.invoices.qingpu';
    // A handled batch: its output joins a write, the consumer tracks it and settles it with that write.
    const handle = async (partition: number, nextOffset: number) => {
      const { written } = await writer.add(nextOffset);
      const batch = commits.track(topic, partition, BigInt(nextOffset));
      written.then(
        () => commits.written(batch),
        () => commits.failed(batch),
      );
    };
    await handle(0, 10);
    await tick();
    await handle(0, 20);
    await handle(1, 5);
    expect(commits.ready()).toEqual([]);
    sink.finish(0);
    await tick();
    expect(sink.writes).toEqual([[10], [20, 5]]);
    const first = commits.ready();
    expect(first).toEqual([{ topic, partition: 0, offset: '10' }]);
    commits.committed(first);
    await handle(0, 30);
    sink.finish(1, new Error('ClickHouse down'));
    await tick();
    expect(commits.ready()).toEqual([]);
    expect(commits.unwritten()).toBe(3);
    expect(sink.writes).toHaveLength(2);
  });
});
