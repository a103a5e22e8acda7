import { loadSchemaText, valueSubject } from '../../../schemas/index.ts';
import { invoiceTopic } from '../../../src/domain/district.ts';
import { YunlianError } from '../../../src/runtime/errors.ts';
import { startFaultCluster } from '../faultCluster.ts';
import { CheckList, faultResult, type FaultResult } from '../faultResult.ts';
import type { ConsumerTimeouts } from '../consumerTimeouts.ts';
import { tallyInvoices, topicRecords, waitDrained } from '../scenarioWorkload.ts';
import { TOPICS } from '../../../src/kafka/topics.ts';
import { fixtureInvoices } from './registryScenario.ts';

/** The code a registration failed with, or 'ACCEPTED'. */
async function registrationOutcome(register: () => Promise<number>): Promise<string> {
  try {
    await register();
    return 'ACCEPTED';
  } catch (error) {
    if (error instanceof YunlianError) return error.code;
    throw error;
  }
}

/**
 * v1 records sit unread in the topic when a producer registers the
 * BACKWARD-compatible v2 (optional source_system) and appends v2 records;
 * the pipeline then starts and must ingest both. Incompatible changes (a new
 * required field, a changed field type) are refused by the registry.
 */
export async function schemaEvolutionScenario(opts: { perVersion: number; drainTimeoutMs: number; consumerTimeouts?: ConsumerTimeouts }): Promise<FaultResult> {
  const checks = new CheckList();
  const cluster = await startFaultCluster('schema-evolution', { consumerTimeouts: opts.consumerTimeouts });
  try {
    const topic = invoiceTopic('jiashan');
    const subject = valueSubject(topic);
    const v1 = fixtureInvoices(400_000, opts.perVersion, 'jiashan');
    await cluster.producer.send(v1.map((e) => ({ topic, key: e.invoice_no, value: cluster.codecs.invoiceEvents.jiashan.encode(e) })));
    const v2Id = await cluster.serde.register(subject, loadSchemaText('InvoiceEventV2'));
    checks.check(v2Id !== cluster.codecs.invoiceEvents.jiashan.schemaId, `v2 registered as a new schema id (${v2Id})`);
    const v2 = fixtureInvoices(500_000, opts.perVersion, 'jiashan');
    await cluster.producer.send(await Promise.all(v2.map(async (e) => ({ topic, key: e.invoice_no, value: await cluster.serde.encode(v2Id, { ...e, source_system: 'digital-invoice-platform' }) }))));

    const v2Schema = JSON.parse(loadSchemaText('InvoiceEventV2')) as { fields: Array<{ name: string; type: unknown; default?: unknown }> };
    const requiredField = { ...v2Schema, fields: [...v2Schema.fields, { name: 'approval_code', type: 'string' }] };
    const retyped = { ...v2Schema, fields: v2Schema.fields.map((f) => (f.name === 'total_amount_fen' ? { name: f.name, type: 'string' } : f)) };
    const added = await registrationOutcome(() => cluster.serde.register(subject, requiredField));
    const changed = await registrationOutcome(() => cluster.serde.register(subject, retyped));
    checks.check(added === 'SCHEMA_INCOMPATIBLE', `a new required field without default is rejected (${added})`);
    checks.check(changed === 'SCHEMA_INCOMPATIBLE', `total_amount_fen long → string is rejected (${changed})`);

    const worker = await cluster.startWorker({ pipelines: ['ingest'] });
    await waitDrained(cluster, opts.drainTimeoutMs, false);
    const expected = new Set([...v1, ...v2].map((e) => e.event_id));
    const tally = await tallyInvoices(worker, expected);
    const dlq = await topicRecords(cluster, TOPICS.dlq);
    checks.check(tally.lost === 0 && tally.unexpected === 0, `v1 and v2 records both ingested (${tally.distinct}/${expected.size})`);
    checks.check(tally.duplicates === 0 && dlq === 0, `nothing doubled or dead-lettered (duplicates ${tally.duplicates}, DLQ ${dlq})`);
    await worker.stop();
    return faultResult('schema evolution v1 + v2', checks, { recordsIn: v1.length + v2.length, invoices: tally, dlq });
  } finally {
    await cluster.close();
  }
}
