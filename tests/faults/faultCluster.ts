import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import { startMockKafkaCluster, type MockKafkaCluster } from '../../src/kafka/mockCluster.ts';
import { startSchemaRegistry, type RunningSchemaRegistry } from '../../schemas/registry/startSchemaRegistry.ts';
import { AvroSerde } from '../../schemas/serde/avroSerde.ts';
import { createKafka } from '../../src/kafka/kafkaClient.ts';
import { ensureTopics } from '../../src/kafka/ensureTopics.ts';
import { createRecordProducer, type RecordProducer } from '../../src/kafka/recordProducer.ts';
import { registerCodecs, type YunlianCodecs } from '../../src/kafka/topicCodecs.ts';
import { createLogger, type Logger } from '../../src/runtime/log.ts';
import { startRegistryProxy, type RegistryProxy } from './registryProxy.ts';
import { startPipelineWorker, type PipelineWorker, type PipelineWorkerOptions } from './workerProcess.ts';
import type { ConsumerTimeouts } from './consumerTimeouts.ts';

/**
 * What one fault scenario runs on: its own mock Kafka (kcat child process,
 * which keeps the log while pipeline workers die), its own embedded registry
 * (ids persisted in the data dir) behind a proxy that can fail, a producer
 * with codecs in the runner, and a data dir the pipeline workers share one
 * after another.
 */
export interface FaultCluster {
  dataDir: string;
  brokers: string[];
  /** What workers use: the proxy in front of the registry. */
  registryUrl: string;
  registryProxy: RegistryProxy;
  kafka: Kafka;
  admin: Admin;
  producer: RecordProducer;
  serde: AvroSerde;
  codecs: YunlianCodecs;
  logger: Logger;
  startWorker(opts?: Partial<PipelineWorkerOptions>): Promise<PipelineWorker>;
  close(): Promise<void>;
}

/** Where each scenario's worker log is kept after its data dir is removed. */
export const FAULT_LOG_DIR = path.join(tmpdir(), 'yunlian-faults-logs');

export interface FaultClusterOptions {
  keepDataDir?: boolean;
  /** Consumer group timings of every worker started on this cluster; production defaults when absent. */
  consumerTimeouts?: ConsumerTimeouts;
}

export async function startFaultCluster(name: string, opts: FaultClusterOptions = {}): Promise<FaultCluster> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `yunlian-faults-${name}-`));
  const logger = createLogger(`faults:${name}`, { level: 'error' });
  const cleanups: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch (error) {
        logger.warn('cleanup failed', { error });
      }
    }
    cleanups.length = 0;
    // Worker logs outlive the data dir, so a failed scenario can be diagnosed.
    const log = path.join(dataDir, 'worker.log');
    if (existsSync(log)) {
      mkdirSync(FAULT_LOG_DIR, { recursive: true });
      copyFileSync(log, path.join(FAULT_LOG_DIR, `${name}-${path.basename(dataDir)}.log`));
    }
    if (!opts.keepDataDir && !process.env.FAULTS_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const mock: MockKafkaCluster = await startMockKafkaCluster({ logger });
    cleanups.push(mock.stop);
    const registry: RunningSchemaRegistry = await startSchemaRegistry({ storePath: path.join(dataDir, 'registry.json'), logger });
    cleanups.push(registry.close);
    const registryProxy = await startRegistryProxy(registry.url);
    cleanups.push(registryProxy.close);
    const kafka = createKafka({ config: { brokers: mock.brokers, clientId: 'yunlian-fault-runner', ssl: false, sasl: null }, logger });
    await ensureTopics(kafka);
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    const producer = await createRecordProducer(kafka);
    cleanups.push(() => producer.close());
    // The runner talks to the registry directly: only the pipelines see the failing proxy.
    const serde = new AvroSerde({ registryUrl: registry.url });
    const codecs = await registerCodecs(serde);
    const workers: PipelineWorker[] = [];
    cleanups.push(async () => {
      for (const w of workers) await w.kill9();
    });
    return {
      dataDir,
      brokers: mock.brokers,
      registryUrl: registryProxy.url,
      registryProxy,
      kafka,
      admin,
      producer,
      serde,
      codecs,
      logger,
      async startWorker(o = {}) {
        const worker = await startPipelineWorker({ brokers: mock.brokers, registryUrl: registryProxy.url, dataDir, consumerTimeouts: opts.consumerTimeouts, ...o });
        workers.push(worker);
        return worker;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
