import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestStackWithAdmin } from '../helpers/testStackWithAdmin.ts';
import { produceJiashanInvoices, startFastLegsReader } from '../helpers/ingestGateFixtures.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { startIngestPipeline } from '../../pipelines/ingest/ingestPipeline.ts';
import { partitionLags } from '../../src/kafka/lagGate.ts';
import { GROUPS, TOPICS } from '../../src/kafka/topics.ts';
import type { PipelineDeps, RunningPipeline } from '../../src/runtime/pipeline.ts';
import { fetchTopicOffsets } from '../../src/kafka/topicOffsets.ts';

const PREFIX = 'legs-gate-';
const DETECT = PREFIX + GROUPS.detect;
const MAX_LAG = 30;
const PER_WRITE = 20;

const shared = useTestStackWithAdmin([]);

/** The test stack's services for a pipeline whose consumer groups start with `groupIdPrefix`. */
function depsWithPrefix(groupIdPrefix: string): PipelineDeps {
  const { kafka, producer, clickhouse, logger, metrics } = shared.stack.services;
  return { kafka, producer, clickhouse, logger, metrics, now: Date.now, dataDir: shared.stack.dataDir, groupIdPrefix, retry: { initialDelayMs: 50, maxDelayMs: 500 } };
}

const legsProduced = async () => (await fetchTopicOffsets(shared.admin, TOPICS.invoiceLegs)).reduce((s, p) => s + Number(p.high), 0);

/** Waits until no leg has been produced for `quietMs`: ingest is holding its write. */
async function untilHeld(quietMs = 1500): Promise<number> {
  let last = -1;
  let since = Date.now();
  for (;;) {
    const now = await legsProduced();
    if (now !== last) [last, since] = [now, Date.now()];
    else if (Date.now() - since >= quietMs) return now;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('ingest with backpressure from detect on the legs topic', () => {
  let ingest: RunningPipeline;
  beforeAll(async () => {
    ingest = await startIngestPipeline(depsWithPrefix(PREFIX), { invoiceEvent: shared.stack.services.codecs.invoiceEvents.jiashan, invoiceLeg: shared.stack.services.codecs.invoiceLeg }, { legsMaxLagPerPartition: MAX_LAG, maxRecordsPerWrite: PER_WRITE, lingerMs: 5 });
  });

  it('stops producing legs while detect lags more than the limit on a partition, and goes on once detect commits', async () => {
    await produceJiashanInvoices(shared.stack, 1, 200);
    const held = await untilHeld();
    // Each write waits for room, then adds at most its own legs (two per invoice) on top of the limit.
    const worst = Math.max(...(await partitionLags(shared.admin, DETECT, TOPICS.invoiceLegs)).values());
    expect(worst).toBeGreaterThan(MAX_LAG);
    expect(worst).toBeLessThanOrEqual(MAX_LAG + 2 * PER_WRITE);
    expect(held).toBeLessThan(400);
    // Only the legs wait for room: the held write's invoice rows are in ClickHouse already.
    const [rows] = await shared.stack.query<{ n: string }>('SELECT count() AS n FROM yunlian.invoices FINAL');
    expect(Number(rows!.n)).toBeGreaterThan(held / 2);

    const detect = await startFastLegsReader(shared.stack, DETECT);
    try {
      await waitFor(async () => (await legsProduced()) === 400, { what: 'all 400 legs once detect keeps up', timeoutMs: 60_000 });
    } finally {
      await detect.disconnect();
    }
  }, 120_000);

  it('stops promptly while a write waits for detect, leaving that batch uncommitted', async () => {
    await produceJiashanInvoices(shared.stack, 1000, 200);
    await untilHeld();
    const started = Date.now();
    await ingest.stop();
    expect(Date.now() - started).toBeLessThan(10_000);
    const committed = (await partitionLags(shared.admin, PREFIX + GROUPS.ingest, 'yunlian.invoices.jiashan'));
    expect(Math.max(...committed.values())).toBeGreaterThan(0);
  }, 120_000);
});

describe('ingest with backpressure from every reader of the legs topic', () => {
  const prefix = 'legs-gate-readers-';
  let ingest: RunningPipeline;
  afterAll(async () => {
    await ingest?.stop();
  });

  it('holds its legs while match lags, even with detect caught up, and goes on once match commits', async () => {
    const detect = await startFastLegsReader(shared.stack, prefix + GROUPS.detect);
    let match: Awaited<ReturnType<typeof startFastLegsReader>> | null = null;
    try {
      ingest = await startIngestPipeline(depsWithPrefix(prefix), { invoiceEvent: shared.stack.services.codecs.invoiceEvents.jiashan, invoiceLeg: shared.stack.services.codecs.invoiceLeg }, { legsMaxLagPerPartition: MAX_LAG, legsReaders: ['detect', 'match'], maxRecordsPerWrite: PER_WRITE, lingerMs: 5 });
      await produceJiashanInvoices(shared.stack, 2000, 200);
      await untilHeld();
      // Match's group has read nothing of the legs topic: ingest waits for it with invoices still unread.
      const unread = async () => Math.max(...(await partitionLags(shared.admin, prefix + GROUPS.ingest, 'yunlian.invoices.jiashan')).values());
      expect(await unread()).toBeGreaterThan(0);
      match = await startFastLegsReader(shared.stack, prefix + GROUPS.match);
      await waitFor(async () => (await unread()) === 0, { what: 'every invoice ingested once match keeps up', timeoutMs: 60_000 });
    } finally {
      await detect.disconnect();
      await match?.disconnect();
    }
  }, 120_000);
});
