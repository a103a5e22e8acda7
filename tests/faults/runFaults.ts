/**
 * `npm run faults` — the full fault suite (issue 8): every scenario on its own
 * embedded cluster, pipelines in child processes, then the table
 * (scenario, records in, records in ClickHouse, duplicates, lost, DLQ, result).
 *
 *   npx tsx tests/faults/runFaults.ts [--short] [--only crash,rebalance,…] [--verbose]
 *
 * Exit code 1 when any scenario fails. FAULTS_KEEP_DATA=1 keeps the data dirs
 * (worker logs in <dataDir>/worker.log).
 */
import { parseArgs } from 'node:util';
import { buildWorkload } from './scenarioWorkload.ts';
import { formatFaultTable, thrownResult, type FaultResult } from './faultResult.ts';
import { FAULT_LOG_DIR } from './faultCluster.ts';
import { faultPlan, SCENARIO_NAMES, type ScenarioName } from './faultPlan.ts';
import { referenceScenario } from './scenarios/referenceScenario.ts';
import { crashScenario } from './scenarios/crashScenario.ts';
import { clickhouseDownAtJoinScenario, clickhouseOutageScenario } from './scenarios/clickhouseOutageScenario.ts';
import { registryOutageScenario } from './scenarios/registryScenario.ts';
import { rebalanceScenario } from './scenarios/rebalanceScenario.ts';
import { hostileInputScenario } from './scenarios/hostileInputScenario.ts';
import { clockSkewScenario } from './scenarios/clockSkewScenario.ts';
import { schemaEvolutionScenario } from './scenarios/schemaEvolutionScenario.ts';

const { values } = parseArgs({ options: { short: { type: 'boolean' }, only: { type: 'string' }, verbose: { type: 'boolean' } } });
const plan = faultPlan(values.short ? 'short' : 'full');
const only = new Set<ScenarioName>((values.only?.split(',').filter(Boolean) as ScenarioName[] | undefined) ?? SCENARIO_NAMES);
for (const name of only) if (!SCENARIO_NAMES.includes(name)) throw new Error(`unknown scenario ${name}; choose from ${SCENARIO_NAMES.join(', ')}`);

const results: FaultResult[] = [];
const report = (r: FaultResult) => {
  results.push(r);
  process.stderr.write(`${r.ok ? 'PASS' : 'FAIL'} ${r.scenario} (${r.seconds.toFixed(0)} s)\n`);
  if (values.verbose || !r.ok) for (const n of r.notes) process.stderr.write(`  ${n}\n`);
};
const guarded = async (name: string, run: () => Promise<FaultResult>) => {
  const t0 = Date.now();
  try {
    report(await run());
  } catch (error) {
    report(thrownResult(name, error, t0, `worker logs: ${FAULT_LOG_DIR}`));
  }
};

const started = Date.now();
const workload = buildWorkload(plan.workload);
process.stderr.write(`workload: ${workload.arrivals.length} invoice events (${workload.eventIds.size} distinct)\n`);
const needsReference = ['crash', 'clickhouse', 'rebalance', 'skew'].some((n) => only.has(n as ScenarioName));
const reference = needsReference ? await referenceScenario(workload, { drainTimeoutMs: plan.drainTimeoutMs, consumerTimeouts: plan.consumerTimeouts }).then((r) => (report(r.result), r.reference)) : null;
if (needsReference && reference && reference.states.length > 0) {
  if (only.has('crash')) await guarded('crash', () => crashScenario(workload, reference, plan.crash));
  if (only.has('clickhouse')) await guarded('ClickHouse outage', () => clickhouseOutageScenario(workload, reference, plan.clickhouse));
  if (only.has('rebalance')) await guarded('rebalance', () => rebalanceScenario(workload, reference, plan.rebalance));
  if (only.has('skew')) await guarded('clock skew', () => clockSkewScenario(workload, reference, plan.skew));
}
if (only.has('clickhouse')) await guarded('ClickHouse down during group join', () => clickhouseDownAtJoinScenario(plan.clickhouseAtJoin));
if (only.has('registry')) await guarded('registry outage', () => registryOutageScenario(plan.registry));
if (only.has('evolution')) await guarded('schema evolution', () => schemaEvolutionScenario(plan.evolution));
if (only.has('hostile')) await guarded('hostile input', () => hostileInputScenario(plan.hostile));

process.stdout.write(`\n${formatFaultTable(results)}\n\n`);
process.stdout.write(`${results.filter((r) => r.ok).length}/${results.length} scenarios passed in ${((Date.now() - started) / 1000).toFixed(0)} s (${values.short ? 'short' : 'full'} run). Security: see tests/integration/alertsApi.test.ts (docs/faults.md).\n`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
