import type { CrashOptions } from './scenarios/crashScenario.ts';
import type { ClockSkewOptions } from './scenarios/clockSkewScenario.ts';

export const SCENARIO_NAMES = ['crash', 'clickhouse', 'registry', 'rebalance', 'hostile', 'skew', 'evolution'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

const MB = 1024 * 1024;

/** Scenario parameters of the full suite (`npm run faults`) and of the short one in `npm test`. */
export interface FaultPlan {
  drainTimeoutMs: number;
  crash: CrashOptions;
  clickhouse: { outagesMs: number[]; drainTimeoutMs: number; retryMaxMs?: number };
  clickhouseAtJoin: { downMs: number; drainTimeoutMs: number };
  registry: { outageMs: number; unknownIdRecords: number; drainTimeoutMs: number };
  hostile: { hostileRecords: number; hostileLines: number; giantLineBytes: number; drainTimeoutMs: number; maxRssGrowthBytes: number };
  skew: ClockSkewOptions;
  evolution: { perVersion: number; drainTimeoutMs: number };
}

export function faultPlan(mode: 'full' | 'short'): FaultPlan {
  const full = mode === 'full';
  const drainTimeoutMs = full ? 300_000 : 120_000;
  return {
    drainTimeoutMs,
    crash: { kills: full ? 10 : 3, upMs: full ? [1000, 6000] : [1000, 3500], seed: full ? 2020 : 7, drainTimeoutMs },
    // Full: the production backoff (up to 10 s); short: capped at 1 s to finish quickly.
    clickhouse: { outagesMs: full ? [5_000, 60_000] : [5_000], drainTimeoutMs, retryMaxMs: full ? undefined : 1000 },
    clickhouseAtJoin: { downMs: full ? 30_000 : 8_000, drainTimeoutMs },
    registry: { outageMs: full ? 30_000 : 5_000, unknownIdRecords: full ? 1000 : 300, drainTimeoutMs },
    hostile: { hostileRecords: full ? 2000 : 1000, hostileLines: full ? 2000 : 1000, giantLineBytes: (full ? 64 : 16) * MB, drainTimeoutMs, maxRssGrowthBytes: 400 * MB },
    skew: {
      skewMs: { qingpu: 15 * 60_000, jiashan: -15 * 60_000 },
      idleDistrict: 'wujiang',
      idleFrom: '2020-04-14T08:00:00+08:00',
      idleEventHours: 30,
      idleWallMs: full ? 45_000 : 35_000,
      drainTimeoutMs,
    },
    evolution: { perVersion: full ? 500 : 100, drainTimeoutMs },
  };
}
