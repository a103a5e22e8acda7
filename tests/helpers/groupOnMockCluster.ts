import type { Kafka } from 'kafkajs';
import { startMockKafkaCluster, type MockKafkaCluster } from '../../src/kafka/mockCluster.ts';
import { createKafka } from '../../src/kafka/kafkaClient.ts';
import { createRecordProducer } from '../../src/kafka/recordProducer.ts';
import { startBatchConsumer, type RunningConsumer } from '../../src/kafka/batchConsumer.ts';
import type { Logger } from '../../src/runtime/log.ts';
import type { Metrics } from '../../src/runtime/metrics.ts';

/** A member of the group that handles each small batch slowly, so it is mid-stream whenever a test acts. */
export interface SlowMember {
  running: RunningConsumer;
  /** Partitions of its latest assignment. */
  owned: Set<number>;
  /** Assignments it has had, and batches it has handled. */
  assignments: number;
  batches: number;
}

/** A mock cluster holding one topic of small records, for tests of the members of one consumer group. */
export interface GroupOnMockCluster {
  kafka: Kafka;
  topic: string;
  groupId: string;
  /**
   * Starts a member with a short session timeout (6 s, so the mock holds a rebalance ~5 s) and small fetches
   * (2 KiB a partition), handling each batch in `handlerMs`; teardown() stops it.
   */
  startSlowMember(opts: { pipeline: string; metrics: Metrics; handlerMs: number; onQuiesced?: () => Promise<void> }): Promise<SlowMember>;
  teardown(): Promise<void>;
}

/** Starts the cluster and writes 8,000 records of ~100 bytes over 101 keys to `<name>-<time>`. */
export async function startGroupOnMockCluster(name: string, logger: Logger): Promise<GroupOnMockCluster> {
  const cluster: MockKafkaCluster = await startMockKafkaCluster({ logger });
  const kafka = createKafka({ config: { brokers: cluster.brokers, clientId: `${name}-test`, ssl: false, sasl: null }, logger });
  const topic = `${name}-${Date.now()}`;
  const groupId = `${name}-group-${Date.now()}`;
  const producer = await createRecordProducer(kafka);
  await producer.send(Array.from({ length: 8000 }, (_, i) => ({ topic, key: `enterprise-${i % 101}`, value: Buffer.from(`leg ${i} `.padEnd(100, '.')) })));
  await producer.close();
  const consumers: RunningConsumer[] = [];
  return {
    kafka,
    topic,
    groupId,
    startSlowMember: async ({ pipeline, metrics, handlerMs, onQuiesced }) => {
      const member = { owned: new Set<number>(), assignments: 0, batches: 0 } as SlowMember;
      member.running = await startBatchConsumer({
        kafka,
        pipeline,
        groupId,
        topics: [topic],
        logger,
        metrics,
        sessionTimeoutMs: 6000,
        maxBytesPerPartition: 2048,
        onAssignment: async ({ assigned }) => {
          member.assignments++;
          member.owned.clear();
          for (const a of assigned) member.owned.add(a.partition);
        },
        onQuiesced,
        handler: async () => {
          member.batches++;
          await new Promise((r) => setTimeout(r, handlerMs));
        },
      });
      consumers.push(member.running);
      return member;
    },
    teardown: async () => {
      await Promise.all(consumers.map((c) => c.stop()));
      await cluster.stop();
    },
  };
}
