import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { announcedBrokers, mockClusterArgs } from '../../src/kafka/mockCluster.ts';
import { createKafka } from '../../src/kafka/kafkaClient.ts';
import { createRecordProducer } from '../../src/kafka/recordProducer.ts';
import { createLogger } from '../../src/runtime/log.ts';
import { readTopic } from '../helpers/embeddedStack.ts';

describe('the embedded mock Kafka cluster (kcat)', () => {
  it('writes nothing to stderr under produce and consume traffic, so a main thread busy for minutes cannot stall the brokers on a full pipe', async () => {
    const child = spawn('kcat', mockClusterArgs(3), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    try {
      const deadline = Date.now() + 15_000;
      while (announcedBrokers(stderr) === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const brokers = announcedBrokers(stderr);
      expect(brokers).toHaveLength(3);
      const afterStart = stderr.length;

      const logger = createLogger('test', { level: 'error' });
      const kafka = createKafka({ config: { brokers: brokers!, clientId: 'mock-cluster-test', ssl: false, sasl: null }, logger });
      const producer = await createRecordProducer(kafka);
      const topic = `mock-quiet-${Date.now()}`;
      const records = Array.from({ length: 5000 }, (_, i) => ({ topic, key: `k${i % 97}`, value: Buffer.from(`value ${i} 青浦`) }));
      for (let i = 0; i < records.length; i += 500) await producer.send(records.slice(i, i + 500));
      await producer.close();
      const seen = await readTopic(kafka, topic, records.length);
      expect(seen).toHaveLength(records.length);
      // With `-d mock` librdkafka logs every request: ~60 kB for this traffic, most of a pipe (64 KiB).
      expect(stderr.length - afterStart).toBeLessThan(1024);
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});
