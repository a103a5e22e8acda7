import { afterAll, describe, expect, it } from 'vitest';
import { faultPlan } from '../faults/faultPlan.ts';
import { formatFaultTable, type FaultResult } from '../faults/faultResult.ts';
import { registryOutageScenario } from '../faults/scenarios/registryScenario.ts';
import { schemaEvolutionScenario } from '../faults/scenarios/schemaEvolutionScenario.ts';
import { hostileInputScenario } from '../faults/scenarios/hostileInputScenario.ts';
import { clickhouseDownAtJoinScenario } from '../faults/scenarios/clickhouseOutageScenario.ts';

/**
 * Short versions of the fault scenarios of `npm run faults` that need no
 * reference run: ClickHouse down during a group join, registry outage and
 * unknown schema ids, schema evolution, and the hostile fuzz corpus (1000
 * Kafka records, 1000 produce lines) through Kafka and `yunlian produce`.
 * A file of its own so that vitest runs it beside faults.test.ts.
 * Security (tokens, SQL injection, request limits) is covered by
 * tests/integration/alertsApi.test.ts.
 */
const plan = faultPlan('short');
const results: FaultResult[] = [];
const explain = (r: FaultResult) => `${r.scenario}\n${r.notes.join('\n')}`;
const row = (r: FaultResult) => ({ recordsIn: r.recordsIn, inClickHouse: r.inClickHouse, duplicates: r.duplicates, lost: r.lost, dlq: r.dlq });

afterAll(() => {
  process.stderr.write(`\n${formatFaultTable(results)}\n`);
  for (const r of results.filter((x) => !x.ok)) process.stderr.write(`${explain(r)}\n`);
});

describe('input and startup faults (short)', () => {
  it('survives a consumer group join while ClickHouse is unreachable and catches up afterwards', async () => {
    const r = await clickhouseDownAtJoinScenario(plan.clickhouseAtJoin);
    results.push(r);
    const n = plan.clickhouseAtJoin.records;
    expect(row(r), explain(r)).toEqual({ recordsIn: n, inClickHouse: n, duplicates: 0, lost: 0, dlq: 0 });
    expect(r.ok, explain(r)).toBe(true);
  }, 200_000);

  it('waits out a registry outage without dead-lettering, then dead-letters only unknown schema ids as SCHEMA_ID_NOT_FOUND', async () => {
    const r = await registryOutageScenario(plan.registry);
    results.push(r);
    // 200 v1 invoices before the outage; 100 v2 + the unknown-id records + 100 v1 during it.
    const unknown = plan.registry.unknownIdRecords;
    expect(row(r), explain(r)).toEqual({ recordsIn: 400 + unknown, inClickHouse: 400, duplicates: 0, lost: 0, dlq: unknown });
    expect(r.ok, explain(r)).toBe(true);
  }, 200_000);

  it('ingests v1 records still in the topic and new v2 records alike, and the registry refuses incompatible changes', async () => {
    const r = await schemaEvolutionScenario(plan.evolution);
    results.push(r);
    const n = 2 * plan.evolution.perVersion;
    expect(row(r), explain(r)).toEqual({ recordsIn: n, inClickHouse: n, duplicates: 0, lost: 0, dlq: 0 });
    expect(r.ok, explain(r)).toBe(true);
  }, 200_000);

  it('dead-letters or refuses (with line numbers) every hostile record, ingests every valid one once and keeps memory bounded', async () => {
    const h = plan.hostile;
    const r = await hostileInputScenario(h);
    results.push(r);
    expect(row(r), explain(r)).toEqual({
      recordsIn: h.hostileRecords + h.validRecords + r.linesIn,
      inClickHouse: h.validRecords + h.validLines,
      duplicates: 0,
      lost: 0,
      // Every hostile Kafka record, plus the hostile lines produce let through and ingest refused.
      dlq: h.hostileRecords + r.dlqFromLines,
    });
    expect(r.linesIn).toBeGreaterThanOrEqual(h.hostileLines + h.validLines);
    expect(r.dlqFromLines).toBeLessThanOrEqual(r.linesIn - h.validLines);
    expect(r.ok, explain(r)).toBe(true);
  }, 240_000);
});
