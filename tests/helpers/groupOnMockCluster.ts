import type { Kafka } from 'kafkajs';
import { startMockKafkaCluster, type MockKafkaCluster } from '../../src/kafka/mockCluster.ts';
import { createKafka } from '../../src/kafka/kafkaClient.ts';
import { createRecordProducer } from '../../src/kafka/recordProducer.ts';
import type { RunningConsumer } from '../../src/kafka/batchConsumer.ts';
import type { Logger } from '../../src/runtime/log.ts';

/** A mock cluster holding one topic of small records, for tests of the members of one consumer group. */
export interface GroupOnMockCluster {
  kafka: Kafka;
  topic: string;
  groupId: string;
  /** Consumers the test started; teardown() stops them. */
  consumers: RunningConsumer[];
  teardown(): Promise<void>;
}

/** Starts the cluster and writes 8,000 records of ~100 bytes over 101 keys to `<name>-<time>`. */
export async function startGroupOnMockCluster(name: string, logger: Logger): Promise<GroupOnMockCluster> {
  const cluster: MockKafkaCluster = await startMockKafkaCluster({ logger });
  const kafka = createKafka({ config: { brokers: cluster.brokers, clientId: `${name}-test`, ssl: false, sasl: null }, logger });
  const topic = `${name}-${Date.now()}`;
  const producer = await createRecordProducer(kafka);
  await producer.send(Array.from({ length: 8000 }, (_, i) => ({ topic, key: `enterprise-${i % 101}`, value: Buffer.from(`leg ${i} `.padEnd(100, '.')) })));
  await producer.close();
  const consumers: RunningConsumer[] = [];
  return {
    kafka,
    topic,
    groupId: `${name}-group-${Date.now()}`,
    consumers,
    teardown: async () => {
      await Promise.all(consumers.map((c) => c.stop()));
      await cluster.stop();
    },
  };
}
