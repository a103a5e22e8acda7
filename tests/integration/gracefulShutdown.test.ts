import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { useTestStackWithAdmin } from '../helpers/testStackWithAdmin.ts';
import { issuedInvoice } from '../helpers/invoiceFixtures.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { produceInvoiceLines } from '../../src/produce/produceInvoices.ts';
import { GROUPS } from '../../src/kafka/topics.ts';
import { invoiceTopic } from '../../src/domain/district.ts';

/**
 * `yunlian run ingest` as operators run it (its own process, its own
 * ClickHouse), stopped with SIGTERM while invoices are still arriving: the
 * in-flight batch must be written and committed before the process leaves,
 * so the next process starts exactly where it ended — nothing lost, nothing
 * written twice.
 */
const root = path.resolve(import.meta.dirname, '../..');
const TOPIC = invoiceTopic('jiashan');
const TOTAL = 3000;
const CHUNK = 100;
/**
 * The first process is sent at most this many: it may start slowly enough to find them all waiting and commit
 * them all before the signal, and the restart must still have invoices of its own to read.
 */
const FIRST_RUN_AT_MOST = TOTAL - 10 * CHUNK;

const shared = useTestStackWithAdmin([]);
let childDir: string;
beforeAll(() => {
  childDir = mkdtempSync(path.join(tmpdir(), 'yunlian-run-'));
});
afterAll(() => {
  if (childDir) rmSync(childDir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Exited {
  code: number | null;
  stderr: string;
}

function cli(args: string[], env: Record<string, string>): { child: ChildProcess; exited: Promise<Exited>; stdout: () => string } {
  const { CLICKHOUSE_URL: _url, KAFKA_BROKERS: _brokers, SCHEMA_REGISTRY_URL: _registry, ...inherited } = process.env;
  const child = spawn(process.execPath, [path.join(root, 'bin/yunlian.js'), ...args], { cwd: root, env: { ...inherited, YUNLIAN_DATA_DIR: childDir, YUNLIAN_LOG_LEVEL: 'info', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<Exited>((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
  return { child, exited, stdout: () => stdout };
}

function runIngest(port: number) {
  return cli(['run', 'ingest', '--embedded-clickhouse'], { KAFKA_BROKERS: shared.stack.brokers.join(','), SCHEMA_REGISTRY_URL: shared.stack.registryUrl, YUNLIAN_HTTP_PORT: String(port) });
}

/** Reads the child's ClickHouse once the child is gone (chDB: one process per data dir). */
async function invoicesInChildClickHouse(): Promise<{ rows: number; unique: number }> {
  const sql = cli(['sql', 'SELECT count() AS rows, uniqExact(invoice_no) AS unique FROM yunlian.invoices', '--format', 'json'], {});
  const { code, stderr } = await sql.exited;
  expect(code, stderr).toBe(0);
  const [row] = JSON.parse(sql.stdout()) as Array<{ rows: string | number; unique: string | number }>;
  return { rows: Number(row!.rows), unique: Number(row!.unique) };
}

async function committedRecords(): Promise<number> {
  const [topic] = await shared.admin.fetchOffsets({ groupId: GROUPS.ingest, topics: [TOPIC] });
  return topic!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

async function recordsConsumed(port: number): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text()).catch(() => '');
  return [...text.matchAll(/^yunlian_records_in_total\{[^}]*pipeline="ingest"[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

let produced = 0;
async function produce(n: number): Promise<void> {
  const lines = Array.from({ length: n }, () => JSON.stringify(issuedInvoice({ district: 'jiashan', n: 700_000 + produced++, seller: 1 + (produced % 7), buyer: 20 + (produced % 5) })));
  await produceInvoiceLines(lines, { producer: shared.stack.services.producer, codec: shared.stack.services.codecs.invoiceEvents.jiashan, district: 'jiashan', batchSize: CHUNK });
}

describe('yunlian run: graceful shutdown on SIGTERM', () => {
  it('rejects a start without the services it needs, naming them', async () => {
    const run = cli(['run', 'ingest'], {});
    const { code, stderr } = await run.exited;
    expect(code).toBe(1);
    expect(stderr).toContain('KAFKA_BROKERS, SCHEMA_REGISTRY_URL, CLICKHOUSE_URL');
    const both = cli(['run', 'ingest', '--embedded-clickhouse'], { CLICKHOUSE_URL: 'http://clickhouse:8123' });
    expect((await both.exited).code).toBe(2);
  });

  it('finishes and commits the batch in flight, so a restart neither loses nor repeats an invoice', async () => {
    const port = await freePort();
    const first = runIngest(port);
    // Invoices keep arriving while the pipeline consumes; SIGTERM lands mid-stream.
    let stopProducing = false;
    const producing = (async () => {
      while (!stopProducing && produced < FIRST_RUN_AT_MOST) {
        await produce(CHUNK);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await waitFor(async () => (await recordsConsumed(port)) > 0, { what: 'the first batch consumed', timeoutMs: 60_000 });
    first.child.kill('SIGTERM');
    stopProducing = true;
    await producing;
    const firstExit = await first.exited;
    expect(firstExit.code, firstExit.stderr).toBe(0);
    expect(firstExit.stderr).toContain('shutting down');

    const committedAfterSigterm = await committedRecords();
    expect(committedAfterSigterm).toBeGreaterThan(0);
    const afterFirst = await invoicesInChildClickHouse();
    // Everything written is committed and everything committed is written: the in-flight batch was neither dropped nor left for redelivery.
    expect(afterFirst).toEqual({ rows: committedAfterSigterm, unique: committedAfterSigterm });

    await produce(TOTAL - produced);
    expect(committedAfterSigterm).toBeLessThan(TOTAL);
    const second = runIngest(port);
    await waitFor(async () => (await committedRecords()) === TOTAL, { what: `all ${TOTAL} invoices committed`, timeoutMs: 90_000 });
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
    expect(await invoicesInChildClickHouse()).toEqual({ rows: TOTAL, unique: TOTAL });
  }, 240_000);
});
