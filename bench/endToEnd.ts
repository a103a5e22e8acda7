import { DISTRICTS, invoiceTopic } from '../src/domain/district.ts';
import type { Admin } from 'kafkajs';
import type { EmbeddedSystem } from '../src/embedded/embeddedSystem.ts';
import { pipelineLagGates } from '../src/embedded/pipelineBackpressure.ts';
import { GROUPS, TOPICS } from '../src/kafka/topics.ts';
import { fetchTopicOffsets } from '../src/kafka/topicOffsets.ts';
import type { Logger } from '../src/runtime/log.ts';
import { clickhouseRunLoad, type ClickHouseRunLoad } from './clickhouseLoadReport.ts';
import type { Metrics } from '../src/runtime/metrics.ts';
import { threadCpuOf, threadCpuSpan, type ThreadCpuReading, type ThreadCpuSpan } from './threadCpuReport.ts';
import { detectSnapshotSpan, detectSnapshotsOf, type DetectSnapshotTotals } from './snapshotReport.ts';
import { sampleProgress, steadyWindow, type SteadyWindow } from './steadyWindow.ts';
import { waitUntilDrained } from './drainClock.ts';
import type { ConsumerPair } from '../src/eval/waitForConsumers.ts';
import { producePaced } from './pacedProducer.ts';
import type { FeedRecordSource } from './scenarioSpool.ts';

export interface EndToEndResult {
  events: number;
  /** First produce to drained (every signal, rollup and row written, offsets committed). */
  seconds: number;
  produceSeconds: number;
  gatedSeconds: number;
  legs: number;
  signalRows: number;
  invoiceRows: number;
  /** CPU time of this process (all its threads; kcat is a child process, not counted) from first produce to drained. */
  cpuSeconds: number;
  /** The embedded ClickHouse's busy time and calls by table over the same span (the main thread's metrics: chDB lives there). */
  clickhouse: ClickHouseRunLoad;
  /** CPU by thread from first produce to drained (plus the drain's stability check); null without /proc. */
  threads: ThreadCpuSpan | null;
  /** detect's state snapshots over the same span. */
  snapshots: DetectSnapshotTotals;
  /**
   * Events/s between the instants detect had committed steadyWindow's shares (20 % and 80 %) of the run's legs: the run without its start
   * (threads compiling their hot code, first fetches and group commits) and its tail. Null when too few samples.
   */
  steady: SteadyWindow | null;
}

/** How often detect's committed offsets are read for the steady window: a tenth of a second is ~1 % of a 10-second run. */
export const PROGRESS_SAMPLE_MS = 100;

/** Ingest on the three district topics, detect on the legs topic: all committed means all written. */
export const PIPELINE_PAIRS: readonly ConsumerPair[] = [
  ...DISTRICTS.map((d) => ({ groupId: GROUPS.ingest, topic: invoiceTopic(d) })),
  { groupId: GROUPS.detect, topic: TOPICS.invoiceLegs },
];

/** The thread CPU and detect's snapshot totals now, from one collection of the registry (worker threads answer through it). */
async function readRunMetrics(metrics: Metrics): Promise<{ threads: ThreadCpuReading; snapshots: DetectSnapshotTotals }> {
  const text = await metrics.registry.metrics();
  return { threads: threadCpuOf(text), snapshots: detectSnapshotsOf(text) };
}

/** Legs produced so far: the legs topic's end offsets, summed over partitions. */
async function producedLegs(admin: Admin): Promise<number> {
  return (await fetchTopicOffsets(admin, TOPICS.invoiceLegs)).reduce((s, p) => s + Number(p.high), 0);
}

/** Offsets detect's group has committed on the legs topic, summed over partitions (an uncommitted partition counts 0). */
async function committedLegs(admin: Admin): Promise<number> {
  let sum = 0;
  for (const topic of await admin.fetchOffsets({ groupId: GROUPS.detect, topics: [TOPICS.invoiceLegs] })) {
    for (const p of topic.partitions) sum += Math.max(0, Number(p.offset));
  }
  return sum;
}

async function count(system: EmbeddedSystem, sql: string): Promise<number> {
  const rs = await system.services.clickhouse.query({ query: sql, format: 'JSONEachRow' });
  const [row] = await rs.json<{ n: string | number }>();
  return Number(row?.n ?? 0);
}

/**
 * Sustained end-to-end throughput on the embedded stack (ingest + detect
 * running): the scenario is produced flat out, held back only by the
 * pipelines' lag gates (the mock Kafka keeps 5 MiB per partition), and the
 * clock stops when every consumer group has committed everything — i.e. the
 * last invoice row, leg, rollup and signal is written.
 */
export async function endToEnd(system: EmbeddedSystem, source: FeedRecordSource, logger: Logger, say: (line: string) => void): Promise<EndToEndResult> {
  const admin = system.services.kafka.admin();
  await admin.connect();
  let progress: ReturnType<typeof sampleProgress> | undefined;
  try {
    const legsBefore = await producedLegs(admin);
    const clickhouseBefore = system.services.metrics.clickhouseLoad();
    const before = await readRunMetrics(system.services.metrics);
    const committedBefore = await committedLegs(admin);
    const started = Date.now();
    progress = sampleProgress(async () => (await committedLegs(admin)) - committedBefore, started, PROGRESS_SAMPLE_MS);
    const cpuBefore = process.cpuUsage();
    let lastSay = started;
    const produced = await producePaced({
      source,
      producer: system.services.producer,
      eventsPerSecond: Infinity,
      lagGates: pipelineLagGates(admin, ['ingest', 'detect'], logger),
      onProgress: (n) => {
        if (Date.now() - lastSay < 10_000) return;
        lastSay = Date.now();
        say(`  e2e: ${n} / ${source.events} events produced, ${Math.round(n / ((Date.now() - started) / 1000))} events/s so far`);
      },
    });
    // Read where the drain is first seen (the instant `seconds` ends), not after its stability check: the share is of the same span.
    let clickhouseAtDrain = clickhouseBefore;
    const drainedAt = await waitUntilDrained(admin, PIPELINE_PAIRS, {
      timeoutMs: 30 * 60_000,
      stableMs: 1500,
      onLag: (l) => say(`  e2e: draining: ${l}`),
      onZero: () => (clickhouseAtDrain = system.services.metrics.clickhouseLoad()),
    });
    const cpu = process.cpuUsage(cpuBefore);
    const after = await readRunMetrics(system.services.metrics);
    const samples = await progress.stop();
    const legs = (await producedLegs(admin)) - legsBefore;
    const legWindow = steadyWindow(samples, legs);
    return {
      events: produced.produced,
      seconds: (drainedAt - started) / 1000,
      produceSeconds: produced.seconds,
      gatedSeconds: produced.gatedSeconds,
      legs,
      signalRows: await count(system, 'SELECT count() AS n FROM yunlian.signals'),
      invoiceRows: await count(system, 'SELECT count() AS n FROM yunlian.invoices FINAL'),
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      clickhouse: clickhouseRunLoad(clickhouseBefore, clickhouseAtDrain, (drainedAt - started) / 1000),
      threads: threadCpuSpan(before.threads, after.threads),
      snapshots: detectSnapshotSpan(before.snapshots, after.snapshots),
      steady: legWindow === null ? null : { ...legWindow, rate: (legWindow.rate * produced.produced) / legs },
    };
  } finally {
    await progress?.stop();
    await admin.disconnect();
  }
}
