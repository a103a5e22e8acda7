import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin, Kafka } from 'kafkajs';
import { startMockKafkaCluster, type MockKafkaCluster } from '../../src/kafka/mockCluster.ts';
import { createKafka } from '../../src/kafka/kafkaClient.ts';
import { partitionLags } from '../../src/kafka/lagGate.ts';
import { createLogger } from '../../src/runtime/log.ts';

/**
 * kafkajs#461: one admin client starting to use several topics at once can
 * briefly lose a topic from its metadata cache, and `fetchTopicOffsets` then
 * throws a TypeError. The bench smoke test failed on it once in CI (its lag
 * gates and progress sampler share an admin). Ten new topics at once, twenty
 * times, failed 3 of 200 lookups without the retry.
 */
const ROUNDS = 20;
const TOPICS_AT_ONCE = 10;
const logger = createLogger('test', { level: 'error' });

describe('partitionLags on one admin client', () => {
  let cluster: MockKafkaCluster;
  let kafka: Kafka;
  beforeAll(async () => {
    cluster = await startMockKafkaCluster({ logger });
    kafka = createKafka({ config: { brokers: cluster.brokers, clientId: 'topic-offsets-test', ssl: false, sasl: null }, logger });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('answers for every topic when many new topics are first asked about at the same time', async () => {
    const failures: string[] = [];
    let answered = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const admin: Admin = kafka.admin();
      await admin.connect();
      try {
        await Promise.all(
          Array.from({ length: TOPICS_AT_ONCE }, async (_, i) => {
            try {
              const lags = await partitionLags(admin, 'topic-offsets-group', `topic-offsets-${round}-${i}`);
              // The mock auto-creates a topic with 4 empty partitions: nothing to lag behind.
              expect([...lags.values()]).toEqual([0, 0, 0, 0]);
              answered++;
            } catch (error) {
              failures.push(String(error));
            }
          }),
        );
      } finally {
        await admin.disconnect();
      }
    }
    expect(failures).toEqual([]);
    expect(answered).toBe(ROUNDS * TOPICS_AT_ONCE);
  }, 60_000);
});
