import { MAX_DETECT_THREADS } from '../runtime/config.ts';
import { ConfigError } from '../runtime/errors.ts';
import type { PipelineThreads } from './embeddedSystem.ts';

/**
 * Detect threads of the embedded stack with pipeline worker threads. Detect
 * alone set the pace of a run (its one thread busy ~88 % while the process
 * used ~1.7 of 2 cores); its state is per leg partition, so a second member
 * of the group takes half the partitions onto the other core.
 */
export const DEFAULT_WORKER_DETECT_THREADS = 2;

/**
 * How many threads run detect: `requested`, or the default of the mode (2
 * with worker threads, 1 on the main thread). Throws ConfigError for a count
 * outside 1..MAX_DETECT_THREADS, or more than one on the main thread (the
 * threads are worker threads).
 */
export function resolveDetectThreads(pipelineThreads: PipelineThreads, requested: number | undefined): number {
  if (requested === undefined) return pipelineThreads === 'worker' ? DEFAULT_WORKER_DETECT_THREADS : 1;
  if (!Number.isInteger(requested) || requested < 1 || requested > MAX_DETECT_THREADS) {
    throw new ConfigError(`detect threads (--detect-threads, YUNLIAN_DETECT_THREADS) must be a whole number from 1 to ${MAX_DETECT_THREADS}, got ${requested}`, { code: 'DETECT_THREADS' });
  }
  if (requested > 1 && pipelineThreads === 'main') {
    throw new ConfigError(`${requested} detect threads need pipeline threads 'worker': with 'main' detect runs once, on the main thread (use --pipeline-threads worker, or 1 detect thread)`, { code: 'DETECT_THREADS' });
  }
  return requested;
}
