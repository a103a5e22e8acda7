import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startMockKafkaCluster, type MockKafkaCluster } from '../kafka/mockCluster.ts';
import type { IngestOptions } from '../../pipelines/ingest/ingestPipeline.ts';
import { LEGS_MAX_LAG } from './pipelineBackpressure.ts';
import { startSchemaRegistry, type RunningSchemaRegistry } from '../../schemas/registry/startSchemaRegistry.ts';
import { startClickHouseHttpInterface, type ClickHouseHttpInterface } from '../../sinks/clickhouse/httpInterface.ts';
import { connectServices, startPipelines, type Services, type StartPipelinesOptions } from '../runtime/services.ts';
import { LEGS_READERS, type PipelineName } from '../kafka/topics.ts';
import type { Logger } from '../runtime/log.ts';
import type { KafkaConfig } from '../runtime/config.ts';
import { createMetrics, includeOtherThreads, type Metrics, type MetricsSnapshot } from '../runtime/metrics.ts';
import type { RunningPipeline } from '../runtime/pipeline.ts';
import type { RetryOptions } from '../runtime/retry.ts';
import { ConfigError } from '../runtime/errors.ts';
import { startPipelineWorker, type PipelineWorker, type WorkerPipelineName } from './pipelineWorker.ts';
import { pipelineGroup } from '../runtime/pipelineGroup.ts';
import { resolveDetectThreads } from './detectThreads.ts';

/**
 * The whole system in one process on embedded components: librdkafka's mock
 * cluster (kcat), the bundled Schema Registry, chDB (one data dir per process,
 * which is why every pipeline runs here), its read-only ClickHouse HTTP
 * interface, and the pipelines. `yunlian up` and the integration tests both
 * start the stack through this function.
 */
export interface EmbeddedSystemOptions {
  dataDir: string;
  logger: Logger;
  pipelines: readonly PipelineName[];
  /** 0 = ephemeral (tests). */
  clickhousePort: number;
  registryPort?: number;
  metrics?: Metrics;
  groupIdPrefix?: string;
  retry?: Partial<RetryOptions>;
  now?: () => number;
  /** Detect's options; its snapshots go to files under `dataDir` unless `snapshotStore` says otherwise (one machine, and chDB is spared). */
  detect?: StartPipelinesOptions['detect'];
  alerts?: StartPipelinesOptions['alerts'];
  /**
   * 'worker': ingest, detect and match each run in a worker thread (chDB and
   * alerts stay on this thread), so the pipelines use more than one core;
   * `now` and a custom detect calendar cannot cross to a thread and are
   * refused. 'main' (default): everything on this thread.
   */
  pipelineThreads?: PipelineThreads;
  /**
   * Threads running detect, 1 to MAX_DETECT_THREADS: members of one consumer group, which split the leg
   * partitions (state and snapshots are per partition). Default defaultDetectThreads (2 with worker threads on 2+ cores); more than 1
   * needs pipelineThreads 'worker' (else a ConfigError). `pipelines` still holds one 'detect' that stands for all of them.
   */
  detectThreads?: number;
  /** Young generation of each worker thread, MiB (default DEFAULT_WORKER_YOUNG_GENERATION_MB; 0 = V8's default). */
  workerYoungGenerationMb?: number;
}

export type PipelineThreads = 'main' | 'worker';

/** Whether a flag or env value names a PipelineThreads mode. */
export function isPipelineThreads(value: string): value is PipelineThreads {
  return value === 'main' || value === 'worker';
}

export interface EmbeddedSystem {
  brokers: string[];
  registryUrl: string;
  clickhouseHttp: { url: string; user: string; password: string };
  services: Services;
  pipelines: RunningPipeline[];
  stop(): Promise<void>;
}

export const ANALYST_USER = 'analyst';

/** Every detect thread runs in this process, on this machine: its snapshots default to files. */
function detectOptions(opts: EmbeddedSystemOptions): NonNullable<StartPipelinesOptions['detect']> {
  return { snapshotStore: 'files', ...opts.detect };
}

/** The analyst password is generated once per data dir, so Grafana or scripts configured with it keep working. */
function analystPassword(dataDir: string): string {
  const file = path.join(dataDir, 'analyst.password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(12).toString('base64url');
  writeFileSync(file, password + '\n', { mode: 0o600 });
  return password;
}

export async function startEmbeddedSystem(opts: EmbeddedSystemOptions): Promise<EmbeddedSystem> {
  const { logger } = opts;
  // Refused before anything starts.
  const detectThreads = resolveDetectThreads(opts.pipelineThreads ?? 'main', opts.detectThreads);
  mkdirSync(opts.dataDir, { recursive: true });
  const cleanups: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        logger.warn('error while stopping a component', { error });
      }
    }
    cleanups.length = 0;
  };
  try {
    const kafka: MockKafkaCluster = await startMockKafkaCluster({ logger });
    cleanups.push(kafka.stop);
    const registry: RunningSchemaRegistry = await startSchemaRegistry({ port: opts.registryPort ?? 0, logger: logger.child('registry') });
    cleanups.push(registry.close);
    const kafkaConfig: KafkaConfig = { brokers: kafka.brokers, clientId: 'yunlian', ssl: false, sasl: null };
    const services = await connectServices({
      kafka: kafkaConfig,
      schemaRegistryUrl: registry.url,
      clickhouse: { kind: 'embedded', path: path.join(opts.dataDir, 'clickhouse') },
      logger,
      metrics: opts.metrics ?? createMetrics({ defaultMetrics: true }),
    });
    cleanups.push(services.close);
    const password = analystPassword(opts.dataDir);
    const http: ClickHouseHttpInterface = await startClickHouseHttpInterface({
      client: services.clickhouse,
      port: opts.clickhousePort,
      users: [{ name: ANALYST_USER, password }],
      logger: logger.child('clickhouse-http'),
    });
    cleanups.push(http.close);
    const pipelines: RunningPipeline[] = [];
    cleanups.push(async () => {
      for (const p of [...pipelines].reverse()) await p.stop();
    });
    if ((opts.pipelineThreads ?? 'main') === 'main') {
      pipelines.push(...(await startPipelines({ services, names: opts.pipelines, dataDir: opts.dataDir, groupIdPrefix: opts.groupIdPrefix, retry: opts.retry, now: opts.now, detect: detectOptions(opts), ingest: ingestOptions(opts.pipelines), alerts: opts.alerts })));
    } else {
      pipelines.push(...(await startWithWorkers(opts, services, { kafka: kafkaConfig, registryUrl: registry.url }, detectThreads)));
    }
    return {
      brokers: kafka.brokers,
      registryUrl: registry.url,
      clickhouseHttp: { url: http.url, user: ANALYST_USER, password },
      services,
      pipelines,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

const inWorker = (name: PipelineName): name is WorkerPipelineName => name !== 'alerts';

/** With detect or match beside it on the mock cluster (5 MiB a partition), ingest must not produce legs faster than they read them. */
function ingestOptions(pipelines: readonly PipelineName[]): IngestOptions {
  const legsReaders = LEGS_READERS.filter((reader) => pipelines.includes(reader));
  return legsReaders.length > 0 ? { legsMaxLagPerPartition: LEGS_MAX_LAG, legsReaders } : {};
}

/** One thread per worker pipeline, and `detectThreads` for detect (detect-1, detect-2, … in logs when more than one). */
function workerThreads(pipelines: readonly PipelineName[], detectThreads: number): Array<{ pipeline: WorkerPipelineName; thread?: string }> {
  return pipelines.filter(inWorker).flatMap((pipeline) =>
    pipeline === 'detect' && detectThreads > 1 ? Array.from({ length: detectThreads }, (_, i) => ({ pipeline, thread: `detect-${i + 1}` })) : [{ pipeline }],
  );
}

/** Lets the threads of one group join it together: `all` resolves once each is ready, or on release() (one failed to start). */
function joinBarrier(members: number): { ready(): void; release(): void; all: Promise<void> } {
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  let waiting = members;
  return { ready: () => void (--waiting === 0 && release()), release, all };
}

/**
 * Starts the worker pipelines (in parallel: each connects on its own thread), then alerts on this thread;
 * returned in the order asked for, the threads of one pipeline as one RunningPipeline (pipelineGroup).
 */
async function startWithWorkers(opts: EmbeddedSystemOptions, services: Services, at: { kafka: KafkaConfig; registryUrl: string }, detectThreads: number): Promise<RunningPipeline[]> {
  if (opts.now) throw new ConfigError('pipelineThreads worker: a custom clock (now) cannot cross to a worker thread', { code: 'PIPELINE_THREADS' });
  if (opts.detect?.calendar) throw new ConfigError('pipelineThreads worker: a custom detect calendar cannot cross to a worker thread', { code: 'PIPELINE_THREADS' });
  const { calendar: _calendar, ...detect } = detectOptions(opts);
  const threads = workerThreads(opts.pipelines, detectThreads);
  // Detect's threads join their group together (the mock cluster holds a late joiner's rebalance ~29 s).
  const detectMembers = threads.filter((t) => t.pipeline === 'detect').length;
  const detectJoin = detectMembers > 1 ? joinBarrier(detectMembers) : null;
  const started = await Promise.allSettled(
    threads.map(({ pipeline, thread }) =>
      startPipelineWorker({
        config: {
          pipeline,
          thread,
          kafka: at.kafka,
          schemaRegistryUrl: at.registryUrl,
          dataDir: opts.dataDir,
          groupIdPrefix: opts.groupIdPrefix,
          retry: opts.retry,
          detect,
          ingest: ingestOptions(opts.pipelines),
        },
        clickhouse: services.clickhouse,
        logger: opts.logger,
        youngGenerationMb: opts.workerYoungGenerationMb,
        joinTogether: pipeline === 'detect' ? (detectJoin ?? undefined) : undefined,
      }).catch((error: unknown) => {
        // Its siblings would wait for it forever: they join now, and are stopped below with the others.
        detectJoin?.release();
        throw error;
      }),
    ),
  );
  const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    for (const w of workers) await w.stop();
    throw failed.reason;
  }
  includeOtherThreads(services.metrics, async () => (await Promise.all(workers.map((w) => w.metrics()))).filter((m): m is MetricsSnapshot => m !== null));
  const onMain = opts.pipelines.includes('alerts')
    ? await startPipelines({ services, names: ['alerts'], dataDir: opts.dataDir, groupIdPrefix: opts.groupIdPrefix, retry: opts.retry, now: opts.now, alerts: opts.alerts }).catch(async (error: unknown) => {
        for (const w of workers) await w.stop();
        throw error;
      })
    : [];
  const byName = new Map<string, RunningPipeline>(onMain.map((p) => [p.name, p]));
  for (const name of new Set(workers.map((w) => w.name))) {
    const threads: PipelineWorker[] = workers.filter((w) => w.name === name);
    byName.set(name, threads.length === 1 ? threads[0]! : pipelineGroup(name, threads, opts.logger));
  }
  return opts.pipelines.map((name) => byName.get(name)!);
}
