import type { TypeScore } from './scoreSignals.ts';

function pct(v: number | null): string {
  return v === null ? '   n/a' : `${(v * 100).toFixed(1).padStart(5)}%`;
}

/** The per-type quality table of `npm run eval`. */
export function printScores(scores: readonly TypeScore[], title: string): void {
  const lines = [
    title,
    '',
    'type               signals  precision  recall (found/labels)  implied found  median delay (wd)  holiday FP',
    ...scores.map((s) =>
      [
        s.type.padEnd(18),
        String(s.signals).padStart(7),
        pct(s.precision).padStart(10),
        `${pct(s.recall)} (${s.primaryFound}/${s.primaryLabels})`.padStart(22),
        `${s.impliedFound}/${s.impliedLabels}`.padStart(14),
        (s.medianDelayWorkingDays === null ? 'n/a' : String(s.medianDelayWorkingDays)).padStart(18),
        String(s.holidayFalsePositives).padStart(11),
      ].join(' '),
    ),
    '',
    'targets: precision ≥ 95 %, recall ≥ 95 %, 0 holiday false positives, median delay ≤ 3 working days',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
