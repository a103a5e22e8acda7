/**
 * What one detector-state snapshot of a leg partition costs, whole (the
 * format before incremental snapshots: serialise every enterprise, JSON,
 * gzip level 1, base64, one row) against incremental (the header plus the
 * enterprises a leg touched since the last snapshot, one JSON row each).
 *
 *   npx tsx bench/snapshotCost.ts [--firms 3500] [--from 2020-03-02] [--warmup-to 2020-06-05] [--rounds 3] [--spacings 750,2000,6000]
 *
 * One PartitionProcessor takes every leg of a simulated scenario (`--firms`
 * firms: the enterprises of one of four partitions of a 14,000-firm run)
 * up to `--warmup-to`, so the rings, baselines and link histories are full.
 * Then, for each snapshot spacing in legs, it processes that many more legs
 * and times both encodings of the same state on this thread
 * (process.cpuUsage, so GC helper threads count too). The whole snapshot's
 * gzip runs on libuv's pool in the pipeline, off the consumer's thread, but
 * on the same two cores: it is reported separately.
 */
import { gzipSync } from 'node:zlib';
import { createWorkingCalendar } from '../src/calendar/chineseWorkingCalendar.ts';
import { loadClosures } from '../src/calendar/loadClosures.ts';
import { isoToDay, startOfDay } from '../src/calendar/workingCalendar.ts';
import type { InvoiceLeg } from '../src/domain/invoiceLeg.ts';
import { parseIssuedAt } from '../src/domain/issuedAt.ts';
import { jsonLinesUtf8 } from '../src/runtime/jsonUtf8.ts';
import { createScenario } from '../src/simulate/simulateScenario.ts';
import { invoiceLegs } from '../pipelines/ingest/invoiceLegs.ts';
import { DEFAULT_DETECTOR_CONFIG } from '../pipelines/detect/detectorConfig.ts';
import { emptyOutput, PartitionProcessor, type PartitionOutput } from '../pipelines/detect/runtimePartition.ts';
import { encodeSnapshot } from '../pipelines/detect/runtimeSnapshotStore.ts';
import { DEFAULT_WATERMARK_CONFIG } from '../pipelines/detect/watermarkClock.ts';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const firms = Number(option('firms', '3500'));
const from = isoToDay(option('from', '2020-03-02'));
const warmupTo = isoToDay(option('warmup-to', '2020-06-05'));
const rounds = Number(option('rounds', '3'));
const spacings = option('spacings', '750,2000,6000').split(',').map(Number);

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};
/** Median of a non-empty list. */
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const calendar = createWorkingCalendar({ closures: loadClosures() });
const t0 = performance.now();
const scenario = createScenario({ seed: 2020, firms, from, to: warmupTo + 60, calendar });
function* legsOf(): Generator<InvoiceLeg> {
  for (const { event } of scenario.arrivals()) {
    const issued = parseIssuedAt(event.issued_at);
    if (issued.kind !== 'ok') continue;
    yield* invoiceLegs(event, issued.epochMs);
  }
}
const stream = legsOf();
const processor = new PartitionProcessor({ calendar, config: DEFAULT_DETECTOR_CONFIG, now: Date.now }, DEFAULT_WATERMARK_CONFIG);
let offset = 0;
let out: PartitionOutput = emptyOutput();
/** Processes up to `n` more legs (or until `untilMs` of event time); returns how many. */
function feed(n: number, untilMs = Infinity): number {
  let done = 0;
  while (done < n) {
    const next = stream.next();
    if (next.done) break;
    processor.process(next.value, out, offset++);
    done++;
    if (out.signals.length + out.enterpriseDaily.length + out.linksDaily.length > 10_000) out = emptyOutput();
    if (next.value.issued_at_ms >= untilMs) break;
  }
  return done;
}
feed(Infinity, startOfDay(warmupTo));
// The warm-up's dirty set is everything: a first snapshot clears it, as the runtime's would.
processor.snapshot(offset);
console.log(`warm-up: ${offset} legs, ${processor.size} enterprises, ${((performance.now() - t0) / 1000).toFixed(1)} s`);

interface Round {
  legs: number;
  dirty: number;
  fullEncodeCpuMs: number;
  fullGzipCpuMs: number;
  fullBytes: number;
  fullJsonBytes: number;
  incrementalCpuMs: number;
  incrementalBytes: number;
}

for (const spacing of spacings) {
  const measured: Round[] = [];
  for (let r = 0; r < rounds; r++) {
    const legs = feed(spacing);
    const dirty = processor.dirtyCount;
    // Whole, as SnapshotStore wrote it before: serialize(), encoded as JSON on the consumer's thread; gzip + base64 on the pool.
    let since = process.cpuUsage();
    const json = jsonLinesUtf8([{ nextOffset: String(offset), state: processor.serialize() }]);
    const fullEncodeCpuMs = cpuMs(since);
    since = process.cpuUsage();
    const stored = gzipSync(json, { level: 1 }).toString('base64');
    const fullGzipCpuMs = cpuMs(since);
    // Incremental: the dirty entries and the header, then the insert bodies insertRows builds from them.
    since = process.cpuUsage();
    const encoded = encodeSnapshot(processor.snapshot(offset));
    const body = jsonLinesUtf8(encoded.entries).length + jsonLinesUtf8([encoded.header]).length;
    const incrementalCpuMs = cpuMs(since);
    measured.push({ legs, dirty, fullEncodeCpuMs, fullGzipCpuMs, fullBytes: stored.length, fullJsonBytes: json.length, incrementalCpuMs, incrementalBytes: body });
  }
  const m = (f: (r: Round) => number) => median(measured.map(f));
  // The mean counts the rounds in which enterprises' logs were long enough to be written whole again.
  const mean = (f: (r: Round) => number) => measured.reduce((s, r) => s + f(r), 0) / measured.length;
  console.log(
    JSON.stringify({
      spacingLegs: spacing,
      enterprises: processor.size,
      dirtyEnterprises: m((r) => r.dirty),
      full: { threadCpuMs: Math.round(m((r) => r.fullEncodeCpuMs)), gzipCpuMs: Math.round(m((r) => r.fullGzipCpuMs)), bytesWritten: m((r) => r.fullBytes), jsonBytes: m((r) => r.fullJsonBytes) },
      incremental: {
        threadCpuMs: Math.round(m((r) => r.incrementalCpuMs)),
        bytesWritten: m((r) => r.incrementalBytes),
        meanThreadCpuMs: Math.round(mean((r) => r.incrementalCpuMs)),
        meanBytesWritten: Math.round(mean((r) => r.incrementalBytes)),
      },
    }),
  );
}
