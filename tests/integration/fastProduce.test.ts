import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { startMockKafkaCluster, type MockKafkaCluster } from '../../src/kafka/mockCluster.ts';
import { createKafka } from '../../src/kafka/kafkaClient.ts';
import { createRecordProducer, type RecordProducer } from '../../src/kafka/recordProducer.ts';
import { fastProduceStats } from '../../src/kafka/fastProduceEncoding.ts';
import { partitionForKey } from '../../src/kafka/keyPartitioner.ts';
import type { ConsumedRecord, OutgoingRecord } from '../../src/kafka/record.ts';
import { readTopic } from '../helpers/embeddedStack.ts';
import { createLogger } from '../../src/runtime/log.ts';

let mock: MockKafkaCluster;
let kafka: Kafka;
let producer: RecordProducer;

beforeAll(async () => {
  const logger = createLogger('test', { level: 'error' });
  mock = await startMockKafkaCluster({ logger });
  kafka = createKafka({ config: { brokers: mock.brokers, clientId: 'fast-produce-test', ssl: false, sasl: null }, logger });
  producer = await createRecordProducer(kafka);
});
afterAll(async () => {
  await producer?.close();
  await mock?.stop();
});

async function createTopic(): Promise<{ topic: string; partitions: number }> {
  const topic = `fast-produce-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.fetchTopicMetadata({ topics: [topic] }); // the mock creates it
    return { topic, partitions: (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.length };
  } finally {
    await admin.disconnect();
  }
}

function outgoing(topic: string, n: number, keyOf: (i: number) => string | Buffer | null): OutgoingRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const value = Buffer.from(`value ${i} 嘉善 ${'x'.repeat(i % 7 === 0 ? 3000 : i % 50)}`);
    const headers = i % 4 === 0 ? { 'x-dlq.reason': `REASON_${i}`, 'x-dlq.topic': '吴江' } : undefined;
    return { topic, key: keyOf(i), value, headers };
  });
}

/** Every record arrived once with its key and headers, keyed ones on their murmur2 partition, each partition in send order. */
function expectDelivered(records: readonly OutgoingRecord[], seen: readonly ConsumedRecord[], partitions: number): void {
  expect(seen).toHaveLength(records.length);
  const byValue = new Map(seen.map((s) => [s.value!.toString(), s]));
  const lastOffset = new Map<number, bigint>();
  for (const r of records) {
    const s = byValue.get(r.value.toString());
    expect(s, r.value.toString().slice(0, 20)).toBeDefined();
    const expectedKey = r.key === null ? null : Buffer.isBuffer(r.key) ? r.key : Buffer.from(r.key);
    expect(s!.key).toEqual(expectedKey);
    expect(s!.headers).toEqual(r.headers ?? {});
    if (r.key !== null) expect(s!.partition).toBe(partitionForKey(r.key, partitions));
    expect(BigInt(s!.offset) > (lastOffset.get(s!.partition) ?? -1n)).toBe(true);
    lastOffset.set(s!.partition, BigInt(s!.offset));
  }
}

describe('records produced through the fast Produce encoder', () => {
  it('arrive with their keys (strings, bytes, null), values, headers and key partitions, in order per partition', async () => {
    const { topic, partitions } = await createTopic();
    // More than one produce request (2000 records each); null keys keep every request record by record.
    const records = outgoing(topic, 4500, (i) => (i % 10 === 0 ? null : i % 3 === 0 ? Buffer.from(`bin-${i % 97}`) : `91310118MA1FL${String(i % 211).padStart(5, '0')}`));
    const before = fastProduceStats();
    await producer.send(records);
    expect(fastProduceStats().requests - before.requests).toBeGreaterThanOrEqual(3);
    expect(fastProduceStats().groupedRecords).toBe(before.groupedRecords);
    expectDelivered(records, await readTopic(kafka, topic, records.length), partitions);
  });

  it('arrive the same when keyed records go to kafkajs grouped by partition', async () => {
    const { topic, partitions } = await createTopic();
    const records = outgoing(topic, 6000, (i) => (i % 3 === 0 ? Buffer.from(`bin-${i % 97}`) : `91310118MA1FL${String(i % 211).padStart(5, '0')}`));
    const before = fastProduceStats();
    // The first request learns the partition count from kafkajs's metadata; the later ones group.
    await producer.send(records.slice(0, 1000));
    await producer.send(records.slice(1000));
    expect(fastProduceStats().groupedRecords - before.groupedRecords).toBe(5000);
    expectDelivered(records, await readTopic(kafka, topic, records.length), partitions);
  });
});
