import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { defaultDetectThreads, resolveDetectThreads } from '../../src/embedded/detectThreads.ts';
import { ConfigError } from '../../src/runtime/errors.ts';

describe('detect threads of the embedded stack', () => {
  it('default to two with pipeline worker threads on two cores or more, else to one', () => {
    expect(defaultDetectThreads('worker', 2)).toBe(2);
    expect(defaultDetectThreads('worker', 16)).toBe(2);
    expect(defaultDetectThreads('worker', 1)).toBe(1);
    expect(defaultDetectThreads('main', 2)).toBe(1);
    // Unasked, the count is the default for this machine's cores.
    expect(resolveDetectThreads('worker', undefined)).toBe(availableParallelism() >= 2 ? 2 : 1);
    expect(resolveDetectThreads('main', undefined)).toBe(1);
  });

  it('take the count asked for, from 1 to 8, with worker threads', () => {
    expect(resolveDetectThreads('worker', 1)).toBe(1);
    expect(resolveDetectThreads('worker', 8)).toBe(8);
    expect(resolveDetectThreads('main', 1)).toBe(1);
  });

  it('refuse a count outside 1 to 8 or not whole, naming the flag and the variable', () => {
    for (const bad of [0, 9, 1.5, Number.NaN]) {
      expect(() => resolveDetectThreads('worker', bad)).toThrow(ConfigError);
    }
    expect(() => resolveDetectThreads('worker', 9)).toThrow('detect threads (--detect-threads, YUNLIAN_DETECT_THREADS) must be a whole number from 1 to 8, got 9');
  });

  it('refuse more than one detect thread on the main thread, saying what to change', () => {
    expect(() => resolveDetectThreads('main', 2)).toThrow(/2 detect threads need pipeline threads 'worker'.*--pipeline-threads worker, or 1 detect thread/);
  });
});
