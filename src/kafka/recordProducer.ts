import type { Kafka, Producer } from 'kafkajs';
import { InfrastructureError } from '../runtime/errors.ts';
import { keyPartitioner } from './keyPartitioner.ts';
import { useFastProduceEncoding } from './fastProduceEncoding.ts';
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

export async function createRecordProducer(kafka: Kafka): Promise<RecordProducer> {
  useFastProduceEncoding();
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: true, retry: { retries: 8 }, createPartitioner: keyPartitioner });
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
            await producer.send({
              topic,
              acks: -1,
              // kafkajs reads key, value and headers and ignores the rest: no copy per record.
              messages: list.slice(i, i + CHUNK),
            });
          }
        }
      } catch (error) {
        throw new InfrastructureError(`Kafka produce failed: ${(error as Error).message}`, { code: 'KAFKA_PRODUCE_FAILED', cause: error });
      }
    },
    close: () => producer.disconnect(),
  };
}
