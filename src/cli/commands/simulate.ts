import type { Command } from '../command.ts';
import { UsageError, intFlag, parseFlags } from '../command.ts';
import { createWorkingCalendar } from '../../calendar/chineseWorkingCalendar.ts';
import { loadClosures } from '../../calendar/loadClosures.ts';
import { dayToIso, isoToDay } from '../../calendar/workingCalendar.ts';
import { createScenario } from '../../simulate/simulateScenario.ts';
import { isScenarioPresetName, presetOptions, SCENARIO_PRESETS } from '../../simulate/scenarioPresets.ts';
import { writeScenario } from '../../simulate/writeScenario.ts';

const USAGE = `
Usage: yunlian simulate --out <dir> [--preset live|eval] [--seed n] [--firms n] [--from YYYY-MM-DD] [--to YYYY-MM-DD]

Generates a seeded, reproducible three-district invoice history (2020 by default)
with injected disruptions and writes:
  <dir>/qingpu.jsonl, jiashan.jsonl, wujiang.jsonl   InvoiceEvents per feed, in arrival order
  <dir>/truth.json                                   ground-truth disruption labels
  <dir>/firms.json                                   firm profiles and supply links
Publish a feed with: yunlian produce --district qingpu --file <dir>/qingpu.jsonl

Options:
  --preset <name>     ${Object.entries(SCENARIO_PRESETS).map(([k, p]) => `${k}: ${p.description}`).join('; ')} (default eval)
  --seed <n>          PRNG seed (same seed, same bytes)
  --firms <n>         number of firms (≥ 30)
  --from, --to        date range, inclusive
  --closures <file>   regional closures JSON (default config/closures.json)
`;

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'generate a labelled 2020 invoice scenario (JSONL feeds + ground truth)',
  usage: USAGE,
  async run(argv) {
    const { values } = parseFlags(argv, {
      out: { type: 'string' },
      preset: { type: 'string' },
      seed: { type: 'string' },
      firms: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      closures: { type: 'string' },
    });
    if (!values.out) throw new UsageError('--out <dir> is required');
    const preset = values.preset ?? 'eval';
    if (!isScenarioPresetName(preset)) throw new UsageError(`--preset must be one of ${Object.keys(SCENARIO_PRESETS).join(', ')}`);
    const day = (v: string | undefined, name: string) => {
      if (v === undefined) return undefined;
      try {
        return isoToDay(v);
      } catch {
        throw new UsageError(`--${name} must be a date YYYY-MM-DD, got '${v}'`);
      }
    };
    const calendar = createWorkingCalendar({ closures: loadClosures(values.closures) });
    let lastPrint = 0;
    const started = performance.now();
    const options = presetOptions(preset, calendar, {
      ...(values.seed !== undefined ? { seed: intFlag(values.seed, 'seed', 0) } : {}),
      ...(values.firms !== undefined ? { firms: intFlag(values.firms, 'firms', 300, 30) } : {}),
      ...(values.from !== undefined ? { from: day(values.from, 'from') } : {}),
      ...(values.to !== undefined ? { to: day(values.to, 'to') } : {}),
      onProgress: ({ day: d, events }) => {
        if (Date.now() - lastPrint < 1000) return;
        lastPrint = Date.now();
        process.stderr.write(`… simulated through ${dayToIso(d)}: ${events} events\n`);
      },
    });
    const scenario = createScenario(options);
    const files = await writeScenario(values.out, scenario);
    const seconds = (performance.now() - started) / 1000;
    const s = scenario.stats;
    process.stdout.write(
      [
        `wrote ${s.events} events in ${seconds.toFixed(1)} s (${Math.round(s.events / seconds)}/s) for ${options.firms} firms, ${dayToIso(options.from)}..${dayToIso(options.to)}, seed ${options.seed}`,
        `  feeds: ${Object.entries(files.feeds).map(([d, f]) => `${d} ${s.by_feed[d as keyof typeof s.by_feed]} → ${f}`).join('; ')}`,
        `  issued ${s.issued}, voided ${s.voided}, red-letter ${s.red_letter}, duplicates ${s.duplicates}, late ${s.late} (max ${s.max_lateness_hours.toFixed(1)} h)`,
        `  ground truth: ${scenario.truth.labels.length} labels → ${files.truth}`,
      ].join('\n') + '\n',
    );
    return 0;
  },
};
