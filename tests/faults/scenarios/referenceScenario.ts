import { startFaultCluster } from '../faultCluster.ts';
import { CheckList, type FaultResult } from '../faultResult.ts';
import { produceArrivals, waitDrained, type Workload } from '../scenarioWorkload.ts';
import { finishWorkloadRun, type ReferenceSignals } from './pipelineRun.ts';

/** The uninterrupted run: the signals every faulted run of the same workload must reproduce. */
export async function referenceScenario(workload: Workload, opts: { drainTimeoutMs: number }): Promise<{ result: FaultResult; reference: ReferenceSignals }> {
  const startedAt = Date.now();
  const cluster = await startFaultCluster('reference');
  try {
    const worker = await cluster.startWorker();
    await produceArrivals(cluster, workload.arrivals);
    await waitDrained(cluster, opts.drainTimeoutMs);
    const result = await finishWorkloadRun({ scenario: 'uninterrupted (reference)', cluster, worker, workload, checks: new CheckList(), startedAt });
    await worker.stop();
    return { result, reference: { states: result.signals, details: result.signalDetails } };
  } finally {
    await cluster.close();
  }
}
