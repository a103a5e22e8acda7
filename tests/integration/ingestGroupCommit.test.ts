import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestStackWithAdmin } from '../helpers/testStackWithAdmin.ts';
import { produceJiashanInvoices, startFastLegsReader } from '../helpers/ingestGateFixtures.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { startIngestPipeline } from '../../pipelines/ingest/ingestPipeline.ts';
import { partitionLags } from '../../src/kafka/lagGate.ts';
import { GROUPS } from '../../src/kafka/topics.ts';
import type { Metrics } from '../../src/runtime/metrics.ts';
import type { RunningPipeline } from '../../src/runtime/pipeline.ts';

/**
 * Ingest's writes are pipelined: while one write is slow, the batches fetched
 * meanwhile gather into the next, which then carries them all in one insert.
 * The slow write here is a real one: ingest waits before producing legs while
 * detect's group lags on the legs topic, and no detect runs until the test
 * starts a stand-in.
 */
const PREFIX = 'group-commit-';
const DETECT = PREFIX + GROUPS.detect;
const TOPIC = 'yunlian.invoices.jiashan';

const shared = useTestStackWithAdmin([]);

describe('ingest with pipelined writes', () => {
  const invoiceInserts: number[] = [];
  let consumed = 0;
  let ingest: RunningPipeline;
  beforeAll(async () => {
    const base = shared.stack.services.metrics;
    // Observes the pipeline's own sink metrics: how many rows each invoices insert carried.
    const metrics: Metrics = {
      ...base,
      sinkWrite: (pipeline, table, rows, seconds) => {
        if (table === 'invoices') invoiceInserts.push(rows);
        base.sinkWrite(pipeline, table, rows, seconds);
      },
      recordsIn: (pipeline, topic, n) => {
        consumed += n;
        base.recordsIn(pipeline, topic, n);
      },
    };
    ingest = await startIngestPipeline(
      { kafka: shared.stack.services.kafka, producer: shared.stack.services.producer, clickhouse: shared.stack.services.clickhouse, logger: shared.stack.services.logger, metrics, now: Date.now, dataDir: shared.stack.dataDir, groupIdPrefix: PREFIX, retry: { initialDelayMs: 50, maxDelayMs: 500 } },
      { invoiceEvent: shared.stack.services.codecs.invoiceEvents.jiashan, invoiceLeg: shared.stack.services.codecs.invoiceLeg },
      { legsMaxLagPerPartition: 0, maxRecordsPerWrite: 1_000, lingerMs: 5 },
    );
  });
  afterAll(async () => {
    await ingest?.stop();
  });

  it('reads on while a write is held, commits none of what it gathered meanwhile, then writes all of it in one insert', async () => {
    // The first write finds detect's lag at 0 and goes; its legs make every later write wait for detect.
    await produceJiashanInvoices(shared.stack, 1, 10);
    await waitFor(async () => invoiceInserts.length >= 1, { what: 'the first write' });
    // The next write starts and is held at the gate before the 300 are produced: its rows go in at once, its legs
    // wait. Produced before that, the first of the 300 could start the held write themselves, and how many joined
    // it would depend on the machine's speed (a loaded CI run put 61 in it).
    await produceJiashanInvoices(shared.stack, 11, 1);
    await waitFor(async () => invoiceInserts.length >= 2, { what: 'the held write' });

    await produceJiashanInvoices(shared.stack, 100, 300);
    // The handlers return while the write waits, so the consumer fetches all 300 (a handler waiting for its own
    // write would stop its partition at one batch).
    await waitFor(async () => consumed === 311, { what: 'all 311 invoices read while a write is held', timeoutMs: 30_000 });
    const committedLag = [...(await partitionLags(shared.admin, PREFIX + GROUPS.ingest, TOPIC)).values()].reduce((s, n) => s + n, 0);
    // Batches of the first 10 fetched after the first write may wait too; none of the 300 is committed.
    expect(committedLag).toBeGreaterThanOrEqual(300);

    const detect = await startFastLegsReader(shared.stack, DETECT);
    try {
      await waitFor(async () => invoiceInserts.reduce((s, n) => s + n, 0) === 311, { what: 'all 311 invoices written', timeoutMs: 60_000 });
      await waitFor(async () => [...(await partitionLags(shared.admin, PREFIX + GROUPS.ingest, TOPIC)).values()].every((n) => n === 0), { what: 'every batch committed' });
    } finally {
      await detect.disconnect();
    }
    // The held write carried what had arrived when it started; everything fetched while it waited went in one insert.
    expect(invoiceInserts.length).toBeLessThanOrEqual(3);
    expect(Math.max(...invoiceInserts)).toBeGreaterThanOrEqual(300);
  }, 120_000);
});
