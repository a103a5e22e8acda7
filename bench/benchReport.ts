import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchFigure } from './benchFigure.ts';
import type { BenchOptions } from './benchOptions.ts';
import type { MachineInfo } from './machineInfo.ts';

/** What one run writes to bench/results/<timestamp>.json and latest.json. */
export interface BenchResult {
  benchmark: 'yunlian issue 9: end-to-end throughput, alert latency and state against a naive baseline';
  started_at: string;
  wall_seconds: number;
  machine: MachineInfo;
  options: Omit<BenchOptions, 'parts'> & { parts: string[] };
  figures: BenchFigure[];
  /** Raw measurements behind the figures (latency histograms, e2e counts, scenario sizes). */
  details: Record<string, unknown>;
}

function formatNumber(x: number | null, unit: string): string {
  if (x === null || !Number.isFinite(x)) return '—';
  if (unit === 's' || unit === 'min') return x >= 100 ? x.toFixed(0) : x.toFixed(1);
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString('en-US');
  if (Math.abs(x) >= 10) return x.toFixed(0);
  return x.toFixed(2);
}

/** The side-by-side table printed at the end of a run. `*` marks an extrapolated figure. */
export function formatTable(figures: readonly BenchFigure[]): string[] {
  const rows = figures.map((f) => [
    f.label,
    formatNumber(f.yunlian, f.unit) + (f.extrapolated.yunlian ? '*' : ''),
    formatNumber(f.naive, f.unit) + (f.extrapolated.naive ? '*' : ''),
    f.advantage === null ? '—' : `${f.advantage >= 100 ? f.advantage.toFixed(0) : f.advantage.toFixed(1)}×`,
    f.target === undefined ? '' : `${f.target.met === null ? '?' : f.target.met ? 'met' : 'MISSED'} (${f.target.text})`,
  ]);
  const header = ['figure', 'yunlian', 'naive', 'yunlian/naive', 'issue 9 target'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line), '  * extrapolated (see the figure notes in the result file)'];
}

/** Writes the result as <dir>/<timestamp>.json and <dir>/latest.json; returns the timestamped path. */
export function writeResult(result: BenchResult, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${result.started_at.replace(/[:.]/g, '-')}.json`);
  const text = JSON.stringify(result, null, 2) + '\n';
  writeFileSync(file, text);
  writeFileSync(path.join(dir, 'latest.json'), text);
  return file;
}
