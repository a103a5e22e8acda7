import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/runtime/log.ts';
import { createMetrics, type Metrics } from '../../src/runtime/metrics.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { startGroupOnMockCluster, type GroupOnMockCluster } from '../helpers/groupOnMockCluster.ts';

/**
 * Two members of one group on the mock cluster (short session timeout, so a
 * rebalance settles in seconds): the partitions the first member loses to the
 * second must not keep the lag it last reported there, or the sums over
 * members (merged thread metrics, Prometheus alerts) count them twice.
 */
let group: GroupOnMockCluster;
const logger = createLogger('test', { level: 'error' });

/** This consumer's lag gauge by partition. */
async function lagOf(metrics: Metrics): Promise<Map<number, number>> {
  const gauge = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'yunlian_consumer_lag');
  return new Map((gauge?.values ?? []).filter((v) => v.labels.topic === group.topic).map((v) => [Number(v.labels.partition), v.value]));
}

beforeAll(async () => {
  group = await startGroupOnMockCluster('lag-rebalance', logger);
}, 30_000);

afterAll(async () => {
  await group?.teardown();
});

describe('consumer lag across a rebalance', () => {
  it('reports no lag for the partitions a member lost to another member of its group', async () => {
    // Each member handles a batch in 300 ms, so it stays behind.
    const firstMetrics = createMetrics();
    const { owned: firstOwns } = await group.startSlowMember({ pipeline: 'lag-test', metrics: firstMetrics, handlerMs: 300 });
    // Behind on every partition before the second member joins.
    await waitFor(async () => {
      const lag = await lagOf(firstMetrics);
      return firstOwns.size > 1 && [...firstOwns].every((p) => (lag.get(p) ?? 0) > 0);
    }, { what: 'lag reported on every partition', timeoutMs: 20_000 });
    const before = await lagOf(firstMetrics);

    const { owned: secondOwns } = await group.startSlowMember({ pipeline: 'lag-test', metrics: createMetrics(), handlerMs: 300 });
    await waitFor(() => secondOwns.size > 0 && firstOwns.size > 0 && firstOwns.size + secondOwns.size === before.size, { what: 'the partitions split between the members', timeoutMs: 30_000 });

    const after = await lagOf(firstMetrics);
    for (const p of secondOwns) {
      expect(before.get(p), `partition ${p} before`).toBeGreaterThan(0);
      expect(after.get(p), `partition ${p} after`).toBe(0);
    }
  }, 60_000);
});
