import { faultResult, type CheckList, type FaultResult } from '../faultResult.ts';
import type { FaultCluster } from '../faultCluster.ts';
import type { PipelineWorker } from '../workerProcess.ts';
import { tallyInvoices, tallySignals, topicRecords, type Workload } from '../scenarioWorkload.ts';
import { TOPICS } from '../../../src/kafka/topics.ts';

/** Signals of the uninterrupted run, which every faulted run of the same workload must reproduce. */
export interface ReferenceSignals {
  states: string[];
  details?: Map<string, string>;
}

/**
 * The checks every run of the scenario workload ends with: each produced
 * invoice in ClickHouse exactly once, each signal once, and (given a
 * reference) exactly the reference's signals.
 */
export async function finishWorkloadRun(opts: {
  scenario: string;
  cluster: FaultCluster;
  worker: PipelineWorker;
  workload: Workload;
  reference?: ReferenceSignals;
  checks: CheckList;
}): Promise<FaultResult & { signals: string[]; signalDetails: Map<string, string> }> {
  const { worker, workload, checks } = opts;
  const invoices = await tallyInvoices(worker, workload.eventIds);
  const signals = await tallySignals(worker);
  const dlq = await topicRecords(opts.cluster, TOPICS.dlq);
  checks.check(invoices.lost === 0 && invoices.unexpected === 0, `every produced invoice in ClickHouse (${invoices.distinct}/${workload.eventIds.size}, lost ${invoices.lost}, unexpected ${invoices.unexpected})`);
  checks.check(invoices.duplicates === 0, `no invoice twice in invoices FINAL (${invoices.duplicates} extra rows)`);
  checks.check(signals.duplicates === 0, `no signal twice in signals FINAL (${signals.duplicates} extra rows)`);
  checks.check(dlq === 0, `nothing dead-lettered from a valid workload (${dlq})`);
  checks.check(signals.states.length > 0, `the workload raised signals (${signals.states.length} signal states)`);
  if (opts.reference) {
    const ref = new Set(opts.reference.states);
    const got = new Set(signals.states);
    const missing = opts.reference.states.filter((s) => !got.has(s));
    const extra = signals.states.filter((s) => !ref.has(s));
    checks.check(missing.length === 0 && extra.length === 0, `same signal states as the uninterrupted run (${signals.states.length} vs ${ref.size}; missing ${missing.length}, extra ${extra.length})`);
    const detail = (state: string, from: Map<string, string> | undefined) => from?.get(state.split(' ')[0]!) ?? '';
    for (const m of missing.slice(0, 5)) checks.note(`missing ${m} ${detail(m, opts.reference.details)}`);
    for (const e of extra.slice(0, 5)) checks.note(`extra ${e} ${detail(e, signals.details)}`);
  }
  if (worker.fatalError()) checks.check(false, `worker reported a fatal error: ${worker.fatalError()}`);
  return {
    ...faultResult(opts.scenario, checks, { recordsIn: workload.arrivals.length, invoices, dlq, extraDuplicates: signals.duplicates }),
    signals: signals.states,
    signalDetails: signals.details,
  };
}

/** Detect's committed position on the legs topic, summed over partitions. */
export async function committedLegs(cluster: FaultCluster, groupId: string): Promise<number> {
  const [t] = await cluster.admin.fetchOffsets({ groupId, topics: [TOPICS.invoiceLegs] });
  return t!.partitions.reduce((s, p) => s + Math.max(0, Number(p.offset)), 0);
}
