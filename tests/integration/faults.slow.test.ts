import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorkload, SHORT_WORKLOAD, type Workload } from '../faults/scenarioWorkload.ts';
import { faultPlan } from '../faults/faultPlan.ts';
import type { FaultResult } from '../faults/faultResult.ts';
import { referenceScenario } from '../faults/scenarios/referenceScenario.ts';
import type { ReferenceSignals } from '../faults/scenarios/pipelineRun.ts';
import { crashScenario } from '../faults/scenarios/crashScenario.ts';
import { clickhouseDownAtJoinScenario, clickhouseOutageScenario } from '../faults/scenarios/clickhouseOutageScenario.ts';
import { rebalanceScenario } from '../faults/scenarios/rebalanceScenario.ts';
import { clockSkewScenario } from '../faults/scenarios/clockSkewScenario.ts';

/**
 * Short versions of the pipeline fault scenarios of `npm run faults`
 * (tests/faults/, docs/faults.md): each runs the same small 2020 workload on
 * its own mock Kafka with ingest + detect in a child process, and must end
 * with every invoice once, every signal once, and the signals of the
 * uninterrupted run computed in beforeAll. Serial within this file.
 */
const plan = faultPlan('short');
let workload: Workload;
let reference: ReferenceSignals;
const results: FaultResult[] = [];

const explain = (r: FaultResult) => `${r.scenario}\n${r.notes.join('\n')}`;

beforeAll(async () => {
  workload = buildWorkload(SHORT_WORKLOAD);
  const ref = await referenceScenario(workload, { drainTimeoutMs: plan.drainTimeoutMs });
  reference = ref.reference;
  results.push(ref.result);
  expect(ref.result.ok, explain(ref.result)).toBe(true);
  expect(reference.states.length).toBeGreaterThan(5);
}, 180_000);

afterAll(() => {
  for (const r of results.filter((x) => !x.ok)) process.stderr.write(`${explain(r)}\n`);
});

describe('pipelines under faults (short)', () => {
  it('holds every invoice and signal exactly once, with the uninterrupted run\'s signals, after a kill -9 under load', async () => {
    const r = await crashScenario(workload, reference, { ...plan.crash, kills: 1 });
    results.push(r);
    expect(r.lost).toBe(0);
    expect(r.duplicates).toBe(0);
    expect(r.ok, explain(r)).toBe(true);
  }, 180_000);

  it('pauses, retries and loses nothing while ClickHouse is unreachable for 5 s', async () => {
    const r = await clickhouseOutageScenario(workload, reference, plan.clickhouse);
    results.push(r);
    expect(r.lost).toBe(0);
    expect(r.duplicates).toBe(0);
    expect(r.ok, explain(r)).toBe(true);
  }, 180_000);

  it('survives a consumer group join while ClickHouse is unreachable and catches up afterwards', async () => {
    const r = await clickhouseDownAtJoinScenario(plan.clickhouseAtJoin);
    results.push(r);
    expect(r.ok, explain(r)).toBe(true);
  }, 120_000);

  it('gives the same signals when detect scales 1 → 3 → 2 consumers during the run', async () => {
    const r = await rebalanceScenario(workload, reference, { drainTimeoutMs: 90_000 });
    results.push(r);
    expect(r.ok, explain(r)).toBe(true);
  }, 300_000);

  it('raises no false SILENCE or broken link when district clocks differ by ±15 min and one feed goes quiet for hours', async () => {
    const r = await clockSkewScenario(workload, reference, plan.skew);
    results.push(r);
    expect(r.lost).toBe(0);
    expect(r.ok, explain(r)).toBe(true);
  }, 180_000);
});
