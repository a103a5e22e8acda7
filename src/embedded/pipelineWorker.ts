import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { ClickHouseClient } from '@clickhouse/client';
import type { DetectOptions } from '../../pipelines/detect/detectPipeline.ts';
import type { IngestOptions } from '../../pipelines/ingest/ingestPipeline.ts';
import { serveClickHouseCalls } from '../../sinks/clickhouse/clickhouseCallServer.ts';
import { fromPortableError, type PortableError } from '../../sinks/clickhouse/clickhouseCallProtocol.ts';
import type { PipelineName } from '../kafka/topics.ts';
import { DEFAULT_WORKER_YOUNG_GENERATION_MB, type KafkaConfig } from '../runtime/config.ts';
import type { Logger } from '../runtime/log.ts';
import type { MetricsSnapshot } from '../runtime/metrics.ts';
import type { RunningPipeline } from '../runtime/pipeline.ts';
import type { RetryOptions } from '../runtime/retry.ts';
import { logForwarded, type ForwardedLogEntry } from './forwardedLogger.ts';

/** alerts stays on the main thread: it serves the dashboard and /metrics, and costs little CPU. */
export type WorkerPipelineName = Exclude<PipelineName, 'alerts'>;

/** What a worker needs to connect and start its pipeline; plain data, because it crosses to the thread by structured clone. */
export interface PipelineWorkerConfig {
  pipeline: WorkerPipelineName;
  kafka: KafkaConfig;
  schemaRegistryUrl: string;
  dataDir: string;
  groupIdPrefix?: string;
  retry?: Partial<RetryOptions>;
  /** Detector tuning without the calendar: the worker builds the statutory one from config/closures.json. */
  detect?: Omit<Partial<DetectOptions>, 'calendar'>;
  ingest?: IngestOptions;
  /**
   * The thread's name in logs and thread lists when a pipeline runs in several threads (e.g. detect-2);
   * default the pipeline's name.
   */
  thread?: string;
  /** Connect, report 'ready', and start the pipeline (join its group) only on 'join' (set from StartPipelineWorkerOptions.joinTogether). */
  joinOnSignal?: boolean;
}

/** The thread's start data: its config, and the port its ClickHouse calls go through. */
export interface PipelineWorkerData {
  config: PipelineWorkerConfig;
  clickhouse: MessagePort;
}

export type ToPipelineWorker = { kind: 'join' } | { kind: 'quiesce' } | { kind: 'stop' } | { kind: 'metrics'; id: number };
export type FromPipelineWorker =
  | { kind: 'ready' }
  | { kind: 'started' }
  /** Answers 'quiesce', whether the pipeline quiesced or failed to (stop() follows either way). */
  | { kind: 'quiesced' }
  | { kind: 'failed'; error: PortableError }
  | { kind: 'metrics'; id: number; snapshot: MetricsSnapshot }
  | { kind: 'log'; entry: ForwardedLogEntry };

export interface PipelineWorker extends RunningPipeline {
  /** Asks the thread's pipeline to quiesce (when it can); resolves when it has, when the thread is gone, or when the stop timeout ran out. */
  quiesce(): Promise<void>;
  /** The worker's prom-client metrics as data, or null once it has exited or when it does not answer in time. */
  metrics(): Promise<MetricsSnapshot | null>;
}

export interface StartPipelineWorkerOptions {
  config: PipelineWorkerConfig;
  /** The process's ClickHouse (chDB) client, which the worker's calls run on. */
  clickhouse: ClickHouseClient;
  logger: Logger;
  /** How long a graceful stop (quiesce included) may take before the thread is terminated (default 60 s). */
  stopTimeoutMs?: number;
  /** How long a metrics request waits for the worker (default 5 s). */
  metricsTimeoutMs?: number;
  /** The thread's young generation, MiB (default DEFAULT_WORKER_YOUNG_GENERATION_MB; 0 = V8's default). */
  youngGenerationMb?: number;
  /**
   * For the threads of one consumer group: the worker calls `ready()` once connected and joins the group when
   * `all` resolves. librdkafka's mock cluster gathers the members of a new group for 3 s, then holds any later
   * rebalance for the session timeout less 1 s (~29 s): a thread that connected late would stall the group that long.
   */
  joinTogether?: { ready(): void; all: Promise<void> };
}

// A .mjs entry registers tsx in the new thread, which starts without the parent's loader.
const ENTRY = new URL('./pipelineWorkerEntry.mjs', import.meta.url);

/**
 * The parent's node flags a pipeline thread keeps: profiling and heap size
 * (`node --cpu-prof --cpu-prof-dir=… --import tsx` then profiles every
 * thread). Loader flags (`npx tsx`'s --import/--require) are dropped: the
 * entry registers tsx itself, and twice would transpile every module twice.
 */
export function workerExecArgv(parent: readonly string[]): string[] {
  return parent.filter((flag) => /^--(cpu-prof|heap-prof|max-old-space-size=|stack-size=)/.test(flag) && !(/^--(cpu|heap)-prof-(dir|name)$/.test(flag)));
}

/**
 * Runs one pipeline in its own worker thread, so ingest, detect and match use
 * the machine's other cores while chDB stays on the main thread (one engine
 * per process; the worker's ClickHouse calls are forwarded to it). Resolves
 * once the pipeline has joined its consumer group; rejects with the worker's
 * error if it cannot start.
 *
 * `stop()` asks the worker to stop its pipeline as on the main thread (finish
 * the batch, commit, leave the group), close its clients and exit. `done`
 * rejects with the pipeline's fatal error, or when the thread crashes or
 * exits without being asked to.
 */
export async function startPipelineWorker(opts: StartPipelineWorkerOptions): Promise<PipelineWorker> {
  const { config, logger } = opts;
  const name = config.pipeline;
  const thread = config.thread ?? name;
  const { port1, port2 } = new MessageChannel();
  const stopServing = serveClickHouseCalls(port1, opts.clickhouse, logger.child(`${thread}-clickhouse`));
  const data: PipelineWorkerData = { config: { ...config, joinOnSignal: opts.joinTogether !== undefined }, clickhouse: port2 };
  // Node leaves V8's default young generation for a limit of 0.
  const resourceLimits = { maxYoungGenerationSizeMb: opts.youngGenerationMb ?? DEFAULT_WORKER_YOUNG_GENERATION_MB };
  const worker = new Worker(ENTRY, { workerData: data, transferList: [port2], execArgv: workerExecArgv(process.execArgv), name: `yunlian-${thread}`, resourceLimits });

  let failure: Error | null = null;
  let stopRequested = false;
  let exited = false;
  let nextMetricsId = 1;
  const metricsWaiters = new Map<number, (snapshot: MetricsSnapshot | null) => void>();
  let quiescing: Promise<void> | null = null;
  let markQuiesced: () => void = () => {};
  let markStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => (markStarted = resolve));

  const done = new Promise<void>((resolve, reject) => {
    worker.once('exit', (code) => {
      exited = true;
      stopServing();
      for (const answer of metricsWaiters.values()) answer(null);
      metricsWaiters.clear();
      if (failure) reject(failure);
      else if (code !== 0) reject(new Error(`the ${thread} worker thread exited with code ${code}`));
      else if (!stopRequested) logger.warn('pipeline worker ended without being stopped', { pipeline: name, thread });
      resolve();
    });
  });
  worker.on('error', (error) => {
    // An uncaught exception in the thread; 'exit' follows.
    failure ??= error;
    logger.error('pipeline worker crashed', { pipeline: name, thread, error });
  });
  worker.on('message', (message: FromPipelineWorker) => {
    switch (message.kind) {
      case 'ready':
        opts.joinTogether?.ready();
        void opts.joinTogether?.all.then(() => {
          if (!exited) worker.postMessage({ kind: 'join' } satisfies ToPipelineWorker);
        });
        break;
      case 'started':
        markStarted();
        break;
      case 'quiesced':
        markQuiesced();
        break;
      case 'failed':
        failure ??= fromPortableError(message.error);
        break;
      case 'metrics':
        metricsWaiters.get(message.id)?.(message.snapshot);
        metricsWaiters.delete(message.id);
        break;
      case 'log':
        logForwarded(logger, message.entry);
        break;
    }
  });

  await Promise.race([started, done.then(() => Promise.reject(new Error(`the ${thread} worker thread exited before its pipeline started`)))]);

  const timeoutMs = opts.stopTimeoutMs ?? 60_000;
  /** Set by the first quiesce() or stop(): both halves of a graceful stop share the one timeout. */
  let deadline: number | null = null;
  /**
   * Waits for the thread's exit (or `answer`, when given), until the deadline, or for quiescing until half of the
   * time is left: false when the time ran out. A quiesce stuck behind writes that retry until stopped (ClickHouse
   * down) must leave stop() the time to abort them and finish.
   */
  const within = async (answer?: Promise<void>, keepMs = 0): Promise<boolean> => {
    deadline ??= Date.now() + timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline! - keepMs - Date.now()))));
    const gone = done.then(() => true, () => true);
    const outcome = await Promise.race([gone, timedOut, ...(answer ? [answer.then(() => true)] : [])]);
    clearTimeout(timer);
    return outcome;
  };

  return {
    name,
    done,
    quiesce() {
      if (exited || stopRequested) return Promise.resolve();
      quiescing ??= (async () => {
        const answered = new Promise<void>((resolve) => (markQuiesced = resolve));
        worker.postMessage({ kind: 'quiesce' } satisfies ToPipelineWorker);
        if (!(await within(answered, timeoutMs / 2))) logger.warn('pipeline worker did not quiesce in time; stopping it anyway', { pipeline: name, thread, timeoutMs: timeoutMs / 2 });
      })();
      return quiescing;
    },
    async stop() {
      if (exited) return;
      stopRequested = true;
      worker.postMessage({ kind: 'stop' } satisfies ToPipelineWorker);
      // A failed pipeline is reported through `done`; stop() only waits for the thread to be gone.
      if (!(await within())) {
        logger.error('pipeline worker did not stop in time: terminating it', { pipeline: name, thread, timeoutMs });
        failure ??= new Error(`the ${thread} worker thread did not stop within ${timeoutMs} ms`);
        await worker.terminate();
      }
    },
    metrics() {
      if (exited) return Promise.resolve(null);
      const id = nextMetricsId++;
      return new Promise<MetricsSnapshot | null>((resolve) => {
        const timer = setTimeout(() => {
          metricsWaiters.delete(id);
          resolve(null);
        }, opts.metricsTimeoutMs ?? 5000);
        metricsWaiters.set(id, (snapshot) => {
          clearTimeout(timer);
          resolve(snapshot);
        });
        worker.postMessage({ kind: 'metrics', id } satisfies ToPipelineWorker);
      });
    },
  };
}
