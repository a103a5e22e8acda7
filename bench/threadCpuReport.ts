import { processThreadCpuByName } from '../src/runtime/threadCpu.ts';

/** CPU seconds so far of the process's threads: its JS threads by role, all its OS threads by name. */
export interface ThreadCpuReading {
  /** yunlian_thread_cpu_seconds by thread (main, ingest, detect, …), from the metrics of every JS thread. */
  js: Map<string, number>;
  /** By OS thread name (chDB's pools have their own; node's JS, libuv and V8 threads are all `node`); null without /proc. */
  os: Map<string, number> | null;
}

/** Where the CPU of a span went, in seconds, largest first. */
export interface ThreadCpuSpan {
  /** Each JS thread (main thread and pipeline worker threads). */
  js: Record<string, number>;
  /** Everything else, by OS thread name; `node` here is node's other threads (libuv pool, V8 helpers). */
  other: Record<string, number>;
}

const SERIES = /^yunlian_thread_cpu_seconds\{thread="([^"]+)"\} (\S+)$/gm;

/** The CPU of every thread now: the JS threads' from `text`, the merged registry's exposition, worker threads included; the OS threads' from /proc. */
export function threadCpuOf(text: string): ThreadCpuReading {
  const js = new Map<string, number>();
  for (const [, thread, value] of text.matchAll(SERIES)) js.set(thread!, Number(value));
  return { js, os: processThreadCpuByName() };
}

/** The CPU each thread used between two readings; null when either reading has no figures (no /proc). */
export function threadCpuSpan(before: ThreadCpuReading, after: ThreadCpuReading): ThreadCpuSpan | null {
  if (after.js.size === 0 || before.os === null || after.os === null) return null;
  const js = new Map<string, number>();
  for (const [thread, seconds] of after.js) js.set(thread, seconds - (before.js.get(thread) ?? 0));
  const other = new Map<string, number>();
  for (const [name, seconds] of after.os) other.set(name, seconds - (before.os.get(name) ?? 0));
  // The JS threads are OS threads named `node` too: what remains under that name is node's own pools.
  let jsTotal = 0;
  for (const seconds of js.values()) jsTotal += seconds;
  other.set('node', Math.max(0, (other.get('node') ?? 0) - jsTotal));
  return { js: largestFirst(js), other: largestFirst(other) };
}

function largestFirst(m: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...m].filter(([, s]) => s >= 0.05).sort((a, b) => b[1] - a[1]).map(([k, s]) => [k, Math.round(s * 10) / 10]));
}

/** The CPU of the pipelines' own threads over a run, per event. */
export interface PipelineCpu {
  /** ingest's and detect's worker threads (every detect thread), summed. */
  seconds: number;
  microsPerEvent: number;
  /**
   * Events/s that many cores would carry at that cost with nothing else on them: what the pipelines need when
   * Kafka and ClickHouse run on their own machines, as in production. Derived, not measured: it assumes the
   * threads spread over the cores, and their CPU was measured while chDB and the broker shared the cores.
   */
  capacityPerSecond: number;
  /**
   * What the rest of the process used meanwhile: its main thread (the bench producer, chDB's call server),
   * chDB's pools and node's own threads. On the embedded stack it shares the cores with the pipelines, so it
   * comes out of any throughput target's CPU budget before they get theirs. The mock brokers are another process.
   */
  restSeconds: number;
}

const PIPELINE_THREAD = /^(ingest|detect(-\d+)?)$/;

/** null when the span has no pipeline worker threads (pipelines on the main thread, or no /proc) or no events. */
export function pipelineCpu(span: ThreadCpuSpan, events: number, cores: number): PipelineCpu | null {
  let seconds = 0;
  let restSeconds = 0;
  for (const [thread, s] of Object.entries(span.js)) {
    if (PIPELINE_THREAD.test(thread)) seconds += s;
    else restSeconds += s;
  }
  for (const s of Object.values(span.other)) restSeconds += s;
  if (seconds <= 0 || events <= 0) return null;
  return { seconds, microsPerEvent: (seconds / events) * 1e6, capacityPerSecond: (cores * events) / seconds, restSeconds };
}

/**
 * The CPU a rate allows for `events` on `cores`, and how it was spent: a report line saying whether the rest of
 * the process alone already leaves the pipelines less than they used.
 */
export function formatCpuBudget(cpu: PipelineCpu, events: number, cores: number, targetPerSecond: number): string {
  const budget = (cores * events) / targetPerSecond;
  const left = budget - cpu.restSeconds;
  return (
    `CPU budget of ${targetPerSecond} events/s: ${budget.toFixed(1)} s for ${events} events on ${cores} cores; ` +
    `the rest of this process used ${cpu.restSeconds.toFixed(1)} s, leaving ${left.toFixed(1)} s for ingest and detect, which used ${cpu.seconds.toFixed(1)} s ` +
    `(the mock brokers, another process, not counted)`
  );
}

/** Two report lines: the JS threads, then the rest by OS thread name. */
export function formatThreadCpu(span: ThreadCpuSpan, wallSeconds: number): string[] {
  const list = (r: Record<string, number>): string => Object.entries(r).map(([k, s]) => `${k} ${s.toFixed(1)} s`).join(', ');
  const share = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
  const total = share(span.js) + share(span.other);
  return [
    `CPU by thread over ${wallSeconds.toFixed(1)} s (${(total / wallSeconds).toFixed(2)} cores): JS threads: ${list(span.js)}`,
    `  other threads by name: ${list(span.other)}`,
  ];
}
