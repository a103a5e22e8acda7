/**
 * The one place that reaches into kafkajs internals: it swaps the encoder of
 * kafkajs's Produce request (versions 3–7) for `writeProduceRequest`, which
 * writes the same bytes into one reused buffer. kafkajs 2.2 builds an
 * encoder object (a 512-byte buffer) per record and per header, a Long per
 * varlong, and a CRC-32C byte by byte; that was about a sixth of the
 * pipelines' CPU (docs/performance.md). Everything else stays kafkajs's:
 * partitioning, metadata, retries, idempotence sequences, the response.
 *
 * kafkajs offers no supported way to pass pre-encoded batches. Its request
 * modules are resolved by `requests.Produce.protocol({ version })` at every
 * produce (src/broker/index.js → lookupRequest), so wrapping that one
 * function is enough. Requests this encoder does not cover — compression,
 * records with their own timestamp, values kafkajs itself would stringify —
 * keep kafkajs's encoder. tests/unit/fastProduceEncoding.test.ts fails if a
 * kafkajs upgrade moves the seam or changes the bytes.
 */
import { createRequire } from 'node:module';
import { ProtocolWriter } from './protocolWriter.ts';
import { writeProduceRequest, type BatchMessage, type PartitionRecords } from './produceRequestEncoder.ts';

/** kafkajs's arguments to a Produce request builder (src/broker/index.js `produce`). */
export interface KafkajsProduceArgs {
  acks: number;
  timeout: number;
  compression?: number;
  transactionalId?: string | null;
  producerId?: unknown;
  producerEpoch?: number;
  topicData: { topic: string; partitions: { partition: number | string; firstSequence?: number; messages: unknown[] }[] }[];
}

interface KafkajsRequest {
  apiKey: number;
  apiVersion: number;
  encode: () => Promise<unknown>;
}

type RequestBuilder = (args: KafkajsProduceArgs) => { request: KafkajsRequest; response: unknown };

interface ProduceRequests {
  versions: string[];
  protocol: (v: { version: number }) => RequestBuilder;
}

interface KafkajsEncoderClass {
  new (initialSize?: number): { writeBuffer(b: Buffer): unknown };
}

const require = createRequire(import.meta.url);
const produceRequests = require('kafkajs/src/protocol/requests/produce/index.js') as ProduceRequests;
const Encoder = require('kafkajs/src/protocol/encoder.js') as KafkajsEncoderClass;

/**
 * Records bound for one partition, handed to kafkajs as a single message so
 * that its per-message work (the partitioner call, and grouping by partition,
 * which copies the partition's list for every message) happens once per
 * partition; the fast encoder writes each record as its own. Only for a
 * producer that is not idempotent, with the fast encoding in use.
 */
export class PartitionRecordGroup {
  readonly key = null;
  /**
   * Not bytes: should kafkajs's own encoder ever get a group, it throws
   * (Buffer.byteLength of an object) instead of writing an empty record.
   */
  readonly value: object = Object.freeze({ recordGroup: true });
  constructor(
    readonly partition: number,
    readonly records: readonly BatchMessage[],
  ) {}
}

/** Produce request versions whose body is transactional_id, acks, timeout, topics → partitions → RecordBatch v2. */
export const FAST_PRODUCE_VERSIONS: readonly number[] = [3, 4, 5, 6, 7];
const NO_COMPRESSION = 0;
/** A request larger than this does not keep its buffer for the next one. */
const KEEP_BUFFER_BYTES = 16 * 1024 * 1024;

let writer = new ProtocolWriter(1024 * 1024);
let original: ProduceRequests['protocol'] | null = null;
const stats = { requests: 0, groupedRecords: 0 };

/** Produce requests the fast encoder wrote in this process, and records it got in groups (tests check the seams are in use). */
export function fastProduceStats(): Readonly<typeof stats> {
  return { ...stats };
}

/** Whether kafkajs's Produce requests go through the fast encoder (record groups need it). */
export function fastProduceEncodingInUse(): boolean {
  return original !== null;
}

/** Routes every kafkajs producer in this process through the fast encoder. Idempotent. */
export function useFastProduceEncoding(): void {
  if (original !== null) return;
  const kafkajsProtocol = produceRequests.protocol;
  original = kafkajsProtocol;
  produceRequests.protocol = ({ version }) => {
    const build = kafkajsProtocol({ version });
    if (!FAST_PRODUCE_VERSIONS.includes(version)) return build;
    return (args) => {
      const built = build(args);
      if (isFastEncodable(args)) built.request.encode = async () => encodeProduceRequest(args);
      return built;
    };
  };
}

/** Puts kafkajs's own encoder back (tests compare the two). */
export function useKafkajsProduceEncoding(): void {
  if (original === null) return;
  produceRequests.protocol = original;
  original = null;
}

/** kafkajs's Produce request builder for `version`, as kafkajs's broker would look it up now. */
export function produceRequestBuilder(version: number): RequestBuilder {
  return produceRequests.protocol({ version });
}

function isBytes(v: unknown): v is string | Buffer {
  return typeof v === 'string' || Buffer.isBuffer(v);
}

function isFastMessage(m: Record<string, unknown>): boolean {
  if (m.timestamp !== undefined && m.timestamp !== null) return false;
  if (m.key !== undefined && m.key !== null && !isBytes(m.key)) return false;
  if (m.value !== null && !isBytes(m.value)) return false;
  const headers = m.headers;
  if (headers === undefined) return true;
  if (headers === null || typeof headers !== 'object') return false;
  for (const v of Object.values(headers)) {
    if (!(isBytes(v) || (Array.isArray(v) && v.every(isBytes)))) return false;
  }
  return true;
}

/**
 * Whether the fast encoder writes this request. Throws for a request with
 * record groups it cannot write: kafkajs's encoder must never see a group.
 */
function isFastEncodable(args: KafkajsProduceArgs): boolean {
  let fast = (args.compression ?? NO_COMPRESSION) === NO_COMPRESSION;
  const producerId = toInt64(args.producerId ?? -1);
  if (producerId === null) fast = false;
  let groups = false;
  for (const { partitions } of args.topicData) {
    for (const { messages } of partitions) {
      for (const m of messages) {
        if (m instanceof PartitionRecordGroup) {
          groups = true;
          if (fast && !m.records.every((r) => isFastMessage(r as unknown as Record<string, unknown>))) fast = false;
        } else if (fast && !isFastMessage(m as Record<string, unknown>)) fast = false;
      }
    }
  }
  if (groups && !fast) throw new Error('a produce request with record groups must be uncompressed, without record timestamps');
  // kafkajs advances an idempotent producer's sequence by messages, and a group is one message of many records.
  if (groups && producerId !== -1n) throw new Error('record groups are not for idempotent or transactional producers');
  return fast;
}

/** kafkajs accepts a producer id as a number, string, bigint or its own Long (a bigint in `.value`). */
function toInt64(v: unknown): bigint | null {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  if (typeof v === 'object' && v !== null && typeof (v as { value?: unknown }).value === 'bigint') return (v as { value: bigint }).value;
  return null;
}

function ungrouped(messages: readonly unknown[]): BatchMessage[] {
  if (!messages.some((m) => m instanceof PartitionRecordGroup)) return messages as BatchMessage[];
  return messages.flatMap((m) => {
    if (!(m instanceof PartitionRecordGroup)) return [m as BatchMessage];
    stats.groupedRecords += m.records.length;
    return m.records;
  });
}

function encodeProduceRequest(args: KafkajsProduceArgs): unknown {
  const w = writer;
  w.reset();
  stats.requests++;
  writeProduceRequest(w, {
    transactionalId: args.transactionalId ?? null,
    acks: args.acks,
    timeoutMs: args.timeout,
    producerId: toInt64(args.producerId ?? -1)!,
    producerEpoch: args.producerEpoch ?? 0,
    topics: args.topicData.map(({ topic, partitions }) => ({
      topic,
      partitions: partitions.map(
        (p): PartitionRecords => ({ partition: Number(p.partition), firstSequence: p.firstSequence ?? 0, messages: ungrouped(p.messages) }),
      ),
    })),
    nowMs: Date.now(),
  });
  // kafkajs frames the body with its request header by copying an Encoder's bytes, so hand it one.
  const encoder = new Encoder(w.length);
  encoder.writeBuffer(w.view());
  if (w.capacity > KEEP_BUFFER_BYTES) writer = new ProtocolWriter(1024 * 1024);
  return encoder;
}
