import type { ConsumedRecord, OutgoingRecord } from './record.ts';
import { TOPICS } from './topics.ts';

/**
 * A poison record goes to `yunlian.dlq` with its original key and bytes and
 * the `x-dlq.*` headers of DESIGN.md section 2, so it can be inspected and
 * replayed; the partition then moves on.
 */
export function deadLetter(record: ConsumedRecord, reason: string, error: string): OutgoingRecord {
  return {
    topic: TOPICS.dlq,
    key: record.key,
    value: record.value ?? Buffer.alloc(0),
    headers: {
      'x-dlq.reason': reason,
      'x-dlq.topic': record.topic,
      'x-dlq.partition': String(record.partition),
      'x-dlq.offset': record.offset,
      // Bounded: a hostile record must not make the DLQ record itself oversized.
      'x-dlq.error': error.length > 1000 ? `${error.slice(0, 1000)}…` : error,
    },
  };
}
