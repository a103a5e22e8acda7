import type { Kafka } from 'kafkajs';
import { DISTRICTS, invoiceTopic } from '../domain/district.ts';
import { ConfigError } from '../runtime/errors.ts';
import { TOPICS } from './topics.ts';

export const ALL_TOPICS: readonly string[] = [...DISTRICTS.map(invoiceTopic), TOPICS.invoiceLegs, TOPICS.disruptions, TOPICS.matches, TOPICS.dlq];

/**
 * Makes sure every topic exists before any consumer subscribes. A consumer
 * that subscribes to a topic created later only sees it at its next metadata
 * refresh (minutes), and then catches up on it far behind the other topics —
 * which scrambles event-time order downstream. The embedded mock cluster
 * creates topics on a metadata request; a real cluster has them from
 * deploy/kafka/create-topics.sh, and a missing one is a configuration error.
 */
export async function ensureTopics(kafka: Kafka, topics: readonly string[] = ALL_TOPICS): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    try {
      await admin.fetchTopicMetadata({ topics: [...topics] });
    } catch (error) {
      throw new ConfigError(`Kafka topics are missing (${(error as Error).message}): create them with deploy/kafka/create-topics.sh`, { code: 'KAFKA_TOPICS_MISSING' });
    }
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) throw new ConfigError(`Kafka topics are missing: ${missing.join(', ')}; create them with deploy/kafka/create-topics.sh`, { code: 'KAFKA_TOPICS_MISSING' });
  } finally {
    await admin.disconnect();
  }
}
