import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRequire } from 'node:module';
import {
  FAST_PRODUCE_VERSIONS,
  PartitionRecordGroup,
  fastProduceStats,
  produceRequestBuilder,
  useFastProduceEncoding,
  useKafkajsProduceEncoding,
  type KafkajsProduceArgs,
} from '../../src/kafka/fastProduceEncoding.ts';
import { crc32c } from '../../src/kafka/crc32c.ts';
import { seededRandom } from '../helpers/detectFixtures.ts';

const require = createRequire(import.meta.url);
const kafkajsCrc32c = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (b: Buffer) => number;
const Long = require('kafkajs/src/utils/long.js') as { fromInt(n: number): unknown };

const TEXTS = ['', 'a', '91310118MA1FL0X21K', '嘉善电子有限公司', 'x-dlq.reason', 'é€😀', 'k'.repeat(200)];

function randomMessages(rand: () => number, n: number, withTimestamps: boolean): Record<string, unknown>[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const bytes = (max: number) => Buffer.from(Array.from({ length: Math.floor(rand() * max) }, () => Math.floor(rand() * 256)));
  const text = () => pick(TEXTS);
  const value = () => {
    const r = rand();
    return r < 0.6 ? bytes(r < 0.05 ? 20_000 : 600) : r < 0.9 ? text() : null;
  };
  return Array.from({ length: n }, () => {
    const m: Record<string, unknown> = { value: value() };
    const k = rand();
    if (k < 0.4) m.key = text();
    else if (k < 0.7) m.key = bytes(40);
    else if (k < 0.85) m.key = null;
    const h = rand();
    if (h < 0.3) m.headers = { 'x-dlq.reason': text(), 'x-dlq.offset': String(Math.floor(rand() * 1e6)) };
    else if (h < 0.4) m.headers = { multi: [text(), bytes(10)], b: bytes(30) };
    else if (h < 0.45) m.headers = {};
    if (withTimestamps && rand() < 0.5) m.timestamp = String(1_600_000_000_000 + Math.floor(rand() * 1e9));
    return m;
  });
}

function randomArgs(rand: () => number, withTimestamps: boolean): KafkajsProduceArgs {
  const topics = Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, t) => ({
    topic: `yunlian.topic-${t}`,
    partitions: Array.from({ length: 1 + Math.floor(rand() * 6) }, (_, p) => ({
      partition: rand() < 0.5 ? String(p * 2) : p * 2, // kafkajs passes partitions as object keys (strings)
      firstSequence: rand() < 0.8 ? 0 : Math.floor(rand() * 1e6),
      messages: randomMessages(rand, 1 + Math.floor(rand() * 300), withTimestamps),
    })),
  }));
  const r = rand();
  return {
    acks: rand() < 0.8 ? -1 : 1,
    timeout: 30_000,
    compression: 0,
    transactionalId: r < 0.7 ? undefined : r < 0.8 ? null : 'tx-1',
    producerId: r < 0.5 ? undefined : r < 0.75 ? -1 : Long.fromInt(4711),
    producerEpoch: r < 0.5 ? undefined : 3,
    topicData: topics,
  };
}

async function encodeWith(fast: boolean, version: number, args: KafkajsProduceArgs): Promise<Buffer> {
  if (fast) useFastProduceEncoding();
  else useKafkajsProduceEncoding();
  const { request } = produceRequestBuilder(version)(args);
  const encoder = (await request.encode()) as { buffer: Buffer };
  return encoder.buffer;
}

afterEach(() => {
  useKafkajsProduceEncoding();
  vi.restoreAllMocks();
});

describe('CRC-32C', () => {
  it('gives the standard check value and agrees with kafkajs on arbitrary slices', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
    const rand = seededRandom(7);
    const data = Buffer.from(Array.from({ length: 5000 }, () => Math.floor(rand() * 256)));
    for (let i = 0; i < 200; i++) {
      const start = Math.floor(rand() * 2500);
      const end = start + Math.floor(rand() * 2500);
      expect(crc32c(data, start, end)).toBe(kafkajsCrc32c(data.subarray(start, end)));
    }
  });
});

describe('fast Produce request encoding', () => {
  it('writes byte for byte what kafkajs writes, for random records (keys, values, headers, null keys) in every version 3–7', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_123);
    for (let seed = 1; seed <= 20; seed++) {
      const args = randomArgs(seededRandom(seed), false);
      for (const version of FAST_PRODUCE_VERSIONS) {
        const before = fastProduceStats().requests;
        const fast = await encodeWith(true, version, args);
        expect(fastProduceStats().requests, `seed ${seed} took the fast path`).toBe(before + 1);
        const kafkajs = await encodeWith(false, version, args);
        expect(fast.equals(kafkajs), `seed ${seed}, version ${version}`).toBe(true);
      }
    }
  });

  it('leaves requests with record timestamps or compression to kafkajs, with the same bytes', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_123);
    for (let seed = 100; seed < 110; seed++) {
      const args = randomArgs(seededRandom(seed), true);
      const before = fastProduceStats().requests;
      const fast = await encodeWith(true, 3, args);
      const kafkajs = await encodeWith(false, 3, args);
      expect(fast.equals(kafkajs)).toBe(true);
      expect(fastProduceStats().requests).toBe(before); // every seed draws at least one timestamped record
    }
    const gzip = { ...randomArgs(seededRandom(5), false), compression: 1 };
    const before = fastProduceStats().requests;
    await encodeWith(true, 3, gzip);
    expect(fastProduceStats().requests).toBe(before);
  });

  it('writes the record group of a partition as its records: the bytes kafkajs writes for them one message each', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_123);
    for (let seed = 200; seed < 210; seed++) {
      const plain = randomArgs(seededRandom(seed), false);
      // Each partition: its first records as plain messages, the rest as one group (RecordProducer puts null keys first).
      const grouped: KafkajsProduceArgs = {
        ...plain,
        transactionalId: null,
        producerId: -1,
        topicData: plain.topicData.map(({ topic, partitions }) => ({
          topic,
          partitions: partitions.map((p) => {
            const cut = Math.floor(p.messages.length / 3);
            return { ...p, messages: [...p.messages.slice(0, cut), new PartitionRecordGroup(Number(p.partition), p.messages.slice(cut) as never)] };
          }),
        })),
      };
      const fast = await encodeWith(true, 7, grouped);
      const kafkajs = await encodeWith(false, 7, { ...plain, transactionalId: null, producerId: -1 });
      expect(fast.equals(kafkajs), `seed ${seed}`).toBe(true);
    }
  });

  it('never lets a record group reach an encoder that would not write its records', async () => {
    const group = new PartitionRecordGroup(0, [{ key: 'k', value: Buffer.from('v') }]);
    const args = (extra: Partial<KafkajsProduceArgs>): KafkajsProduceArgs => ({ acks: -1, timeout: 30_000, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [group] }] }], ...extra });
    await expect(encodeWith(false, 3, args({}))).rejects.toThrow(); // kafkajs's own encoder throws on it
    useFastProduceEncoding();
    expect(() => produceRequestBuilder(3)(args({ compression: 1 }))).toThrow(/record groups/);
    expect(() => produceRequestBuilder(3)(args({ producerId: 12, producerEpoch: 1 }))).toThrow(/idempotent/);
  });

  it('passes Produce versions outside 3–7 through to kafkajs untouched', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_123);
    const args = randomArgs(seededRandom(3), false);
    const before = fastProduceStats().requests;
    const fast = await encodeWith(true, 2, args);
    const kafkajs = await encodeWith(false, 2, args);
    expect(fast.equals(kafkajs)).toBe(true);
    expect(fastProduceStats().requests).toBe(before);
  });
});
