/**
 * Whether embedded chDB runs two queries of one process at the same time.
 * It matters for where yunlian's time goes: every ClickHouse call of the
 * embedded stack (ingest's and detect's inserts, snapshots, the analysts'
 * queries) goes through one chDB engine on the main thread, so if chDB runs
 * one query at a time, its busy time is a serial resource the pipelines share
 * however many cores are free.
 *
 *   npx tsx bench/chdbConcurrency.ts [--rows 1000000000]
 *
 * Runs a single-threaded CPU-bound query once, twice in a row, and twice at
 * once. Parallel execution would make "at once" about as long as "once";
 * serial execution makes it as long as "in a row" (measured 2026-11-29 with
 * chdb 3.4 on 2 cores: 437, 842 and 906 ms).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Session } from 'chdb';

const at = process.argv.indexOf('--rows');
const rows = at >= 0 ? Number(process.argv[at + 1]) : 1_000_000_000;
if (!Number.isSafeInteger(rows) || rows <= 0) {
  console.error('usage: npx tsx bench/chdbConcurrency.ts [--rows N]  (N a positive integer)');
  process.exit(2);
}
const dir = mkdtempSync(path.join(tmpdir(), 'yunlian-chdb-concurrency-'));
const session = new Session(dir);
const query = () => session.queryAsync(`SELECT sum(cityHash64(number)) FROM numbers(${rows}) SETTINGS max_threads = 1`, { format: 'CSV' });
const timed = async (run: () => Promise<unknown>) => {
  const started = performance.now();
  await run();
  return Math.round(performance.now() - started);
};
try {
  await query(); // warm-up
  const once = await timed(query);
  const inARow = await timed(async () => {
    await query();
    await query();
  });
  const atOnce = await timed(() => Promise.all([query(), query()]));
  console.log(`one query ${once} ms; two in a row ${inARow} ms; two at once ${atOnce} ms`);
  console.log(atOnce > 0.8 * inARow ? 'chDB ran them one at a time (serial)' : 'chDB ran them in parallel');
} finally {
  session.cleanup();
  rmSync(dir, { recursive: true, force: true });
}
