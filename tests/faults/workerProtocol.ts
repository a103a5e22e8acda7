/**
 * Messages between the fault runner and a pipeline worker process (Node IPC).
 * The runner never opens chDB itself (one data dir per process): it asks the
 * worker that owns the data dir to run its queries.
 */
export type WorkerRequest =
  | { id: number; op: 'query'; sql: string }
  /** Every ClickHouse call of the pipelines fails for `ms`. */
  | { id: number; op: 'clickhouse-outage'; ms: number }
  /** Runs exactly `detect` detect consumers in this process (a real group rebalance each time). */
  | { id: number; op: 'scale-detect'; detect: number }
  | { id: number; op: 'stats' }
  /** Graceful stop: finish the batch, snapshot, commit, leave the group, exit 0. */
  | { id: number; op: 'stop' };

export interface WorkerStats {
  rssBytes: number;
  heapUsedBytes: number;
  detectConsumers: number;
  clickhouseDown: boolean;
  clickhouseRefusedCalls: number;
  /** Prometheus text of the worker's metrics registry. */
  metrics: string;
}

export type WorkerMessage =
  | { kind: 'ready'; pid: number }
  | { kind: 'fatal'; error: string }
  | { kind: 'reply'; id: number; ok: true; result: unknown }
  | { kind: 'reply'; id: number; ok: false; error: string };

/** Environment a worker reads (besides KAFKA_BROKERS, SCHEMA_REGISTRY_URL, YUNLIAN_DATA_DIR). */
export const WORKER_ENV = {
  pipelines: 'FAULT_PIPELINES',
  detectConsumers: 'FAULT_DETECT_CONSUMERS',
  retryMaxMs: 'FAULT_RETRY_MAX_MS',
  snapshotMs: 'FAULT_SNAPSHOT_MS',
  /** ClickHouse refuses the pipelines' calls for this long from the start (their first group join included). */
  clickhouseDownAtStartMs: 'FAULT_CLICKHOUSE_DOWN_AT_START_MS',
  /** Consumer group timings as JSON `ConsumerTimeouts`; the pipelines' production defaults when empty. */
  consumerTimeouts: 'FAULT_CONSUMER_TIMEOUTS',
} as const;

/** Sums every sample of a counter in Prometheus text, optionally only samples whose labels contain `labelFilter`. */
export function counterTotal(metricsText: string, name: string, labelFilter = ''): number {
  let total = 0;
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    if (labelFilter && !line.includes(labelFilter)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) total += value;
  }
  return total;
}
