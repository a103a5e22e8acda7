import { isRetriable } from './errors.ts';

export interface RetryOptions {
  /** Attempts in total, including the first; Infinity retries forever (pipelines never skip data). */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** 0..1: share of each delay that is randomised, so restarts do not stampede. */
  jitter: number;
  /** Which errors to retry; defaults to `isRetriable`. */
  shouldRetry?: (error: unknown) => boolean;
  onRetry?: (info: { error: unknown; attempt: number; delayMs: number }) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  signal?: AbortSignal;
}

export const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: Infinity,
  initialDelayMs: 200,
  maxDelayMs: 10_000,
  jitter: 0.2,
};

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Delay before retry number `attempt` (1-based): exponential, capped, jittered. */
export function backoffDelay(attempt: number, opts: Pick<RetryOptions, 'initialDelayMs' | 'maxDelayMs' | 'jitter'>, random: () => number = Math.random): number {
  const base = Math.min(opts.maxDelayMs, opts.initialDelayMs * 2 ** (attempt - 1));
  const spread = base * opts.jitter;
  return Math.max(0, Math.round(base - spread + random() * 2 * spread));
}

/**
 * Runs `fn` until it succeeds, retrying only errors that `shouldRetry` accepts.
 * Throws the last error once attempts run out, or at once for a non-retriable error,
 * or an AbortError when `signal` aborts while waiting.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: Partial<RetryOptions> = {}): Promise<T> {
  const opts = { ...DEFAULT_RETRY, ...options };
  const shouldRetry = opts.shouldRetry ?? isRetriable;
  const sleep = opts.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= opts.maxAttempts || !shouldRetry(error) || opts.signal?.aborted) throw error;
      const delayMs = backoffDelay(attempt, opts, opts.random);
      opts.onRetry?.({ error, attempt, delayMs });
      await sleep(delayMs);
      if (opts.signal?.aborted) throw error;
    }
  }
}
