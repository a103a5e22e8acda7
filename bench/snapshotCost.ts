/**
 * What one detector-state snapshot of a leg partition costs, whole (the
 * format before incremental snapshots: serialise every enterprise, JSON,
 * gzip level 1, base64, one row) against incremental (the header plus the
 * enterprises a leg touched since the last snapshot, one JSON row each).
 *
 *   npx tsx bench/snapshotCost.ts [--firms 3500] [--from 2020-03-02] [--warmup-to 2020-06-05] [--rounds 3] [--spacings 750,2000,6000] [--skip-whole]
 *
 * One PartitionProcessor takes every leg of a simulated scenario (`--firms`
 * firms: the enterprises of one of four partitions of a 14,000-firm run)
 * up to `--warmup-to`, so the rings, baselines and link histories are full.
 * Then, for each snapshot spacing in legs, it processes that many more legs
 * and times both encodings of the same state on this thread
 * (process.cpuUsage, so GC helper threads count too). The whole snapshot's
 * gzip runs on libuv's pool in the pipeline, off the consumer's thread, but
 * on the same two cores: it is reported separately (`--skip-whole` leaves
 * it out). The incremental rows are also encoded as they were before single
 * encoding (state stringified, then escaped again as a String value), and
 * the written enterprises once more as base rows (what their logs'
 * compaction writes), both ways.
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
import type { SnapshotKey } from '../pipelines/detect/snapshotStore.ts';
import type { IncrementalSnapshot } from '../pipelines/detect/incrementalSnapshot.ts';
import { DEFAULT_WATERMARK_CONFIG } from '../pipelines/detect/watermarkClock.ts';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write('usage: npx tsx bench/snapshotCost.ts [--firms 3500] [--from 2020-03-02] [--warmup-to 2020-06-05] [--rounds 3] [--spacings 750,2000,6000] [--skip-whole]\n' +
    '  the thread CPU and bytes of one detector snapshot of a partition, whole against incremental\n');
  process.exit(0);
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const firms = Number(option('firms', '3500'));
const from = isoToDay(option('from', '2020-03-02'));
const warmupTo = isoToDay(option('warmup-to', '2020-06-05'));
const rounds = Number(option('rounds', '3'));
const spacings = option('spacings', '750,2000,6000').split(',').map(Number);
/** Leaves out the whole-partition format (seconds a round). */
const skipWhole = process.argv.includes('--skip-whole');
for (const [name, value] of [['firms', firms], ['rounds', rounds], ...spacings.map((n) => ['spacings', n] as const)] as const) {
  if (!Number.isSafeInteger(value) || value <= 0) {
    process.stderr.write(`--${name} takes positive integers (see --help)\n`);
    process.exit(2);
  }
}

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
  /** The snapshot's rows as written (encodeSnapshot, then the insert bodies). */
  incrementalCpuMs: number;
  incrementalBytes: number;
  /** The same rows encoded as before 2026-11-29 19:00: state stringified, then escaped again as a String value in the row. */
  doubleCpuMs: number;
  doubleBytes: number;
  /** Base rows of the same enterprises (what a log's compaction writes), single- and double-encoded. */
  baseCpuMs: number;
  baseBytes: number;
  baseDoubleCpuMs: number;
  baseDoubleBytes: number;
}

const key: SnapshotKey = { groupId: 'yunlian-detect', clusterId: 'bench-cluster', topic: 'yunlian.invoice-legs', partition: 0 };
const takenAtMs = Date.parse('2026-11-29T19:00:00.000Z');
const columns = { group_id: key.groupId, cluster_id: key.clusterId, topic: key.topic, partition: key.partition, taken_at: '2026-11-29T19:00:00.000Z' };
/** CPU ms and bytes of writing a snapshot's rows now, and as the encoding before single encoding did. */
function encodeBoth(snapshot: IncrementalSnapshot): { cpuMs: number; bytes: number; doubleCpuMs: number; doubleBytes: number } {
  let since = process.cpuUsage();
  const encoded = encodeSnapshot(snapshot, key, takenAtMs);
  const bytes = encoded.entries.bytes.length + encoded.header.bytes.length;
  const cpu = cpuMs(since);
  since = process.cpuUsage();
  const version = String(snapshot.nextOffset);
  const rows = snapshot.entries.map((e) => ({ ...columns, entry_key: e.slot === null ? e.taxId : `${e.taxId}#${e.slot}`, version, deleted: e.state === null ? 1 : 0, state: e.state === null ? '' : JSON.stringify(e.state) }));
  const doubleBytes = jsonLinesUtf8(rows).length + jsonLinesUtf8([{ ...columns, entry_key: '', version, deleted: 0, state: JSON.stringify(snapshot.header) }]).length;
  return { cpuMs: cpu, bytes, doubleCpuMs: cpuMs(since), doubleBytes };
}

for (const spacing of spacings) {
  const measured: Round[] = [];
  for (let r = 0; r < rounds; r++) {
    const legs = feed(spacing);
    const dirty = processor.dirtyCount;
    let fullEncodeCpuMs = 0;
    let fullGzipCpuMs = 0;
    let fullBytes = 0;
    let fullJsonBytes = 0;
    if (!skipWhole) {
      // Whole, as SnapshotStore wrote it before: serialize(), encoded as JSON on the consumer's thread; gzip + base64 on the pool.
      let since = process.cpuUsage();
      const json = jsonLinesUtf8([{ nextOffset: String(offset), state: processor.serialize() }]);
      fullEncodeCpuMs = cpuMs(since);
      since = process.cpuUsage();
      fullBytes = gzipSync(json, { level: 1 }).toString('base64').length;
      fullGzipCpuMs = cpuMs(since);
      fullJsonBytes = json.length;
    }
    // Incremental: the dirty entries and the header, then the insert bodies SnapshotStore.write builds from them.
    let since = process.cpuUsage();
    const snapshot = processor.snapshot(offset);
    const takeCpuMs = cpuMs(since);
    const now = encodeBoth(snapshot);
    // Then the same enterprises whole, as their next base rows (this resets their logs, as a base does).
    processor.forceBase(snapshot.entries.map((e) => e.taxId));
    since = process.cpuUsage();
    const bases = processor.snapshot(offset);
    const baseTakeCpuMs = cpuMs(since);
    const whole = encodeBoth(bases);
    measured.push({
      legs,
      dirty,
      fullEncodeCpuMs,
      fullGzipCpuMs,
      fullBytes,
      fullJsonBytes,
      incrementalCpuMs: takeCpuMs + now.cpuMs,
      incrementalBytes: now.bytes,
      doubleCpuMs: takeCpuMs + now.doubleCpuMs,
      doubleBytes: now.doubleBytes,
      baseCpuMs: baseTakeCpuMs + whole.cpuMs,
      baseBytes: whole.bytes,
      baseDoubleCpuMs: baseTakeCpuMs + whole.doubleCpuMs,
      baseDoubleBytes: whole.doubleBytes,
    });
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
      incrementalDoubleEncoded: { threadCpuMs: Math.round(m((r) => r.doubleCpuMs)), bytesWritten: m((r) => r.doubleBytes) },
      basesOfWritten: { threadCpuMs: Math.round(m((r) => r.baseCpuMs)), bytesWritten: m((r) => r.baseBytes) },
      basesOfWrittenDoubleEncoded: { threadCpuMs: Math.round(m((r) => r.baseDoubleCpuMs)), bytesWritten: m((r) => r.baseDoubleBytes) },
    }),
  );
}
