import { GROUPS } from '../../../src/kafka/topics.ts';
import { startFaultCluster } from '../faultCluster.ts';
import { CheckList, type FaultResult } from '../faultResult.ts';
import { produceArrivals, waitDrained, type Workload } from '../scenarioWorkload.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import { committedLegs, finishWorkloadRun, type ReferenceSignals } from './pipelineRun.ts';
import type { ConsumerTimeouts } from '../consumerTimeouts.ts';

/**
 * Detect scaled 1 → 3 → 2 consumers during the run. chDB allows one data dir
 * per process, so the consumers are separate kafkajs group members inside one
 * worker process: each join and leave is a real group rebalance, and partition
 * state moves between members only through the snapshots in ClickHouse.
 */
export async function rebalanceScenario(workload: Workload, reference: ReferenceSignals, opts: { drainTimeoutMs: number; consumerTimeouts?: ConsumerTimeouts }): Promise<FaultResult> {
  const checks = new CheckList();
  const cluster = await startFaultCluster('rebalance', { consumerTimeouts: opts.consumerTimeouts });
  try {
    const worker = await cluster.startWorker({ detectConsumers: 1 });
    const producing = produceArrivals(cluster, workload.arrivals);
    producing.catch(() => undefined);
    const legs = workload.arrivals.length * 2;
    await waitFor(async () => (await committedLegs(cluster, GROUPS.detect)) > legs / 4, { what: 'a quarter of the legs', timeoutMs: opts.drainTimeoutMs, intervalMs: 100 });
    await worker.scaleDetect(3);
    checks.note(`3 detect consumers from ${await committedLegs(cluster, GROUPS.detect)} legs`);
    await waitFor(async () => (await committedLegs(cluster, GROUPS.detect)) > legs / 2, { what: 'half of the legs', timeoutMs: opts.drainTimeoutMs, intervalMs: 100 });
    await worker.scaleDetect(2);
    checks.note(`2 detect consumers from ${await committedLegs(cluster, GROUPS.detect)} legs`);
    await producing;
    await waitDrained(cluster, opts.drainTimeoutMs);
    const result = await finishWorkloadRun({ scenario: 'rebalance: detect 1 → 3 → 2', cluster, worker, workload, reference, checks });
    await worker.stop();
    return result;
  } finally {
    await cluster.close();
  }
}
