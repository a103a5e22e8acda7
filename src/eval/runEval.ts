import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createWorkingCalendar } from '../calendar/chineseWorkingCalendar.ts';
import { loadClosures } from '../calendar/loadClosures.ts';
import { dayOfInstant, dayToIso, isoToDay } from '../calendar/workingCalendar.ts';
import { DISTRICTS, invoiceTopic } from '../domain/district.ts';
import { startEmbeddedSystem } from '../embedded/embeddedSystem.ts';
import { pipelineLagGates } from '../embedded/pipelineBackpressure.ts';
import { streamScenario } from '../embedded/scenarioStreamer.ts';
import { GROUPS, TOPICS } from '../kafka/topics.ts';
import { createLogger } from '../runtime/log.ts';
import { createScenario } from '../simulate/simulateScenario.ts';
import { presetOptions } from '../simulate/scenarioPresets.ts';
import { scoreSignals, type DetectedSignal } from './scoreSignals.ts';
import { scoringHorizon } from './scoringHorizon.ts';
import { DEFAULT_DETECTOR_CONFIG } from '../../pipelines/detect/detectorConfig.ts';
import { printScores } from './printScores.ts';
import { waitForConsumersDone } from './waitForConsumers.ts';
import { evaluateMatches, MATCH_CONSUMPTION } from './evalMatches.ts';
import { printMatchQuality } from './printMatchQuality.ts';

/**
 * `npm run eval`: generates a labelled scenario, streams it through Kafka,
 * ingest, detect and match on the embedded stack, then scores what landed in
 * ClickHouse (`yunlian.signals`, `yunlian.matches`) against the ground truth.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      firms: { type: 'string' },
      to: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write('Usage: npm run eval -- [--seed n (default: fresh)] [--firms n (600)] [--to YYYY-MM-DD (2020-12-31)] [--json out.json]\n');
    return 0;
  }
  const seed = values.seed === undefined ? Math.floor(Date.now() % 1_000_000) : Number(values.seed);
  const calendar = createWorkingCalendar({ closures: loadClosures() });
  const options = presetOptions('eval', calendar, {
    seed,
    ...(values.firms ? { firms: Number(values.firms) } : {}),
    ...(values.to ? { to: isoToDay(values.to) } : {}),
  });
  const logger = createLogger('eval', { level: 'warn' });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'yunlian-eval-'));
  const started = performance.now();
  const say = (line: string) => process.stderr.write(line + '\n');
  say(`eval: seed ${seed}, ${options.firms} firms, ${dayToIso(options.from)}..${dayToIso(options.to)}; data dir ${dataDir}`);
  const system = await startEmbeddedSystem({ dataDir, logger, pipelines: ['ingest', 'detect', 'match'], clickhousePort: 0 });
  try {
    const scenario = createScenario(options);
    const admin = system.services.kafka.admin();
    await admin.connect();
    let lastPrint = 0;
    const produced = await streamScenario({
      arrivals: scenario.arrivals(),
      producer: system.services.producer,
      codecs: system.services.codecs.invoiceEvents,
      eventsPerSecond: Infinity,
      lagGates: pipelineLagGates(admin, ['ingest', 'detect', 'match'], logger),
      onProgress: (n, last) => {
        if (Date.now() - lastPrint < 5000) return;
        lastPrint = Date.now();
        say(`  … ${n} events produced, event time ${last.issued_at.slice(0, 10)}`);
      },
    });
    say(`  produced ${produced} events in ${((performance.now() - started) / 1000).toFixed(1)} s; waiting for the pipelines to drain…`);
    await waitForConsumersDone(
      admin,
      [...DISTRICTS.map((d) => ({ groupId: GROUPS.ingest, topic: invoiceTopic(d) })), { groupId: GROUPS.detect, topic: TOPICS.invoiceLegs }, ...MATCH_CONSUMPTION],
      { timeoutMs: 600_000, stableMs: 4000 },
    );
    await admin.disconnect();
    const signals = await system.services.clickhouse
      .query({
        query: `SELECT signal_id, signal_type, enterprise_tax_id, partner_tax_id, toUnixTimestamp64Milli(opened_at) AS opened_at_ms,
                       if(status = 'RESOLVED', toUnixTimestamp64Milli(event_time), NULL) AS resolved_at_ms,
                       toString(window_start) AS window_start, toString(window_end) AS window_end
                FROM yunlian.signals FINAL`,
        format: 'JSONEachRow',
      })
      .then((rs) => rs.json<DetectedSignal & { opened_at_ms: string | number; resolved_at_ms: string | number | null }>());
    const detected = signals.map((s) => ({ ...s, opened_at_ms: Number(s.opened_at_ms), resolved_at_ms: s.resolved_at_ms === null ? null : Number(s.resolved_at_ms) }));
    const [{ max_ms }] = await system.services.clickhouse
      .query({ query: 'SELECT toUnixTimestamp64Milli(max(issued_at)) AS max_ms FROM yunlian.invoices', format: 'JSONEachRow' })
      .then((rs) => rs.json<{ max_ms: string }>()) as [{ max_ms: string }];
    const evaluatedThrough = scoringHorizon(calendar, Number(max_ms), DEFAULT_DETECTOR_CONFIG);
    const scores = scoreSignals(scenario.truth, detected, { calendar, evaluatedThrough });
    const seconds = (performance.now() - started) / 1000;
    printScores(scores, `yunlian detection quality — seed ${seed}, ${options.firms} firms, ${produced} events, ${seconds.toFixed(0)} s end to end through Kafka and the pipelines, scored on ClickHouse yunlian.signals; recall over labels observable through ${dayToIso(evaluatedThrough)} (the last ${DEFAULT_DETECTOR_CONFIG.dropMaxConfirmDays} closed working days are censored)`);
    const matches = await evaluateMatches(system.services.clickhouse, scenario.truth, scenario.firms);
    printMatchQuality(matches, `yunlian match quality — seed ${seed}, scored on ClickHouse yunlian.matches against the replacements the scenario makes plausible`);
    const out = values.json ?? path.join('bench', 'results', `eval-seed${seed}.json`);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify({ seed, firms: options.firms, events: produced, seconds, evaluatedThrough: dayToIso(evaluatedThrough), scores, matches }, null, 2));
    say(`details (false positives, misses) written to ${out}`);
    const detectionPass = scores.every((s) => (s.precision ?? 1) >= 0.95 && (s.recall ?? 1) >= 0.95 && s.holidayFalsePositives === 0 && (s.medianDelayWorkingDays ?? 0) <= 3);
    return detectionPass && matches.pass ? 0 : 1;
  } finally {
    await system.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`eval failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(2);
  },
);
