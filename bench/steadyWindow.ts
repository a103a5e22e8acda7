/** How far a run had got at one instant: `done` units (legs committed by detect) `atMs` after it started. */
export interface ProgressSample {
  atMs: number;
  done: number;
}

/** The rate over the middle of a run, between two shares of its total. */
export interface SteadyWindow {
  /** Seconds after the start at which `fromShare` and `toShare` of the total were done (interpolated between samples). */
  fromSeconds: number;
  toSeconds: number;
  /** Units done per second inside the window. */
  rate: number;
  /** The shares of the total the window runs between. */
  fromShare: number;
  toShare: number;
}

/**
 * The rate between the instants a run had done `fromShare` and `toShare` of
 * `total` units, so that neither its start (threads compiling their hot code,
 * the first fetches and group commits) nor its tail (the last snapshot and
 * commit) counts. Crossing instants are interpolated linearly between the two
 * samples around them. Null when the samples never reach `toShare`, or the
 * window is empty (both shares crossed between the same two samples is fine:
 * the interpolation still gives a span). Samples must be in time order with
 * `done` never falling. Pure.
 */
export function steadyWindow(samples: readonly ProgressSample[], total: number, fromShare = 0.2, toShare = 0.8): SteadyWindow | null {
  if (!(total > 0) || !(fromShare >= 0 && fromShare < toShare && toShare <= 1)) return null;
  const from = crossing(samples, fromShare * total);
  const to = crossing(samples, toShare * total);
  if (from === null || to === null || !(to > from)) return null;
  return { fromSeconds: from / 1000, toSeconds: to / 1000, rate: ((toShare - fromShare) * total) / ((to - from) / 1000), fromShare, toShare };
}

/** The instant (ms) `done` first reached `level`, interpolated; null if it never did. */
function crossing(samples: readonly ProgressSample[], level: number): number | null {
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    if (s.done < level) continue;
    const p = samples[i - 1];
    if (p === undefined || s.done === p.done) return s.atMs;
    return p.atMs + ((level - p.done) / (s.done - p.done)) * (s.atMs - p.atMs);
  }
  return null;
}

/**
 * Reads `read()` every `everyMs` until stopped, timing each reading from
 * `startedAtMs` (Date.now scale). A failed reading is skipped, not fatal: the
 * window is a secondary figure and the run's own clock does not depend on it.
 */
export function sampleProgress(read: () => Promise<number>, startedAtMs: number, everyMs: number): { stop: () => Promise<ProgressSample[]> } {
  const samples: ProgressSample[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const done = await read();
        samples.push({ atMs: Date.now() - startedAtMs, done });
      } catch {
        // Skipped: see above.
      }
      if (!stopped) await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return samples;
    },
  };
}
