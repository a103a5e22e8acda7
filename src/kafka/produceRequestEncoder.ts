/**
 * The body of a Kafka Produce request, versions 3 to 7 (one layout), with
 * each partition's records as one uncompressed RecordBatch v2 (magic 2),
 * written in one pass into one reusable buffer. It writes the bytes kafkajs
 * 2.2 writes for the same request (tests/unit/produceRequestEncoder.test.ts
 * compares them), without kafkajs's encoder object per record and per field.
 * Pure.
 *
 * Records with their own timestamp are not handled here (kafkajs orders
 * those as strings; see `fastProduceEncoding.ts`, which leaves such requests
 * to kafkajs).
 */
import { crc32c } from './crc32c.ts';
import { ProtocolWriter, varintSize } from './protocolWriter.ts';

export type HeaderValue = string | Buffer;

/** A record as kafkajs's `Message` carries it (timestamp and partition aside). */
export interface BatchMessage {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, HeaderValue | HeaderValue[]>;
}

export interface PartitionRecords {
  partition: number;
  /** Idempotent producers' sequence of the batch's first record; 0 otherwise. */
  firstSequence: number;
  messages: readonly BatchMessage[];
}

export interface ProduceRequestBody {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  /** -1 unless the producer is idempotent. */
  producerId: bigint;
  producerEpoch: number;
  topics: readonly { topic: string; partitions: readonly PartitionRecords[] }[];
  /** Every record's timestamp (CreateTime), epoch ms. */
  nowMs: number;
}

const MAGIC = 2;
const TRANSACTIONAL = 16;

/** Writes the request body (after the request header) into `w`. */
export function writeProduceRequest(w: ProtocolWriter, body: ProduceRequestBody): void {
  w.string(body.transactionalId);
  w.int16(body.acks);
  w.int32(body.timeoutMs);
  w.int32(body.topics.length);
  for (const { topic, partitions } of body.topics) {
    w.string(topic);
    w.int32(partitions.length);
    for (const p of partitions) {
      w.int32(p.partition);
      const recordSetSize = w.reserve32();
      const start = w.length;
      writeRecordBatch(w, p, body);
      w.patchInt32(recordSetSize, w.length - start);
    }
  }
}

/**
 * RecordBatch v2: baseOffset, batchLength, partitionLeaderEpoch, magic, CRC-32C
 * over everything after the CRC, then attributes … records.
 */
function writeRecordBatch(w: ProtocolWriter, p: PartitionRecords, body: ProduceRequestBody): void {
  const timestamp = BigInt(body.nowMs);
  w.int64(0n);
  const batchLength = w.reserve32();
  const afterLength = w.length;
  w.int32(0); // partitionLeaderEpoch
  w.int8(MAGIC);
  const crc = w.reserve32();
  const crcFrom = w.length;
  // Like kafkajs, an empty transactional id is no transaction.
  w.int16(body.transactionalId ? TRANSACTIONAL : 0);
  w.int32(p.messages.length - 1); // lastOffsetDelta
  w.int64(timestamp); // firstTimestamp
  w.int64(timestamp); // maxTimestamp
  w.int64(body.producerId);
  w.int16(body.producerEpoch);
  w.int32(p.firstSequence);
  w.int32(p.messages.length);
  for (let i = 0; i < p.messages.length; i++) writeRecord(w, p.messages[i]!, i);
  w.patchInt32(batchLength, w.length - afterLength);
  w.patchUInt32(crc, crc32c(w.view(crcFrom)));
}

const NO_HEADERS: Record<string, HeaderValue | HeaderValue[]> = Object.freeze({});

function byteLengthOf(value: string | Buffer | null | undefined): number {
  if (value === null || value === undefined) return -1;
  return typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length;
}

function sizeOfBytes(byteLength: number): number {
  return byteLength < 0 ? 1 : varintSize(byteLength) + byteLength;
}

/** Record: length, attributes, timestampDelta (0), offsetDelta, key, value, headers — all varint-framed. */
function writeRecord(w: ProtocolWriter, m: BatchMessage, offsetDelta: number): void {
  const key = m.key ?? null;
  const keyBytes = byteLengthOf(key);
  const valueBytes = byteLengthOf(m.value);
  let headerCount = 0;
  let headersSize = 0;
  const headers = m.headers ?? NO_HEADERS;
  const names = Object.keys(headers);
  for (const name of names) {
    const v = headers[name]!;
    const nameSize = sizeOfBytes(Buffer.byteLength(name, 'utf8'));
    if (Array.isArray(v)) {
      for (const one of v) headersSize += nameSize + sizeOfBytes(byteLengthOf(one));
      headerCount += v.length;
    } else {
      headersSize += nameSize + sizeOfBytes(byteLengthOf(v));
      headerCount++;
    }
  }
  const size = 1 + 1 + varintSize(offsetDelta) + sizeOfBytes(keyBytes) + sizeOfBytes(valueBytes) + varintSize(headerCount) + headersSize;
  w.varint(size);
  w.int8(0); // attributes
  w.varint(0); // timestampDelta: every record carries the batch's timestamp
  w.varint(offsetDelta);
  w.varintBytes(key, keyBytes);
  w.varintBytes(m.value, valueBytes);
  w.varint(headerCount);
  for (const name of names) {
    const v = headers[name]!;
    for (const one of Array.isArray(v) ? v : [v]) {
      w.varintBytes(name, Buffer.byteLength(name, 'utf8'));
      w.varintBytes(one, byteLengthOf(one));
    }
  }
}
