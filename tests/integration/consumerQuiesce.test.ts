import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/runtime/log.ts';
import { createMetrics } from '../../src/runtime/metrics.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { startGroupOnMockCluster, type GroupOnMockCluster, type SlowMember } from '../helpers/groupOnMockCluster.ts';

/**
 * RunningConsumer.quiesce on the mock cluster, with two members of one group (short session timeout, so a
 * rebalance would show within seconds): a quiesced member handles no more batches and has run onQuiesced,
 * yet stays in the group, so the other member keeps its partitions until both leave.
 */
let group: GroupOnMockCluster;
const logger = createLogger('test', { level: 'error' });

/** A slow member that counts its onQuiesced runs. */
async function startMember(): Promise<SlowMember & { quiescedHookRuns: number }> {
  // The hook runs only once the test quiesces the member, after the assignment below.
  let member!: SlowMember & { quiescedHookRuns: number };
  const onQuiesced = async () => {
    member.quiescedHookRuns++;
  };
  member = Object.assign(await group.startSlowMember({ pipeline: 'quiesce-test', metrics: createMetrics(), handlerMs: 200, onQuiesced }), { quiescedHookRuns: 0 });
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
