import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Consumer } from 'kafkajs';
import { startEmbeddedSystem, type EmbeddedSystem, type PipelineThreads } from '../../src/embedded/embeddedSystem.ts';
import { createLogger } from '../../src/runtime/log.ts';
import type { PipelineName } from '../../src/kafka/topics.ts';
import { consumedRecord, type ConsumedRecord } from '../../src/kafka/record.ts';

export interface TestStack extends EmbeddedSystem {
  dataDir: string;
  /** Stops everything and removes the data dir. */
  teardown(): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>): Promise<T[]>;
}

/** The real embedded stack (mock Kafka, registry, chDB) on a fresh data dir; one per test file (chDB: one data dir per process). */
export async function startTestStack(pipelines: readonly PipelineName[] = ['ingest'], opts: { pipelineThreads?: PipelineThreads } = {}): Promise<TestStack> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'yunlian-test-'));
  const logger = createLogger('test', { level: (process.env.YUNLIAN_LOG_LEVEL as 'info' | undefined) ?? 'error' });
  const system = await startEmbeddedSystem({ dataDir, logger, pipelines, clickhousePort: 0, retry: { initialDelayMs: 50, maxDelayMs: 500 }, pipelineThreads: opts.pipelineThreads });
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
export async function readTopic(system: EmbeddedSystem, topic: string, count: number, timeoutMs = 30_000): Promise<ConsumedRecord[]> {
  const consumer: Consumer = system.services.kafka.consumer({ groupId: `test-reader-${topic}-${Date.now()}-${Math.random()}` });
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
