import { createHash } from 'node:crypto';
import type { InvoiceEvent } from '../../src/domain/invoiceEvent.ts';
import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';
import { GROUPS, TOPICS } from '../../src/kafka/topics.ts';
import { startBatchConsumer, type RecordBatch } from '../../src/kafka/batchConsumer.ts';
import type { ValueCodec } from '../../src/kafka/valueCodec.ts';
import type { OutgoingRecord } from '../../src/kafka/record.ts';
import { insertRows } from '../../sinks/clickhouse/insertRows.ts';
import type { PipelineDeps, RunningPipeline } from '../../src/runtime/pipeline.ts';
import { ingestBatch } from './ingestBatch.ts';

export interface IngestCodecs {
  invoiceEvent: ValueCodec<InvoiceEvent>;
  invoiceLeg: ValueCodec<InvoiceLeg>;
}

/** Dedup token for one batch and table: the same redelivered batch writes nothing twice. */
function batchToken(batch: RecordBatch, table: string): string {
  const first = batch.records[0]!.offset;
  const last = batch.records[batch.records.length - 1]!.offset;
  return createHash('sha1').update(`${table}|${batch.topic}|${batch.partition}|${first}|${last}`).digest('hex');
}

/**
 * ingest: district invoice topics → ClickHouse `invoices` / `invoice_lines`,
 * bad records → `yunlian.dlq`, one leg per party → `yunlian.invoice-legs`
 * keyed by enterprise tax ID. Offsets commit only after all of that is
 * confirmed; a crash in between replays the batch, which the dedup tokens,
 * ReplacingMergeTree keys and leg ids make harmless.
 */
export async function startIngestPipeline(deps: PipelineDeps, codecs: IngestCodecs): Promise<RunningPipeline> {
  const { clickhouse, producer, metrics, logger } = deps;
  const log = logger.child('ingest');
  const running = await startBatchConsumer({
    kafka: deps.kafka,
    pipeline: 'ingest',
    groupId: deps.groupIdPrefix + GROUPS.ingest,
    topics: [...TOPICS.invoices],
    logger: log,
    metrics,
    retry: deps.retry,
    onDataLoss: deps.onDataLoss,
    handler: async (batch) => {
      const out = await ingestBatch(batch.records, { codec: codecs.invoiceEvent, now: deps.now() });
      let started = performance.now();
      await insertRows(clickhouse, { table: 'yunlian.invoices', rows: out.invoiceRows, dedupToken: batchToken(batch, 'invoices') });
      metrics.sinkWrite('ingest', 'invoices', out.invoiceRows.length, (performance.now() - started) / 1000);
      started = performance.now();
      await insertRows(clickhouse, { table: 'yunlian.invoice_lines', rows: out.lineRows, dedupToken: batchToken(batch, 'invoice_lines') });
      metrics.sinkWrite('ingest', 'invoice_lines', out.lineRows.length, (performance.now() - started) / 1000);
      const legs: OutgoingRecord[] = out.legs.map((leg) => ({ topic: TOPICS.invoiceLegs, key: leg.enterprise_tax_id, value: codecs.invoiceLeg.encode(leg) }));
      await producer.send([...legs, ...out.deadLetters]);
      metrics.recordsOut('ingest', TOPICS.invoiceLegs, legs.length);
      for (const [reason, n] of out.rejected) metrics.deadLettered('ingest', reason, n);
      if (out.deadLetters.length > 0) log.info('records dead-lettered', { topic: batch.topic, partition: batch.partition, count: out.deadLetters.length, reasons: Object.fromEntries(out.rejected) });
    },
  });
  return { name: 'ingest', stop: running.stop, done: running.done };
}
