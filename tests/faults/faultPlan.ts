import type { CrashOptions } from './scenarios/crashScenario.ts';
import type { ClockSkewOptions } from './scenarios/clockSkewScenario.ts';
import type { HostileInputOptions } from './scenarios/hostileInputScenario.ts';
import { SHORT_CONSUMER_TIMEOUTS, type ConsumerTimeouts } from './consumerTimeouts.ts';
import { FULL_WORKLOAD, SHORT_WORKLOAD, type WorkloadSize } from './scenarioWorkload.ts';

export const SCENARIO_NAMES = ['crash', 'clickhouse', 'registry', 'rebalance', 'hostile', 'skew', 'evolution'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

const MB = 1024 * 1024;

/**
 * Scenario parameters of the full suite (`npm run faults`) and of the short
 * one (`npm test`: tests/integration/faults*.test.ts, or `runFaults.ts --short`).
 * The full suite runs the pipelines with their production consumer timings;
 * the short one shortens the group session so that each kill or rebalance on
 * the mock cluster costs seconds instead of ~30 s (consumerTimeouts.ts).
 */
export interface FaultPlan {
  workload: WorkloadSize;
  drainTimeoutMs: number;
  /** Consumer group timings of every pipeline worker; production defaults when absent. */
  consumerTimeouts?: ConsumerTimeouts;
  crash: CrashOptions;
  clickhouse: { outagesMs: number[]; drainTimeoutMs: number; retryMaxMs?: number; consumerTimeouts?: ConsumerTimeouts };
  clickhouseAtJoin: { downMs: number; records: number; drainTimeoutMs: number; consumerTimeouts?: ConsumerTimeouts };
  registry: { outageMs: number; unknownIdRecords: number; drainTimeoutMs: number; consumerTimeouts?: ConsumerTimeouts };
  rebalance: { drainTimeoutMs: number; consumerTimeouts?: ConsumerTimeouts };
  hostile: HostileInputOptions;
  skew: ClockSkewOptions;
  evolution: { perVersion: number; drainTimeoutMs: number; consumerTimeouts?: ConsumerTimeouts };
}

export function faultPlan(mode: 'full' | 'short'): FaultPlan {
  const full = mode === 'full';
  // Short: generous against a loaded CI machine (a run normally drains in seconds); the test timeouts allow for it.
  const drainTimeoutMs = full ? 300_000 : 150_000;
  const consumerTimeouts = full ? undefined : SHORT_CONSUMER_TIMEOUTS;
  return {
    workload: full ? FULL_WORKLOAD : SHORT_WORKLOAD,
    drainTimeoutMs,
    consumerTimeouts,
    crash: { kills: full ? 10 : 2, upMs: full ? [1000, 6000] : [1000, 3000], seed: full ? 2020 : 7, drainTimeoutMs, consumerTimeouts },
    // Full: the production backoff (up to 10 s); short: capped at 1 s to finish quickly.
    clickhouse: { outagesMs: full ? [5_000, 60_000] : [5_000], drainTimeoutMs, retryMaxMs: full ? undefined : 1000, consumerTimeouts },
    clickhouseAtJoin: { downMs: full ? 30_000 : 5_000, records: full ? 200 : 100, drainTimeoutMs, consumerTimeouts },
    registry: { outageMs: full ? 30_000 : 4_000, unknownIdRecords: full ? 1000 : 200, drainTimeoutMs, consumerTimeouts },
    rebalance: { drainTimeoutMs, consumerTimeouts },
    hostile: {
      // The issue asks for a corpus of at least 1000 records: the short run keeps that size.
      hostileRecords: full ? 2000 : 1000,
      hostileLines: full ? 2000 : 1000,
      validRecords: full ? 200 : 100,
      validLines: 100,
      giantLineBytes: (full ? 64 : 8) * MB,
      drainTimeoutMs,
      maxRssGrowthBytes: 400 * MB,
      consumerTimeouts,
    },
    skew: {
      skewMs: { qingpu: 15 * 60_000, jiashan: -15 * 60_000 },
      idleDistrict: 'wujiang',
      idleFrom: full ? '2020-04-14T08:00:00+08:00' : '2020-02-14T08:00:00+08:00',
      idleEventHours: 30,
      // Source idleness is counted in legs (pipelines/detect/watermarkClock.ts); the wall-clock pause
      // shows that nothing depends on processing time either.
      idleWallMs: full ? 45_000 : 4_000,
      drainTimeoutMs,
      consumerTimeouts,
    },
    evolution: { perVersion: full ? 500 : 100, drainTimeoutMs, consumerTimeouts },
  };
}
