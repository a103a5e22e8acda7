import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { currentThreadUsage, type ThreadUsage } from './threadCpu.ts';

/**
 * Pipelines report what happens through these named events; this module is the
 * only one that knows prom-client (STYLE.md habit 8). No per-enterprise labels.
 */
export interface Metrics {
  readonly registry: Registry;
  recordsIn(pipeline: string, topic: string, n: number): void;
  recordsOut(pipeline: string, topic: string, n: number): void;
  deadLettered(pipeline: string, reason: string, n: number): void;
  sinkWrite(pipeline: string, table: string, rows: number, seconds: number): void;
  retried(pipeline: string, operation: string): void;
  dataLoss(pipeline: string, topic: string, partition: number, records: number): void;
  /** kafkajs reset a partition after OFFSET_OUT_OF_RANGE; the gap check then counts the records lost. */
  offsetOutOfRange(groupId: string, topic: string, partition: number): void;
  consumerLag(pipeline: string, topic: string, partition: number, lag: number): void;
  lateEvents(district: string, n: number): void;
  watermarkDelay(district: string, seconds: number): void;
  openSignals(signalType: string, n: number): void;
  signalsEmitted(signalType: string, status: string, n: number): void;
  /**
   * detect: one partition's state snapshot was encoded on the consumer's thread (`encodeSeconds`): its rows by
   * kind, the legs its log rows carry and the bytes its store writes. Counted when taken, stored or not.
   */
  detectSnapshot(snapshot: DetectSnapshotFigures): void;
  /** alerts: browsers currently holding a live (SSE) stream. */
  sseClients(n: number): void;
  /** alerts: wall time from a signal's detection (detected_at) to its broadcast to browsers. */
  alertLatency(seconds: number): void;
  /** alerts: a case closed with an outcome; NOT_A_DISRUPTION per signal type is the false-positive count. */
  caseClosed(signalType: string, outcome: string): void;
  /**
   * Embedded ClickHouse (chDB): one call ended, with its start-to-end seconds
   * (queueing behind other calls included) and the bytes of its insert body
   * (0 when not known). See sinks/clickhouse/meteredConnection.ts.
   */
  clickhouseCall(target: ClickHouseCallTarget, seconds: number, insertBytes: number): void;
  /** Embedded ClickHouse: wall time with at least one call in flight, accrued since the last report (BusyClock). */
  clickhouseBusy(seconds: number): void;
  /**
   * This thread's ClickHouse call totals so far (the values of the counters
   * above, read at once); the engine, and so its counters, live on the main thread.
   */
  clickhouseLoad(): ClickHouseLoad;
}

/** See Metrics.detectSnapshot. */
export interface DetectSnapshotFigures {
  rows: { base: number; log: number; tombstone: number };
  loggedLegs: number;
  bytes: number;
  encodeSeconds: number;
}

/**
 * What a ClickHouse call is, for metric labels: `insert` with its table, or
 * `query` / `command` / `ping` with no table. Never SQL text: it would make a
 * label of unbounded cardinality and may carry literals that are nobody's
 * business on a dashboard.
 */
export type ClickHouseCallOp = 'insert' | 'query' | 'command' | 'ping';

export interface ClickHouseCallTarget {
  op: ClickHouseCallOp;
  /** `db.table` (or `table`) of an insert; '' for every other op. */
  table: string;
}

/** Totals of the ClickHouse call metrics, as data (bench/clickhouseLoadReport.ts reads them before and after a run). */
export interface ClickHouseLoad {
  busySeconds: number;
  targets: ClickHouseTargetLoad[];
}

export interface ClickHouseTargetLoad extends ClickHouseCallTarget {
  calls: number;
  /** Summed start-to-end seconds of the calls: overlapping calls each count in full, so the sum can exceed busySeconds. */
  callSeconds: number;
  insertBytes: number;
}

/**
 * `thread` names the JS thread the registry belongs to in `yunlian_thread_cpu_seconds` and `yunlian_thread_minor_faults` (default 'main'; a
 * pipeline's worker thread passes the pipeline's name).
 */
export function createMetrics(opts: { defaultMetrics?: boolean; thread?: string } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'yunlian_process_' });
  const registers = [registry];
  const thread = opts.thread ?? 'main';
  // Read when scraped, on the registry's own thread: /proc/thread-self is whichever thread reads it.
  const threadGauge = (name: string, help: string, figure: (usage: ThreadUsage) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['thread'],
      registers,
      collect() {
        const usage = currentThreadUsage();
        if (usage !== null) this.set({ thread }, figure(usage));
      },
    });
  threadGauge('yunlian_thread_cpu_seconds', 'CPU seconds (user + system) used by a JS thread of the process: main, or the worker thread of a pipeline (Linux only)', (u) => u.cpuSeconds);
  threadGauge(
    'yunlian_thread_minor_faults',
    'Minor page faults so far of a JS thread of the process (Linux only): fresh memory it touched, which costs CPU time of its own on a VM',
    (u) => u.minorFaults,
  );
  const recordsIn = new Counter({ name: 'yunlian_records_in_total', help: 'Records consumed', labelNames: ['pipeline', 'topic'], registers });
  const recordsOut = new Counter({ name: 'yunlian_records_out_total', help: 'Records produced', labelNames: ['pipeline', 'topic'], registers });
  const dlq = new Counter({ name: 'yunlian_dlq_records_total', help: 'Records sent to the dead-letter topic', labelNames: ['pipeline', 'reason'], registers });
  const sinkRows = new Counter({ name: 'yunlian_sink_rows_total', help: 'Rows written to ClickHouse', labelNames: ['pipeline', 'table'], registers });
  const sinkLatency = new Histogram({
    name: 'yunlian_sink_latency_seconds',
    help: 'ClickHouse write latency per batch',
    labelNames: ['pipeline', 'table'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const retries = new Counter({ name: 'yunlian_retries_total', help: 'Retried operations after an infrastructure fault', labelNames: ['pipeline', 'operation'], registers });
  const loss = new Counter({ name: 'yunlian_data_loss_records_total', help: 'Records deleted before they were read (offset out of range / gaps)', labelNames: ['pipeline', 'topic', 'partition'], registers });
  const outOfRange = new Counter({ name: 'yunlian_offset_out_of_range_total', help: 'Offset-out-of-range resets (records deleted before they were read)', labelNames: ['group', 'topic', 'partition'], registers });
  const lag = new Gauge({ name: 'yunlian_consumer_lag', help: 'Consumer lag in records', labelNames: ['pipeline', 'topic', 'partition'], registers });
  const late = new Counter({ name: 'yunlian_late_events_total', help: 'Events later than the allowed lateness', labelNames: ['district'], registers });
  // Several detect threads each report their own partitions' delay: the merged value is the worst, not their sum.
  const wmDelay = new Gauge({ name: 'yunlian_watermark_delay_seconds', help: 'Event-time watermark behind the newest event time, per district feed', labelNames: ['district'], registers, aggregator: 'max' });
  const open = new Gauge({ name: 'yunlian_open_signals', help: 'Open disruption signals by type', labelNames: ['signal_type'], registers });
  const emitted = new Counter({ name: 'yunlian_signals_total', help: 'Disruption signal states emitted', labelNames: ['signal_type', 'status'], registers });
  const snapshots = new Counter({ name: 'yunlian_detect_snapshots_total', help: 'detect: partition state snapshots taken (encoded; a failed write is counted too)', registers });
  const snapshotRows = new Counter({
    name: 'yunlian_detect_snapshot_rows_total',
    help: 'detect: rows of the snapshots taken, by kind: base (an enterprise written whole), log (its legs since its last row), tombstone (dropped as dormant)',
    labelNames: ['row'],
    registers,
  });
  const snapshotLegs = new Counter({ name: 'yunlian_detect_snapshot_logged_legs_total', help: 'detect: legs carried by the log rows of the snapshots taken', registers });
  const snapshotBytes = new Counter({ name: 'yunlian_detect_snapshot_bytes_total', help: 'detect: bytes of the snapshots taken, as their store writes them', registers });
  const snapshotEncode = new Histogram({
    name: 'yunlian_detect_snapshot_encode_seconds',
    help: "detect: a snapshot's encoding on the consumer's thread (the partition waits for it)",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const sse = new Gauge({ name: 'yunlian_sse_clients', help: 'Dashboards connected to the live stream', registers });
  const alertLatency = new Histogram({
    name: 'yunlian_event_to_alert_seconds',
    help: 'Signal detected (detected_at) to pushed to the dashboards',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers,
  });
  const caseOutcomes = new Counter({ name: 'yunlian_case_outcomes_total', help: 'Cases closed, by signal type and outcome (NOT_A_DISRUPTION = false positive)', labelNames: ['signal_type', 'outcome'], registers });
  const chBusy = new Counter({ name: 'yunlian_clickhouse_busy_seconds_total', help: 'Embedded ClickHouse (chDB): wall time with at least one call in flight (overlapping calls count once)', registers });
  const chCalls = new Counter({ name: 'yunlian_clickhouse_calls_total', help: 'Embedded ClickHouse calls by op (insert, query, command, ping) and table (inserts only)', labelNames: ['op', 'table'], registers });
  const chCallSeconds = new Counter({ name: 'yunlian_clickhouse_call_seconds_total', help: 'Embedded ClickHouse calls: summed start-to-end seconds, queueing included', labelNames: ['op', 'table'], registers });
  // The same totals as plain numbers, so a reader (the bench) takes a consistent reading synchronously; prom-client's get() is async.
  const chTotals = { busySeconds: 0, targets: new Map<string, ClickHouseTargetLoad>() };
  const chInsertBytes = new Counter({ name: 'yunlian_clickhouse_insert_bytes_total', help: 'Embedded ClickHouse: insert body bytes (raw inserts)', labelNames: ['table'], registers });
  return {
    registry,
    recordsIn: (p, t, n) => recordsIn.inc({ pipeline: p, topic: t }, n),
    recordsOut: (p, t, n) => recordsOut.inc({ pipeline: p, topic: t }, n),
    deadLettered: (p, r, n) => dlq.inc({ pipeline: p, reason: r }, n),
    sinkWrite: (p, table, rows, seconds) => {
      sinkRows.inc({ pipeline: p, table }, rows);
      sinkLatency.observe({ pipeline: p, table }, seconds);
    },
    retried: (p, op) => retries.inc({ pipeline: p, operation: op }),
    dataLoss: (p, t, partition, n) => loss.inc({ pipeline: p, topic: t, partition: String(partition) }, n),
    offsetOutOfRange: (g, t, partition) => outOfRange.inc({ group: g, topic: t, partition: String(partition) }),
    consumerLag: (p, t, partition, n) => lag.set({ pipeline: p, topic: t, partition: String(partition) }, n),
    lateEvents: (d, n) => late.inc({ district: d }, n),
    watermarkDelay: (d, s) => wmDelay.set({ district: d }, s),
    openSignals: (type, n) => open.set({ signal_type: type }, n),
    signalsEmitted: (type, status, n) => emitted.inc({ signal_type: type, status }, n),
    detectSnapshot: ({ rows, loggedLegs, bytes, encodeSeconds }) => {
      snapshots.inc();
      for (const row of ['base', 'log', 'tombstone'] as const) if (rows[row] > 0) snapshotRows.inc({ row }, rows[row]);
      if (loggedLegs > 0) snapshotLegs.inc(loggedLegs);
      snapshotBytes.inc(bytes);
      snapshotEncode.observe(encodeSeconds);
    },
    sseClients: (n) => sse.set(n),
    alertLatency: (seconds) => alertLatency.observe(seconds),
    caseClosed: (type, outcome) => caseOutcomes.inc({ signal_type: type, outcome }),
    clickhouseCall: ({ op, table }, seconds, insertBytes) => {
      chCalls.inc({ op, table });
      chCallSeconds.inc({ op, table }, seconds);
      if (insertBytes > 0) chInsertBytes.inc({ table }, insertBytes);
      const key = `${op} ${table}`;
      const totals = chTotals.targets.get(key) ?? { op, table, calls: 0, callSeconds: 0, insertBytes: 0 };
      totals.calls++;
      totals.callSeconds += seconds;
      totals.insertBytes += insertBytes;
      chTotals.targets.set(key, totals);
    },
    clickhouseBusy: (seconds) => {
      chBusy.inc(seconds);
      chTotals.busySeconds += seconds;
    },
    clickhouseLoad: () => ({ busySeconds: chTotals.busySeconds, targets: [...chTotals.targets.values()].map((t) => ({ ...t })) }),
  };
}

/** A registry's metrics and values as data, so they can cross to another thread. */
export type MetricsSnapshot = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

export function metricsSnapshot(metrics: Metrics): Promise<MetricsSnapshot> {
  return metrics.registry.getMetricsAsJSON();
}

/**
 * Makes what `metrics.registry.metrics()` renders (the /metrics endpoints of
 * metricsServer.ts and the alerts server) include the snapshots `others`
 * returns, e.g. pipelines in worker threads, whose prom-client registries are
 * their own. Same-named series are summed (counters, histograms, and gauges
 * such as consumer lag, whose labels name the pipeline), as prom-client does
 * for cluster workers.
 */
export function includeOtherThreads(metrics: Metrics, others: () => Promise<MetricsSnapshot[]>): void {
  const { registry } = metrics;
  const own = registry.metrics.bind(registry);
  registry.metrics = async () => {
    const snapshots = await others();
    if (snapshots.length === 0) return own();
    // 'omit' (process start time) is meant for cluster workers' copies; this thread's own value is the one to keep.
    const mine = (await registry.getMetricsAsJSON()).map((m) => (m.aggregator === 'omit' ? { ...m, aggregator: 'first' as const } : m));
    return AggregatorRegistry.aggregate([mine, ...snapshots]).metrics();
  };
}
