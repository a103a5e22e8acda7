import { availableParallelism } from 'node:os';
import { MAX_DETECT_THREADS } from '../runtime/config.ts';
import { ConfigError } from '../runtime/errors.ts';
import type { PipelineThreads } from './embeddedSystem.ts';

/**
 * Detect threads of the embedded stack unless asked otherwise: two with pipeline worker threads on a machine
 * with two cores or more, else one. As detect's state grows over a year its one thread becomes the stage that
 * sets the pace (busy 82 % of the wall), and two threads split its partitions: the one-year replay (14,000
 * firms, 10M events, 2 cores, same day and code) drained in 12.8 min with two against 15.0 min with one, on
 * 5 % less CPU (docs/performance.md, "Session 11"). Slices of 300k events do not separate the two: their
 * detect thread idles a third of the time.
 */
export function defaultDetectThreads(pipelineThreads: PipelineThreads, cores: number = availableParallelism()): number {
  return pipelineThreads === 'worker' && cores >= 2 ? 2 : 1;
}

/**
 * How many threads run detect: `requested`, or defaultDetectThreads. Throws ConfigError for a count
 * outside 1..MAX_DETECT_THREADS, or more than one on the main thread (the
 * threads are worker threads).
 */
export function resolveDetectThreads(pipelineThreads: PipelineThreads, requested: number | undefined): number {
  if (requested === undefined) return defaultDetectThreads(pipelineThreads);
  if (!Number.isInteger(requested) || requested < 1 || requested > MAX_DETECT_THREADS) {
    throw new ConfigError(`detect threads (--detect-threads, YUNLIAN_DETECT_THREADS) must be a whole number from 1 to ${MAX_DETECT_THREADS}, got ${requested}`, { code: 'DETECT_THREADS' });
  }
  if (requested > 1 && pipelineThreads === 'main') {
    throw new ConfigError(`${requested} detect threads need pipeline threads 'worker': with 'main' detect runs once, on the main thread (use --pipeline-threads worker, or 1 detect thread)`, { code: 'DETECT_THREADS' });
  }
  return requested;
}
