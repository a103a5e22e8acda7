import type { Admin } from 'kafkajs';
import { waitForConsumersDone, type ConsumerPair } from '../src/eval/waitForConsumers.ts';

/** How often a run still draining is reported. */
const REPORT_EVERY_MS = 10_000;

/**
 * The bench's drain clock: waitForConsumersDone over `pairs` (in data-flow
 * order), returning the wall-clock time the lag was first zero everywhere,
 * with each pair's lag reported every 10 s while it drains.
 */
export async function waitUntilDrained(
  admin: Admin,
  pairs: readonly ConsumerPair[],
  /**
   * `onZero` runs when the lag is seen zero after being non-zero: a reading taken there belongs to the instant returned, if the zero holds.
   * `pollMs` (default 50): the drain is seen up to one poll late, which at 200 ms was 2–4 % of a 5-second run.
   */
  opts: { timeoutMs: number; stableMs: number; pollMs?: number; onLag?: (lagByPair: string) => void; onZero?: () => void },
): Promise<number> {
  let lastReport = Date.now();
  return waitForConsumersDone(admin, pairs, {
    timeoutMs: opts.timeoutMs,
    stableMs: opts.stableMs,
    pollMs: opts.pollMs ?? 50,
    onZero: opts.onZero,
    onWait: (_lag, lagByPair) => {
      if (Date.now() - lastReport < REPORT_EVERY_MS) return;
      lastReport = Date.now();
      opts.onLag?.(pairs.map(({ groupId, topic }, i) => `${groupId}@${topic}=${lagByPair[i]}`).join(' '));
    },
  });
}
