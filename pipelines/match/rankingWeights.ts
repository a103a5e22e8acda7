import type { RankingComponent } from '../../src/domain/matchList.ts';

/**
 * Weights of the score (sum 1). Goods come first (a partner that cannot supply
 * the input is no partner), then an existing relationship, then proximity and
 * reliability; capacity and size fit break ties between otherwise equal firms.
 */
export type RankingWeights = Readonly<Record<RankingComponent, number>>;

export const DEFAULT_RANKING_WEIGHTS: RankingWeights = {
  goods: 0.3,
  familiarity: 0.2,
  proximity: 0.15,
  reliability: 0.15,
  size_fit: 0.1,
  capacity: 0.1,
};
