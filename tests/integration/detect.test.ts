import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, streamThroughIngestAndDetect, type TestStack } from '../helpers/embeddedStack.ts';
import { createWorkingCalendar } from '../../src/calendar/chineseWorkingCalendar.ts';
import { loadClosures } from '../../src/calendar/loadClosures.ts';
import { isoToDay } from '../../src/calendar/workingCalendar.ts';
import { createScenario } from '../../src/simulate/simulateScenario.ts';
import { waitForConsumersDone } from '../../src/eval/waitForConsumers.ts';
import { startPipelines } from '../../src/runtime/services.ts';
import { GROUPS, TOPICS } from '../../src/kafka/topics.ts';
import type { RunningPipeline } from '../../src/runtime/pipeline.ts';
import { waitFor } from '../helpers/waitFor.ts';
import path from 'node:path';
import { DETECT_STATE_DIR, FileSnapshotStore } from '../../pipelines/detect/fileSnapshotStore.ts';
import type { DetectSnapshotStore } from '../../src/runtime/config.ts';
import { createMetrics, type Metrics } from '../../src/runtime/metrics.ts';
import { fetchTopicOffsets } from '../../src/kafka/topicOffsets.ts';

/**
 * The detect pipeline on the real embedded stack, on a small labelled 2020
 * scenario (duplicates, late events, voids, red-letter corrections included).
 * Each run uses its own consumer group over the same legs topic, and the
 * signals table is emptied between runs, so runs can be compared.
 */
let stack: TestStack;
const calendar = createWorkingCalendar({ closures: loadClosures() });

async function signalStates(): Promise<string[]> {
  const rows = await stack.query<{ k: string }>(`SELECT concat(signal_id, ' ', signal_type, ' ', status) AS k FROM yunlian.signals FINAL ORDER BY k`);
  return rows.map((r) => r.k);
}

async function drained(groupId: string): Promise<void> {
  const admin = stack.services.kafka.admin();
  await admin.connect();
  try {
    await waitForConsumersDone(admin, [{ groupId, topic: TOPICS.invoiceLegs }], { timeoutMs: 240_000, stableMs: 2500 });
  } finally {
    await admin.disconnect();
  }
}

async function committedLegs(groupId: string): Promise<number> {
  const admin = stack.services.kafka.admin();
  await admin.connect();
  const [t] = await admin.fetchOffsets({ groupId, topics: [TOPICS.invoiceLegs] });
  await admin.disconnect();
  return t!.partitions.reduce((s, p) => s + Math.max(0, Number(p.offset)), 0);
}

const startDetect = async (prefix: string, maxPendingLegs?: number, snapshotStore: DetectSnapshotStore = 'clickhouse'): Promise<RunningPipeline> =>
  (await startPipelines({ services: stack.services, names: ['detect'], dataDir: stack.dataDir, groupIdPrefix: prefix, detect: { calendar, snapshotIntervalMs: 300, maxPendingLegs, snapshotStore } }))[0]!;

/** What a member's yunlian_open_signals gauge says, summed over signal types. */
async function openSignalsOf(metrics: Metrics): Promise<number> {
  const gauge = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'yunlian_open_signals');
  return (gauge?.values ?? []).reduce((s, v) => s + v.value, 0);
}

/** Detect snapshotting every 20 legs of a partition, stopped and started again at 30 % and 60 % of the legs, until drained. */
async function runWithRestarts(prefix: string, snapshotStore: DetectSnapshotStore): Promise<void> {
  const group = prefix + GROUPS.detect;
  let running = await startDetect(prefix, 20, snapshotStore);
  for (const share of [0.3, 0.6]) {
    await waitFor(async () => (await committedLegs(group)) > totalLegs * share, { what: `${share * 100} % of the legs`, timeoutMs: 180_000, intervalMs: 500 });
    await running.stop();
    running = await startDetect(prefix, 20, snapshotStore);
  }
  await drained(group);
  await running.stop();
}

let baseline: string[] = [];
let totalLegs = 0;

beforeAll(async () => {
  stack = await startTestStack(['ingest', 'detect']);
  const scenario = createScenario({ seed: 11, firms: 40, from: isoToDay('2020-01-02'), to: isoToDay('2020-06-30'), calendar });
  const admin = stack.services.kafka.admin();
  await admin.connect();
  await streamThroughIngestAndDetect(stack, admin, scenario, { timeoutMs: 180_000, stableMs: 2500 });
  const offsets = await fetchTopicOffsets(admin, TOPICS.invoiceLegs);
  totalLegs = offsets.reduce((s, p) => s + Number(p.high), 0);
  await admin.disconnect();
  baseline = await signalStates();
}, 240_000);

afterAll(async () => {
  await stack?.teardown();
});

describe('detect on the embedded stack', () => {
  it('turns the scenario into signals in ClickHouse and on yunlian.disruptions', async () => {
    expect(baseline.length).toBeGreaterThan(5);
    const types = new Set(baseline.map((k) => k.split(' ')[1]));
    expect(types.size).toBeGreaterThanOrEqual(3);
    const [{ n }] = (await stack.query<{ n: string }>('SELECT count() AS n FROM yunlian.enterprise_daily FINAL')) as [{ n: string }];
    expect(Number(n)).toBeGreaterThan(1000);
  });

  it('never counts a duplicate twice: daily sales equal the netted invoices, minus only recorded late legs', async () => {
    // Through Friday 2020-05-29 (not before a holiday): weekend legs count towards the next working day.
    const cutoff = '2020-05-29';
    const [inv] = await stack.query<{ fen: string }>(
      `SELECT sum(if(event_type = 'VOIDED', -total_amount_fen, total_amount_fen)) AS fen FROM yunlian.invoices FINAL WHERE toDate(issued_at) <= {c:Date}`,
      { c: cutoff },
    );
    const [daily] = await stack.query<{ fen: string }>(`SELECT sum(amount_fen) AS fen FROM yunlian.enterprise_daily FINAL WHERE direction = 'SALES' AND day <= {c:Date}`, { c: cutoff });
    const [late] = await stack.query<{ fen: string; n: string }>(
      `SELECT sum(amount_fen) AS fen, count() AS n FROM yunlian.late_events FINAL WHERE endsWith(leg_id, ':SELLER') AND toDate(issued_at) <= {c:Date}`,
      { c: cutoff },
    );
    expect(Number(daily!.fen) + Number(late!.fen)).toBe(Number(inv!.fen));
  });

  // With snapshots in files (the embedded stack's store): two writers over one directory, each member its own store.
  it('gives identical signals when a second consumer joins and leaves during the run (snapshots in files)', async () => {
    await stack.services.clickhouse.command({ query: 'TRUNCATE TABLE yunlian.signals' });
    const prefix = 'rebalance-files-';
    const one = await startDetect(prefix, undefined, 'files');
    await waitFor(async () => (await committedLegs(prefix + GROUPS.detect)) > totalLegs / 4, { what: 'a quarter of the legs', timeoutMs: 180_000, intervalMs: 1000 });
    const two = await startDetect(prefix, undefined, 'files');
    await waitFor(async () => (await committedLegs(prefix + GROUPS.detect)) > totalLegs / 2, { what: 'half of the legs', timeoutMs: 180_000, intervalMs: 1000 });
    await one.stop();
    await drained(prefix + GROUPS.detect);
    await two.stop();
    expect(await signalStates()).toEqual(baseline);
  }, 420_000);

  it('counts in each member\'s open-signals gauge only the partitions it owns, after a rebalance with no legs flowing', async () => {
    // Each member its own registry, as each detect thread has (the host sums them): the sum must be the total.
    const startMember = async (metrics: Metrics) =>
      (await startPipelines({ services: { ...stack.services, metrics }, names: ['detect'], dataDir: stack.dataDir, groupIdPrefix: 'gauge-', detect: { calendar, snapshotIntervalMs: 300, snapshotStore: 'files' } }))[0]!;
    const first = createMetrics();
    const second = createMetrics();
    const one = await startMember(first);
    let two: RunningPipeline | null = null;
    try {
      await drained('gauge-' + GROUPS.detect);
      const total = await openSignalsOf(first);
      expect(total).toBeGreaterThan(1);
      // The first member gets no leg after the rebalance, so only the assignment itself can correct its gauge.
      two = await startMember(second);
      await waitFor(async () => (await openSignalsOf(second)) > 0 && (await openSignalsOf(first)) + (await openSignalsOf(second)) === total, {
        what: 'the open signals split between the members',
        timeoutMs: 90_000,
        intervalMs: 500,
      });
    } finally {
      await two?.stop();
      await one.stop();
    }
  }, 240_000);

  it('gives identical signals after a restart in the middle of the stream', async () => {
    await stack.services.clickhouse.command({ query: 'TRUNCATE TABLE yunlian.signals' });
    const first = await startDetect('restart-');
    await waitFor(async () => (await committedLegs('restart-' + GROUPS.detect)) > totalLegs / 3, { what: 'a third of the legs', timeoutMs: 180_000, intervalMs: 1000 });
    await first.stop();
    const second = await startDetect('restart-');
    await drained('restart-' + GROUPS.detect);
    await second.stop();
    expect(await signalStates()).toEqual(baseline);
  }, 420_000);

  it('gives identical signals after restarts from many incremental snapshots with log rows', async () => {
    await stack.services.clickhouse.command({ query: 'TRUNCATE TABLE yunlian.signals' });
    const group = 'incremental-' + GROUPS.detect;
    // A snapshot every 20 legs of a partition: many per partition, each writing only the firms touched since the last,
    // mostly as log rows. (An enterprise untouched since an older row, closed forward on restore, arises here only
    // when batches are small; tests/unit/detectIncrementalSnapshots.test.ts builds that case leg by leg.)
    await runWithRestarts('incremental-', 'clickhouse');
    const [rows] = await stack.query<{ versions: string; logRows: string }>(
      `SELECT uniqExact(version) AS versions, countIf(position(entry_key, '#') > 0) AS logRows
       FROM yunlian.detect_snapshot_entries FINAL WHERE group_id = {g:String}`,
      { g: group },
    );
    expect(Number(rows!.versions)).toBeGreaterThan(3);
    expect(Number(rows!.logRows)).toBeGreaterThan(0);
    expect(await signalStates()).toEqual(baseline);
  }, 420_000);

  it('gives identical signals after restarts from incremental snapshots in segment files', async () => {
    await stack.services.clickhouse.command({ query: 'TRUNCATE TABLE yunlian.signals' });
    const prefix = 'incremental-files-';
    const group = prefix + GROUPS.detect;
    await runWithRestarts(prefix, 'files');
    // Nothing of this group in the table: its state lives in the data dir, as restores from there gave the same signals.
    const [rows] = await stack.query<{ n: string }>('SELECT count() AS n FROM yunlian.detect_snapshot_entries WHERE group_id = {g:String}', { g: group });
    expect(Number(rows!.n)).toBe(0);
    const store = new FileSnapshotStore(path.join(stack.dataDir, DETECT_STATE_DIR));
    const admin = stack.services.kafka.admin();
    await admin.connect();
    const { clusterId } = await admin.describeCluster();
    await admin.disconnect();
    const stored = await Promise.all([0, 1, 2, 3].map((partition) => store.load({ groupId: group, clusterId, topic: TOPICS.invoiceLegs, partition })));
    expect(stored.every((p) => p.header !== null && p.header.nextOffset > 0)).toBe(true);
    expect(stored.some((p) => p.entries.some((e) => e.slot !== null))).toBe(true);
    expect(await signalStates()).toEqual(baseline);
  }, 420_000);

  it('snapshots and commits a partition soon after it has caught up with its log, not a snapshot interval later', async () => {
    const prefix = 'caught-up-';
    const startedAt = Date.now();
    // Intervals far beyond the wait below: only a caught-up partition's early snapshot can commit its last legs in time.
    const running = (
      await startPipelines({
        services: stack.services,
        names: ['detect'],
        dataDir: stack.dataDir,
        groupIdPrefix: prefix,
        detect: { calendar, snapshotIntervalMs: 60_000, maxSnapshotIntervalMs: 60_000, snapshotStore: 'files' },
      })
    )[0]!;
    let committedAfterMs: number;
    try {
      await waitFor(async () => (await committedLegs(prefix + GROUPS.detect)) === totalLegs, { what: 'every leg committed', timeoutMs: 45_000, intervalMs: 250 });
      committedAfterMs = Date.now() - startedAt;
    } finally {
      await running.stop();
    }
    expect(committedAfterMs).toBeLessThan(30_000);
  }, 90_000);
});
