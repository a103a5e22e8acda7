import { describe, expect, it } from 'vitest';
import { sampleProgress, steadyWindow } from '../../bench/steadyWindow.ts';

describe('the steady window of an end-to-end run', () => {
  it('leaves out a slow start and tail, interpolating the crossings between samples', () => {
    // 1 s of start-up with nothing done, then 100 units a second up to 800, then a slow tail.
    const samples = [
      { atMs: 0, done: 0 },
      { atMs: 1000, done: 0 },
      { atMs: 2000, done: 100 },
      { atMs: 5000, done: 400 },
      { atMs: 9000, done: 800 },
      { atMs: 14000, done: 1000 },
    ];
    const w = steadyWindow(samples, 1000);
    expect(w).not.toBeNull();
    // 200 done at 3 s, 800 at 9 s: 600 units in 6 s.
    expect(w!.fromSeconds).toBeCloseTo(3, 10);
    expect(w!.toSeconds).toBeCloseTo(9, 10);
    expect(w!.rate).toBeCloseTo(100, 10);
    // Over the whole run the same samples give 1000 / 14 s: the start and tail are what the window leaves out.
    expect(1000 / 14).toBeLessThan(w!.rate * 0.8);
  });

  it('takes the sample itself when the level is met exactly or by the first sample', () => {
    expect(steadyWindow([{ atMs: 500, done: 50 }, { atMs: 1500, done: 100 }], 100, 0.5, 1)).toEqual({ fromSeconds: 0.5, toSeconds: 1.5, rate: 50, fromShare: 0.5, toShare: 1 });
  });

  it('gives no window for a run that never got there, an empty total, or shares out of order', () => {
    const samples = [{ atMs: 0, done: 0 }, { atMs: 1000, done: 70 }];
    expect(steadyWindow(samples, 100)).toBeNull();
    expect(steadyWindow(samples, 0)).toBeNull();
    expect(steadyWindow(samples, 100, 0.5, 0.2)).toBeNull();
    expect(steadyWindow([], 100)).toBeNull();
  });

  it('samples a reading until stopped, skipping failed readings', async () => {
    let n = 0;
    const sampler = sampleProgress(
      async () => {
        n++;
        if (n === 2) throw new Error('broker busy');
        return n * 10;
      },
      Date.now(),
      5,
    );
    await new Promise((r) => setTimeout(r, 60));
    const samples = await sampler.stop();
    const calls = n;
    await new Promise((r) => setTimeout(r, 30));
    expect(n).toBe(calls);
    expect(samples.length).toBeGreaterThanOrEqual(2);
    expect(samples.map((s) => s.done)).not.toContain(20);
    for (let i = 1; i < samples.length; i++) expect(samples[i]!.atMs).toBeGreaterThanOrEqual(samples[i - 1]!.atMs);
  });
});
