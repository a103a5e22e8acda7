import type { Kafka } from 'kafkajs';
import type { ClickHouseClient } from '@clickhouse/client';
import type { RecordProducer } from '../kafka/recordProducer.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { RetryOptions } from './retry.ts';

/** What every pipeline gets injected through one options object (STYLE.md habit 9). */
export interface PipelineDeps {
  kafka: Kafka;
  producer: RecordProducer;
  clickhouse: ClickHouseClient;
  logger: Logger;
  metrics: Metrics;
  /** Wall clock, epoch ms: only for detected_at/ingested_at stamps, never for event-time logic. */
  now: () => number;
  dataDir: string;
  /** Prefix for consumer group ids, so tests can run isolated groups on a shared cluster. */
  groupIdPrefix: string;
  retry?: Partial<RetryOptions>;
  onDataLoss?: (info: { topic: string; partition: number; lost: number }) => void;
}

export interface RunningPipeline {
  name: string;
  /** Finishes the current batch, commits, leaves the group. */
  stop(): Promise<void>;
  /**
   * Optional first half of stop() (see RunningConsumer.quiesce): finishes the work in flight and commits it
   * while staying in the consumer group; stop() after it only leaves. pipelineGroup quiesces every member
   * before it stops any. Writes keep retrying meanwhile (only stop() gives them up), so a caller bounds the
   * wait: a PipelineWorker gives it half its stop timeout.
   */
  quiesce?(): Promise<void>;
  /** Rejects if the pipeline stopped on a fatal error. */
  done: Promise<void>;
}
