import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseError, ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { createLogger } from '../../src/runtime/log.ts';
import { startClickHouseHttpInterface, type ClickHouseHttpInterface } from '../../sinks/clickhouse/httpInterface.ts';

// One chDB data dir per test file: vitest runs each file in its own forked process.
const PASSWORD = 'analyst-secret-7f3a';
const TABLE = `http_probe_${process.pid}`;
const logLines: string[] = [];

let dataDir: string;
let engine: ClickHouseClient;
let httpInterface: ClickHouseHttpInterface;
const remotes: ClickHouseClient[] = [];

function remote(password = PASSWORD, extra: Parameters<typeof createClient>[0] = {}): ClickHouseClient {
  // The client logs every refused request; these tests provoke refusals on purpose.
  const client = createClient({ url: httpInterface.url, username: 'analyst', password, log: { level: ClickHouseLogLevel.OFF }, ...extra });
  remotes.push(client);
  return client;
}

async function rowCount(): Promise<number> {
  const rs = await engine.query({ query: `SELECT count() AS n FROM ${TABLE}`, format: 'JSONEachRow' });
  const [row] = await rs.json<{ n: string | number }>();
  return Number(row!.n);
}

async function expectClickHouseError(promise: Promise<unknown>, code: string): Promise<ClickHouseError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ClickHouseError);
  expect((error as ClickHouseError).code).toBe(code);
  return error as ClickHouseError;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'yunlian-chhttp-'));
  engine = createClient({ connection: createChdbConnection({ path: dataDir }) } as Parameters<typeof createClient>[0]);
  await engine.command({ query: `CREATE TABLE ${TABLE} (tax_id String, district String, amount_fen Int64) ENGINE = MergeTree ORDER BY tax_id` });
  await engine.insert({
    table: TABLE,
    format: 'JSONEachRow',
    values: [
      { tax_id: '91310118MA1J000001', district: 'qingpu', amount_fen: 123400 },
      { tax_id: '91330421MA2B000002', district: 'jiashan', amount_fen: 5000 },
      { tax_id: '91320509MA1M000003', district: 'wujiang', amount_fen: 777 },
    ],
  });
  httpInterface = await startClickHouseHttpInterface({
    client: engine,
    port: 0,
    users: [{ name: 'analyst', password: PASSWORD }],
    logger: createLogger('test', { level: 'debug', sink: { write: (line) => logLines.push(line) } }),
  });
});

afterAll(async () => {
  await Promise.all(remotes.map((c) => c.close()));
  await httpInterface?.close();
  await engine?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('embedded ClickHouse HTTP interface', () => {
  it('serves JSONEachRow rows to @clickhouse/client with a bound query parameter', async () => {
    const rs = await remote().query({
      query: `SELECT tax_id, amount_fen FROM ${TABLE} WHERE district = {district:String} ORDER BY tax_id`,
      format: 'JSONEachRow',
      query_params: { district: 'jiashan' },
    });
    const rows = await rs.json<{ tax_id: string; amount_fen: string | number }>();
    // 64-bit integers arrive as numbers or strings depending on output_format_json_quote_64bit_integers.
    expect(rows.map((r) => [r.tax_id, Number(r.amount_fen)])).toEqual([['91330421MA2B000002', 5000]]);
  });

  it('serves the JSON format with meta and data to @clickhouse/client', async () => {
    const rs = await remote().query({
      query: `SELECT district FROM ${TABLE} WHERE amount_fen > {min:Int64} ORDER BY district`,
      format: 'JSON',
      query_params: { min: 1000 },
    });
    const body = await rs.json<{ district: string }>();
    expect(body.meta).toEqual([{ name: 'district', type: 'String' }]);
    expect(body.data.map((r) => r.district)).toEqual(['jiashan', 'qingpu']);
    expect(body.rows).toBe(2);
  });

  it('binds string parameters with quotes, tabs and backslashes as values, not SQL', async () => {
    const tricky = "it's\t\\a'; DROP TABLE x; --";
    const rs = await remote().query({ query: 'SELECT {s:String} AS s, length({s:String}) AS n', format: 'JSONEachRow', query_params: { s: tricky } });
    const [row] = await rs.json<{ s: string; n: string | number }>();
    expect(row!.s).toBe(tricky);
    expect(Number(row!.n)).toBe(Buffer.byteLength(tricky));
  });

  it('answers ping from @clickhouse/client and GET /ping with Ok.', async () => {
    expect(await remote().ping()).toEqual({ success: true });
    const res = await fetch(`${httpInterface.url}/ping`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('Ok.\n');
  });

  it('answers a plain GET ?query= in TabSeparated by default', async () => {
    const query = encodeURIComponent(`SELECT district, amount_fen FROM ${TABLE} ORDER BY amount_fen`);
    const res = await fetch(`${httpInterface.url}/?user=analyst&password=${PASSWORD}&query=${query}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-clickhouse-format')).toBe('TabSeparated');
    expect(res.headers.get('x-clickhouse-query-id')).toBeTruthy();
    expect(await res.text()).toBe('wujiang\t777\njiashan\t5000\nqingpu\t123400\n');
  });

  it('honours a FORMAT clause in a POSTed body with basic auth, like curl --data-binary', async () => {
    const res = await fetch(`${httpInterface.url}/`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`analyst:${PASSWORD}`).toString('base64')}` },
      body: `-- count per district\nSELECT count() AS n FROM ${TABLE} FORMAT JSONEachRow;`,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-clickhouse-format')).toBe('JSONEachRow');
    expect(Number(((await res.json()) as { n: string | number }).n)).toBe(3);
  });

  it('rejects a wrong password with AUTHENTICATION_FAILED (516)', async () => {
    await expectClickHouseError(remote('wrong').query({ query: 'SELECT 1', format: 'JSONEachRow' }), '516');
    const res = await fetch(`${httpInterface.url}/?query=SELECT%201`);
    expect(res.status).toBe(403);
    expect(res.headers.get('x-clickhouse-exception-code')).toBe('516');
    expect(await res.text()).toMatch(/^Code: 516\. DB::Exception: default: Authentication failed.*\(AUTHENTICATION_FAILED\)/);
  });

  it.each([
    ['INSERT', `INSERT INTO ${TABLE} VALUES ('91310118MA1J000009', 'qingpu', 1)`, '164'],
    ['CREATE', `CREATE TABLE ${TABLE}_copy AS ${TABLE}`, '164'],
    ['DROP', `DROP TABLE ${TABLE}`, '164'],
    ['TRUNCATE hidden behind a comment', `/* SELECT */ TRUNCATE TABLE ${TABLE}`, '164'],
    ['file()', "SELECT * FROM file('/etc/passwd', 'LineAsString')", '164'],
    ['backquoted url()', "SELECT * FROM `url`('http://127.0.0.1:1/', 'CSV')", '164'],
    ['INTO OUTFILE', `SELECT * FROM ${TABLE} INTO OUTFILE '/tmp/yunlian-leak.tsv'`, '164'],
    ['a second statement', `SELECT 1; DROP TABLE ${TABLE}`, '62'],
    ['a readonly override', 'SELECT 1 SETTINGS readonly = 0', '164'],
  ])('refuses %s and leaves the table unchanged', async (_label, query, code) => {
    await expectClickHouseError(remote().exec({ query }).then((r) => r.stream.resume()), code);
    expect(await rowCount()).toBe(3);
  });

  it('returns the engine error for an unknown table as a ClickHouseError (60)', async () => {
    await expectClickHouseError(remote().query({ query: 'SELECT * FROM no_such_table', format: 'JSONEachRow' }), '60');
  });

  it('surfaces a syntax error as ClickHouseError code 62 with HTTP 400', async () => {
    await expectClickHouseError(remote().query({ query: 'SELEC tax_id FROM nowhere', format: 'JSONEachRow' }), '62');
    const res = await fetch(`${httpInterface.url}/?query=${encodeURIComponent('SELECT (1')}`, { headers: { 'X-ClickHouse-User': 'analyst', 'X-ClickHouse-Key': PASSWORD } });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-clickhouse-exception-code')).toBe('62');
  });

  it('answers a 2 MiB body with 413 and keeps serving', async () => {
    const res = await fetch(`${httpInterface.url}/`, {
      method: 'POST',
      headers: { 'X-ClickHouse-User': 'analyst', 'X-ClickHouse-Key': PASSWORD },
      body: `SELECT '${'x'.repeat(2 * 1024 * 1024)}'`,
    });
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/QUERY_IS_TOO_LARGE/);
    expect(await remote().ping()).toEqual({ success: true });
  });

  it('scopes a URL setting to its own query, leaking nothing into the shared session', async () => {
    const limited = remote(PASSWORD, { clickhouse_settings: { max_result_rows: '1', result_overflow_mode: 'throw' } });
    await expectClickHouseError(limited.query({ query: 'SELECT number FROM numbers(5)', format: 'JSONEachRow' }), '396');

    const viaHttp = await remote().query({ query: 'SELECT number FROM numbers(5)', format: 'JSONEachRow' });
    expect(await viaHttp.json()).toHaveLength(5);
    const inProcess = await engine.query({ query: "SELECT getSetting('max_result_rows') AS m, getSetting('readonly') AS r", format: 'JSONEachRow' });
    const [settings] = await inProcess.json<{ m: string | number; r: string | number }>();
    expect([Number(settings!.m), Number(settings!.r)]).toEqual([0, 0]);
    await engine.command({ query: `CREATE TABLE ${TABLE}_writable (a UInt8) ENGINE = Memory` });
    await engine.command({ query: `DROP TABLE ${TABLE}_writable` });
  });

  it('gzips the response when the client asks for compression', async () => {
    const rs = await remote(PASSWORD, { compression: { response: true } }).query({ query: `SELECT count() AS n FROM ${TABLE}`, format: 'JSONEachRow' });
    const [row] = await rs.json<{ n: string | number }>();
    expect(Number(row!.n)).toBe(3);
    const res = await fetch(`${httpInterface.url}/?enable_http_compression=1&query=SELECT%201`, {
      headers: { 'X-ClickHouse-User': 'analyst', 'X-ClickHouse-Key': PASSWORD, 'Accept-Encoding': 'gzip' },
    });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(await res.text()).toBe('1\n');
  });

  it('never writes the password into its logs', () => {
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(PASSWORD);
  });
});
