import { describe, expect, it, vi } from 'vitest';
import { AssignerProtocol, PartitionAssigners, type Cluster, type GroupMember, type Logger } from 'kafkajs';
import { unhurriedRoundRobin } from '../../src/kafka/unhurriedAssigner.ts';

/** Just enough of a kafkajs Cluster for the round-robin assigner: the partitions of each topic. */
const cluster = { findTopicPartitionMetadata: (topic: string) => [0, 1, 2, 3].map((partitionId) => ({ partitionId, topic })) } as unknown as Cluster;
const config = { cluster, groupId: 'yunlian-detect', logger: {} as Logger };
const member = (memberId: string): GroupMember => ({ memberId, memberMetadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics: ['yunlian.invoice-legs'], userData: Buffer.alloc(0) }) });

describe('the unhurried round-robin assigner', () => {
  it('speaks the default assigner\'s protocol, so members with either agree on the group protocol', () => {
    const plain = PartitionAssigners.roundRobin(config);
    const unhurried = unhurriedRoundRobin(1000)(config);
    expect([unhurried.name, unhurried.version]).toEqual([plain.name, plain.version]);
    expect(unhurried.protocol({ topics: ['yunlian.invoice-legs'] })).toEqual(plain.protocol({ topics: ['yunlian.invoice-legs'] }));
  });

  it('assigns as round robin does, but only after the delay when the group has followers', async () => {
    vi.useFakeTimers();
    try {
      const group = { members: [member('detect-1'), member('detect-2')], topics: ['yunlian.invoice-legs'] };
      const expected = await PartitionAssigners.roundRobin(config).assign(group);
      let assigned: unknown = null;
      void unhurriedRoundRobin(1000)(config).assign(group).then((a) => (assigned = a));
      await vi.advanceTimersByTimeAsync(999);
      expect(assigned).toBeNull();
      await vi.advanceTimersByTimeAsync(1);
      expect(assigned).toEqual(expected);
    } finally {
      vi.useRealTimers();
    }
  });

  it('assigns a group of one at once', async () => {
    vi.useFakeTimers();
    try {
      let assigned: unknown = null;
      void unhurriedRoundRobin(1000)(config).assign({ members: [member('detect-1')], topics: ['yunlian.invoice-legs'] }).then((a) => (assigned = a));
      await vi.advanceTimersByTimeAsync(0);
      expect(assigned).not.toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});
