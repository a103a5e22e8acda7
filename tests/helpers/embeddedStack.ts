import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { startEmbeddedSystem, type EmbeddedSystem, type PipelineThreads } from '../../src/embedded/embeddedSystem.ts';
import { createLogger, type LogLevel, type LogSink } from '../../src/runtime/log.ts';
import type { PipelineName } from '../../src/kafka/topics.ts';
import { consumedRecord, type ConsumedRecord } from '../../src/kafka/record.ts';
import { GROUPS, TOPICS } from '../../src/kafka/topics.ts';
import { DISTRICTS, invoiceTopic } from '../../src/domain/district.ts';
import { streamScenario } from '../../src/embedded/scenarioStreamer.ts';
import { pipelineLagGates } from '../../src/embedded/pipelineBackpressure.ts';
import { waitForConsumersDone } from '../../src/eval/waitForConsumers.ts';
import type { createScenario } from '../../src/simulate/simulateScenario.ts';

export interface TestStack extends EmbeddedSystem {
  dataDir: string;
  /** Stops everything and removes the data dir. */
  teardown(): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>): Promise<T[]>;
}

/** The real embedded stack (mock Kafka, registry, chDB) on a fresh data dir; one per test file (chDB: one data dir per process). */
export async function startTestStack(pipelines: readonly PipelineName[] = ['ingest'], opts: { pipelineThreads?: PipelineThreads; detectThreads?: number; logLevel?: LogLevel; logSink?: LogSink } = {}): Promise<TestStack> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'yunlian-test-'));
  const logger = createLogger('test', { level: opts.logLevel ?? (process.env.YUNLIAN_LOG_LEVEL as LogLevel | undefined) ?? 'error', sink: opts.logSink });
  const system = await startEmbeddedSystem({ dataDir, logger, pipelines, clickhousePort: 0, retry: { initialDelayMs: 50, maxDelayMs: 500 }, pipelineThreads: opts.pipelineThreads, detectThreads: opts.detectThreads });
  return {
    ...system,
    dataDir,
    async teardown() {
      await system.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
    async query<T>(sql: string, params?: Record<string, unknown>) {
      const rs = await system.services.clickhouse.query({ query: sql, format: 'JSONEachRow', query_params: params });
      return rs.json<T>();
    },
  };
}

/** Reads every record of `topic` from the beginning until `count` arrived (or throws after the timeout). */
export async function readTopic(kafka: Kafka, topic: string, count: number, timeoutMs = 30_000): Promise<ConsumedRecord[]> {
  const consumer: Consumer = kafka.consumer({ groupId: `test-reader-${topic}-${Date.now()}-${Math.random()}` });
  const records: ConsumedRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${records.length} of ${count} records on ${topic}`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ topic: t, partition, message }) => {
          records.push(consumedRecord(t, partition, message));
          if (records.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/**
 * Streams a scenario's invoices into the stack flat out (held back only by
 * ingest's and detect's lag gates) and waits until both groups have committed
 * everything, i.e. every row, leg, rollup and signal is written.
 */
export async function streamThroughIngestAndDetect(
  stack: TestStack,
  admin: Admin,
  scenario: ReturnType<typeof createScenario>,
  drain: { timeoutMs: number; stableMs: number },
): Promise<void> {
  await streamScenario({
    arrivals: scenario.arrivals(),
    producer: stack.services.producer,
    codecs: stack.services.codecs.invoiceEvents,
    eventsPerSecond: Infinity,
    lagGates: pipelineLagGates(admin, ['ingest', 'detect'], stack.services.logger),
  });
  await waitForConsumersDone(admin, [...DISTRICTS.map((d) => ({ groupId: GROUPS.ingest, topic: invoiceTopic(d) })), { groupId: GROUPS.detect, topic: TOPICS.invoiceLegs }], drain);
}
