import type { Admin } from 'kafkajs';
import { partitionLags } from '../kafka/lagGate.ts';

/**
 * Resolves once every (group, topic) has committed up to the end of the topic
 * and stayed there for `stableMs` — the pipelines have processed everything
 * produced so far. Throws after `timeoutMs`.
 */
export async function waitForConsumersDone(admin: Admin, pairs: Array<{ groupId: string; topic: string }>, opts: { timeoutMs: number; stableMs?: number; onWait?: (lag: number) => void }): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let doneSince: number | null = null;
  for (;;) {
    let lag = 0;
    for (const { groupId, topic } of pairs) for (const l of (await partitionLags(admin, groupId, topic)).values()) lag += l;
    if (lag === 0) {
      doneSince ??= Date.now();
      if (Date.now() - doneSince >= (opts.stableMs ?? 3000)) return;
    } else {
      doneSince = null;
      opts.onWait?.(lag);
    }
    if (Date.now() > deadline) throw new Error(`consumers still lag by ${lag} records after ${opts.timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
