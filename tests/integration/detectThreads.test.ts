import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import { startTestStack, streamThroughIngestAndDetect, type TestStack } from '../helpers/embeddedStack.ts';
import { createWorkingCalendar } from '../../src/calendar/chineseWorkingCalendar.ts';
import { loadClosures } from '../../src/calendar/loadClosures.ts';
import { isoToDay } from '../../src/calendar/workingCalendar.ts';
import { createScenario } from '../../src/simulate/simulateScenario.ts';
import { waitForConsumersDone } from '../../src/eval/waitForConsumers.ts';
import { startPipelines } from '../../src/runtime/services.ts';
import { GROUPS, TOPICS } from '../../src/kafka/topics.ts';
import { fetchTopicOffsets } from '../../src/kafka/topicOffsets.ts';

/**
 * The embedded system with detect in two worker threads (two members of the
 * detect group): they split the leg partitions, and the outputs are those of
 * one detect thread over the same legs, so no leg is lost or applied twice
 * while the second member joins.
 */
let stack: TestStack;
let admin: Admin;
let totalLegs = 0;
/** The stack's log lines, parsed; errors and warnings also go to stderr. */
const logs: Array<{ level: string; ns: string; msg: string } & Record<string, unknown>> = [];
const calendar = createWorkingCalendar({ closures: loadClosures() });

/** What detect wrote, as comparable digests: signal states, and row counts and hashes of the daily tables. */
async function detectOutputs(): Promise<Record<string, unknown>> {
  const signals = await stack.query<{ k: string }>(`SELECT concat(signal_id, ' ', signal_type, ' ', status, ' ', toString(current_fen)) AS k FROM yunlian.signals FINAL ORDER BY k`);
  const digest = async (table: string, columns: string) =>
    (await stack.query<{ n: string; h: string }>(`SELECT count() AS n, toString(sum(cityHash64(${columns}))) AS h FROM yunlian.${table} FINAL`))[0];
  return {
    signals: signals.map((r) => r.k),
    enterpriseDaily: await digest('enterprise_daily', 'day, enterprise_tax_id, direction, district, amount_fen, gross_fen, corrections_fen, legs'),
    linksDaily: await digest('links_daily', 'day, seller_tax_id, buyer_tax_id, gross_fen'),
    late: await digest('late_events', 'leg_id'),
  };
}

beforeAll(async () => {
  stack = await startTestStack(['ingest', 'detect'], {
    pipelineThreads: 'worker',
    detectThreads: 2,
    // Info: each member logs the partitions it was assigned (the mock cluster answers no DescribeGroups).
    logLevel: 'info',
    logSink: {
      write: (line) => {
        const entry = JSON.parse(line) as (typeof logs)[number];
        logs.push(entry);
        if (entry.level === 'error' || entry.level === 'warn') process.stderr.write(line + '\n');
      },
    },
  });
  admin = stack.services.kafka.admin();
  await admin.connect();
  const scenario = createScenario({ seed: 11, firms: 40, from: isoToDay('2020-01-02'), to: isoToDay('2020-06-30'), calendar });
  await streamThroughIngestAndDetect(stack, admin, scenario, { timeoutMs: 90_000, stableMs: 1500 });
  totalLegs = (await fetchTopicOffsets(admin, TOPICS.invoiceLegs)).reduce((s, p) => s + Number(p.high), 0);
}, 120_000);

afterAll(async () => {
  await admin?.disconnect();
  await stack?.teardown();
});

describe('detect in two worker threads', () => {
  it('splits the leg partitions between the two members of the detect group, one in each thread', async () => {
    const { partitions } = (await admin.fetchTopicMetadata({ topics: [TOPICS.invoiceLegs] })).topics[0]!;
    // The latest assignment of each thread's consumer (threads log as detect-1 and detect-2).
    const latest = new Map<string, number>();
    for (const l of logs) if (l.msg === 'partitions assigned' && l.groupId === GROUPS.detect) latest.set(l.ns, l.assigned as number);
    expect([...latest.keys()].sort()).toEqual(['test:detect-1:detect', 'test:detect-2:detect']);
    for (const assigned of latest.values()) expect(assigned).toBeGreaterThan(0);
    expect([...latest.values()].reduce((a, b) => a + b, 0)).toBe(partitions.length);
  });

  it('shows one detect pipeline whose merged metrics count the legs of both threads', async () => {
    expect(stack.pipelines.map((p) => p.name)).toEqual(['ingest', 'detect']);
    const text = await stack.services.metrics.registry.metrics();
    const series = text.match(/^yunlian_records_in_total\{pipeline="detect",topic="yunlian\.invoice-legs"\} (\d+)$/gm) ?? [];
    expect(series).toHaveLength(1);
    expect(Number(series[0]!.split(' ').pop())).toBeGreaterThanOrEqual(totalLegs);
  });

  it('counts both threads\' state snapshots: rows by kind, the legs the log rows carry, bytes and encoding time', async () => {
    const text = await stack.services.metrics.registry.metrics();
    const value = (series: string): number => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      expect(line, series).toBeDefined();
      return Number(line!.split(' ').pop());
    };
    const snapshots = value('yunlian_detect_snapshots_total');
    // Every enterprise's first row is a base; legs applied after it are logged until the next base.
    const enterprises = Number((await stack.query<{ n: string }>('SELECT uniqExact(enterprise_tax_id) AS n FROM yunlian.enterprise_daily'))[0]!.n);
    expect(enterprises).toBe(40);
    expect(value('yunlian_detect_snapshot_rows_total{row="base"}')).toBeGreaterThanOrEqual(enterprises);
    expect(value('yunlian_detect_snapshot_rows_total{row="log"}')).toBeGreaterThan(0);
    const logged = value('yunlian_detect_snapshot_logged_legs_total');
    expect(logged).toBeGreaterThanOrEqual(value('yunlian_detect_snapshot_rows_total{row="log"}'));
    expect(logged).toBeLessThan(totalLegs);
    expect(value('yunlian_detect_snapshot_bytes_total')).toBeGreaterThan(100 * snapshots);
    expect(value('yunlian_detect_snapshot_encode_seconds_count')).toBe(snapshots);
    expect(snapshots).toBeGreaterThanOrEqual(4);
  });

  // The mock cluster holds a rebalance open for the session timeout less 1 s (tests/faults/consumerTimeouts.ts): when one
  // thread leaves while the other still heartbeats, the other's stop waits for that rebalance (~29 s).
  it('stops both threads through the one detect pipeline', async () => {
    const detect = stack.pipelines.find((p) => p.name === 'detect')!;
    await detect.stop();
    await expect(detect.done).resolves.toBeUndefined();
    // A thread that has exited answers no metrics request: no detect series is left while ingest's remain.
    const text = await stack.services.metrics.registry.metrics();
    expect(text).toMatch(/^yunlian_records_in_total\{pipeline="ingest"/m);
    expect(text).not.toMatch(/^yunlian_records_in_total\{pipeline="detect"/m);
  }, 60_000);

  it('logs no error, no DATA LOSS in particular, while the threads share the group and stop', () => {
    // kafkajs's own protocol log is left out: it logs the coordinator's rebalance answers as errors (to a heartbeat, to a
    // commit of the old generation), and the mock cluster's refusal of a follower's SyncGroup that arrives after the
    // leader's (the group is already up) as a crash, on which the consumer rejoins. Both are the normal way a member
    // learns of a rebalance; yunlian's own error lines (DATA LOSS, failed writes) come from the pipelines' namespaces.
    expect(logs.filter((l) => l.level === 'error' && !l.ns.endsWith(':kafkajs'))).toEqual([]);
    expect(logs.filter((l) => l.msg.includes('DATA LOSS'))).toEqual([]);
  });

  it('writes the same signals, daily rows and link rows as one detect thread over the same legs', async () => {
    const fromTwoThreads = await detectOutputs();
    expect((fromTwoThreads.signals as string[]).length).toBeGreaterThan(3);
    expect(Number((fromTwoThreads.enterpriseDaily as { n: string }).n)).toBeGreaterThan(1000);
    for (const table of ['signals', 'enterprise_daily', 'links_daily', 'late_events']) await stack.services.clickhouse.command({ query: `TRUNCATE TABLE yunlian.${table}` });
    const [detect] = await startPipelines({ services: stack.services, names: ['detect'], dataDir: stack.dataDir, groupIdPrefix: 'one-thread-', detect: { calendar } });
    await waitForConsumersDone(admin, [{ groupId: 'one-thread-' + GROUPS.detect, topic: TOPICS.invoiceLegs }], { timeoutMs: 60_000, stableMs: 1500 });
    await detect!.stop();
    expect(await detectOutputs()).toEqual(fromTwoThreads);
  }, 90_000);
});
