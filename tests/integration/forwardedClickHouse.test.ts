import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { MessageChannel } from 'node:worker_threads';
import { ClickHouseError, type ClickHouseClient } from '@clickhouse/client';
import { openClickHouse, rawInsertOf } from '../../sinks/clickhouse/clickhouseClient.ts';
import { serveClickHouseCalls } from '../../sinks/clickhouse/clickhouseCallServer.ts';
import { createForwardedClickHouse } from '../../sinks/clickhouse/forwardedConnection.ts';
import { toClickHouseFailure } from '../../sinks/clickhouse/clickhouseErrors.ts';
import { insertRows } from '../../sinks/clickhouse/insertRows.ts';
import { YunlianError } from '../../src/runtime/errors.ts';
import { createLogger } from '../../src/runtime/log.ts';

/**
 * The ClickHouse connection worker threads use: every call crosses a
 * MessagePort (structured clone and buffer transfer, as between threads) to
 * the real chDB client, which stays on the serving thread.
 */
let dir: string;
let chdb: ClickHouseClient;
let forwarded: ClickHouseClient;
let stopServing: () => void;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'yunlian-fwd-'));
  chdb = await openClickHouse({ kind: 'embedded', path: dir });
  const { port1, port2 } = new MessageChannel();
  stopServing = serveClickHouseCalls(port1, chdb, createLogger('test', { level: 'error' }));
  forwarded = createForwardedClickHouse(port2);
  await chdb.command({ query: 'CREATE DATABASE IF NOT EXISTS fwd' });
  await chdb.command({ query: 'CREATE TABLE fwd.rows (id UInt32, name String) ENGINE = MergeTree ORDER BY id' });
});

afterAll(async () => {
  await forwarded?.close();
  stopServing?.();
  await chdb?.close();
  rmSync(dir, { recursive: true, force: true });
});

const rowsOf = async (client: ClickHouseClient) => (await (await client.query({ query: 'SELECT id, name FROM fwd.rows ORDER BY id', format: 'JSONEachRow' })).json<{ id: number; name: string }>());

describe('a ClickHouse connection forwarded to another thread', () => {
  it('fails a query on a missing table with ClickHouse\'s code, which classifies as a non-retriable query failure', async () => {
    const error = await forwarded.query({ query: 'SELECT 1 FROM fwd.no_such_table', format: 'JSONEachRow' }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ClickHouseError);
    expect(error).toMatchObject({ code: '60', type: 'UNKNOWN_TABLE' });
    const failure = toClickHouseFailure(error);
    expect(failure).toMatchObject({ code: 'CLICKHOUSE_QUERY_FAILED', retriable: false });
    expect(failure.context?.clickhouseCode).toBe('60');
  });

  it('inserts rows through the raw insert and the client\'s insert, and a query through the forwarded connection reads them back', async () => {
    expect(rawInsertOf(forwarded)).toBeTypeOf('function');
    // Large enough that the body owns its memory and is transferred, not cloned.
    const many = Array.from({ length: 2000 }, (_, i) => ({ id: 1000 + i, name: `企业 ${i}` }));
    await insertRows(forwarded, { table: 'fwd.rows', rows: many });
    await forwarded.insert({ table: 'fwd.rows', values: [{ id: 1, name: 'one' }, { id: 2, name: '二' }], format: 'JSONEachRow' });
    await forwarded.command({ query: 'INSERT INTO fwd.rows VALUES (3, \'three\')' });
    const rows = await rowsOf(forwarded);
    expect(rows.slice(0, 4)).toEqual([{ id: 1, name: 'one' }, { id: 2, name: '二' }, { id: 3, name: 'three' }, { id: 1000, name: '企业 0' }]);
    expect(rows).toHaveLength(2003);
    expect(await rowsOf(chdb)).toEqual(rows);
    expect((await forwarded.ping()).success).toBe(true);
  });

  it('fails a raw insert the table cannot take with chDB\'s code, so insertRows reports a non-retriable ClickHouse error', async () => {
    const failure = await insertRows(forwarded, { table: 'fwd.rows', rows: [{ id: 'not a number', name: 'x' }] }).then(() => null, (e: unknown) => e);
    expect(failure).toBeInstanceOf(YunlianError);
    expect(failure).toMatchObject({ code: 'CLICKHOUSE_QUERY_FAILED', retriable: false });
    expect((failure as YunlianError).context?.clickhouseCode).toMatch(/^\d+$/);
  });

  it('runs exec with a body, and exec of a query returns its output stream', async () => {
    const insert = await forwarded.exec({ query: 'INSERT INTO fwd.rows FORMAT JSONEachRow', values: Readable.from(['{"id":4,"name":"four"}\n']) });
    insert.stream.resume();
    const result = await forwarded.exec({ query: 'SELECT count() AS n FROM fwd.rows FORMAT JSONEachRow' });
    const text = await new Promise<string>((resolve, reject) => {
      let out = '';
      result.stream.on('data', (chunk: Buffer) => (out += chunk.toString()));
      result.stream.once('end', () => resolve(out));
      result.stream.once('error', reject);
    });
    expect(Number((JSON.parse(text.trim()) as { n: number | string }).n)).toBe(2004);
  });

  it('streams the rows of a forwarded query result', async () => {
    const rows: unknown[] = [];
    const rs = await forwarded.query({ query: 'SELECT id FROM fwd.rows WHERE id <= 4 ORDER BY id', format: 'JSONEachRow' });
    for await (const batch of rs.stream<{ id: number }>()) for (const row of batch) rows.push(row.json());
    expect(rows).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }]);
  });
});
