/** The drops DESIGN.md section 4 defines, found in an expected (noise-free) daily flow: what the ground truth labels. */
export const DROP_LEVEL = 0.4;
export const DROP_WINDOW = 10;
/** The drop baseline: 60 working days, judged once 30 of them exist (DESIGN.md section 4 defaults). */
export const BASELINE = 60;
export const MIN_HISTORY = 30;

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
 * O(days × BASELINE).
 */
export function expectedDrops(flow: readonly number[], dropLevel: number = DROP_LEVEL): ExpectedDrop[] {
  const sums: number[] = [];
  let rolling = 0;
  for (let i = 0; i < flow.length; i++) {
    rolling += flow[i]! - (i >= DROP_WINDOW ? flow[i - DROP_WINDOW]! : 0);
    sums.push(i >= DROP_WINDOW - 1 ? rolling : Number.NaN);
  }
  const baselines = baselineMedians(sums);
  const out: ExpectedDrop[] = [];
  let resumedAt = 0;
  for (let i = 0; i < flow.length; i++) {
    const baseline = baselines[i]!;
    if (baseline === null || baseline <= 0 || !(sums[i]! < dropLevel * baseline)) continue;
    let start = i;
    while (start > 0 && !(flow[start - 1]! > flow[start]!)) start--;
    // The window still holding the days of an episode that already ended is that episode's tail, not a new drop.
    if (start < resumedAt) continue;
    let end: number | null = null;
    let level = flow[i]! * DROP_WINDOW / baseline;
    for (let j = i + 1; j < flow.length; j++) {
      const now = baselines[j]!;
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

/**
 * For each day i, the median of the DROP_WINDOW-day sums ending in [i − BASELINE, i − DROP_WINDOW] (null before
 * MIN_HISTORY days of history). The window slides by one sum a day, so it is kept sorted and updated in place
 * rather than sorted afresh each day: the ground truth runs this over two flows of every firm of a 14,000-firm
 * year, where sorting each day's window cost ~9 s. The same sums give the same median, so the result is identical.
 */
export function baselineMedians(sums: readonly number[]): Array<number | null> {
  const out: Array<number | null> = [];
  const window: number[] = [];
  let lo = DROP_WINDOW - 1;
  let hi = lo - 1;
  for (let i = 0; i < sums.length; i++) {
    if (i - DROP_WINDOW + 1 < MIN_HISTORY) {
      out.push(null);
      continue;
    }
    // The window is sums[lo..hi]: add the newest sum, drop the ones that fell out of the baseline.
    for (const top = i - DROP_WINDOW; hi < top; ) insertSorted(window, sums[++hi]!);
    for (const bottom = Math.max(DROP_WINDOW - 1, i - BASELINE); lo < bottom; lo++) removeSorted(window, sums[lo]!);
    if (window.length === 0) {
      out.push(null);
      continue;
    }
    const mid = Math.floor(window.length / 2);
    out.push(window.length % 2 === 1 ? window[mid]! : (window[mid - 1]! + window[mid]!) / 2);
  }
  return out;
}

/** Index of the first element of ascending `sorted` that is not below `value`. */
function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(sorted: number[], value: number): void {
  sorted.splice(lowerBound(sorted, value), 0, value);
}

function removeSorted(sorted: number[], value: number): void {
  sorted.splice(lowerBound(sorted, value), 1);
}
