import type { MatchReason } from '../../src/domain/matchList.ts';

/** One ranking component's value in [0, 1] and, when it says something a steward can use, the reason. */
export interface ComponentScore {
  value: number;
  reason: MatchReason | null;
}

export function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
