/**
 * What detect costs once its state is warm, and where it allocates (issue 9, session 22). The 14,000-firm
 * scenario's legs (seed 2020, from 2 March) are decoded from Avro one by one, as detect's are, and put through
 * one PartitionProcessor with a snapshot every 6,000 legs, each encoded as the file snapshot store encodes it
 * (FileSnapshotStore.freeze, without the write). The first half warms the state up; only the second half is
 * measured, which is what a long run spends its time in. bench/detectScaling.ts starts every partition
 * empty instead, where a partition has little to scavenge and few known partners.
 *
 *   node --single-threaded-gc --max-semi-space-size=64 --import tsx bench/detectSteadyState.ts \
 *     [--firms N] [--to DATE] [--allocations] [--cpu-profile FILE]
 *
 * Prints CPU µs a leg of the measured half, of it the snapshots' (taking and encoding them), and its page faults. --allocations also samples every allocation of that half
 * (V8's sampling heap profiler keeping the objects scavenges collect) and prints the top sites by source
 * line; --cpu-profile writes a CPU profile of the half, for bench/topHotspots.ts. Each changes what it
 * measures: compare plain runs for speed. Run it with detect's heap flags (above), alternating A and B.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import avro from 'avsc';
import { loadSchemaText } from '../schemas/index.ts';
import { createWorkingCalendar } from '../src/calendar/chineseWorkingCalendar.ts';
import { loadClosures } from '../src/calendar/loadClosures.ts';
import { DEFAULT_DETECTOR_CONFIG } from '../pipelines/detect/detectorConfig.ts';
import { FileSnapshotStore } from '../pipelines/detect/fileSnapshotStore.ts';
import { PartitionProcessor } from '../pipelines/detect/runtimePartition.ts';
import { DEFAULT_WATERMARK_CONFIG } from '../pipelines/detect/watermarkClock.ts';
import { DETECT_BENCH_FROM, encodedScenarioLegs, feedLegs } from './detectLegFeed.ts';
import { allocationSites, type HeapProfileNode } from './heapProfileSummary.ts';
import { machineInfo } from './machineInfo.ts';
import { createTsxLocator } from './sourceLocator.ts';

const FROM = DETECT_BENCH_FROM;
const TOP_SITES = 30;

const USAGE = `usage: node --single-threaded-gc --max-semi-space-size=64 --import tsx bench/detectSteadyState.ts [--firms N] [--to DATE] [--allocations] [--cpu-profile FILE]
  detect's CPU µs a leg over the second half of the scenario's legs (${FROM} to --to, default 2020-03-20;
  --firms default 14000), the first half warming the state up; --allocations: the top allocation sites of
  that half; --cpu-profile FILE: a CPU profile of it (read it with bench/topHotspots.ts)`;

interface Options {
  firms: number;
  to: string;
  allocations: boolean;
  cpuProfile: string | null;
}

function parseOptions(argv: readonly string[]): Options {
  const opts: Options = { firms: 14_000, to: '2020-03-20', allocations: false, cpuProfile: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (arg === '--firms') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new Error(`--firms needs a whole number ≥ 1\n${USAGE}`);
      opts.firms = n;
    } else if (arg === '--to') {
      const to = value();
      if (!/^\d{4}-\d{2}-\d{2}$/.test(to) || to <= FROM) throw new Error(`--to needs a date after ${FROM} (YYYY-MM-DD), got ${to}\n${USAGE}`);
      opts.to = to;
    } else if (arg === '--allocations') opts.allocations = true;
    else if (arg === '--cpu-profile') opts.cpuProfile = value();
    else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  if (opts.allocations && opts.cpuProfile !== null) throw new Error(`--allocations and --cpu-profile each perturb the other: take one at a time\n${USAGE}`);
  return opts;
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const calendar = createWorkingCalendar({ closures: loadClosures() });
  const type = avro.Type.forSchema(JSON.parse(loadSchemaText('InvoiceLeg')));
  const generating = Date.now();
  const legs = encodedScenarioLegs(opts.firms, opts.to, calendar, type);
  const half = legs.length >> 1;
  const machine = machineInfo();
  console.log(`${legs.length} legs of ${opts.firms} firms, ${FROM}..${opts.to}, generated in ${((Date.now() - generating) / 1000).toFixed(1)} s (load ${machine.load_average.join(' / ')})`);

  const processor = new PartitionProcessor({ calendar, config: DEFAULT_DETECTOR_CONFIG, now: () => 0 }, DEFAULT_WATERMARK_CONFIG);
  // Nothing is written: freeze only encodes, and the directory is never created.
  const store = new FileSnapshotStore('/nonexistent/yunlian-detect-steady-state');
  const key = { groupId: 'bench', clusterId: 'bench', topic: 'invoice-legs', partition: 0 };
  let snapshotMicros = 0;
  let snapshotBytes = 0;
  const snapshot = (nextOffset: number): void => {
    const started = process.cpuUsage();
    snapshotBytes += store.freeze(processor.snapshot(nextOffset), key, 0).byteLength;
    const used = process.cpuUsage(started);
    snapshotMicros += used.user + used.system;
  };
  feedLegs(processor, type, legs, 0, half, snapshot);
  snapshotMicros = 0;
  snapshotBytes = 0;

  const session = new Session();
  session.connect();
  if (opts.allocations) {
    // Without the two flags the profile holds only what is still live when it stops, not what scavenges collected.
    await session.post('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
  } else if (opts.cpuProfile !== null) {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const faultsBefore = process.resourceUsage().minorPageFault;
  const started = process.cpuUsage();
  feedLegs(processor, type, legs, half, legs.length, snapshot);
  const used = process.cpuUsage(started);
  // On a VM a fresh page can cost 10+ µs (bench/pageFaultCost.ts): runs that differ in CPU often differ here.
  const faults = process.resourceUsage().minorPageFault - faultsBefore;
  const measured = legs.length - half;
  console.log(
    `measured ${measured} legs after ${half} warming up (${processor.size} enterprises): ${((used.user + used.system) / measured).toFixed(2)} CPU µs a leg, ` +
      `of it snapshots ${(snapshotMicros / measured).toFixed(2)} (${(snapshotBytes / measured).toFixed(0)} bytes a leg); ` +
      `${faults} minor page faults (${((1000 * faults) / measured).toFixed(1)} a thousand legs)`,
  );

  if (opts.allocations) {
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: HeapProfileNode } };
    const sites = allocationSites(profile.head, createTsxLocator());
    const total = sites.reduce((sum, s) => sum + s.bytes, 0);
    console.log(`allocated ~${(total / measured).toFixed(0)} bytes a leg (sampled every 16 KiB); top sites:`);
    for (const s of sites.slice(0, TOP_SITES)) {
      console.log(`${(s.bytes / measured).toFixed(0).padStart(7)} B a leg ${(100 * s.share).toFixed(1).padStart(5)} %  ${s.name}  ${s.where}`);
    }
  } else if (opts.cpuProfile !== null) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(opts.cpuProfile, JSON.stringify(profile));
    console.log(`CPU profile of the measured half written to ${opts.cpuProfile} (npx tsx bench/topHotspots.ts ${opts.cpuProfile} 40)`);
  }
  session.disconnect();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
