import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { keyPartitioner, murmur2, partitionForKey } from '../../src/kafka/keyPartitioner.ts';

/** kafkajs's own default partitioner: the reference every yunlian producer must agree with. */
function kafkajsPartition(key: string | Buffer, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, i) => ({ partitionId: i, leader: 0, replicas: [0], isr: [0], offlineReplicas: [], partitionErrorCode: 0 }));
  return Partitioners.DefaultPartitioner()({ topic: 't', partitionMetadata, message: { key, value: null } });
}

/** Deterministic pseudo-random keys: tax-id-like, short, multibyte and every length modulo 4. */
function sampleKeys(): string[] {
  let seed = 42;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const keys = ['', 'a', 'ab', 'abc', 'abcd', '嘉善电子', '91330421MA2B3C4D5E'];
  for (let i = 0; i < 2000; i++) {
    const length = 1 + (next() % 24);
    keys.push(Array.from({ length }, () => alphabet[next() % alphabet.length]).join(''));
  }
  return keys;
}

describe('keyPartitioner', () => {
  it('puts every key on the partition kafkajs and the Java client put it, for any partition count', () => {
    for (const key of sampleKeys()) {
      for (const partitions of [1, 3, 4, 12, 48]) expect(partitionForKey(key, partitions), `${key} / ${partitions}`).toBe(kafkajsPartition(key, partitions));
    }
  });

  it('hashes as Kafka does: the known murmur2 values of the Java client', () => {
    // From org.apache.kafka.common.utils.UtilsTest#testMurmur2.
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar'))).toBe(-790332482);
    expect(murmur2(Buffer.from('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(Buffer.from('a-little-bit-longer-string'))).toBe(-1486304829);
    expect(murmur2(Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'))).toBe(-58897971);
  });

  it('keeps an explicit partition and leaves keyless records to the default partitioner', () => {
    const partitionMetadata = [0, 1, 2, 3].map((partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0], offlineReplicas: [], partitionErrorCode: 0 }));
    const partition = keyPartitioner();
    expect(partition({ topic: 't', partitionMetadata, message: { key: 'x', value: null, partition: 2 } })).toBe(2);
    expect(partition({ topic: 't', partitionMetadata, message: { value: 'no key' } })).toBeGreaterThanOrEqual(0);
  });
});
