import { loadSchemaText, valueSubject } from '../../../schemas/index.ts';
import { encodeWireFormat } from '../../../schemas/serde/wireFormat.ts';
import { invoiceTopic } from '../../../src/domain/district.ts';
import type { InvoiceEvent } from '../../../src/domain/invoiceEvent.ts';
import { TOPICS } from '../../../src/kafka/topics.ts';
import type { ConsumedRecord } from '../../../src/kafka/record.ts';
import { issuedInvoice } from '../../helpers/invoiceFixtures.ts';
import { startFaultCluster } from '../faultCluster.ts';
import { CheckList, faultResult, type FaultResult } from '../faultResult.ts';
import type { ConsumerTimeouts } from '../consumerTimeouts.ts';
import { readWholeTopic, sleep, tallyInvoices, topicRecords, waitDrained } from '../scenarioWorkload.ts';
import { counterTotal } from '../workerProtocol.ts';

/** Invoices numbered from `first`, spread over the three district feeds. */
export function fixtureInvoices(first: number, count: number, district: 'qingpu' | 'jiashan' | 'wujiang' = 'qingpu'): InvoiceEvent[] {
  return Array.from({ length: count }, (_, i) => issuedInvoice({ district, n: first + i, seller: 1 + (i % 7), buyer: 20 + (i % 5), amounts: [10_000 + i, 700] }));
}

/**
 * Schema Registry unreachable while records with a schema id the pipeline has
 * not seen yet (a new v2 writer schema) arrive, mixed with records carrying
 * ids the registry never issued. Expected: no record is dead-lettered or
 * skipped during the outage (the batch waits and retries); afterwards the v2
 * records are ingested and only the unknown-id records go to the DLQ as
 * SCHEMA_ID_NOT_FOUND, with the registry asked about each unknown id a
 * bounded number of times (negative cache).
 */
export async function registryOutageScenario(opts: { outageMs: number; unknownIdRecords: number; drainTimeoutMs: number; consumerTimeouts?: ConsumerTimeouts }): Promise<FaultResult> {
  const checks = new CheckList();
  const cluster = await startFaultCluster('registry-outage', { consumerTimeouts: opts.consumerTimeouts });
  try {
    const worker = await cluster.startWorker({ pipelines: ['ingest'], retryMaxMs: 2000 });
    const topic = invoiceTopic('qingpu');
    const before = fixtureInvoices(100_000, 200);
    await cluster.producer.send(before.map((e) => ({ topic, key: e.invoice_no, value: cluster.codecs.invoiceEvents.qingpu.encode(e) })));
    await waitDrained(cluster, opts.drainTimeoutMs, false);
    // A v2 producer registers its schema while the registry is still up; the pipeline has never seen the id.
    const v2Id = await cluster.serde.register(valueSubject(topic), loadSchemaText('InvoiceEventV2'));
    await cluster.registryProxy.goDown();
    const v2 = fixtureInvoices(200_000, 100);
    const after = fixtureInvoices(300_000, 100);
    const unknownIds = [900_001, 900_002, 900_003, 900_004, 900_005];
    const poison = Array.from({ length: opts.unknownIdRecords }, (_, i) => ({
      topic,
      key: `unknown-id-${i}`,
      value: encodeWireFormat(unknownIds[i % unknownIds.length]!, Buffer.from([2, 4, 6, 8])),
    }));
    const records = [
      ...(await Promise.all(v2.map(async (e) => ({ topic, key: e.invoice_no, value: await cluster.serde.encode(v2Id, { ...e, source_system: 'golden-tax-4' }) })))),
      ...poison,
      ...after.map((e) => ({ topic, key: e.invoice_no, value: cluster.codecs.invoiceEvents.qingpu.encode(e) })),
    ];
    await cluster.producer.send(records);
    const outageStarted = Date.now();
    await sleep(opts.outageMs);
    const during = await worker.stats();
    const dlqDuring = await topicRecords(cluster, TOPICS.dlq);
    const [{ n: rowsDuring }] = (await worker.query<{ n: string }>('SELECT uniqExact(event_id) AS n FROM yunlian.invoices')) as [{ n: string }];
    checks.check(dlqDuring === 0, `${opts.outageMs / 1000} s registry outage: nothing dead-lettered while the registry is down (${dlqDuring})`);
    checks.check(Number(rowsDuring) === before.length, `${opts.outageMs / 1000} s registry outage: the batch with the new schema id waits (invoices ${rowsDuring}, expected ${before.length})`);
    checks.check(counterTotal(during.metrics, 'yunlian_retries_total') > 0, `registry outage: retried with backoff (yunlian_retries_total ${counterTotal(during.metrics, 'yunlian_retries_total')})`);
    checks.check(worker.fatalError() === null, 'registry outage: no pipeline stopped');
    await cluster.registryProxy.comeBack();
    await waitDrained(cluster, opts.drainTimeoutMs, false);
    checks.note(`caught up ${((Date.now() - outageStarted - opts.outageMs) / 1000).toFixed(1)} s after the registry came back`);
    const expected = new Set([...before, ...v2, ...after].map((e) => e.event_id));
    const tally = await tallyInvoices(worker, expected);
    checks.check(tally.lost === 0 && tally.unexpected === 0, `v1 and v2 invoices all ingested (${tally.distinct}/${expected.size})`);
    checks.check(tally.duplicates === 0, `no invoice twice (${tally.duplicates})`);
    // The DLQ is produced before ingest commits, so after the drain it is complete.
    const dlq: ConsumedRecord[] = await readWholeTopic(cluster.kafka, TOPICS.dlq);
    const reasons = new Map<string, string>(dlq.map((r) => [r.key?.toString() ?? '', r.headers['x-dlq.reason'] ?? '']));
    const misfiled = poison.filter((p) => reasons.get(p.key) !== 'SCHEMA_ID_NOT_FOUND').length;
    checks.check(misfiled === 0 && reasons.size === poison.length, `every unknown-id record in the DLQ as SCHEMA_ID_NOT_FOUND (${poison.length - misfiled}/${poison.length}; DLQ keys ${reasons.size})`);
    const lookups = unknownIds.reduce((s, id) => s + cluster.registryProxy.requests(`/schemas/ids/${id}`), 0);
    checks.check(lookups <= unknownIds.length * 3, `unknown ids are cached: ${lookups} registry lookups for ${poison.length} records of ${unknownIds.length} unknown ids`);
    await worker.stop();
    return faultResult(`registry outage ${opts.outageMs / 1000} s + unknown schema ids`, checks, { recordsIn: before.length + records.length, invoices: tally, dlq: dlq.length });
  } finally {
    await cluster.close();
  }
}
