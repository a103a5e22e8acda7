import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createWorkingCalendar } from '../src/calendar/chineseWorkingCalendar.ts';
import { loadClosures } from '../src/calendar/loadClosures.ts';
import { dayOfInstant, dayToIso, isoToDay, startOfDay } from '../src/calendar/workingCalendar.ts';
import { parseIssuedAt } from '../src/domain/issuedAt.ts';
import { isoInstant } from '../sinks/clickhouse/insertRows.ts';
import { startEmbeddedSystem } from '../src/embedded/embeddedSystem.ts';
import { workerYoungGenerationMbOf } from '../src/runtime/config.ts';
import { createLogger } from '../src/runtime/log.ts';
import { createMetrics } from '../src/runtime/metrics.ts';
import { formatCpuBudget, formatThreadCpu, pipelineCpu } from './threadCpuReport.ts';
import { formatDetectSnapshots } from './snapshotReport.ts';
import { invoiceRow } from '../pipelines/ingest/invoiceRows.ts';
import { validateInvoice } from '../pipelines/ingest/validateInvoice.ts';
import { advantageOf, ratePerSecond, type BenchFigure } from './benchFigure.ts';
import type { BenchOptions, BenchPart } from './benchOptions.ts';
import type { BenchResult } from './benchReport.ts';
import { buildBenchScenario } from './benchScenario.ts';
import { formatClickHouseLoad } from './clickhouseLoadReport.ts';
import { decodeStage } from './decodeStage.ts';
import { encodeStage } from './encodeStage.ts';
import { detectStage } from './detectStage.ts';
import { endToEnd, PROGRESS_SAMPLE_MS } from './endToEnd.ts';
import { insertStage } from './insertStage.ts';
import { alertLatency } from './alertLatency.ts';
import { legsOf } from './benchLegs.ts';
import { machineInfo } from './machineInfo.ts';
import { matchStage } from './matchStage.ts';
import { naiveEndToEnd } from './naiveEndToEnd.ts';
import { stateMemory } from './stateMemory.ts';
import { validateStage } from './validateStage.ts';

const percent = (share: number): string => `${Math.round(share * 100)} %`;

/** Issue 9's end-to-end target on two cores. */
const E2E_TARGET_PER_SECOND = 20_000;

/** The day after `epochMs`'s day: where the latency run's events start, so none is late for detect's state. */
function dayAfter(epochMs: number): string {
  return dayToIso(dayOfInstant(epochMs) + 1);
}

/**
 * Runs the benchmark parts in one process: the pure memory run first (on a
 * quiet heap), then the embedded stack (mock Kafka, registry, chDB, ingest
 * and detect) for the per-stage, naive end-to-end, end-to-end and latency
 * runs. Returns every figure with its input and the machine.
 */
export async function runBenchSuite(options: BenchOptions, say: (line: string) => void): Promise<BenchResult> {
  const startedAt = new Date();
  // Taken at the start: the load average then says whether other work shared the cores during the run.
  const machine = machineInfo();
  const t0 = performance.now();
  const calendar = createWorkingCalendar({ closures: loadClosures() });
  const figures: BenchFigure[] = [];
  const details: Record<string, unknown> = {};
  const has = (p: Parameters<BenchOptions['parts']['has']>[0]) => options.parts.has(p);

  if (has('memory')) {
    say(`memory: ${options.memoryFirms} synthetic firms, ${options.memoryWorkingDays} working days…`);
    figures.push(...stateMemory(calendar, options.memoryFirms, options.memoryWorkingDays, say));
  }

  if (!['stages', 'naive-e2e', 'e2e', 'latency'].some((p) => options.parts.has(p as BenchPart))) return finish();
  const logger = createLogger('bench', { level: options.logLevel });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'yunlian-bench-'));
  say(`starting the embedded stack (ingest + detect, ${options.pipelineThreads === 'worker' ? `in worker threads, detect in ${options.detectThreads}` : 'on the main thread'}) in ${dataDir}…`);
  // As `yunlian up` sizes its worker threads (YUNLIAN_WORKER_YOUNG_GENERATION_MB), so a result holds for it.
  const workerYoungGenerationMb = workerYoungGenerationMbOf(process.env);
  const system = await startEmbeddedSystem({ dataDir, logger, pipelines: ['ingest', 'detect'], clickhousePort: 0, metrics: createMetrics({ defaultMetrics: false }), pipelineThreads: options.pipelineThreads, detectThreads: options.detectThreads, workerYoungGenerationMb });
  try {
    const codecs = system.services.codecs.invoiceEvents;
    say(`generating the scenario: ${options.firms} firms, ${options.from}..${options.to}…`);
    const scenario = buildBenchScenario({
      seed: options.seed,
      firms: options.firms,
      from: options.from,
      to: options.to,
      calendar,
      codecs,
      maxEvents: options.maxEvents,
      // Decoded events kept on the main thread's heap for the whole run: only the parts that read them get them.
      sampleSize: has('stages') || has('naive-e2e') ? options.stageEvents : 0,
      // Under dataDir, which the finally below removes.
      spoolPath: path.join(dataDir, 'e2e.spool'),
      onPlanned: (s) => say(`  planned in ${s.toFixed(1)} s`),
      onProgress: (n, s) => say(`  generated ${n} events in ${s.toFixed(0)} s (${Math.round(n / s)} events/s)`),
    });
    say(`  ${scenario.spool.events} events in ${scenario.generateSeconds.toFixed(1)} s`);
    details.scenario = { seed: options.seed, firms: options.firms, from: options.from, to: options.to, events: scenario.spool.events, stage_events: scenario.sample.length, generate_seconds: scenario.generateSeconds, plan_seconds: scenario.planSeconds };
    const now = Date.now();

    if (has('stages')) {
      say('stages: decode, validate, ClickHouse insert, leg encode, detect, match…');
      const avroBytes = scenario.sampleAvro;
      const jsonBytes = scenario.sample.map(({ event }) => Buffer.from(JSON.stringify(event)));
      figures.push(...(await decodeStage({ avro: avroBytes, json: jsonBytes, codec: codecs.qingpu, registryUrl: system.registryUrl, uncachedCap: Math.min(options.naiveEvents, avroBytes.length) })));
      figures.push(...validateStage(scenario.sample, now));
      const ingestedAt = isoInstant(now);
      const rows = scenario.sample
        .filter(({ feed, event }) => validateInvoice(event, { now, topicDistrict: feed }).kind === 'valid')
        .map(({ event }, i) => invoiceRow(event, isoInstant((parseIssuedAt(event.issued_at) as { epochMs: number }).epochMs), { topic: 'bench', partition: 0, offset: String(i) }, ingestedAt));
      figures.push(...(await insertStage({ clickhouse: system.services.clickhouse, rows, batchRows: 10_000, naiveCap: options.naiveEvents })));
      const legs = legsOf(scenario.sample, now);
      figures.push(...encodeStage(legs, system.services.codecs.invoiceLeg));
      const detect = detectStage(legs, calendar);
      figures.push(...detect.figures);
      figures.push(...matchStage(legs, detect.signals));
    }

    let naiveRate: number | null = null;
    let e2eRate: number | null = null;
    if (has('naive-e2e')) {
      const events = scenario.sample.slice(0, options.naiveEvents);
      say(`naive end to end on ${events.length} events…`);
      const naive = await naiveEndToEnd(system, events, calendar);
      naiveRate = ratePerSecond(naive.events, naive.seconds);
      details.naive_e2e = naive;
    }

    if (has('e2e')) {
      say(`end to end: ${scenario.spool.events} events through Kafka → ingest → legs → detect → ClickHouse…`);
      const e2e = await endToEnd(system, scenario.spool, logger, say);
      details.e2e = { ...e2e, detect_threads: options.detectThreads };
      const rate = ratePerSecond(e2e.events, e2e.seconds);
      e2eRate = rate;
      say(`  drained after ${e2e.seconds.toFixed(1)} s (${rate?.toFixed(0)} events/s; producer held back ${e2e.gatedSeconds.toFixed(1)} s by lag gates; ${e2e.cpuSeconds.toFixed(1)} CPU s in this process, pipelines: ${options.pipelineThreads} threads, detect in ${options.detectThreads})`);
      if (e2e.steady !== null) {
        say(`  steady window: ${e2e.steady.rate.toFixed(0)} events/s between ${e2e.steady.fromSeconds.toFixed(1)} s and ${e2e.steady.toSeconds.toFixed(1)} s (${percent(e2e.steady.fromShare)} and ${percent(e2e.steady.toShare)} of the legs committed by detect)`);
      }
      for (const line of formatClickHouseLoad(e2e.clickhouse)) say(`  ${line}`);
      if (e2e.threads !== null) for (const line of formatThreadCpu(e2e.threads, e2e.seconds)) say(`  ${line}`);
      say(`  ${formatDetectSnapshots(e2e.snapshots, e2e.legs)}`);
      const pipelines = e2e.threads === null ? null : pipelineCpu(e2e.threads, e2e.events, machine.cores);
      if (pipelines !== null) {
        say(`  pipelines' own threads: ${pipelines.seconds.toFixed(1)} CPU s, ${pipelines.microsPerEvent.toFixed(0)} µs an event; on ${machine.cores} cores of their own that is ${pipelines.capacityPerSecond.toFixed(0)} events/s (derived)`);
        say(`  ${formatCpuBudget(pipelines, e2e.events, machine.cores, E2E_TARGET_PER_SECOND)}`);
      }
      const input = { events: e2e.events, firms: options.firms, period: `${options.from}..${options.to}`, legs: e2e.legs, signal_rows: e2e.signalRows, invoice_rows: e2e.invoiceRows, threads: options.pipelineThreads, detect_threads: options.detectThreads, worker_young_generation_mb: workerYoungGenerationMb, cpu_seconds: e2e.cpuSeconds };
      figures.push({
        id: 'e2e.throughput',
        label: 'end to end (events/s)',
        unit: 'events/s',
        yunlian: rate,
        naive: naiveRate,
        advantage: advantageOf(rate, naiveRate, 'higher'),
        input: { ...input, naive_events: options.naiveEvents },
        extrapolated: { yunlian: false, naive: true, how: `naive rate measured on its first ${options.naiveEvents} events` },
        notes: `produce → ingest → legs → detect → ClickHouse until every consumer group committed everything (all rows, legs, rollups, signals written); ${options.pipelineThreads === 'worker' ? `ingest in a worker thread, detect in ${options.detectThreads}, chDB and the bench producer on the main thread` : 'everything on the main thread'}. naive: eachMessage JSON consumer, validate, one INSERT per invoice, NaiveDetector in-process, INSERT per signal.`,
        target: { text: '≥ 20k events/s on 2 cores', met: rate !== null && rate >= E2E_TARGET_PER_SECOND },
      });
      figures.push({
        id: 'e2e.vs_naive',
        label: 'end to end vs naive',
        unit: '×',
        yunlian: advantageOf(rate, naiveRate, 'higher'),
        naive: 1,
        advantage: advantageOf(rate, naiveRate, 'higher'),
        input: { events: e2e.events, naive_events: options.naiveEvents },
        extrapolated: { yunlian: false, naive: true },
        notes: 'ratio of the two end-to-end rates above.',
        target: { text: '≥ 20× the naive baseline', met: naiveRate === null || rate === null ? null : rate / naiveRate >= 20 },
      });
      if (e2e.steady !== null) {
        figures.push({
          id: 'e2e.steady_throughput',
          label: 'end to end, steady window (events/s)',
          unit: 'events/s',
          yunlian: e2e.steady.rate,
          naive: null,
          advantage: null,
          input: { ...input, window_from_seconds: e2e.steady.fromSeconds, window_to_seconds: e2e.steady.toSeconds },
          extrapolated: { yunlian: false, naive: false },
          notes:
            `the same run between the instants detect had committed ${percent(e2e.steady.fromShare)} and ${percent(e2e.steady.toShare)} of its legs (committed offsets read every ${PROGRESS_SAMPLE_MS} ms, crossings interpolated): the run without its start (threads compiling their hot code, first fetches and group commits) and its tail (the last snapshot and commit). Measured, but a short run's middle is not a year's: the one-year replay's state is larger. The target is judged on the whole run above.`,
        });
      }
      figures.push({
        id: 'e2e.clickhouse_busy',
        label: 'e2e: chDB busy, share of wall (%)',
        unit: '%',
        yunlian: e2e.clickhouse.busyShare === null ? null : e2e.clickhouse.busyShare * 100,
        naive: null,
        advantage: null,
        input: { busy_seconds: e2e.clickhouse.busySeconds, span_seconds: e2e.clickhouse.spanSeconds, calls: e2e.clickhouse.calls, call_seconds: e2e.clickhouse.callSeconds },
        extrapolated: { yunlian: false, naive: false },
        notes: 'yunlian_clickhouse_busy_seconds_total over the end-to-end run (any ClickHouse call in flight; embedded chDB runs one at a time, so near 100 % the pipelines wait for it). Calls by table: details.e2e.clickhouse.top.',
      });
      if (pipelines !== null) {
        figures.push({
          id: 'e2e.pipeline_capacity',
          label: `pipelines alone, ${machine.cores} cores (events/s)`,
          unit: 'events/s',
          yunlian: pipelines.capacityPerSecond,
          naive: null,
          advantage: null,
          input: { ...input, pipeline_cpu_seconds: pipelines.seconds, pipeline_cpu_us_per_event: pipelines.microsPerEvent, rest_cpu_seconds: pipelines.restSeconds, cores: machine.cores },
          extrapolated: { yunlian: true, naive: false, how: "the cores divided by the pipeline threads' CPU per event in the end-to-end run above" },
          notes:
            "ingest's and detect's worker threads' CPU per event in the end-to-end run, turned into what that many cores would carry with nothing else on them, i.e. with Kafka and ClickHouse on their own machines as in production. Derived, not measured end to end: it assumes the threads spread over the cores, and their CPU was measured while chDB, the mock broker and the bench producer shared the cores. The end-to-end figure above stays the one the target is judged on.",
        });
      }
      const target = options.replayTargetEvents;
      // With the scenario streamed from a spool, a run of the full target size is possible: then the figure is measured.
      const replayMeasured = e2e.events >= target;
      const replayMinutes = replayMeasured ? e2e.seconds / 60 : rate === null ? null : target / rate / 60;
      const naiveMinutes = naiveRate === null ? null : target / naiveRate / 60;
      figures.push({
        id: 'replay.measured',
        label: `replay of ${e2e.events} events (s)`,
        unit: 's',
        yunlian: e2e.seconds,
        naive: naiveRate === null ? null : e2e.events / naiveRate,
        advantage: advantageOf(e2e.seconds, naiveRate === null ? null : e2e.events / naiveRate, 'lower'),
        input,
        extrapolated: { yunlian: false, naive: true, how: 'naive: this many events at its measured rate' },
        notes: `wall time of the end-to-end run above: ${options.firms} firms, three district feeds, ${options.from}..${options.to}.`,
      });
      figures.push({
        id: 'replay.one_year_10m',
        label: `one-year replay, ${(target / 1e6).toFixed(0)}M events (min)`,
        unit: 'min',
        yunlian: replayMinutes,
        naive: naiveMinutes,
        advantage: advantageOf(replayMinutes, naiveMinutes, 'lower'),
        input: { measured_events: e2e.events, target_events: target },
        extrapolated: replayMeasured
          ? { yunlian: false, naive: true, how: `naive: ${target} events ÷ its measured rate` }
          : { yunlian: true, naive: true, how: `${target} events ÷ the measured end-to-end rate (linear; per-firm state grows with firms, so a larger region is not guaranteed linear)` },
        notes: replayMeasured
          ? `MEASURED: wall time of the end-to-end run above (${e2e.events} events, ${options.firms} firms, ${options.from}..${options.to}).`
          : `EXTRAPOLATED from the measured end-to-end rate; not run at ${(target / 1e6).toFixed(0)}M events.`,
        // An extrapolation from a smaller scenario (whose state is smaller) neither meets nor misses the target.
        target: replayMeasured
          ? { text: '≤ 15 min', met: e2e.seconds / 60 <= 15 }
          : { text: `≤ 15 min; judged when measured: --events ${target}`, met: null },
      });
    }

    if (has('latency')) {
      // Half the measured capacity: a load the stack sustains, so the figure is processing delay, not queueing.
      const eventsPerSecond = options.latencyEventsPerSecond === 'auto' ? Math.max(50, Math.round((e2eRate ?? 600) / 2 / 50) * 50) : options.latencyEventsPerSecond;
      const count = Math.round(eventsPerSecond * options.latencySeconds);
      // The latency events continue the same firms right after the end-to-end run, so detect's state stays warm and no day is skipped.
      const lastEventMs = has('e2e') ? scenario.spool.newestEventMs : startOfDay(isoToDay(options.to));
      const from = dayAfter(lastEventMs);
      const latencyScenario = buildBenchScenario({ seed: options.seed, firms: options.firms, from, to: dayToIso(isoToDay(from) + 400), calendar, codecs, maxEvents: count, sampleSize: 0, spoolPath: path.join(dataDir, 'latency.spool') });
      say(`latency: ${latencyScenario.spool.events} events at ${eventsPerSecond} events/s (event time from ${from})…`);
      let latency: Awaited<ReturnType<typeof alertLatency>>;
      try {
        latency = await alertLatency(system, latencyScenario.spool, { eventsPerSecond, firstEventMs: startOfDay(isoToDay(from)), logger, say });
      } catch (error) {
        // A latency run that never drains must not throw away the figures measured so far: it is reported as missing.
        details.latency_error = (error as Error).message;
        say(`  latency run failed: ${(error as Error).message}`);
        return finish();
      }
      details.latency = latency;
      // Alone, the run starts on firms without history: no window has a baseline to drop from, so few or no signals.
      if (latency.toConsumer.count === 0) say(`  no signal fired during the latency run${has('e2e') ? '' : ': without e2e first, detect has no history to fire on (run --only e2e,latency)'}`);
      const naiveCapacity = naiveRate;
      const naiveNote =
        naiveCapacity !== null && naiveCapacity < latency.offeredEventsPerSecond
          ? `naive cannot sustain ${latency.offeredEventsPerSecond} events/s (capacity ≈ ${naiveCapacity.toFixed(0)} events/s): its queue and latency grow without bound, so no naive figure.`
          : 'no naive latency run.';
      const input = { offered_events_per_s: latency.offeredEventsPerSecond, achieved_events_per_s: Math.round(latency.achievedEventsPerSecond), events: latency.events, signals: latency.signals, untraced_signals: latency.untraced };
      for (const [p, key] of [['p50', 'p50'], ['p95', 'p95'], ['p99', 'p99']] as const) {
        figures.push({
          id: `latency.${p}`,
          label: `event → alert ${p} (ms)`,
          unit: 'ms',
          yunlian: latency.toConsumer[key],
          naive: null,
          advantage: null,
          input,
          extrapolated: { yunlian: false, naive: false },
          notes: `from the produce time of the event that moved the watermark past the closed day (every feed at ≥ event_time + allowed lateness) to the signal's arrival at a consumer of yunlian.disruptions; window close + lateness excluded (by design). ${naiveNote}`,
          ...(p === 'p99' ? { target: { text: '≤ window close + lateness + 2 s', met: latency.toConsumer.p99 === null ? null : latency.toConsumer.p99 <= 2000 } } : {}),
        });
      }
    }
  } finally {
    await system.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return finish();

  function finish(): BenchResult {
    const { parts, ...rest } = options;
      return {
      benchmark: 'yunlian issue 9: end-to-end throughput, alert latency and state against a naive baseline',
      started_at: startedAt.toISOString(),
      wall_seconds: (performance.now() - t0) / 1000,
      machine,
      options: { ...rest, parts: [...parts] },
      figures,
      details,
    };
  }
}
