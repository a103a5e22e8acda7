import type { Kafka } from 'kafkajs';
import type { DisruptionSignal } from '../../src/domain/signal.ts';
import { startBatchConsumer, type RecordBatch } from '../../src/kafka/batchConsumer.ts';
import { deadLetter } from '../../src/kafka/deadLetter.ts';
import type { OutgoingRecord } from '../../src/kafka/record.ts';
import { GROUPS, TOPICS } from '../../src/kafka/topics.ts';
import type { ValueCodec } from '../../src/kafka/valueCodec.ts';
import { PoisonRecordError } from '../../src/runtime/errors.ts';
import type { PipelineDeps } from '../../src/runtime/pipeline.ts';
import type { SseHub } from './sseHub.ts';

/**
 * The live feed: disruption signals (and match-list updates, when the match
 * pipeline's topic exists) from Kafka to every open dashboard. The pipeline
 * writes nothing but dead letters: ClickHouse already holds what detect and
 * match wrote, and the pages read it from there.
 */
export interface RunningFeed {
  topics: string[];
  stop(): Promise<void>;
  done: Promise<void>;
}

/**
 * Signals older than this when they reach us are catch-up after a restart or
 * a replay, not live alerts: they are broadcast but kept out of the
 * event → alert latency histogram, which would otherwise measure downtime.
 */
export const CATCH_UP_AGE_MS = 10 * 60_000;

async function topicExists(kafka: Kafka, topic: string): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).includes(topic);
  } finally {
    await admin.disconnect();
  }
}

export async function startDisruptionFeed(deps: PipelineDeps, opts: { codec: ValueCodec<DisruptionSignal>; hub: SseHub }): Promise<RunningFeed> {
  const { metrics } = deps;
  const log = deps.logger.child('alerts');
  // Subscribing to a topic that does not exist fails on clusters without auto-creation.
  const withMatches = await topicExists(deps.kafka, TOPICS.matches);
  const topics = withMatches ? [TOPICS.disruptions, TOPICS.matches] : [TOPICS.disruptions];
  if (!withMatches) log.info('matches topic not there yet: match lists refresh on page load only', { topic: TOPICS.matches });

  const handleDisruptions = async (batch: RecordBatch) => {
    const deadLetters: OutgoingRecord[] = [];
    for (const record of batch.records) {
      if (record.value === null) continue; // a tombstone carries no signal
      let signal: DisruptionSignal;
      try {
        signal = await opts.codec.decode(record.value);
      } catch (error) {
        if (!(error instanceof PoisonRecordError)) throw error;
        deadLetters.push(deadLetter(record, error.code, error.message));
        metrics.deadLettered('alerts', error.code, 1);
        continue;
      }
      opts.hub.publish('signal', signal);
      const ageMs = deps.now() - signal.detected_at_ms;
      if (ageMs >= 0 && ageMs <= CATCH_UP_AGE_MS) metrics.alertLatency(ageMs / 1000);
    }
    if (deadLetters.length > 0) {
      await deps.producer.send(deadLetters);
      log.warn('undecodable disruption records dead-lettered', { topic: batch.topic, partition: batch.partition, count: deadLetters.length });
    }
  };

  const running = await startBatchConsumer({
    kafka: deps.kafka,
    pipeline: 'alerts',
    groupId: deps.groupIdPrefix + GROUPS.alerts,
    topics,
    logger: log,
    metrics,
    retry: deps.retry,
    onDataLoss: deps.onDataLoss,
    handler: async (batch) => {
      if (batch.topic === TOPICS.disruptions) return handleDisruptions(batch);
      // Match lists are keyed by enterprise: the browser showing that enterprise refetches its matches.
      const enterprises = new Set(batch.records.map((r) => r.key?.toString('utf8')).filter((k): k is string => !!k));
      for (const enterpriseTaxId of enterprises) opts.hub.publish('match', { enterprise_tax_id: enterpriseTaxId });
    },
  });
  return { topics, stop: running.stop, done: running.done };
}
