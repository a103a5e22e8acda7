import { MAX_DETECT_THREADS } from '../runtime/config.ts';
import { ConfigError } from '../runtime/errors.ts';
import type { PipelineThreads } from './embeddedSystem.ts';

/**
 * Detect threads of the embedded stack unless asked otherwise: one. On 2 cores
 * a second thread drained no sooner and cost 8–14 % more CPU
 * (docs/performance.md, "Detect in two worker threads"): detect's one thread
 * ran ~62 % of the wall time, the stack as a whole set the pace. With more
 * cores, where detect's thread saturates, more threads split its partitions.
 */
export const DEFAULT_DETECT_THREADS = 1;

/**
 * How many threads run detect: `requested`, or 1. Throws ConfigError for a count
 * outside 1..MAX_DETECT_THREADS, or more than one on the main thread (the
 * threads are worker threads).
 */
export function resolveDetectThreads(pipelineThreads: PipelineThreads, requested: number | undefined): number {
  if (requested === undefined) return DEFAULT_DETECT_THREADS;
  if (!Number.isInteger(requested) || requested < 1 || requested > MAX_DETECT_THREADS) {
    throw new ConfigError(`detect threads (--detect-threads, YUNLIAN_DETECT_THREADS) must be a whole number from 1 to ${MAX_DETECT_THREADS}, got ${requested}`, { code: 'DETECT_THREADS' });
  }
  if (requested > 1 && pipelineThreads === 'main') {
    throw new ConfigError(`${requested} detect threads need pipeline threads 'worker': with 'main' detect runs once, on the main thread (use --pipeline-threads worker, or 1 detect thread)`, { code: 'DETECT_THREADS' });
  }
  return requested;
}
