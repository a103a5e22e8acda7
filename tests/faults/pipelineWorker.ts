/**
 * A pipeline process for the fault suite: the same wiring as `yunlian run`
 * (connectServices + startPipelines) on an embedded chDB data dir, so the
 * runner can `kill -9` it and start a new one on the same data dir.
 * `yunlian run` itself requires CLICKHOUSE_URL; chDB cannot be shared across
 * processes, so this entry point opens `$YUNLIAN_DATA_DIR/clickhouse` itself.
 *
 * Run with: node --import tsx tests/faults/pipelineWorker.ts (IPC channel required).
 */
import path from 'node:path';
import { createLogger, type LogLevel } from '../../src/runtime/log.ts';
import { createMetrics } from '../../src/runtime/metrics.ts';
import { connectServices, startPipelines, type Services } from '../../src/runtime/services.ts';
import type { RunningPipeline } from '../../src/runtime/pipeline.ts';
import type { PipelineName } from '../../src/kafka/topics.ts';
import { createWorkingCalendar } from '../../src/calendar/chineseWorkingCalendar.ts';
import { loadClosures } from '../../src/calendar/loadClosures.ts';
import { withClickHouseOutage } from './clickhouseOutage.ts';
import { withConsumerTimeouts, type ConsumerTimeouts } from './consumerTimeouts.ts';
import { WORKER_ENV, type WorkerMessage, type WorkerRequest, type WorkerStats } from './workerProtocol.ts';

const env = process.env;
const send = (message: WorkerMessage) => process.send?.(message);

function required(name: string): string {
  const value = env[name];
  if (!value) throw new Error(`pipelineWorker needs ${name}`);
  return value;
}

async function main(): Promise<void> {
  if (!process.send) throw new Error('pipelineWorker must be started with an IPC channel');
  const logger = createLogger(`fault-worker:${process.pid}`, { level: (env.YUNLIAN_LOG_LEVEL as LogLevel | undefined) ?? 'warn' });
  const metrics = createMetrics({ defaultMetrics: false });
  const dataDir = required('YUNLIAN_DATA_DIR');
  const services: Services = await connectServices({
    kafka: { brokers: required('KAFKA_BROKERS').split(','), clientId: 'yunlian-fault-worker', ssl: false, sasl: null },
    schemaRegistryUrl: required('SCHEMA_REGISTRY_URL'),
    clickhouse: { kind: 'embedded', path: path.join(dataDir, 'clickhouse') },
    logger,
    metrics,
  });
  const outage = withClickHouseOutage(services.clickhouse);
  const timeouts = env[WORKER_ENV.consumerTimeouts] ? (JSON.parse(env[WORKER_ENV.consumerTimeouts]!) as ConsumerTimeouts) : null;
  const kafka = timeouts ? withConsumerTimeouts(services.kafka, timeouts) : services.kafka;
  const pipelineServices: Services = { ...services, kafka, clickhouse: outage.client };
  const downAtStartMs = Number(env[WORKER_ENV.clickhouseDownAtStartMs] ?? '') || 0;
  if (downAtStartMs > 0) outage.startOutage(downAtStartMs);
  const retryMaxMs = Number(env[WORKER_ENV.retryMaxMs] ?? '') || undefined;
  const retry = retryMaxMs ? { initialDelayMs: Math.min(100, retryMaxMs), maxDelayMs: retryMaxMs } : undefined;
  const calendar = createWorkingCalendar({ closures: loadClosures() });
  const snapshotIntervalMs = Number(env[WORKER_ENV.snapshotMs] ?? '') || 1000;
  const names = (env[WORKER_ENV.pipelines] ?? 'ingest,detect').split(',').filter(Boolean) as PipelineName[];

  const start = async (pipelineNames: PipelineName[]) =>
    startPipelines({ services: pipelineServices, names: pipelineNames, dataDir, retry, detect: { calendar, snapshotIntervalMs } });
  const others: RunningPipeline[] = await start(names.filter((n) => n !== 'detect'));
  const detects: RunningPipeline[] = [];
  const watch = (p: RunningPipeline) =>
    p.done.catch((error: unknown) => {
      send({ kind: 'fatal', error: `${p.name}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}` });
      setTimeout(() => process.exit(1), 200);
    });
  others.forEach(watch);
  const scaleDetect = async (n: number) => {
    while (detects.length < n) {
      const [p] = await start(['detect']);
      detects.push(p!);
      watch(p!);
    }
    while (detects.length > n) await detects.pop()!.stop();
  };
  if (names.includes('detect')) await scaleDetect(Number(env[WORKER_ENV.detectConsumers] ?? '1'));

  const stopAll = async () => {
    for (const p of [...detects].reverse()) await p.stop();
    for (const p of [...others].reverse()) await p.stop();
    await services.close();
  };

  const handle = async (req: WorkerRequest): Promise<unknown> => {
    switch (req.op) {
      case 'query': {
        // The real client: the runner's checks must not be caught by an injected outage.
        const rs = await services.clickhouse.query({ query: req.sql, format: 'JSONEachRow' });
        return rs.json();
      }
      case 'clickhouse-outage':
        outage.startOutage(req.ms);
        return null;
      case 'scale-detect':
        await scaleDetect(req.detect);
        return detects.length;
      case 'stats': {
        const mem = process.memoryUsage();
        const stats: WorkerStats = {
          rssBytes: mem.rss,
          heapUsedBytes: mem.heapUsed,
          detectConsumers: detects.length,
          clickhouseDown: outage.isDown(),
          clickhouseRefusedCalls: outage.refusedCalls(),
          metrics: await metrics.registry.metrics(),
        };
        return stats;
      }
      case 'stop':
        await stopAll();
        setTimeout(() => process.exit(0), 50);
        return null;
    }
  };
  process.on('message', (raw) => {
    const req = raw as WorkerRequest;
    handle(req).then(
      (result) => send({ kind: 'reply', id: req.id, ok: true, result }),
      (error: unknown) => send({ kind: 'reply', id: req.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  // The runner went away: leave the group cleanly rather than linger as an orphan.
  process.on('disconnect', () => {
    void stopAll().finally(() => process.exit(0));
  });
  send({ kind: 'ready', pid: process.pid });
}

main().catch((error: unknown) => {
  send({ kind: 'fatal', error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  process.stderr.write(`pipelineWorker failed to start: ${String(error)}\n`);
  setTimeout(() => process.exit(1), 200);
});
