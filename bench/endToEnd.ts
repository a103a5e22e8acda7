import { DISTRICTS, invoiceTopic } from '../src/domain/district.ts';
import type { EmbeddedSystem } from '../src/embedded/embeddedSystem.ts';
import { pipelineLagGates } from '../src/embedded/pipelineBackpressure.ts';
import { GROUPS, TOPICS } from '../src/kafka/topics.ts';
import type { Logger } from '../src/runtime/log.ts';
import { clickhouseRunLoad, type ClickHouseRunLoad } from './clickhouseLoadReport.ts';
import { readThreadCpu, threadCpuSpan, type ThreadCpuSpan } from './threadCpuReport.ts';
import { detectSnapshotSpan, readDetectSnapshots, type DetectSnapshotTotals } from './snapshotReport.ts';
import { waitUntilDrained, type ConsumerPair } from './drainClock.ts';
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
}

/** Ingest on the three district topics, detect on the legs topic: all committed means all written. */
export const PIPELINE_PAIRS: readonly ConsumerPair[] = [
  ...DISTRICTS.map((d) => ({ groupId: GROUPS.ingest, topic: invoiceTopic(d) })),
  { groupId: GROUPS.detect, topic: TOPICS.invoiceLegs },
];

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
  try {
    const legsBefore = (await admin.fetchTopicOffsets(TOPICS.invoiceLegs)).reduce((s, p) => s + Number(p.high), 0);
    const clickhouseBefore = system.services.metrics.clickhouseLoad();
    const threadsBefore = await readThreadCpu(system.services.metrics);
    const snapshotsBefore = await readDetectSnapshots(system.services.metrics);
    const started = Date.now();
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
    const threads = threadCpuSpan(threadsBefore, await readThreadCpu(system.services.metrics));
    const snapshots = detectSnapshotSpan(snapshotsBefore, await readDetectSnapshots(system.services.metrics));
    const legs = (await admin.fetchTopicOffsets(TOPICS.invoiceLegs)).reduce((s, p) => s + Number(p.high), 0) - legsBefore;
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
      threads,
      snapshots,
    };
  } finally {
    await admin.disconnect();
  }
}
