import { describe, expect, it } from 'vitest';
import { PartitionLocks } from '../../src/kafka/partitionLocks.ts';

/** A task the test finishes by hand, recording when it started. */
function gate(log: string[], name: string) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    work: async () => {
      log.push(`start ${name}`);
      await opened;
      log.push(`end ${name}`);
      return name;
    },
    open: () => open(),
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('PartitionLocks', () => {
  it('runs work of the same partition one after another, in submission order', async () => {
    const log: string[] = [];
    const locks = new PartitionLocks();
    const a = gate(log, 'a');
    const b = gate(log, 'b');
    const first = locks.run(0, a.work);
    const second = locks.run(0, b.work);
    await tick();
    expect(log).toEqual(['start a']);
    a.open();
    await first;
    await tick();
    expect(log).toEqual(['start a', 'end a', 'start b']);
    b.open();
    expect(await second).toBe('b');
  });

  it('runs work of different partitions side by side', async () => {
    const log: string[] = [];
    const locks = new PartitionLocks();
    const a = gate(log, 'a');
    const b = gate(log, 'b');
    const both = Promise.all([locks.run(0, a.work), locks.run(1, b.work)]);
    await tick();
    expect(log).toEqual(['start a', 'start b']);
    a.open();
    b.open();
    expect(await both).toEqual(['a', 'b']);
  });

  it('gives a failure to its own caller and still runs the next work of the partition', async () => {
    const locks = new PartitionLocks();
    const failed = locks.run(3, async () => {
      throw new Error('sink down');
    });
    const next = locks.run(3, async () => 'went on');
    await expect(failed).rejects.toThrow('sink down');
    expect(await next).toBe('went on');
  });
});
