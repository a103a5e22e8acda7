import { startFaultCluster } from '../faultCluster.ts';
import { CheckList, type FaultResult } from '../faultResult.ts';
import type { ConsumerTimeouts } from '../consumerTimeouts.ts';
import { produceArrivals, waitDrained, type Workload } from '../scenarioWorkload.ts';
import { finishWorkloadRun, type ReferenceSignals } from './pipelineRun.ts';

/** The uninterrupted run: the signals every faulted run of the same workload must reproduce. */
export async function referenceScenario(workload: Workload, opts: { drainTimeoutMs: number; consumerTimeouts?: ConsumerTimeouts }): Promise<{ result: FaultResult; reference: ReferenceSignals }> {
  const checks = new CheckList();
  const cluster = await startFaultCluster('reference', { consumerTimeouts: opts.consumerTimeouts });
  try {
    const worker = await cluster.startWorker();
    await produceArrivals(cluster, workload.arrivals);
    await waitDrained(cluster, opts.drainTimeoutMs);
    const result = await finishWorkloadRun({ scenario: 'uninterrupted (reference)', cluster, worker, workload, checks });
    await worker.stop();
    return { result, reference: { states: result.signals, details: result.signalDetails } };
  } finally {
    await cluster.close();
  }
}
