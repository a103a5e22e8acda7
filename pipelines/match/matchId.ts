import { createHash } from 'node:crypto';
import type { MatchNeed } from '../../src/domain/matchList.ts';

/** Deterministic: one match list per signal episode and need, whatever the replay or partitioning. */
export function matchIdOf(signalId: string, need: MatchNeed): string {
  return createHash('sha1').update(`match|${signalId}|${need}`).digest('hex');
}
