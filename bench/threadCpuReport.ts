import { processThreadUsageByName, type ThreadUsage } from '../src/runtime/threadCpu.ts';

/** What the process's threads have used so far: its JS threads by role, all its OS threads by name. */
export interface ThreadCpuReading {
  /** yunlian_thread_cpu_seconds and yunlian_thread_minor_faults by thread (main, ingest, detect, …), from the metrics of every JS thread. */
  js: Map<string, ThreadUsage>;
  /** By OS thread name (chDB's pools have their own; node's JS, libuv and V8 threads are all `node`); null without /proc. */
  os: Map<string, ThreadUsage> | null;
}

/** Where the CPU of a span went, in seconds, largest first, and the minor page faults each thread took. */
export interface ThreadCpuSpan {
  /** Each JS thread (main thread and pipeline worker threads). */
  js: Record<string, number>;
  /** Everything else, by OS thread name; `node` here is node's other threads (libuv pool, V8 helpers). */
  other: Record<string, number>;
  /** Minor page faults, split as the seconds are (absent from results written before they were read). */
  faults?: { js: Record<string, number>; other: Record<string, number> };
}

const CPU_SERIES = /^yunlian_thread_cpu_seconds\{thread="([^"]+)"\} (\S+)$/gm;
const FAULT_SERIES = /^yunlian_thread_minor_faults\{thread="([^"]+)"\} (\S+)$/gm;

/** The usage of every thread now: the JS threads' from `text`, the merged registry's exposition, worker threads included; the OS threads' from /proc. */
export function threadCpuOf(text: string): ThreadCpuReading {
  const faults = new Map<string, number>();
  for (const [, thread, value] of text.matchAll(FAULT_SERIES)) faults.set(thread!, Number(value));
  const js = new Map<string, ThreadUsage>();
  for (const [, thread, value] of text.matchAll(CPU_SERIES)) js.set(thread!, { cpuSeconds: Number(value), minorFaults: faults.get(thread!) ?? 0 });
  return { js, os: processThreadUsageByName() };
}

/** What each thread used between two readings; null when either reading has no figures (no /proc). */
export function threadCpuSpan(before: ThreadCpuReading, after: ThreadCpuReading): ThreadCpuSpan | null {
  if (after.js.size === 0 || before.os === null || after.os === null) return null;
  const seconds = splitSpan(before.js, after.js, before.os, after.os, (u) => u.cpuSeconds);
  const faults = splitSpan(before.js, after.js, before.os, after.os, (u) => u.minorFaults);
  return {
    js: largestFirst(seconds.js, 0.05, tenths),
    other: largestFirst(seconds.other, 0.05, tenths),
    faults: { js: largestFirst(faults.js, 1, Math.round), other: largestFirst(faults.other, 1, Math.round) },
  };
}

/** One figure's growth by JS thread and by the other OS threads' names. */
function splitSpan(
  beforeJs: Map<string, ThreadUsage>,
  afterJs: Map<string, ThreadUsage>,
  beforeOs: Map<string, ThreadUsage>,
  afterOs: Map<string, ThreadUsage>,
  figure: (u: ThreadUsage) => number,
): { js: Map<string, number>; other: Map<string, number> } {
  const grown = (m: Map<string, ThreadUsage>, earlier: Map<string, ThreadUsage>) =>
    new Map([...m].map(([name, usage]) => [name, figure(usage) - (earlier.has(name) ? figure(earlier.get(name)!) : 0)]));
  const js = grown(afterJs, beforeJs);
  const other = grown(afterOs, beforeOs);
  // The JS threads are OS threads named `node` too: what remains under that name is node's own pools.
  let jsTotal = 0;
  for (const n of js.values()) jsTotal += n;
  other.set('node', Math.max(0, (other.get('node') ?? 0) - jsTotal));
  return { js, other };
}

const tenths = (n: number): number => Math.round(n * 10) / 10;

function largestFirst(m: Map<string, number>, min: number, round: (n: number) => number): Record<string, number> {
  return Object.fromEntries([...m].filter(([, n]) => n >= min).sort((a, b) => b[1] - a[1]).map(([k, n]) => [k, round(n)]));
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

/** Report lines: the JS threads, then the rest by OS thread name; then the page faults, when read. */
export function formatThreadCpu(span: ThreadCpuSpan, wallSeconds: number): string[] {
  const list = (r: Record<string, number>): string => Object.entries(r).map(([k, s]) => `${k} ${s.toFixed(1)} s`).join(', ');
  const share = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
  const total = share(span.js) + share(span.other);
  const lines = [
    `CPU by thread over ${wallSeconds.toFixed(1)} s (${(total / wallSeconds).toFixed(2)} cores): JS threads: ${list(span.js)}`,
    `  other threads by name: ${list(span.other)}`,
  ];
  if (span.faults !== undefined) {
    const faults = (r: Record<string, number>): string => Object.entries(r).map(([k, n]) => `${k} ${(n / 1000).toFixed(1)}k`).join(', ');
    lines.push(`minor page faults by thread: JS threads: ${faults(span.faults.js)}; other: ${faults(span.faults.other)}`);
  }
  return lines;
}
