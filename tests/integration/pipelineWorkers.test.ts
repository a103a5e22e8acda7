import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import { startTestStack, streamThroughIngestAndDetect, type TestStack } from '../helpers/embeddedStack.ts';
import { createWorkingCalendar } from '../../src/calendar/chineseWorkingCalendar.ts';
import { loadClosures } from '../../src/calendar/loadClosures.ts';
import { isoToDay } from '../../src/calendar/workingCalendar.ts';
import { createScenario } from '../../src/simulate/simulateScenario.ts';
import { startPipelineWorker } from '../../src/embedded/pipelineWorker.ts';
import { waitForConsumersDone } from '../../src/eval/waitForConsumers.ts';
import { startPipelines } from '../../src/runtime/services.ts';
import { GROUPS, TOPICS } from '../../src/kafka/topics.ts';

/**
 * The embedded system with ingest and detect in worker threads (chDB on the
 * main thread, reached through forwarded connections): a small 2020 scenario
 * gives the same signals as detect on the main thread over the same legs.
 */
let stack: TestStack;
let admin: Admin;
const calendar = createWorkingCalendar({ closures: loadClosures() });

const signalIds = async (): Promise<string[]> =>
  (await stack.query<{ signal_id: string }>('SELECT DISTINCT signal_id FROM yunlian.signals ORDER BY signal_id')).map((r) => r.signal_id);

beforeAll(async () => {
  stack = await startTestStack(['ingest', 'detect'], { pipelineThreads: 'worker' });
  admin = stack.services.kafka.admin();
  await admin.connect();
  const scenario = createScenario({ seed: 11, firms: 40, from: isoToDay('2020-01-02'), to: isoToDay('2020-06-30'), calendar });
  await streamThroughIngestAndDetect(stack, admin, scenario, { timeoutMs: 60_000, stableMs: 1500 });
}, 90_000);

afterAll(async () => {
  await admin?.disconnect();
  await stack?.teardown();
});

describe('pipelines in worker threads', () => {
  it('runs ingest and detect in workers whose metrics the main thread serves', async () => {
    const [invoices] = await stack.query<{ n: string }>('SELECT count() AS n FROM yunlian.invoices FINAL');
    expect(Number(invoices!.n)).toBeGreaterThan(1000);
    const text = await stack.services.metrics.registry.metrics();
    expect(text).toMatch(/^yunlian_records_in_total\{pipeline="ingest",topic="yunlian\.invoices\.qingpu"\} [1-9]\d*$/m);
    expect(text).toMatch(/^yunlian_records_in_total\{pipeline="detect",topic="yunlian\.invoice-legs"\} [1-9]\d*$/m);
    // Each worker thread reports its own CPU under its pipeline's name, beside the main thread's.
    for (const thread of ['main', 'ingest', 'detect(-\\d+)?']) expect(text).toMatch(new RegExp(`^yunlian_thread_cpu_seconds\\{thread="${thread}"\\} \\d*\\.?\\d*[1-9]`, 'm'));
    // And its own page faults: a thread reading another's (or the process's) would show one figure under every name.
    const faults = [...text.matchAll(/^yunlian_thread_minor_faults\{thread="([^"]+)"\} (\d+)$/gm)].map(([, thread, n]) => [thread!, Number(n)] as const);
    expect(faults.map(([thread]) => thread.replace(/-\d+$/, '')).sort()).toEqual(expect.arrayContaining(['detect', 'ingest', 'main']));
    for (const [, n] of faults) expect(n).toBeGreaterThan(0);
    expect(new Set(faults.map(([, n]) => n)).size).toBe(faults.length);
  });

  it('counts the workers\' forwarded ClickHouse calls in the main thread\'s busy time, by table', async () => {
    const load = stack.services.metrics.clickhouseLoad();
    const invoices = load.targets.find((t) => t.op === 'insert' && t.table === 'yunlian.invoices');
    expect(invoices?.calls).toBeGreaterThan(0);
    expect(invoices?.insertBytes).toBeGreaterThan(0);
    expect(load.targets.find((t) => t.op === 'insert' && t.table === 'yunlian.enterprise_daily')?.calls).toBeGreaterThan(0);
    expect(load.busySeconds).toBeGreaterThan(0);
    // Overlapping calls count once in busy time, each in full in call time.
    expect(load.busySeconds).toBeLessThanOrEqual(load.targets.reduce((s, t) => s + t.callSeconds, 0) + 1e-6);
    const text = await stack.services.metrics.registry.metrics();
    expect(text).toMatch(/^yunlian_clickhouse_busy_seconds_total \d*\.?\d*[1-9]/m);
    expect(text).toMatch(/^yunlian_clickhouse_calls_total\{op="insert",table="yunlian\.invoice_lines"\} [1-9]\d*$/m);
  });

  it('writes the same signal_ids as detect on the main thread over the same legs', async () => {
    const fromWorkers = await signalIds();
    expect(fromWorkers.length).toBeGreaterThan(3);
    await stack.services.clickhouse.command({ query: 'TRUNCATE TABLE yunlian.signals' });
    const [detect] = await startPipelines({ services: stack.services, names: ['detect'], dataDir: stack.dataDir, groupIdPrefix: 'main-', detect: { calendar } });
    await waitForConsumersDone(admin, [{ groupId: 'main-' + GROUPS.detect, topic: TOPICS.invoiceLegs }], { timeoutMs: 60_000, stableMs: 1500 });
    await detect!.stop();
    expect(await signalIds()).toEqual(fromWorkers);
  }, 90_000);

  it('stops the workers gracefully: done resolves once each has committed and left', async () => {
    await Promise.all(stack.pipelines.map((p) => p.stop()));
    await expect(Promise.all(stack.pipelines.map((p) => p.done))).resolves.toBeDefined();
  });

  it('rejects done with the fatal error of the pipeline in the worker', async () => {
    await stack.services.clickhouse.command({ query: 'RENAME TABLE yunlian.invoices TO yunlian.invoices_parked' });
    try {
      const ingest = await startPipelineWorker({
        config: { pipeline: 'ingest', kafka: { brokers: stack.brokers, clientId: 'yunlian', ssl: false, sasl: null }, schemaRegistryUrl: stack.registryUrl, dataDir: stack.dataDir, groupIdPrefix: 'fatal-' },
        clickhouse: stack.services.clickhouse,
        logger: stack.services.logger,
      });
      await expect(ingest.done).rejects.toThrow(/ClickHouse rejected the query.*UNKNOWN_TABLE/s);
    } finally {
      await stack.services.clickhouse.command({ query: 'RENAME TABLE yunlian.invoices_parked TO yunlian.invoices' });
    }
  });

  it('rejects the start of a worker that cannot reach its services, with the cause', async () => {
    const failed = startPipelineWorker({
      config: { pipeline: 'ingest', kafka: { brokers: stack.brokers, clientId: 'yunlian', ssl: false, sasl: null }, schemaRegistryUrl: 'http://127.0.0.1:9', dataDir: stack.dataDir },
      clickhouse: stack.services.clickhouse,
      logger: stack.services.logger,
    });
    await expect(failed).rejects.toThrow(/ECONNREFUSED|fetch failed|registry/i);
  });
});
