import { parseArgs } from 'node:util';
import { ConfigError } from '../src/runtime/errors.ts';
import { isPipelineThreads, type PipelineThreads } from '../src/embedded/embeddedSystem.ts';
import { resolveDetectThreads } from '../src/embedded/detectThreads.ts';

/** Everything one benchmark run is parameterised by; recorded in the result file. */
export interface BenchOptions {
  quick: boolean;
  seed: number;
  /** Firms of the end-to-end scenario (the simulator's three-district network). */
  firms: number;
  from: string;
  to: string;
  /** Cap on end-to-end events (Infinity = the whole scenario). */
  maxEvents: number;
  /** Events of the scenario the in-process stage benchmarks run on. */
  stageEvents: number;
  /** Invoices the naive one-INSERT-per-invoice and naive end-to-end runs process (their rates are extrapolated). */
  naiveEvents: number;
  /** Offered load of the latency run; 'auto' = half the measured end-to-end rate (a load the stack sustains). */
  latencyEventsPerSecond: number | 'auto';
  latencySeconds: number;
  memoryFirms: number;
  memoryWorkingDays: number;
  /** Parts to run; the rest are skipped (their figures are absent). */
  parts: ReadonlySet<BenchPart>;
  resultsDir: string;
  /** Log level of the embedded stack (default error: pipeline warnings would drown the table). */
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Events a one-year replay of the full three-district region is taken to have (issue 9: ≥ 10 M). */
  replayTargetEvents: number;
  /** Where ingest and detect run: each in a worker thread (default, as `yunlian up`) or all on the main thread. */
  pipelineThreads: PipelineThreads;
  /** Threads running detect (resolved: defaultDetectThreads unless --detect-threads). */
  detectThreads: number;
}

export const BENCH_PARTS = ['stages', 'memory', 'naive-e2e', 'e2e', 'latency'] as const;
export type BenchPart = (typeof BENCH_PARTS)[number];

export const USAGE = `Usage: npm run bench -- [options]
  --quick                 small everything (the smoke test: well under 30 s)
  --firms N               firms in the end-to-end scenario (default 300 ≈ 220k events for 2020)
  --events N              cap on end-to-end events (default 100000: fits the 10-minute budget)
  --from / --to DATE      scenario period (default 2020-01-02 .. 2020-12-31)
  --seed N                simulator seed (default 2020)
  --stage-events N        events the per-stage benchmarks run on (default 50000)
  --naive-events N        invoices of the naive insert and end-to-end runs (default 2000)
  --latency-rate N|auto   offered load of the latency run, events/s (default auto: half the measured e2e rate)
  --latency-seconds N     length of the latency run (default 30)
  --memory-firms N        firms of the memory run (default 3000; 20000 takes ~8 min)
  --only a,b              run only these parts: ${BENCH_PARTS.join(', ')} (latency fires on the history e2e builds: use e2e,latency)
  --results DIR           where result JSON goes (default bench/results)
  --log-level L           embedded stack log level (default error)
  --pipeline-threads T    worker: ingest and detect each in a worker thread (default); main: all on one thread (A/B)
  --detect-threads N      threads running detect, 1-8 (default 2 with worker threads on 2+ cores, else 1)
`;

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`--${name} must be a positive number, got ${value}`, { code: 'BENCH_OPTIONS' });
  return n;
}

/** Parses the command line (without node and script); throws ConfigError on bad values. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean' },
      firms: { type: 'string' },
      events: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      seed: { type: 'string' },
      'stage-events': { type: 'string' },
      'naive-events': { type: 'string' },
      'latency-rate': { type: 'string' },
      'latency-seconds': { type: 'string' },
      'memory-firms': { type: 'string' },
      only: { type: 'string' },
      results: { type: 'string' },
      'log-level': { type: 'string' },
      'pipeline-threads': { type: 'string' },
      'detect-threads': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const pipelineThreads = values['pipeline-threads'] ?? 'worker';
  if (!isPipelineThreads(pipelineThreads)) throw new ConfigError(`--pipeline-threads must be worker or main, got ${pipelineThreads}`, { code: 'BENCH_OPTIONS' });
  const requestedDetectThreads = values['detect-threads'] === undefined ? undefined : Number(values['detect-threads']);
  const detectThreads = resolveDetectThreads(pipelineThreads, requestedDetectThreads);
  const quick = values.quick ?? false;
  const parts = new Set<BenchPart>();
  for (const p of (values.only ?? BENCH_PARTS.join(',')).split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(BENCH_PARTS as readonly string[]).includes(p)) throw new ConfigError(`--only: unknown part ${p} (parts: ${BENCH_PARTS.join(', ')})`, { code: 'BENCH_OPTIONS' });
    parts.add(p as BenchPart);
  }
  return {
    quick,
    seed: positive('seed', values.seed, 2020),
    firms: positive('firms', values.firms, quick ? 40 : 300),
    from: values.from ?? '2020-01-02',
    to: values.to ?? (quick ? '2020-02-29' : '2020-12-31'),
    maxEvents: positive('events', values.events, quick ? 1500 : 100_000),
    stageEvents: positive('stage-events', values['stage-events'], quick ? 1500 : 50_000),
    naiveEvents: positive('naive-events', values['naive-events'], quick ? 100 : 2000),
    latencyEventsPerSecond: values['latency-rate'] === undefined || values['latency-rate'] === 'auto' ? 'auto' : positive('latency-rate', values['latency-rate'], 300),
    latencySeconds: positive('latency-seconds', values['latency-seconds'], quick ? 3 : 30),
    memoryFirms: positive('memory-firms', values['memory-firms'], quick ? 200 : 3_000),
    memoryWorkingDays: quick ? 75 : 80,
    parts,
    resultsDir: values.results ?? 'bench/results',
    logLevel: (['debug', 'info', 'warn', 'error'] as const).find((l) => l === values['log-level']) ?? 'error',
    replayTargetEvents: 10_000_000,
    pipelineThreads,
    detectThreads,
  };
}
