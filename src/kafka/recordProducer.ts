import type { ICustomPartitioner, Kafka, Message, Producer } from 'kafkajs';
import { InfrastructureError } from '../runtime/errors.ts';
import { keyPartitioner, partitionForKey } from './keyPartitioner.ts';
import { fastProduceEncodingInUse, PartitionRecordGroup, useFastProduceEncoding } from './fastProduceEncoding.ts';
import type { OutgoingRecord } from './record.ts';

/**
 * Produces records with acks=all and waits for the brokers' confirmation; a
 * failure is a retriable infrastructure error so the caller's batch (and its
 * offsets) is retried, never skipped.
 */
export interface RecordProducer {
  send(records: readonly OutgoingRecord[]): Promise<void>;
  close(): Promise<void>;
}

const CHUNK = 2000;

/**
 * A chunk of keyed records goes to kafkajs as one message per partition (a
 * PartitionRecordGroup), placed by the same murmur2 partitioner, once the
 * topic's partition count is known from kafkajs's own metadata (its
 * partitioner calls report it, so a topic's first request goes record by
 * record). A chunk with a record without a key goes record by record too:
 * kafkajs places those round-robin, and the records of a partition must stay
 * in the order they were sent.
 */
function toMessages(records: OutgoingRecord[], partitions: number | undefined): Message[] {
  if (partitions === undefined || !fastProduceEncodingInUse() || records.some((r) => r.key === null)) return records;
  const byPartition: OutgoingRecord[][] = Array.from({ length: partitions }, () => []);
  for (const r of records) byPartition[partitionForKey(r.key!, partitions)]!.push(r);
  const messages: Message[] = [];
  byPartition.forEach((list, partition) => {
    if (list.length > 0) messages.push(new PartitionRecordGroup(partition, list) as unknown as Message);
  });
  return messages;
}

export async function createRecordProducer(kafka: Kafka): Promise<RecordProducer> {
  useFastProduceEncoding();
  const partitionCounts = new Map<string, number>();
  const countingPartitioner: ICustomPartitioner = () => {
    const place = keyPartitioner();
    return (args) => {
      partitionCounts.set(args.topic, args.partitionMetadata.length);
      return place(args);
    };
  };
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: true, retry: { retries: 8 }, createPartitioner: countingPartitioner });
  await producer.connect();
  return {
    async send(records) {
      if (records.length === 0) return;
      const byTopic = new Map<string, OutgoingRecord[]>();
      for (const r of records) {
        const list = byTopic.get(r.topic);
        if (list) list.push(r);
        else byTopic.set(r.topic, [r]);
      }
      try {
        for (const [topic, list] of byTopic) {
          for (let i = 0; i < list.length; i += CHUNK) {
            await producer.send({ topic, acks: -1, messages: toMessages(list.slice(i, i + CHUNK), partitionCounts.get(topic)) });
          }
        }
      } catch (error) {
        throw new InfrastructureError(`Kafka produce failed: ${(error as Error).message}`, { code: 'KAFKA_PRODUCE_FAILED', cause: error });
      }
    },
    close: () => producer.disconnect(),
  };
}
