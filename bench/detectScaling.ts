/**
 * How detect's cost per leg grows with the firms one partition holds (issue 9). The same weeks of the 2020
 * scenario at several firm counts: each leg is decoded from Avro (so its strings are fresh, as detect's are) and
 * put through PartitionProcessor.process, with a snapshot every 6,000 legs. The work per leg is the same at
 * every size; what grows is the state it reaches into, so the figures show what memory locality costs.
 *
 *   npx tsx bench/detectScaling.ts [firms…] [--to DATE] [--rounds N] [--no-snapshots]
 *   (default: 1000 3500 7000 14000 firms, 2020-03-02 to 2020-03-20, best of 3 rounds, with snapshots)
 *
 * Each size runs in a child process with detect's worker heap settings (`--single-threaded-gc`, the young
 * generation of YUNLIAN_WORKER_YOUNG_GENERATION_MB), so one size's garbage does not land on the next. Prints
 * CPU µs a leg and the part of it spent in GC pauses, and writes bench/results/detect-scaling.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import { loadSchemaText } from '../schemas/index.ts';
import { createWorkingCalendar } from '../src/calendar/chineseWorkingCalendar.ts';
import { loadClosures } from '../src/calendar/loadClosures.ts';
import { workerYoungGenerationMbOf } from '../src/runtime/config.ts';
import { DEFAULT_DETECTOR_CONFIG } from '../pipelines/detect/detectorConfig.ts';
import { PartitionProcessor } from '../pipelines/detect/runtimePartition.ts';
import { DEFAULT_WATERMARK_CONFIG } from '../pipelines/detect/watermarkClock.ts';
import { DETECT_BENCH_FROM, DETECT_BENCH_SEED, SNAPSHOT_EVERY_LEGS, encodedScenarioLegs, feedLegs } from './detectLegFeed.ts';
import { machineInfo } from './machineInfo.ts';

const FROM = DETECT_BENCH_FROM;

/** One size's result, as its child process prints it. */
interface SizeResult {
  firms: number;
  legs: number;
  enterprises: number;
  /** CPU µs a leg of the best round, and of that the GC pauses' µs a leg. */
  cpuMicrosPerLeg: number;
  gcMicrosPerLeg: number;
  rounds: Array<{ cpuMicrosPerLeg: number; gcMicrosPerLeg: number }>;
}

interface Options {
  firms: number[];
  to: string;
  rounds: number;
  /**
   * A snapshot every SNAPSHOT_EVERY_LEGS legs, about detect's rate in the one-year replay (3,679 snapshots for 19.6M
   * legs); --no-snapshots: none, to leave their cost out.
   */
  snapshots: boolean;
  /** Set in a child process: measure this one size and print its result as JSON. */
  one: number | null;
}

const USAGE = `usage: npx tsx bench/detectScaling.ts [firms…] [--to DATE] [--rounds N] [--no-snapshots]
  detect's CPU per leg at each firm count (default 1000 3500 7000 14000), scenario ${FROM} to --to
  (default 2020-03-20), best of --rounds (default 3), a snapshot every ${SNAPSHOT_EVERY_LEGS} legs unless
  --no-snapshots; writes bench/results/detect-scaling.json`;

function parseOptions(argv: readonly string[]): Options {
  const opts: Options = { firms: [], to: '2020-03-20', rounds: 3, snapshots: true, one: null };
  const positive = (flag: string, value: string | undefined): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a whole number ≥ 1, got ${value ?? 'nothing'}\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (arg === '--to') {
      const to = argv[++i];
      if (to === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(to) || to <= FROM) throw new Error(`--to needs a date after ${FROM} (YYYY-MM-DD), got ${to ?? 'nothing'}\n${USAGE}`);
      opts.to = to;
    } else if (arg === '--rounds') opts.rounds = positive(arg, argv[++i]);
    else if (arg === '--no-snapshots') opts.snapshots = false;
    else if (arg === '--one') opts.one = positive(arg, argv[++i]);
    else opts.firms.push(positive('a firm count', arg));
  }
  if (opts.firms.length === 0) opts.firms = [1000, 3500, 7000, 14000];
  return opts;
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

/** Runs in the child: every round a fresh partition takes all legs; CPU and GC pause time per leg. */
async function measureOne(firms: number, opts: Options): Promise<SizeResult> {
  const calendar = createWorkingCalendar({ closures: loadClosures() });
  const type = avro.Type.forSchema(JSON.parse(loadSchemaText('InvoiceLeg')));
  const legs = encodedScenarioLegs(firms, opts.to, calendar, type);
  let gcMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });
  gc.observe({ entryTypes: ['gc'] });
  const rounds: SizeResult['rounds'] = [];
  let enterprises = 0;
  for (let r = 0; r < opts.rounds; r++) {
    const processor = new PartitionProcessor({ calendar, config: DEFAULT_DETECTOR_CONFIG, now: () => 0 }, DEFAULT_WATERMARK_CONFIG);
    // Node hands GC entries to the observer between ticks: let those of the generation or the last round arrive first.
    await settle();
    gcMs = 0;
    const started = process.cpuUsage();
    feedLegs(processor, type, legs, 0, legs.length, opts.snapshots ? (next) => processor.snapshot(next) : null);
    const used = process.cpuUsage(started);
    await settle();
    enterprises = processor.size;
    rounds.push({ cpuMicrosPerLeg: (used.user + used.system) / legs.length, gcMicrosPerLeg: (gcMs * 1000) / legs.length });
  }
  gc.disconnect();
  const best = rounds.reduce((a, b) => (b.cpuMicrosPerLeg < a.cpuMicrosPerLeg ? b : a));
  return { firms, legs: legs.length, enterprises, ...best, rounds };
}

/** Measures one size in a child process with detect's worker heap settings. */
function measureInChild(firms: number, opts: Options): SizeResult {
  const youngMb = workerYoungGenerationMbOf(process.env);
  // V8's young generation is three semi-spaces; 0 keeps V8's default, as the worker does.
  const heap = youngMb > 0 ? [`--max-semi-space-size=${Math.max(1, Math.round(youngMb / 3))}`] : [];
  const args = ['--single-threaded-gc', ...heap, '--import', 'tsx', fileURLToPath(import.meta.url), '--one', String(firms), '--to', opts.to, '--rounds', String(opts.rounds), ...(opts.snapshots ? [] : ['--no-snapshots'])];
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.status !== 0) throw new Error(`measuring ${firms} firms failed (exit ${child.status ?? child.signal})`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as SizeResult;
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  if (opts.one !== null) {
    console.log(JSON.stringify(await measureOne(opts.one, opts)));
    return;
  }
  const machine = machineInfo();
  console.log(`detect per leg by firms held, ${FROM}..${opts.to}, best of ${opts.rounds} (load ${machine.load_average.join(' / ')})`);
  console.log('   firms       legs   µs a leg   of it GC   rest');
  const results: SizeResult[] = [];
  for (const firms of opts.firms) {
    const r = measureInChild(firms, opts);
    results.push(r);
    const rest = r.cpuMicrosPerLeg - r.gcMicrosPerLeg;
    console.log(`${String(firms).padStart(8)} ${String(r.legs).padStart(10)} ${r.cpuMicrosPerLeg.toFixed(2).padStart(10)} ${r.gcMicrosPerLeg.toFixed(2).padStart(10)} ${rest.toFixed(2).padStart(6)}`);
  }
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}detect-scaling.json`, JSON.stringify({ measured_at: new Date().toISOString(), machine, from: FROM, to: opts.to, seed: DETECT_BENCH_SEED, snapshot_every_legs: opts.snapshots ? SNAPSHOT_EVERY_LEGS : null, results }, null, 2) + '\n');
  console.log('written to bench/results/detect-scaling.json');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
