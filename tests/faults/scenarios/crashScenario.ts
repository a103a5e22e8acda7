import { createPrng } from '../../../src/simulate/prng.ts';
import { startFaultCluster } from '../faultCluster.ts';
import { CheckList, type FaultResult } from '../faultResult.ts';
import { produceArrivals, sleep, waitDrained, type Workload } from '../scenarioWorkload.ts';
import { finishWorkloadRun, type ReferenceSignals } from './pipelineRun.ts';
import type { ConsumerTimeouts } from '../consumerTimeouts.ts';

export interface CrashOptions {
  kills: number;
  /** How long a worker lives before it is killed: uniform in [min, max] ms. */
  upMs: [number, number];
  seed: number;
  drainTimeoutMs: number;
  consumerTimeouts?: ConsumerTimeouts;
}

/**
 * kill -9 of the pipeline process (ingest + detect) at random moments while
 * the workload streams in, a new process on the same data dir after each.
 * The mock Kafka lives in its own process and keeps the log throughout.
 */
export async function crashScenario(workload: Workload, reference: ReferenceSignals, opts: CrashOptions): Promise<FaultResult> {
  const checks = new CheckList();
  const prng = createPrng(opts.seed);
  const cluster = await startFaultCluster('crash', { consumerTimeouts: opts.consumerTimeouts });
  try {
    let worker = await cluster.startWorker();
    // Paced so that production spans the kills (a restart takes a few seconds on top of the up time).
    const meanCycleMs = (opts.upMs[0] + opts.upMs[1]) / 2 + 4000;
    const eventsPerSecond = Math.max(50, Math.round(workload.arrivals.length / ((opts.kills * meanCycleMs) / 1000)));
    const producing = produceArrivals(cluster, workload.arrivals, { eventsPerSecond });
    producing.catch(() => undefined);
    const killedAt: string[] = [];
    const restartMs: number[] = [];
    for (let i = 0; i < opts.kills; i++) {
      const up = prng.int(opts.upMs[0], opts.upMs[1]);
      await sleep(up);
      const [{ n }] = (await worker.query<{ n: string }>('SELECT count() AS n FROM yunlian.invoices')) as [{ n: string }];
      await worker.kill9();
      killedAt.push(`${up}ms/${n}rows`);
      const restart = Date.now();
      worker = await cluster.startWorker();
      restartMs.push(Date.now() - restart);
    }
    checks.note(`killed ${opts.kills}× at (up time / invoice rows so far): ${killedAt.join(', ')}; restarts took ${restartMs.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}`);
    await producing;
    const produced = checks.elapsedSeconds();
    await waitDrained(cluster, opts.drainTimeoutMs);
    checks.note(`production finished at ${produced.toFixed(0)} s, pipelines drained at ${checks.elapsedSeconds().toFixed(0)} s`);
    const result = await finishWorkloadRun({ scenario: `crash: kill -9 ×${opts.kills}`, cluster, worker, workload, reference, checks });
    await worker.stop();
    return result;
  } finally {
    await cluster.close();
  }
}
