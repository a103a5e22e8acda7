import { describe, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import { partitionLags } from '../../src/kafka/lagGate.ts';

/** An admin whose topic has partitions 0 and 1 (log start 5, end 20), with `committed` as the group's answer. */
function adminWith(committed: Array<{ partition: number; offset: string }>): Admin {
  return {
    fetchTopicOffsets: async () => [
      { partition: 0, offset: '20', high: '20', low: '5' },
      { partition: 1, offset: '20', high: '20', low: '5' },
    ],
    fetchOffsets: async ({ topics }: { topics: string[] }) => topics.map((topic) => ({ topic, partitions: committed })),
  } as unknown as Admin;
}

describe('partitionLags', () => {
  it('counts from the committed offset, or from the log start where the group has none', async () => {
    const lags = await partitionLags(adminWith([{ partition: 0, offset: '17' }, { partition: 1, offset: '-1' }]), 'g', 't');
    expect([...lags]).toEqual([[0, 3], [1, 15]]);
  });

  it('overstates rather than hides a lag when the committed answer leaves partitions out (kafkajs#461)', async () => {
    const lags = await partitionLags(adminWith([]), 'g', 't');
    expect([...lags]).toEqual([[0, 15], [1, 15]]);
  });
});
