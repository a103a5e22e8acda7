import type { Admin } from 'kafkajs';
import { withRetry } from '../runtime/retry.ts';

export type TopicOffsets = Awaited<ReturnType<Admin['fetchTopicOffsets']>>;

const ATTEMPTS = 5;
const PAUSE_MS = 20;

/**
 * `admin.fetchTopicOffsets`, tried again when kafkajs trips over its own
 * metadata cache (kafkajs#461, open upstream). When one client starts using
 * several topics at once, a metadata refresh that began before a topic was
 * added can land after the refresh that included it; a caller waiting on the
 * older refresh then finds the topic missing from the cache, and kafkajs
 * throws a TypeError ("Cannot destructure property 'partitions' of
 * 'high.pop(...)'") instead of returning offsets. The next call refreshes the
 * cache because the topic is missing from it, so trying again succeeds; any
 * other error is kafkajs's own, already retried, and passes through.
 * Seen in CI: the bench's lag gate and progress sampler share one admin.
 */
export function fetchTopicOffsets(admin: Admin, topic: string): Promise<TopicOffsets> {
  return withRetry(() => admin.fetchTopicOffsets(topic), {
    maxAttempts: ATTEMPTS,
    initialDelayMs: PAUSE_MS,
    maxDelayMs: PAUSE_MS,
    jitter: 0,
    shouldRetry: (error) => error instanceof TypeError,
  });
}
