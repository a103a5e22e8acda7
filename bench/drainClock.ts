import type { Admin } from 'kafkajs';
import { partitionLags } from '../src/kafka/lagGate.ts';

export interface ConsumerPair {
  groupId: string;
  topic: string;
}

/**
 * Polls committed-offset lag of every (group, topic), in data-flow order, and
 * returns the wall-clock time it was first zero everywhere (then checks it
 * stays zero for `stableMs`, restarting if not). Committed offsets are the
 * right signal: ingest commits after its rows and legs are written, detect
 * only after its signals and rollups are in ClickHouse and its state is
 * snapshotted. Throws after `timeoutMs`.
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
  const deadline = Date.now() + opts.timeoutMs;
  let zeroSince: number | null = null;
  let lastReport = Date.now();
  for (;;) {
    let lag = 0;
    const parts: string[] = [];
    for (const { groupId, topic } of pairs) {
      let pairLag = 0;
      for (const l of (await partitionLags(admin, groupId, topic)).values()) pairLag += l;
      lag += pairLag;
      parts.push(`${groupId}@${topic}=${pairLag}`);
    }
    const now = Date.now();
    if (lag > 0 && now - lastReport >= 10_000) {
      lastReport = now;
      opts.onLag?.(parts.join(' '));
    }
    if (lag === 0) {
      if (zeroSince === null) {
        zeroSince = now;
        opts.onZero?.();
      }
      if (now - zeroSince >= opts.stableMs) return zeroSince;
    } else {
      zeroSince = null;
    }
    if (now > deadline) throw new Error(`pipelines still lag by ${lag} records after ${opts.timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 50));
  }
}
