import type { KafkaMessage } from 'kafkajs';

/** A consumed Kafka record, decoupled from kafkajs types so pipelines stay testable. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestampMs: number;
}

/** A record to produce. */
export interface OutgoingRecord {
  topic: string;
  key: string | Buffer | null;
  value: Buffer;
  headers?: Record<string, string>;
}

/** kafkajs's message as a ConsumedRecord: headers as UTF-8 strings (an array header, which kafkajs gives for a repeated name, as its String()). */
export function consumedRecord(topic: string, partition: number, message: KafkaMessage): ConsumedRecord {
  const headers: Record<string, string> = {};
  if (message.headers) {
    for (const name of Object.keys(message.headers)) {
      const v = message.headers[name];
      headers[name] = Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
    }
  }
  return { topic, partition, offset: message.offset, key: message.key, value: message.value, headers, timestampMs: Number(message.timestamp) };
}
