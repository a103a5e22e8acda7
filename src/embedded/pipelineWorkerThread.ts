import { parentPort, workerData } from 'node:worker_threads';
import { createWorkingCalendar } from '../calendar/chineseWorkingCalendar.ts';
import { loadClosures } from '../calendar/loadClosures.ts';
import { createForwardedClickHouse } from '../../sinks/clickhouse/forwardedConnection.ts';
import { toPortableError } from '../../sinks/clickhouse/clickhouseCallProtocol.ts';
import { createMetrics, metricsSnapshot } from '../runtime/metrics.ts';
import { connectServices, startPipelines, type Services } from '../runtime/services.ts';
import type { RunningPipeline } from '../runtime/pipeline.ts';
import { createForwardedLogger, type ForwardedLogEntry } from './forwardedLogger.ts';
import type { FromPipelineWorker, PipelineWorkerData, ToPipelineWorker } from './pipelineWorker.ts';

/**
 * The inside of a pipeline worker thread (started by pipelineWorker.ts):
 * connects its own Kafka client, producer and codecs, reaches ClickHouse
 * through the main thread, and starts its one pipeline through the same
 * startPipelines as the main thread. Exit code 0 = stopped on request.
 */
if (!parentPort) throw new Error('pipelineWorkerThread.ts runs only as a worker thread');
const port = parentPort;
const { config, clickhouse } = workerData as PipelineWorkerData;
const post = (message: FromPipelineWorker): void => port.postMessage(message);
/** Resolves on the host's 'join' (config.joinOnSignal): the threads of one group then join it together. */
const joinSignal = !config.joinOnSignal
  ? Promise.resolve()
  : new Promise<void>((resolve) => {
      const onJoin = (message: ToPipelineWorker) => {
        if (message.kind !== 'join') return;
        port.off('message', onJoin);
        resolve();
      };
      port.on('message', onJoin);
    });

const logger = createForwardedLogger((entry: ForwardedLogEntry) => {
  try {
    post({ kind: 'log', entry });
  } catch (error) {
    // A context the structured clone cannot copy (a function, a class instance): keep the message, say why the context is gone.
    post({ kind: 'log', entry: { ...entry, context: { contextDropped: (error as Error).message } } });
  }
}).child(config.thread ?? config.pipeline);
const metrics = createMetrics({ defaultMetrics: false, thread: config.thread ?? config.pipeline });

async function fail(error: unknown, services: Services | null): Promise<never> {
  post({ kind: 'failed', error: toPortableError(error) });
  await services?.close().catch((closeError: unknown) => logger.warn('error while closing services after a failure', { error: closeError }));
  process.exit(1);
}

async function start(): Promise<{ services: Services; pipeline: RunningPipeline }> {
  let services: Services | null = null;
  try {
    services = await connectServices({
      kafka: config.kafka,
      schemaRegistryUrl: config.schemaRegistryUrl,
      clickhouse: { kind: 'connected', client: createForwardedClickHouse(clickhouse) },
      logger,
      metrics,
    });
    if (config.joinOnSignal) {
      post({ kind: 'ready' });
      await joinSignal;
    }
    const [pipeline] = await startPipelines({
      services,
      names: [config.pipeline],
      dataDir: config.dataDir,
      groupIdPrefix: config.groupIdPrefix,
      retry: config.retry,
      detect: { ...config.detect, calendar: createWorkingCalendar({ closures: loadClosures() }) },
      ingest: config.ingest,
    });
    return { services, pipeline: pipeline! };
  } catch (error) {
    return fail(error, services);
  }
}

const { services, pipeline } = await start();
let stopping = false;
port.on('message', (message: ToPipelineWorker) => {
  if (message.kind === 'metrics') {
    metricsSnapshot(metrics).then(
      (snapshot) => post({ kind: 'metrics', id: message.id, snapshot }),
      (error: unknown) => logger.warn('could not collect metrics', { error }),
    );
  } else if (message.kind === 'quiesce') {
    // Answered even when it fails: the host stops the thread next, and the failure surfaces there or through done.
    (pipeline.quiesce?.() ?? Promise.resolve())
      .catch((error: unknown) => logger.warn('could not quiesce the pipeline before stopping it', { error }))
      .finally(() => post({ kind: 'quiesced' }));
  } else if (message.kind === 'stop' && !stopping) {
    stopping = true;
    pipeline
      .stop()
      .then(() => services.close())
      .then(
        () => process.exit(0),
        (error: unknown) => fail(error, null),
      );
  }
});
pipeline.done.then(
  () => {
    // Ended on its own (not through stop): close up and leave; the host reports it.
    if (!stopping) void services.close().then(() => process.exit(0), (error: unknown) => fail(error, null));
  },
  (error: unknown) => fail(error, services),
);
post({ kind: 'started' });
