import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBatchConsumer, type RunningConsumer } from '../../src/kafka/batchConsumer.ts';
import { createLogger } from '../../src/runtime/log.ts';
import { createMetrics } from '../../src/runtime/metrics.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { startGroupOnMockCluster, type GroupOnMockCluster } from '../helpers/groupOnMockCluster.ts';

/**
 * RunningConsumer.quiesce on the mock cluster, with two members of one group (short session timeout, so a
 * rebalance would show within seconds): a quiesced member handles no more batches and has run onQuiesced,
 * yet stays in the group, so the other member keeps its partitions until both leave.
 */
let group: GroupOnMockCluster;
const logger = createLogger('test', { level: 'error' });

interface Member {
  running: RunningConsumer;
  /** Partitions of its latest assignment, and how many assignments it has had. */
  owned: Set<number>;
  assignments: number;
  batches: number;
  quiescedHookRuns: number;
}

/** A member that handles each small batch slowly, so it is mid-stream whenever the test acts. */
async function startMember(): Promise<Member> {
  const member = { owned: new Set<number>(), assignments: 0, batches: 0, quiescedHookRuns: 0 } as Member;
  member.running = await startBatchConsumer({
    kafka: group.kafka,
    pipeline: 'quiesce-test',
    groupId: group.groupId,
    topics: [group.topic],
    logger,
    metrics: createMetrics(),
    sessionTimeoutMs: 6000,
    maxBytesPerPartition: 2048,
    onAssignment: async ({ assigned }) => {
      member.assignments++;
      member.owned.clear();
      for (const a of assigned) member.owned.add(a.partition);
    },
    onQuiesced: async () => {
      member.quiescedHookRuns++;
    },
    handler: async () => {
      member.batches++;
      await new Promise((r) => setTimeout(r, 200));
    },
  });
  group.consumers.push(member.running);
  return member;
}

beforeAll(async () => {
  group = await startGroupOnMockCluster('quiesce', logger);
}, 30_000);

afterAll(async () => {
  await group?.teardown();
});

describe('a quiesced consumer', () => {
  it('handles no more batches and runs onQuiesced once, but stays in its group until it stops', async () => {
    const first = await startMember();
    const second = await startMember();
    await waitFor(() => first.owned.size > 0 && second.owned.size > 0 && first.batches > 0 && second.batches > 0, {
      what: 'both members consuming their share',
      timeoutMs: 30_000,
    });
    const secondAssignments = second.assignments;
    const secondOwned = [...second.owned].sort();

    await Promise.all([first.running.quiesce(), first.running.quiesce()]);
    expect(first.quiescedHookRuns).toBe(1);
    const batchesAtQuiesce = first.batches;
    const secondBatchesAtQuiesce = second.batches;
    // Had the first member left, the second would have been told to rejoin (next heartbeat, within 3 s) and been
    // given every partition once the mock released the rebalance (session timeout less 1 s, 5 s here) by now.
    await new Promise((r) => setTimeout(r, 9000));
    expect(first.batches).toBe(batchesAtQuiesce);
    expect(second.batches).toBeGreaterThan(secondBatchesAtQuiesce);
    expect(second.assignments).toBe(secondAssignments);
    expect([...second.owned].sort()).toEqual(secondOwned);

    // stop() after quiesce() only leaves: the hook does not run again.
    await first.running.stop();
    expect(first.quiescedHookRuns).toBe(1);
    // Now the group rebalances, and the second member takes over every partition.
    await waitFor(() => second.assignments > secondAssignments && second.owned.size === secondOwned.length + first.owned.size, {
      what: 'the second member owning all partitions',
      timeoutMs: 30_000,
    });
  }, 90_000);
});
