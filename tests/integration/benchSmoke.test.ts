import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBenchOptions, type BenchOptions } from '../../bench/benchOptions.ts';
import { formatTable, writeResult, type BenchResult } from '../../bench/benchReport.ts';
import { runBenchSuite } from '../../bench/benchSuite.ts';
import type { EndToEndResult } from '../../bench/endToEnd.ts';
import { summarizeLatencies } from '../../bench/latencyHistogram.ts';

/**
 * A tiny run of the bench harness on the real embedded stack: every part but
 * the latency run (whose drain alone exceeds the smoke budget), sizes cut to
 * the bone. It checks the harness measures and reports, not how fast yunlian is.
 */
const resultsDir = mkdtempSync(path.join(tmpdir(), 'yunlian-bench-smoke-'));
let result: BenchResult;

afterAll(() => rmSync(resultsDir, { recursive: true, force: true }));

function smokeOptions(): BenchOptions {
  const parsed = parseBenchOptions(['--quick', '--events', '400', '--stage-events', '400', '--naive-events', '30', '--memory-firms', '300', '--only', 'stages,memory,naive-e2e,e2e', '--results', resultsDir]);
  if (parsed === 'help') throw new Error('unreachable');
  return parsed;
}

describe('the bench harness', () => {
  it('measures yunlian and the naive baseline side by side and writes the result file', async () => {
    result = await runBenchSuite(smokeOptions(), () => undefined);
    const byId = new Map(result.figures.map((f) => [f.id, f]));
    for (const id of ['stage.decode', 'stage.leg_encode', 'stage.clickhouse_insert', 'stage.detect', 'e2e.throughput', 'memory.per_link']) {
      const f = byId.get(id);
      expect(f, id).toBeDefined();
      expect(f!.yunlian, id).toBeGreaterThan(0);
      expect(f!.naive, id).toBeGreaterThan(0);
      expect(f!.advantage, id).toBeGreaterThan(0);
    }
    expect(byId.get('e2e.throughput')!.input.events).toBe(400);
    expect(byId.get('e2e.throughput')!.input.detect_threads).toBe(availableParallelism() >= 2 ? 2 : 1);
    expect(byId.get('replay.one_year_10m')!.extrapolated.yunlian).toBe(true);
    expect(byId.get('replay.one_year_10m')!.target!.met).toBeNull();
    expect(byId.has('latency.p99')).toBe(false);
    const { clickhouse } = result.details.e2e as EndToEndResult;
    expect(clickhouse.busySeconds).toBeGreaterThan(0);
    expect(clickhouse.top.some((t) => t.op === 'insert' && t.table === 'yunlian.invoices')).toBe(true);
    expect(byId.get('e2e.clickhouse_busy')!.yunlian).toBeGreaterThan(0);
    // The sampler reads detect's offsets from before the first produce to after the drain, so the window always resolves.
    const { steady } = result.details.e2e as EndToEndResult;
    expect(steady).not.toBeNull();
    expect(steady!.toSeconds).toBeGreaterThan(steady!.fromSeconds);
    expect(byId.get('e2e.steady_throughput')!.yunlian).toBe(steady!.rate);
    expect(steady!.rate).toBeGreaterThan(0);
    expect(result.machine.cores).toBeGreaterThan(0);

    const file = writeResult(result, resultsDir);
    expect(existsSync(file)).toBe(true);
    const latest = JSON.parse(readFileSync(path.join(resultsDir, 'latest.json'), 'utf8')) as BenchResult;
    expect(latest.figures.map((f) => f.id)).toEqual(result.figures.map((f) => f.id));
    expect(formatTable(result.figures).some((line) => line.includes('end to end (events/s)'))).toBe(true);
  }, 60_000);

  it('summarises latencies into nearest-rank percentiles and a histogram', () => {
    const s = summarizeLatencies([120, 80, 2500, 400, 90]);
    expect(s.p50).toBe(120);
    expect(s.p99).toBe(2500);
    expect(s.histogram.reduce((n, b) => n + b.count, 0)).toBe(5);
    expect(s.histogram.find((b) => b.le_ms === 100)!.count).toBe(2);
  });
});
