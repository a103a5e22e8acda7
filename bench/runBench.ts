/**
 * `npm run bench` (issue 9): yunlian against a naive baseline on the embedded
 * stack, in one process. Prints the side-by-side table and writes
 * bench/results/<timestamp>.json and bench/results/latest.json.
 *
 *   npm run bench                  ≈ 8–10 min on 2 cores
 *   npm run bench -- --quick       the smoke run
 *   npm run bench -- --help
 */
import { formatHistogram, type LatencySummary } from './latencyHistogram.ts';
import { parseBenchOptions, USAGE } from './benchOptions.ts';
import { formatTable, writeResult } from './benchReport.ts';
import { formatClickHouseLoad, type ClickHouseRunLoad } from './clickhouseLoadReport.ts';
import { runBenchSuite } from './benchSuite.ts';

async function main(): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const say = (line: string) => process.stderr.write(line + '\n');
  const result = await runBenchSuite(options, say);
  const m = result.machine;
  const out: string[] = [
    '',
    `yunlian bench — ${m.cpu_model}, ${m.cores} cores, ${m.memory_gib} GiB, node ${m.node}; load average at start ${m.load_average.join(' / ')}; ${result.wall_seconds.toFixed(0)} s wall`,
    '',
    ...formatTable(result.figures),
  ];
  const e2e = result.details.e2e as { clickhouse: ClickHouseRunLoad } | undefined;
  if (e2e) out.push('', ...formatClickHouseLoad(e2e.clickhouse));
  const latency = result.details.latency as { toConsumer: LatencySummary; offeredEventsPerSecond: number; achievedEventsPerSecond: number } | undefined;
  if (latency && latency.toConsumer.count > 0) {
    out.push('', `event → alert latency histogram (${latency.toConsumer.count} signals, offered ${latency.offeredEventsPerSecond} events/s, achieved ${latency.achievedEventsPerSecond.toFixed(0)}):`, ...formatHistogram(latency.toConsumer));
  }
  const file = writeResult(result, options.resultsDir);
  out.push('', `written to ${file} (and latest.json)`);
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(2);
  },
);
