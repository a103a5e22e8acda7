import type { Admin } from 'kafkajs';
import { partitionLags } from '../kafka/lagGate.ts';

/** A consumer group and one topic it reads. */
export interface ConsumerPair {
  groupId: string;
  topic: string;
}

export interface ConsumersDoneOptions {
  timeoutMs: number;
  /** How long the lag must stay zero everywhere (default 3000 ms); it starting again restarts the wait. */
  stableMs?: number;
  /** Between two readings (default 500 ms): the zero is seen up to one poll late. */
  pollMs?: number;
  /** After each reading with records left: their sum, and each pair's lag in the order of `pairs`. */
  onWait?: (lag: number, lagByPair: readonly number[]) => void;
  /** When the lag is seen zero after being non-zero (or at the first reading): a reading taken there belongs to the instant returned, if the zero holds. */
  onZero?: () => void;
}

/**
 * Resolves once every (group, topic) has committed up to the end of the topic
 * and stayed there for `stableMs` — the pipelines have processed everything
 * produced so far — with the instant (Date.now) the zero was first seen.
 * Committed offsets are the right signal: ingest commits after its rows and
 * legs are written, detect only after its signals and rollups are in
 * ClickHouse and its state is snapshotted. Throws after `timeoutMs`.
 */
export async function waitForConsumersDone(admin: Admin, pairs: readonly ConsumerPair[], opts: ConsumersDoneOptions): Promise<number> {
  const deadline = Date.now() + opts.timeoutMs;
  let doneSince: number | null = null;
  for (;;) {
    const lagByPair: number[] = [];
    for (const { groupId, topic } of pairs) {
      let pairLag = 0;
      for (const l of (await partitionLags(admin, groupId, topic)).values()) pairLag += l;
      lagByPair.push(pairLag);
    }
    const lag = lagByPair.reduce((sum, l) => sum + l, 0);
    const now = Date.now();
    if (lag === 0) {
      if (doneSince === null) {
        doneSince = now;
        opts.onZero?.();
      }
      if (now - doneSince >= (opts.stableMs ?? 3000)) return doneSince;
    } else {
      doneSince = null;
      opts.onWait?.(lag, lagByPair);
    }
    if (now > deadline) throw new Error(`consumers still lag by ${lag} records after ${opts.timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
  }
}
