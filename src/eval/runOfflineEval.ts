import { parseArgs } from 'node:util';
import { createWorkingCalendar } from '../calendar/chineseWorkingCalendar.ts';
import { loadClosures } from '../calendar/loadClosures.ts';
import { dayOfInstant, dayToIso, isoToDay } from '../calendar/workingCalendar.ts';
import { createScenario } from '../simulate/simulateScenario.ts';
import { presetOptions } from '../simulate/scenarioPresets.ts';
import { DEFAULT_DETECTOR_CONFIG } from '../../pipelines/detect/detectorConfig.ts';
import { detectOffline } from './offlineDetect.ts';
import { scoreSignals, type DetectedSignal } from './scoreSignals.ts';
import { scoringHorizon } from './scoringHorizon.ts';
import { printScores } from './printScores.ts';

/** `npm run eval:offline -- --seed n`: the detection quality loop in seconds, without Kafka or ClickHouse. */
const { values } = parseArgs({ options: { seed: { type: 'string' }, firms: { type: 'string' }, to: { type: 'string' }, verbose: { type: 'boolean' } } });
const seed = values.seed === undefined ? 7 : Number(values.seed);
const calendar = createWorkingCalendar({ closures: loadClosures() });
const options = presetOptions('eval', calendar, { seed, ...(values.firms ? { firms: Number(values.firms) } : {}), ...(values.to ? { to: isoToDay(values.to) } : {}) });
const started = performance.now();
const scenario = createScenario(options);
const result = detectOffline(scenario.arrivals(), { calendar, config: DEFAULT_DETECTOR_CONFIG, now: () => 0 });
const resolvedAt = new Map(result.signals.filter((s) => s.status === 'RESOLVED').map((s) => [s.signal_id, s.event_time_ms]));
const detected: DetectedSignal[] = result.signals
  .filter((s) => s.status === 'OPEN')
  .map((s) => ({ signal_id: s.signal_id, signal_type: s.signal_type as DetectedSignal['signal_type'], enterprise_tax_id: s.enterprise_tax_id, partner_tax_id: s.partner_tax_id, opened_at_ms: s.event_time_ms, resolved_at_ms: resolvedAt.get(s.signal_id) ?? null, window_start: s.window_start, window_end: s.window_end }));
const evaluatedThrough = scoringHorizon(calendar, result.maxEventMs, DEFAULT_DETECTOR_CONFIG);
const scores = scoreSignals(scenario.truth, detected, { calendar, evaluatedThrough });
printScores(scores, `offline detection quality — seed ${seed}, ${options.firms} firms, ${scenario.stats.events} events, ${((performance.now() - started) / 1000).toFixed(1)} s, late legs ${result.lateLegs}, duplicate legs ${result.duplicateLegs}, recall over labels observable through ${dayToIso(evaluatedThrough)} (the last ${DEFAULT_DETECTOR_CONFIG.dropMaxConfirmDays} closed working days are censored)`);
if (values.verbose) {
  for (const s of scores) {
    for (const fp of s.falsePositiveExamples) process.stdout.write(`FP ${s.type} ${fp.enterprise_tax_id} partner=${fp.partner_tax_id} fired=${dayToIso(dayOfInstant(fp.opened_at_ms) - 1)} window=${fp.window_start}..${fp.window_end}\n`);
    for (const m of s.missedExamples) process.stdout.write(`MISS ${s.type} ${m.enterprise_tax_id} partner=${m.partner_tax_id} start=${m.start_day} observable=${m.observable_from} end=${m.end_day} cause=${m.cause}\n`);
  }
}
