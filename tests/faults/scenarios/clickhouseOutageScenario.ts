import { DISTRICTS, invoiceTopic } from '../../../src/domain/district.ts';
import { partitionLags } from '../../../src/kafka/lagGate.ts';
import { GROUPS } from '../../../src/kafka/topics.ts';
import { startFaultCluster } from '../faultCluster.ts';
import { CheckList, faultResult, type FaultResult } from '../faultResult.ts';
import type { ConsumerTimeouts } from '../consumerTimeouts.ts';
import { produceArrivals, sleep, tallyInvoices, topicRecords, waitDrained, type Workload } from '../scenarioWorkload.ts';
import { TOPICS } from '../../../src/kafka/topics.ts';
import { fixtureInvoices } from './registryScenario.ts';
import { counterTotal } from '../workerProtocol.ts';
import { committedLegs, finishWorkloadRun, type ReferenceSignals } from './pipelineRun.ts';
import { waitFor } from '../../helpers/waitFor.ts';

/**
 * ClickHouse unreachable for each of `outagesMs` while invoices keep
 * arriving. chDB runs inside the pipeline process, so it cannot be stopped on
 * its own: the worker wraps the client the pipelines use and refuses every
 * call with ECONNREFUSED for the outage (tests/faults/clickhouseOutage.ts).
 * Expected: pipelines pause and retry with backoff (retry counter grows, lag
 * builds), no pipeline stops, and afterwards every invoice is there once
 * and the signals equal the uninterrupted run's.
 */
export async function clickhouseOutageScenario(workload: Workload, reference: ReferenceSignals, opts: { outagesMs: number[]; drainTimeoutMs: number; retryMaxMs?: number; consumerTimeouts?: ConsumerTimeouts }): Promise<FaultResult> {
  const checks = new CheckList();
  const cluster = await startFaultCluster('clickhouse-outage', { consumerTimeouts: opts.consumerTimeouts });
  try {
    const worker = await cluster.startWorker({ retryMaxMs: opts.retryMaxMs });
    const parts = opts.outagesMs.length + 1;
    const slice = Math.ceil(workload.arrivals.length / parts);
    const ingestLag = async () => {
      let lag = 0;
      for (const d of DISTRICTS) for (const l of (await partitionLags(cluster.admin, GROUPS.ingest, invoiceTopic(d))).values()) lag += l;
      return lag;
    };
    for (let i = 0; i < parts; i++) {
      const chunk = workload.arrivals.slice(i * slice, (i + 1) * slice);
      const outageMs = opts.outagesMs[i];
      if (outageMs === undefined) {
        await produceArrivals(cluster, chunk);
        break;
      }
      await produceArrivals(cluster, chunk.slice(0, Math.floor(chunk.length / 2)));
      // Steady state first: detect must have joined its group (a join during an outage is clickhouseDownAtJoinScenario).
      await waitFor(async () => (await committedLegs(cluster, GROUPS.detect)) > 0, { what: 'detect to join and commit', timeoutMs: opts.drainTimeoutMs, intervalMs: 250 });
      const before = await worker.stats();
      await worker.clickhouseOutage(outageMs);
      const outageStarted = Date.now();
      // The rest of this slice arrives while ClickHouse is down.
      await produceArrivals(cluster, chunk.slice(Math.floor(chunk.length / 2)));
      await sleep(Math.max(0, outageMs - (Date.now() - outageStarted) - 500));
      const during = await worker.stats();
      const lag = await ingestLag();
      const retries = counterTotal(during.metrics, 'yunlian_retries_total') - counterTotal(before.metrics, 'yunlian_retries_total');
      checks.check(during.clickhouseDown && during.clickhouseRefusedCalls > before.clickhouseRefusedCalls, `${outageMs / 1000} s outage: ClickHouse calls refused (${during.clickhouseRefusedCalls - before.clickhouseRefusedCalls})`);
      checks.check(retries > 0, `${outageMs / 1000} s outage: pipelines retry with backoff (yunlian_retries_total +${retries})`);
      checks.check(lag > 0, `${outageMs / 1000} s outage: consumption paused, ingest lag ${lag} records`);
      checks.check(worker.fatalError() === null, `${outageMs / 1000} s outage: no pipeline stopped`);
      await sleep(Math.max(0, outageMs - (Date.now() - outageStarted)));
      await waitDrained(cluster, opts.drainTimeoutMs);
      checks.note(`${outageMs / 1000} s outage: caught up ${((Date.now() - outageStarted - outageMs) / 1000).toFixed(1)} s after ClickHouse came back`);
    }
    await waitDrained(cluster, opts.drainTimeoutMs);
    const name = `ClickHouse outage ${opts.outagesMs.map((ms) => `${ms / 1000} s`).join(' + ')}`;
    const result = await finishWorkloadRun({ scenario: name, cluster, worker, workload, reference, checks });
    await worker.stop();
    return result;
  } finally {
    await cluster.close();
  }
}

/**
 * ClickHouse is unreachable while detect joins its consumer group (startup,
 * or any rebalance during an outage): restoring partition state needs
 * ClickHouse, and that must wait and retry like every other ClickHouse call,
 * not take the process down.
 */
export async function clickhouseDownAtJoinScenario(opts: { downMs: number; records: number; drainTimeoutMs: number; consumerTimeouts?: ConsumerTimeouts }): Promise<FaultResult> {
  const checks = new CheckList();
  const cluster = await startFaultCluster('clickhouse-down-at-join', { consumerTimeouts: opts.consumerTimeouts });
  try {
    const invoices = fixtureInvoices(950_000, opts.records);
    const topic = invoiceTopic('qingpu');
    await cluster.producer.send(invoices.map((e) => ({ topic, key: e.invoice_no, value: cluster.codecs.invoiceEvents.qingpu.encode(e) })));
    const worker = await cluster.startWorker({ clickhouseDownAtStartMs: opts.downMs, retryMaxMs: 1000 });
    await sleep(opts.downMs + 2000);
    const alive = worker.fatalError() === null && (await worker.stats().then(() => true, () => false));
    checks.check(alive, `the pipeline process survives a group join while ClickHouse is down (${alive ? 'alive' : worker.fatalError() ?? 'exited; see the unhandled InfrastructureError from SnapshotStore.load in its log'})`);
    let drained = false;
    if (alive) {
      drained = await waitDrained(cluster, opts.drainTimeoutMs).then(() => true, () => false);
    }
    checks.check(drained, 'ingest and detect caught up after ClickHouse came back');
    const tally = drained ? await tallyInvoices(worker, new Set(invoices.map((e) => e.event_id))) : { distinct: 0, duplicates: 0, lost: invoices.length, unexpected: 0 };
    checks.check(tally.lost === 0 && tally.duplicates === 0, `every invoice once (${tally.distinct}/${invoices.length})`);
    if (drained) await worker.stop();
    return faultResult(`ClickHouse down ${opts.downMs / 1000} s during group join`, checks, { recordsIn: invoices.length, invoices: tally, dlq: await topicRecords(cluster, TOPICS.dlq) });
  } finally {
    await cluster.close();
  }
}
