import { fork, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, closeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PipelineName } from '../../src/kafka/topics.ts';
import type { ConsumerTimeouts } from './consumerTimeouts.ts';
import { WORKER_ENV, type WorkerMessage, type WorkerRequest, type WorkerStats } from './workerProtocol.ts';

const WORKER_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pipelineWorker.ts');

export interface PipelineWorkerOptions {
  brokers: string[];
  registryUrl: string;
  dataDir: string;
  pipelines?: readonly PipelineName[];
  detectConsumers?: number;
  /** Cap on the pipelines' retry backoff; production default (10 s) when absent. */
  retryMaxMs?: number;
  snapshotMs?: number;
  /** ClickHouse refuses the pipelines' calls for this long from the start. */
  clickhouseDownAtStartMs?: number;
  /** Consumer group timings of the pipelines; their production defaults (30 s session) when absent. */
  consumerTimeouts?: ConsumerTimeouts;
  readyTimeoutMs?: number;
}

/** A pipeline worker child process as the runner sees it. */
export interface PipelineWorker {
  readonly pid: number;
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  clickhouseOutage(ms: number): Promise<void>;
  scaleDetect(consumers: number): Promise<void>;
  stats(): Promise<WorkerStats>;
  /** Peak resident memory so far (VmHWM), bytes; 0 where /proc is unavailable. */
  peakRssBytes(): number;
  /** The fatal error a pipeline reported, if any. */
  fatalError(): string | null;
  /** SIGKILL: no batch finishes, nothing is committed or snapshotted. */
  kill9(): Promise<void>;
  /** Graceful stop (SIGTERM-like: finish, snapshot, commit, leave). */
  stop(): Promise<void>;
}

/** Starts a worker and resolves once its pipelines run. Its stdout/stderr go to `<dataDir>/worker.log`. */
export async function startPipelineWorker(opts: PipelineWorkerOptions): Promise<PipelineWorker> {
  const log = openSync(path.join(opts.dataDir, 'worker.log'), 'a');
  const child: ChildProcess = fork(WORKER_SCRIPT, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', log, log, 'ipc'],
    env: {
      ...process.env,
      KAFKA_BROKERS: opts.brokers.join(','),
      SCHEMA_REGISTRY_URL: opts.registryUrl,
      YUNLIAN_DATA_DIR: opts.dataDir,
      CLICKHOUSE_URL: '',
      [WORKER_ENV.pipelines]: (opts.pipelines ?? ['ingest', 'detect']).join(','),
      [WORKER_ENV.detectConsumers]: String(opts.detectConsumers ?? 1),
      [WORKER_ENV.retryMaxMs]: opts.retryMaxMs ? String(opts.retryMaxMs) : '',
      [WORKER_ENV.snapshotMs]: opts.snapshotMs ? String(opts.snapshotMs) : '',
      [WORKER_ENV.clickhouseDownAtStartMs]: opts.clickhouseDownAtStartMs ? String(opts.clickhouseDownAtStartMs) : '',
      [WORKER_ENV.consumerTimeouts]: opts.consumerTimeouts ? JSON.stringify(opts.consumerTimeouts) : '',
    },
  });
  closeSync(log);
  const pid = child.pid!;
  let fatal: string | null = null;
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let peakRss = 0;
  const readPeak = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peakRss = Math.max(peakRss, Number(m[1]) * 1024);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  };
  const peakTimer = setInterval(readPeak, 500);
  peakTimer.unref();
  void exited.then(() => {
    clearInterval(peakTimer);
    for (const p of pending.values()) p.reject(new Error(`worker ${pid} exited${fatal ? `: ${fatal}` : ''}`));
    pending.clear();
  });

  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${pid} not ready within ${opts.readyTimeoutMs ?? 90_000} ms (see ${opts.dataDir}/worker.log)`)), opts.readyTimeoutMs ?? 90_000);
    child.on('message', (raw) => {
      const msg = raw as WorkerMessage;
      if (msg.kind === 'ready') {
        clearTimeout(timer);
        resolve();
      } else if (msg.kind === 'fatal') {
        fatal = msg.error;
        clearTimeout(timer);
        reject(new Error(`worker ${pid} failed: ${msg.error}`));
      } else {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.ok) p?.resolve(msg.result);
        else p?.reject(new Error(msg.error));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker ${pid} exited with ${code} before it was ready (see ${opts.dataDir}/worker.log)`));
    });
  });
  ready.catch(() => undefined);

  // A worker that died must fail the request, not crash the runner with ERR_IPC_CHANNEL_CLOSED.
  child.on('error', (error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  });
  const request = <T>(req: WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (!child.connected) {
        reject(new Error(`worker ${pid} is gone (exit ${child.exitCode ?? child.signalCode})${fatal ? `: ${fatal}` : ''}; see ${opts.dataDir}/worker.log`));
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ ...req, id } as WorkerRequest, (error) => {
        if (!error) return;
        pending.delete(id);
        reject(error);
      });
    });

  try {
    await ready;
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
  return {
    pid,
    query: <T>(sql: string) => request<T[]>({ op: 'query', sql }),
    clickhouseOutage: (ms) => request<void>({ op: 'clickhouse-outage', ms }),
    scaleDetect: async (n) => {
      await request<number>({ op: 'scale-detect', detect: n });
    },
    stats: () => request<WorkerStats>({ op: 'stats' }),
    peakRssBytes: () => {
      readPeak();
      return peakRss;
    },
    fatalError: () => fatal,
    kill9: async () => {
      readPeak();
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      readPeak();
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      try {
        await request<null>({ op: 'stop' });
      } catch (error) {
        if (child.exitCode === null && child.signalCode === null) throw error;
      }
      await exited;
      clearTimeout(timer);
    },
  };
}
