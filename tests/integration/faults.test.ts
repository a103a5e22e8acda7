import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorkload, type Workload } from '../faults/scenarioWorkload.ts';
import { faultPlan } from '../faults/faultPlan.ts';
import { formatFaultTable, type FaultResult } from '../faults/faultResult.ts';
import { referenceScenario } from '../faults/scenarios/referenceScenario.ts';
import type { ReferenceSignals } from '../faults/scenarios/pipelineRun.ts';
import { crashScenario } from '../faults/scenarios/crashScenario.ts';
import { clickhouseOutageScenario } from '../faults/scenarios/clickhouseOutageScenario.ts';
import { rebalanceScenario } from '../faults/scenarios/rebalanceScenario.ts';
import { clockSkewScenario } from '../faults/scenarios/clockSkewScenario.ts';

/**
 * Short versions of the pipeline fault scenarios of `npm run faults`
 * (tests/faults/, docs/faults.md): a small 2020 workload on its own mock
 * Kafka per scenario, ingest + detect in a child process with a 3 s consumer
 * session (so a kill or rebalance costs seconds, consumerTimeouts.ts). Each
 * must end with every invoice once, every signal once, nothing dead-lettered
 * and the signals of the uninterrupted run computed in beforeAll.
 * Serial within this file; the scenarios that need no reference run are in
 * faultsInput.test.ts, so that vitest runs the two side by side.
 */
const plan = faultPlan('short');
let workload: Workload;
let reference: ReferenceSignals;
const results: FaultResult[] = [];

const explain = (r: FaultResult) => `${r.scenario}\n${r.notes.join('\n')}`;

/** The table row of a run of the whole workload: everything in once, nothing lost, doubled or dead-lettered. */
function expectWholeWorkload(r: FaultResult): void {
  expect({ recordsIn: r.recordsIn, inClickHouse: r.inClickHouse, duplicates: r.duplicates, lost: r.lost, dlq: r.dlq }, explain(r)).toEqual({
    recordsIn: workload.arrivals.length,
    inClickHouse: workload.eventIds.size,
    duplicates: 0,
    lost: 0,
    dlq: 0,
  });
  expect(r.ok, explain(r)).toBe(true);
}

beforeAll(async () => {
  workload = buildWorkload(plan.workload);
  const ref = await referenceScenario(workload, { drainTimeoutMs: plan.drainTimeoutMs, consumerTimeouts: plan.consumerTimeouts });
  reference = ref.reference;
  results.push(ref.result);
  expectWholeWorkload(ref.result);
  expect(reference.states.length).toBeGreaterThan(0);
}, 240_000);

afterAll(() => {
  process.stderr.write(`\n${formatFaultTable(results)}\n`);
  for (const r of results.filter((x) => !x.ok)) process.stderr.write(`${explain(r)}\n`);
});

describe('pipelines under faults (short)', () => {
  it('holds every invoice and signal exactly once, with the uninterrupted run\'s signals, after kill -9 twice under load', async () => {
    const r = await crashScenario(workload, reference, plan.crash);
    results.push(r);
    expectWholeWorkload(r);
  }, 300_000);

  it('pauses, retries and loses nothing while ClickHouse is unreachable for 5 s', async () => {
    const r = await clickhouseOutageScenario(workload, reference, plan.clickhouse);
    results.push(r);
    expectWholeWorkload(r);
  }, 240_000);

  it('gives the same signals when detect scales 1 → 3 → 2 consumers during the run', async () => {
    const r = await rebalanceScenario(workload, reference, plan.rebalance);
    results.push(r);
    expectWholeWorkload(r);
  }, 240_000);

  it('raises no false SILENCE or broken link when district clocks differ by ±15 min and one feed goes quiet for hours', async () => {
    const r = await clockSkewScenario(workload, reference, plan.skew);
    results.push(r);
    expectWholeWorkload(r);
  }, 240_000);
});
