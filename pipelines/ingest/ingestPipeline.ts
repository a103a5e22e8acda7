import { createHash } from 'node:crypto';
import type { InvoiceEvent } from '../../src/domain/invoiceEvent.ts';
import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';
import { GROUPS, TOPICS, type LegsReader } from '../../src/kafka/topics.ts';
import { startBatchConsumer, type RecordBatch } from '../../src/kafka/batchConsumer.ts';
import type { ValueCodec } from '../../src/kafka/valueCodec.ts';
import { concatEncodedRows, insertRows, type EncodedRows } from '../../sinks/clickhouse/insertRows.ts';
import type { PipelineDeps, RunningPipeline } from '../../src/runtime/pipeline.ts';
import { ingestBatch, type IngestOutput } from './ingestBatch.ts';
import { GroupCommitWriter } from '../../src/kafka/groupCommitWriter.ts';
import { settleAll } from '../../src/runtime/settleAll.ts';
import { withRetry } from '../../src/runtime/retry.ts';
import { isRetriable } from '../../src/runtime/errors.ts';
import { createLagGate, type LagGate } from '../../src/kafka/lagGate.ts';
import type { Logger } from '../../src/runtime/log.ts';
import type { Admin } from 'kafkajs';

export interface IngestCodecs {
  invoiceEvent: ValueCodec<InvoiceEvent>;
  invoiceLeg: ValueCodec<InvoiceLeg>;
}

/** A batch's output waiting for the group write, with the offsets it came from. */
interface PendingOutput {
  source: string;
  records: number;
  out: IngestOutput;
}

/**
 * Dedup token for one coalesced write and table, from the offset ranges it
 * carries: a redelivery of the same batches in the same grouping writes
 * nothing twice; a different grouping after a failure is absorbed by the
 * ReplacingMergeTree keys instead.
 */
function writeToken(sources: readonly string[], table: string): string {
  return createHash('sha1').update(`${table}|${[...sources].sort().join(',')}`).digest('hex');
}

function sourceOf(batch: RecordBatch): string {
  return `${batch.topic}:${batch.partition}:${batch.records[0]!.offset}-${batch.records[batch.records.length - 1]!.offset}`;
}

export interface IngestOptions {
  /** Batches of this many partitions are handled at once (default 12: every feed partition). */
  partitionsConsumedConcurrently?: number;
  /**
   * Most records one write carries (default 6000: with LEGS_MAX_LAG, one write's legs must still fit in the
   * embedded Kafka's 5 MiB a partition; ClickHouse gains little above a few thousand rows an insert). Batches
   * handled while a write is in flight gather for the next one up to this many; then the handlers wait, so at
   * most twice this many records are held.
   */
  maxRecordsPerWrite?: number;
  /** Longest a batch waits for others to share its write when no write is in flight (default 20 ms). */
  lingerMs?: number;
  /**
   * Before producing a write's legs, wait while the committed lag of any of `legsReaders` on the legs topic
   * exceeds this many legs on a partition (off by default; the embedded system sets LEGS_MAX_LAG when it runs
   * detect or match). The embedded Kafka keeps only 5 MiB a partition, and the producers' gates cannot stop
   * ingest turning the invoices already queued into legs while a reader is slow: a 14,000-firm replay lost legs
   * that way.
   */
  legsMaxLagPerPartition?: number;
  /** The pipelines whose consumer groups that gate watches (default detect alone). */
  legsReaders?: readonly LegsReader[];
}

/**
 * ingest: district invoice topics → ClickHouse `invoices` / `invoice_lines`,
 * bad records → `yunlian.dlq`, one leg per party → `yunlian.invoice-legs`
 * keyed by enterprise tax ID. Offsets commit only after all of that is
 * confirmed; a crash in between replays the batch, which the dedup tokens,
 * ReplacingMergeTree keys and leg ids make harmless. Writes are pipelined
 * (GroupCommitWriter): a handler returns once its output joined the next
 * write, and the consumer commits the batch when that write is confirmed
 * (DeferredCommit), so the batches fetched while one write is in flight share
 * the next: a live stream over twelve partitions arrives in small batches,
 * and each insert has a fixed cost.
 */
export async function startIngestPipeline(deps: PipelineDeps, codecs: IngestCodecs, options: IngestOptions = {}): Promise<RunningPipeline> {
  const { clickhouse, producer, metrics, logger } = deps;
  const log = logger.child('ingest');
  const stopping = new AbortController();
  const legsGate = options.legsMaxLagPerPartition === undefined ? null : await openLegsGate(deps, options.legsMaxLagPerPartition, options.legsReaders ?? ['detect'], log);
  const timedInsert = async (table: 'invoices' | 'invoice_lines', rows: EncodedRows, sources: readonly string[]) => {
    const started = performance.now();
    await insertRows(clickhouse, { table: `yunlian.${table}`, rows, dedupToken: writeToken(sources, table) });
    metrics.sinkWrite('ingest', table, rows.count, (performance.now() - started) / 1000);
  };
  const writeOnce = async (pending: readonly PendingOutput[]) => {
    const sources = pending.map((p) => p.source);
    const outs = pending.map((p) => p.out);
    const legs = outs.flatMap((o) => o.legs);
    // Independent, and all must succeed before any commit. Only the legs wait for the gate (it guards the legs
    // topic's retention): the rows go in meanwhile, so the ClickHouse inserts hide both the wait and the Kafka
    // round trip. The gate rejects when the pipeline stops while waiting: the batches stay uncommitted and are
    // read again, and their rows, already in, are deduplicated like any replay's.
    await settleAll([
      timedInsert('invoices', concatEncodedRows(outs.map((o) => o.invoiceRows)), sources),
      timedInsert('invoice_lines', concatEncodedRows(outs.map((o) => o.lineRows)), sources),
      (async () => {
        await legsGate?.gate.waitForRoom(stopping.signal);
        await producer.send([...legs, ...outs.flatMap((o) => o.deadLetters)]);
      })(),
    ]);
    metrics.recordsOut('ingest', TOPICS.invoiceLegs, legs.length);
  };
  // The handlers have returned by the time a write runs, so the write retries itself, with the same items (the
  // dedup tokens then match); a failure that is not retried, or a stop, ends the writer and the consumer.
  const writer = new GroupCommitWriter<PendingOutput>(
    (pending) =>
      withRetry(() => writeOnce(pending), {
        ...deps.retry,
        shouldRetry: (error) => !stopping.signal.aborted && isRetriable(error),
        signal: stopping.signal,
        onRetry: ({ error, attempt, delayMs }) => {
          metrics.retried('ingest', 'write');
          log.warn('write failed, retrying', { batches: pending.length, attempt, delayMs, error });
        },
      }),
    { maxWeight: options.maxRecordsPerWrite ?? 6_000, weightOf: (p) => p.records, lingerMs: options.lingerMs ?? 20 },
  );
  const running = await startBatchConsumer({
    kafka: deps.kafka,
    pipeline: 'ingest',
    groupId: deps.groupIdPrefix + GROUPS.ingest,
    topics: [...TOPICS.invoices],
    logger: log,
    metrics,
    retry: deps.retry,
    onDataLoss: deps.onDataLoss,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 12,
    handler: async (batch) => {
      const out = await ingestBatch(batch.records, { codec: codecs.invoiceEvent, legCodec: codecs.invoiceLeg, now: deps.now() });
      // Waits only while the next write is full; the commit waits for the write (DeferredCommit).
      const { written } = await writer.add({ source: sourceOf(batch), records: batch.records.length, out });
      for (const [reason, n] of out.rejected) metrics.deadLettered('ingest', reason, n);
      if (out.deadLetters.length > 0) log.info('records dead-lettered', { topic: batch.topic, partition: batch.partition, count: out.deadLetters.length, reasons: Object.fromEntries(out.rejected) });
      return { written };
    },
  });
  return {
    name: 'ingest',
    stop: async () => {
      // The consumer stops first (no batch is retried from here on), then a write waiting for a legs reader gives up.
      const stopped = running.stop();
      stopping.abort();
      try {
        await stopped;
      } finally {
        await legsGate?.admin.disconnect();
      }
    },
    done: running.done,
  };
}

/**
 * The legs readers' lag gates on the legs topic as one, on one admin client of their own: it waits (for all of
 * them at once) as long as it takes, never producing past any.
 */
async function openLegsGate(deps: PipelineDeps, maxLagPerPartition: number, readers: readonly LegsReader[], log: Logger): Promise<{ gate: LagGate; admin: Admin }> {
  const admin = deps.kafka.admin();
  await admin.connect();
  const gates = readers.map((reader) => {
    let lastLoggedAt = 0;
    return createLagGate({
      admin,
      groupId: deps.groupIdPrefix + GROUPS[reader],
      topic: TOPICS.invoiceLegs,
      maxLagPerPartition,
      logger: log,
      stallTimeoutMs: Infinity,
      onWait: (lag) => {
        if (Date.now() - lastLoggedAt < 30_000) return;
        lastLoggedAt = Date.now();
        log.warn(`waiting for ${reader} to catch up before producing more legs`, { lag, maxLagPerPartition });
      },
    });
  });
  return { gate: { waitForRoom: async (signal) => void (await Promise.all(gates.map((g) => g.waitForRoom(signal)))) }, admin };
}
