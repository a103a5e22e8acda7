import { beforeAll, describe, expect, it } from 'vitest';
import { useTestStackWithAdmin } from '../helpers/testStackWithAdmin.ts';
import { detectorContext } from '../helpers/detectFixtures.ts';
import { snapshotCalendar, snapshotScenarioLegs } from '../helpers/snapshotScenario.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { emptyOutput, PartitionProcessor } from '../../pipelines/detect/runtimePartition.ts';
import { DEFAULT_WATERMARK_CONFIG, feedSourceKeys, type WatermarkConfig } from '../../pipelines/detect/watermarkClock.ts';
import { DISTRICTS, invoiceTopic } from '../../src/domain/district.ts';
import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';
import { partitionForKey } from '../../src/kafka/keyPartitioner.ts';
import { GROUPS, TOPICS } from '../../src/kafka/topics.ts';
import type { RunningPipeline } from '../../src/runtime/pipeline.ts';
import { startPipelines } from '../../src/runtime/services.ts';
import { fetchTopicOffsets } from '../../src/kafka/topicOffsets.ts';

/**
 * detect when a write of its outputs fails for good (here: chDB refuses every
 * enterprise_daily insert through a CHECK constraint, a non-retriable error):
 * the consumer stops with the error, the group's committed offsets stay where
 * the last stored outputs end, and a restart on a healthy ClickHouse replays
 * the legs whose outputs were lost, so every output ends up stored, once per
 * key. Real mock Kafka and chDB throughout.
 */
const PREFIX = 'failed-write-';
const GROUP = PREFIX + GROUPS.detect;
/** Legs issued before this day go in before the fault; the rest after, so their first batch closes days (outputs). */
const CUT_MS = Date.parse('2019-10-21T00:00:00+08:00');
/** Two firms whose every leg is on the Jiashan feed: the clock waits for no other source past the first legs. */
const WATERMARK: WatermarkConfig = { ...DEFAULT_WATERMARK_CONFIG, idleAfterRecords: 20 };
const CONSTRAINT = 'detect_write_fault';

const legs = snapshotScenarioLegs();
const before = legs.filter((l) => l.issued_at_ms < CUT_MS);
const after = legs.filter((l) => l.issued_at_ms >= CUT_MS);

const shared = useTestStackWithAdmin([]);
// Each test runs its own consumer group over these; the first adds the rest.
beforeAll(() => produceLegs(before));

const startDetect = async (prefix = PREFIX, snapshotIntervalMs = 300): Promise<RunningPipeline> =>
  (
    await startPipelines({
      services: shared.stack.services,
      names: ['detect'],
      dataDir: shared.stack.dataDir,
      groupIdPrefix: prefix,
      retry: { initialDelayMs: 50, maxDelayMs: 500 },
      detect: { calendar: snapshotCalendar, watermark: WATERMARK, snapshotIntervalMs },
    })
  )[0]!;

async function produceLegs(batch: readonly InvoiceLeg[]): Promise<void> {
  const codec = shared.stack.services.codecs.invoiceLeg;
  await shared.stack.services.producer.send(batch.map((l) => ({ topic: TOPICS.invoiceLegs, key: l.enterprise_tax_id, value: codec.encode(l) })));
}

/** Next offset to read per legs partition: the topic's end, or the group's commit. */
async function highs(): Promise<Map<number, number>> {
  return new Map((await fetchTopicOffsets(shared.admin, TOPICS.invoiceLegs)).map((p) => [p.partition, Number(p.high)]));
}
async function committed(group = GROUP): Promise<Map<number, number>> {
  const [topic] = await shared.admin.fetchOffsets({ groupId: group, topics: [TOPICS.invoiceLegs] });
  return new Map(topic!.partitions.map((p) => [p.partition, Math.max(0, Number(p.offset))]));
}
const allCommitted = async (group = GROUP): Promise<boolean> => {
  const [high, done] = await Promise.all([highs(), committed(group)]);
  return [...high].every(([p, h]) => (done.get(p) ?? 0) === h);
};
/** What `done` rejected with, or an error saying it resolved, or that it did not settle within the timeout. */
async function failure(pipeline: RunningPipeline, timeoutMs: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Error>((resolve) => (timer = setTimeout(() => resolve(new Error(`detect did not stop within ${timeoutMs} ms`)), timeoutMs)));
  try {
    return await Promise.race([pipeline.done.then(() => new Error('detect ended without an error'), (e: unknown) => e), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The error and the errors it wraps (GroupWriteFailedError keeps the failed write's error as its cause). */
function causes(error: unknown): string[] {
  const out: string[] = [];
  for (let e = error; e instanceof Error && out.length < 5; e = e.cause) out.push(e.message);
  return out;
}

/**
 * The rows one uninterrupted detect writes for these legs: a PartitionProcessor per legs partition, fed in
 * the partition's order, as the pipeline does (a restart from a snapshot gives the same outputs).
 */
async function expectedOutputs(all: readonly InvoiceLeg[]): Promise<{ enterpriseDaily: string[]; linksDaily: string[]; signals: string[] }> {
  const meta = await shared.admin.fetchTopicMetadata({ topics: [TOPICS.invoiceLegs, ...DISTRICTS.map(invoiceTopic)] });
  const partitionsOf = (topic: string) => meta.topics.find((t) => t.name === topic)!.partitions.length;
  const expectedSources = feedSourceKeys(Object.fromEntries(DISTRICTS.map((d) => [d, partitionsOf(invoiceTopic(d))])));
  const processors = new Map<number, { processor: PartitionProcessor; offset: number }>();
  const out = emptyOutput();
  for (const l of all) {
    const partition = partitionForKey(l.enterprise_tax_id, partitionsOf(TOPICS.invoiceLegs));
    let p = processors.get(partition);
    if (p === undefined) {
      p = { processor: new PartitionProcessor(detectorContext(snapshotCalendar), WATERMARK, undefined, expectedSources), offset: 0 };
      processors.set(partition, p);
    }
    p.processor.process(l, out, p.offset++);
  }
  // signals is a ReplacingMergeTree on the version: a resolved signal's row replaces its opening.
  const newest = new Map<string, string>();
  for (const s of out.signals) if (s.status === 'RESOLVED' || !newest.has(s.signal_id)) newest.set(s.signal_id, `${s.signal_id} ${s.signal_type} ${s.status === 'OPEN' ? 1 : 2}`);
  const fields = (row: Record<string, unknown>, names: readonly string[]) => names.map((n) => String(row[n])).join(' ');
  return {
    enterpriseDaily: out.enterpriseDaily.map((r) => fields(r, ENTERPRISE_DAILY)).sort(),
    linksDaily: out.linksDaily.map((r) => fields(r, LINKS_DAILY)).sort(),
    signals: [...newest.values()].sort(),
  };
}
const ENTERPRISE_DAILY = ['day', 'enterprise_tax_id', 'direction', 'amount_fen', 'gross_fen', 'corrections_fen', 'legs'] as const;
const LINKS_DAILY = ['day', 'seller_tax_id', 'buyer_tax_id', 'gross_fen'] as const;

async function storedRows(table: string, names: readonly string[]): Promise<string[]> {
  const rows = await shared.stack.query<{ k: string }>(`SELECT concat(${names.map((n) => `toString(${n})`).join(", ' ', ")}) AS k FROM yunlian.${table} FINAL ORDER BY k`);
  return rows.map((r) => r.k).sort();
}

describe('detect when a write of its outputs fails', () => {
  it('stops with the error, commits none of the legs whose outputs were lost, and a restart stores every output once', async () => {
    const expected = await expectedOutputs(legs);

    const first = await startDetect();
    await waitFor(allCommitted, { what: 'the legs before the fault committed', timeoutMs: 60_000 });
    const committedBeforeFault = await committed();
    const daysBeforeFault = await storedRows('enterprise_daily', ENTERPRISE_DAILY);
    expect(daysBeforeFault.length).toBeGreaterThan(0);

    await shared.stack.services.clickhouse.command({ query: `ALTER TABLE yunlian.enterprise_daily ADD CONSTRAINT ${CONSTRAINT} CHECK enterprise_tax_id = ''` });
    await produceLegs(after);
    const error = await failure(first, 30_000);
    // The first batch after the fault closed days, so no leg after the fault may be committed, now or later.
    const highAfterFault = await highs();
    expect([...highAfterFault].some(([p, h]) => h > (committedBeforeFault.get(p) ?? 0))).toBe(true);
    expect(await committed()).toEqual(committedBeforeFault);
    expect(causes(error).join(' | ')).toContain(CONSTRAINT);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await committed()).toEqual(committedBeforeFault);
    await first.stop();
    expect(await committed()).toEqual(committedBeforeFault);
    expect(await storedRows('enterprise_daily', ENTERPRISE_DAILY)).toEqual(daysBeforeFault);

    await shared.stack.services.clickhouse.command({ query: `ALTER TABLE yunlian.enterprise_daily DROP CONSTRAINT ${CONSTRAINT}` });
    const second = await startDetect();
    try {
      await waitFor(allCommitted, { what: 'every leg committed after the restart', timeoutMs: 60_000 });
    } finally {
      await second.stop();
    }
    expect(await storedRows('enterprise_daily', ENTERPRISE_DAILY)).toEqual(expected.enterpriseDaily);
    expect(await storedRows('links_daily', LINKS_DAILY)).toEqual(expected.linksDaily);
    expect(await storedRows('signals', ['signal_id', 'signal_type', 'version'])).toEqual(expected.signals);
    expect(expected.enterpriseDaily.length).toBeGreaterThan(daysBeforeFault.length);
  }, 180_000);

  it('stops with the error when a snapshot taken while the stream is idle cannot be stored, and commits nothing', async () => {
    const prefix = 'idle-snapshot-';
    const group = prefix + GROUPS.detect;
    await shared.stack.services.clickhouse.command({ query: `ALTER TABLE yunlian.detect_snapshot_entries ADD CONSTRAINT ${CONSTRAINT} CHECK entry_key = 'none'` });
    // Snapshots 2 s apart: the legs arrive in the first batches, before any is due, so the idle timer takes it.
    const detect = await startDetect(prefix, 2_000);
    let error: unknown;
    try {
      error = await failure(detect, 30_000);
    } finally {
      await detect.stop();
    }
    expect(causes(error).join(' | ')).toContain(CONSTRAINT);
    expect([...(await committed(group)).values()].every((offset) => offset === 0)).toBe(true);

    await shared.stack.services.clickhouse.command({ query: `ALTER TABLE yunlian.detect_snapshot_entries DROP CONSTRAINT ${CONSTRAINT}` });
    const again = await startDetect(prefix, 2_000);
    try {
      await waitFor(() => allCommitted(group), { what: 'every leg committed after the restart', timeoutMs: 60_000 });
    } finally {
      await again.stop();
    }
  }, 120_000);
});
