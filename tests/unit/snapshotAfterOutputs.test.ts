import { describe, expect, it } from 'vitest';
import { slowSink, tick } from '../helpers/slowSink.ts';
import { ContiguousCommits } from '../../src/kafka/contiguousCommits.ts';
import { GroupCommitWriter, GroupWriteFailedError } from '../../src/kafka/groupCommitWriter.ts';
import { snapshotAfterOutputs } from '../../pipelines/detect/snapshotAfterOutputs.ts';

/**
 * detect's ordering, with the real writer and commit tracker: a partition's outputs go through the group
 * writer, its snapshot waits for the latest of them, and the batch that took the snapshot is committed (at
 * the snapshot's offset) once the snapshot is stored.
 */
function detectPartition() {
  const sink = slowSink<string>();
  const writer = new GroupCommitWriter<string>(sink.write, { maxWeight: 100, lingerMs: 0 });
  const commits = new ContiguousCommits();
  const snapshots: bigint[] = [];
  let finishSnapshot!: (error?: Error) => void;
  const writeSnapshot = (offset: bigint) => () => {
    snapshots.push(offset);
    return new Promise<void>((resolve, reject) => (finishSnapshot = (error) => (error ? reject(error) : resolve())));
  };
  let outputsWritten: Promise<void> = Promise.resolve();
  const handleBatch = async (output: string) => {
    outputsWritten = (await writer.add(output)).written;
  };
  const takeSnapshot = (offset: bigint) => {
    const stored = snapshotAfterOutputs(outputsWritten, writeSnapshot(offset));
    const pending = commits.track('yunlian.invoice-legs', 0, offset);
    const settled = stored.then(
      () => commits.written(pending),
      () => commits.failed(pending),
    );
    return { stored, settled };
  };
  return { sink, snapshots, commits, handleBatch, takeSnapshot, finishSnapshot: (error?: Error) => finishSnapshot(error) };
}

describe('snapshotAfterOutputs', () => {
  it('writes a snapshot only once every output it covers is confirmed, and commits its offset only once it is stored', async () => {
    const p = detectPartition();
    await p.handleBatch('outputs of offsets 0-9');
    await tick();
    await p.handleBatch('outputs of offsets 10-19');
    const { settled } = p.takeSnapshot(20n);
    await tick();
    expect(p.sink.writes).toEqual([['outputs of offsets 0-9']]);
    p.sink.finish(0);
    await tick();
    expect(p.sink.writes).toEqual([['outputs of offsets 0-9'], ['outputs of offsets 10-19']]);
    expect(p.snapshots).toEqual([]);
    p.sink.finish(1);
    await tick();
    expect(p.snapshots).toEqual([20n]);
    expect(p.commits.ready()).toEqual([]);
    p.finishSnapshot();
    await settled;
    expect(p.commits.ready()).toEqual([{ topic: 'yunlian.invoice-legs', partition: 0, offset: '20' }]);
  });

  it('never writes the snapshot nor commits when an output it covers failed to be written', async () => {
    const p = detectPartition();
    await p.handleBatch('outputs of offsets 0-9');
    await tick();
    await p.handleBatch('outputs of offsets 10-19');
    const { stored, settled } = p.takeSnapshot(20n);
    p.sink.finish(0, new Error('ClickHouse is gone'));
    // The snapshot covers the second output, which waited behind the failed write and was never written.
    await expect(stored).rejects.toThrow(GroupWriteFailedError);
    await settled;
    expect(p.sink.writes).toEqual([['outputs of offsets 0-9']]);
    expect(p.snapshots).toEqual([]);
    expect(p.commits.ready()).toEqual([]);
  });

  it('commits nothing when the snapshot write fails, though its outputs are written', async () => {
    const p = detectPartition();
    await p.handleBatch('outputs of offsets 0-9');
    const { stored, settled } = p.takeSnapshot(10n);
    await tick();
    p.sink.finish(0);
    await tick();
    expect(p.snapshots).toEqual([10n]);
    p.finishSnapshot(new Error('snapshot insert refused'));
    await expect(stored).rejects.toThrow('snapshot insert refused');
    await settled;
    expect(p.commits.ready()).toEqual([]);
  });
});
