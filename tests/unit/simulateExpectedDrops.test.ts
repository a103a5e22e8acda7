import { describe, expect, it } from 'vitest';
import { BASELINE, baselineMedians, DROP_WINDOW, MIN_HISTORY } from '../../src/simulate/expectedDrops.ts';
import { createPrng } from '../../src/simulate/prng.ts';

/** The definition, sorted afresh per day: the median of the DROP_WINDOW-day sums ending in [i − BASELINE, i − DROP_WINDOW]. */
function medianByDefinition(sums: readonly number[], i: number): number | null {
  if (i - DROP_WINDOW + 1 < MIN_HISTORY) return null;
  const window = sums.slice(Math.max(DROP_WINDOW - 1, i - BASELINE), i - DROP_WINDOW + 1).sort((a, b) => a - b);
  const mid = Math.floor(window.length / 2);
  return window.length % 2 === 1 ? window[mid]! : (window[mid - 1]! + window[mid]!) / 2;
}

describe('the drop baseline kept as a sliding sorted window', () => {
  it('gives the median of the definition on every day, repeated values and steps included', () => {
    const prng = createPrng(20201201);
    for (let round = 0; round < 40; round++) {
      const days = prng.int(1, 260);
      // Coarse values so that equal sums (the ones a removal must tell apart) are common.
      const flow = Array.from({ length: days }, () => (prng.chance(0.2) ? 0 : prng.int(0, 4) * 1_000 + (round % 3) * 0.5));
      const sums = flow.map((_, i) => (i < DROP_WINDOW - 1 ? Number.NaN : flow.slice(i - DROP_WINDOW + 1, i + 1).reduce((a, b) => a + b, 0)));
      const medians = baselineMedians(sums);
      expect(medians).toHaveLength(days);
      for (let i = 0; i < days; i++) expect(medians[i], `round ${round}, day ${i}`).toBe(medianByDefinition(sums, i));
    }
  });
});
