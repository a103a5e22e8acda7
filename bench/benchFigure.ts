/**
 * One measured (or derived) figure of the benchmark, with what it was
 * measured on, side by side with the naive baseline's figure for the same
 * input. Every figure says whether it was extrapolated, so a reader never
 * mistakes an estimate for a measurement.
 */
export interface BenchFigure {
  /** Stable id, e.g. `stage.decode`, `e2e.throughput`. */
  id: string;
  label: string;
  unit: string;
  yunlian: number | null;
  naive: number | null;
  /** yunlian ÷ naive, oriented so that > 1 means yunlian is better (inverted for times and bytes). */
  advantage: number | null;
  /** Input the figure was measured on (events, legs, firms, rows, …). */
  input: Record<string, number | string>;
  /** Which side(s) were extrapolated and how. */
  extrapolated: { yunlian: boolean; naive: boolean; how?: string };
  /** What the naive side is, and anything a reader must know to trust the number. */
  notes: string;
  /** The issue 9 target for this figure, when there is one. */
  target?: { text: string; met: boolean | null };
}

export type Better = 'higher' | 'lower';

/** yunlian's advantage over the naive baseline, > 1 meaning yunlian is better. */
export function advantageOf(yunlian: number | null, naive: number | null, better: Better): number | null {
  if (yunlian === null || naive === null || yunlian <= 0 || naive <= 0) return null;
  return better === 'higher' ? yunlian / naive : naive / yunlian;
}

/** Events (or rows, legs) per second; null when nothing was measured. */
export function ratePerSecond(count: number, seconds: number): number | null {
  return count > 0 && seconds > 0 ? count / seconds : null;
}
