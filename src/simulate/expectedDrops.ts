/** The drops DESIGN.md section 4 defines, found in an expected (noise-free) daily flow: what the ground truth labels. */
export const DROP_LEVEL = 0.4;
export const DROP_WINDOW = 10;
/** The drop baseline: 60 working days, judged once 30 of them exist (DESIGN.md section 4 defaults). */
export const BASELINE = 60;
const MIN_HISTORY = 30;

/** One drop of an expected daily flow, as indices into the working days it was computed over. */
export interface ExpectedDrop {
  /** The first day at the collapsed level: the last step down at or before `observable`. */
  start: number;
  /** The first day the DESIGN.md rule holds: 10-day sum < 40 % of the baseline median. */
  observable: number;
  /** The first day the flow is back to 40 % of the baseline frozen at `observable`, or the baseline has absorbed the new level; null = never. */
  end: number | null;
  /** Expected flow over the episode relative to that baseline, its highest value (0–1). */
  level: number;
}

/**
 * The drops DESIGN.md section 4 defines, found in an expected daily flow
 * (one value per working day): on day i the DROP_WINDOW-day sum ending at i is
 * below `dropLevel` (DROP_LEVEL unless asked) × the median of the DROP_WINDOW-day
 * sums ending in [i − BASELINE, i − DROP_WINDOW] (at least MIN_HISTORY days of
 * history); the episode ends when the flow is back to `dropLevel` × that baseline.
 * O(days × BASELINE log BASELINE).
 */
export function expectedDrops(flow: readonly number[], dropLevel: number = DROP_LEVEL): ExpectedDrop[] {
  const sums: number[] = [];
  let rolling = 0;
  for (let i = 0; i < flow.length; i++) {
    rolling += flow[i]! - (i >= DROP_WINDOW ? flow[i - DROP_WINDOW]! : 0);
    sums.push(i >= DROP_WINDOW - 1 ? rolling : Number.NaN);
  }
  const baselineAt = (i: number): number | null => {
    if (i - DROP_WINDOW + 1 < MIN_HISTORY) return null;
    const window: number[] = [];
    for (let j = Math.max(DROP_WINDOW - 1, i - BASELINE); j <= i - DROP_WINDOW; j++) window.push(sums[j]!);
    if (window.length === 0) return null;
    window.sort((a, b) => a - b);
    const mid = Math.floor(window.length / 2);
    return window.length % 2 === 1 ? window[mid]! : (window[mid - 1]! + window[mid]!) / 2;
  };
  const out: ExpectedDrop[] = [];
  let resumedAt = 0;
  for (let i = 0; i < flow.length; i++) {
    const baseline = baselineAt(i);
    if (baseline === null || baseline <= 0 || !(sums[i]! < dropLevel * baseline)) continue;
    let start = i;
    while (start > 0 && !(flow[start - 1]! > flow[start]!)) start--;
    // The window still holding the days of an episode that already ended is that episode's tail, not a new drop.
    if (start < resumedAt) continue;
    let end: number | null = null;
    let level = flow[i]! * DROP_WINDOW / baseline;
    for (let j = i + 1; j < flow.length; j++) {
      const now = baselineAt(j);
      if (flow[j]! * DROP_WINDOW >= dropLevel * baseline || (now !== null && sums[j]! >= dropLevel * now)) {
        end = j;
        break;
      }
      level = Math.max(level, flow[j]! * DROP_WINDOW / baseline);
    }
    out.push({ start, observable: i, end, level });
    if (end === null) break;
    resumedAt = end;
    i = end - 1;
  }
  return out;
}

/** Whether two drops of the same flow share a day (an open end runs to the end of the flow). */
export function dropsOverlap(a: ExpectedDrop, b: ExpectedDrop): boolean {
  return a.start < (b.end ?? Number.POSITIVE_INFINITY) && b.start < (a.end ?? Number.POSITIVE_INFINITY);
}
