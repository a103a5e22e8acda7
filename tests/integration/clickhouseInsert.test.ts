import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { clientOnConnection, connectionOf, openClickHouse, rawInsertOf } from '../../sinks/clickhouse/clickhouseClient.ts';
import { YunlianError } from '../../src/runtime/errors.ts';
import { migrate } from '../../sinks/clickhouse/migrate.ts';
import { MIGRATIONS } from '../../sinks/clickhouse/schema.ts';
import { concatEncodedRows, encodeColumns, encodeRows, insertRows, isoInstant, tableColumns } from '../../sinks/clickhouse/insertRows.ts';
import { INVOICE_COLUMNS, INVOICE_LINE_COLUMNS, invoiceLineRows, invoiceRow } from '../../pipelines/ingest/invoiceRows.ts';
import { parseIssuedAt } from '../../src/domain/issuedAt.ts';
import type { InvoiceEvent } from '../../src/domain/invoiceEvent.ts';
import { issuedInvoice } from '../helpers/invoiceFixtures.ts';

let dir: string;
let client: ClickHouseClient;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'yunlian-ch-'));
  client = await openClickHouse({ kind: 'embedded', path: dir });
  await migrate(client);
  await client.command({ query: 'CREATE TABLE yunlian.t_dedup (id UInt32) ENGINE = MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 100' });
  await client.command({ query: 'CREATE TABLE yunlian.t_trap (id UInt32) ENGINE = MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 100' });
});

afterAll(async () => {
  await client?.close();
  rmSync(dir, { recursive: true, force: true });
});

const ids = async (table: string) => (await (await client.query({ query: `SELECT id FROM ${table} ORDER BY id`, format: 'JSONEachRow' })).json<{ id: number }>()).map((r) => r.id);

describe('ClickHouse inserts on chDB', () => {
  it('drops a redelivered batch with the same dedup token and keeps the next, different insert', async () => {
    await insertRows(client, { table: 'yunlian.t_dedup', rows: [{ id: 1 }, { id: 2 }], dedupToken: 'topic:0:0-1' });
    await insertRows(client, { table: 'yunlian.t_dedup', rows: [{ id: 1 }, { id: 2 }], dedupToken: 'topic:0:0-1' });
    await insertRows(client, { table: 'yunlian.t_dedup', rows: [{ id: 3 }] });
    await insertRows(client, { table: 'yunlian.t_dedup', rows: [{ id: 4 }], dedupToken: 'topic:0:2-2' });
    expect(await ids('yunlian.t_dedup')).toEqual([1, 2, 3, 4]);
  });

  it('inserts rows encoded per batch and concatenated as one insert, deduplicated by its token like row objects', async () => {
    await client.command({ query: 'CREATE TABLE yunlian.t_encoded (id UInt32, name String) ENGINE = MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 100' });
    const batches = [encodeRows([{ id: 1, name: '嘉善' }, { id: 2, name: 'a\nb' }]), encodeRows([]), encodeRows([{ id: 3, name: '"' }])];
    await insertRows(client, { table: 'yunlian.t_encoded', rows: concatEncodedRows(batches), dedupToken: 'enc:0:0-2' });
    await insertRows(client, { table: 'yunlian.t_encoded', rows: concatEncodedRows(batches), dedupToken: 'enc:0:0-2' });
    await insertRows(client, { table: 'yunlian.t_encoded', rows: encodeRows([]) });
    const rows = await (await client.query({ query: 'SELECT id, name FROM yunlian.t_encoded ORDER BY id', format: 'JSONEachRow' })).json();
    expect(rows).toEqual([{ id: 1, name: '嘉善' }, { id: 2, name: 'a\nb' }, { id: 3, name: '"' }]);
  });

  it('writes through chDB\'s raw insert, and a row the table cannot take fails as a non-retriable ClickHouse error with its code', async () => {
    expect(rawInsertOf(client)).toBeTypeOf('function');
    const failure = await insertRows(client, { table: 'yunlian.t_dedup', rows: [{ id: 'not a number' }] }).then(() => null, (error: unknown) => error);
    expect(failure).toBeInstanceOf(YunlianError);
    expect(failure).toMatchObject({ code: 'CLICKHOUSE_QUERY_FAILED', retriable: false });
    expect((failure as YunlianError).context?.clickhouseCode).toMatch(/^\d+$/);
    expect(await ids('yunlian.t_dedup')).toEqual([1, 2, 3, 4]);
  });

  it('shows the chDB trap insertRows avoids: per-query clickhouse_settings stay set for later queries', async () => {
    await client.insert({ table: 'yunlian.t_trap', values: [{ id: 1 }], format: 'JSONEachRow', clickhouse_settings: { insert_deduplication_token: 'leaky' } });
    // A different batch without any settings: on a real server it lands; through chDB's connection the stale token drops it.
    await client.insert({ table: 'yunlian.t_trap', values: [{ id: 2 }], format: 'JSONEachRow' });
    expect(await ids('yunlian.t_trap')).toEqual([1]);
    // Reset the session setting so the rest of this process is unaffected.
    await client.command({ query: "SET insert_deduplication_token = ''" });
  });

  it('reads back every value of a large batch as written: Chinese names, escapes, nulls, 64-bit fen, arrays', async () => {
    await client.command({ query: 'CREATE TABLE yunlian.t_text (id UInt32, name String, ref Nullable(String), fen Int64, reasons Array(String)) ENGINE = MergeTree ORDER BY id' });
    const names = ['苏州益诚金属材料科技有限公司', '*钢材*不锈钢棒', 'quote " backslash \\ newline \n tab \t', 'é€😀', ''];
    // Several megabytes: the body grows past its first buffer.
    const rows = Array.from({ length: 20_000 }, (_, id) => ({
      id,
      name: names[id % names.length]!.repeat(1 + (id % 40)),
      ref: id % 3 === 0 ? null : `1932000086925339${String(id).padStart(4, '0')}`,
      fen: (id % 2 === 0 ? 1 : -1) * (2 ** 52 - id),
      reasons: id % 4 === 0 ? [] : ['同一税收分类编码', `rank ${id}`],
    }));
    await insertRows(client, { table: 'yunlian.t_text', rows });
    const back = await (await client.query({ query: 'SELECT id, name, ref, toString(fen) AS fen, reasons FROM yunlian.t_text ORDER BY id', format: 'JSONEachRow' })).json<{ id: number; name: string; ref: string | null; fen: string; reasons: string[] }>();
    expect(back.map((r) => ({ ...r, fen: Number(r.fen) }))).toEqual(rows);
  });

  it('reads back rows encoded as arrays of their columns exactly as row objects, through the raw insert and through SQL, a null taking the column default', async () => {
    await client.command({ query: "CREATE TABLE yunlian.t_columns (id UInt32, name String, ref Nullable(String), fen Int64, kind LowCardinality(String) DEFAULT 'none', at DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY id" });
    type Row = { id: number; name: string; ref: string | null; fen: number; kind?: string; at: string };
    const columns = tableColumns<Row>({ id: true, name: true, ref: true, fen: true, kind: true, at: true });
    const rows: Row[] = Array.from({ length: 3_000 }, (_, id) => ({
      id,
      name: ['嘉善恒达电子', 'quote " backslash \\ newline \n', 'é€😀', ''][id % 4]!,
      ref: id % 3 === 0 ? null : `ref-${id}`,
      fen: (id % 2 === 0 ? 1 : -1) * (2 ** 52 - id),
      ...(id % 5 === 0 ? {} : { kind: 'ISSUED' }),
      at: new Date(Date.UTC(2020, 1, 10) + id * 1_000).toISOString(),
    }));
    const half = rows.length / 2;
    // Without the raw insert, insertRows sends the rows after an INSERT statement's text (the HTTP server's path).
    const viaSql = clientOnConnection(connectionOf(client)!);
    await insertRows(client, { table: 'yunlian.t_columns', rows: concatEncodedRows([encodeColumns(columns, rows.slice(0, 100)), encodeColumns(columns, rows.slice(100, half))]) });
    await insertRows(viaSql, { table: 'yunlian.t_columns', rows: encodeColumns(columns, rows.slice(half)) });
    const back = await (await client.query({ query: "SELECT id, name, ref, toString(fen) AS fen, kind, formatDateTime(at, '%Y-%m-%dT%H:%i:%s.%fZ') AS at FROM yunlian.t_columns ORDER BY id", format: 'JSONEachRow' })).json<Row & { fen: string }>();
    expect(back.map((r) => ({ ...r, fen: Number(r.fen), at: r.at.replace(/(\.\d{3})\d*Z$/, '$1Z') }))).toEqual(rows.map((r) => ({ ...r, kind: r.kind ?? 'none' })));
    expect(() => concatEncodedRows([encodeColumns(columns, rows.slice(0, 1)), encodeRows(rows.slice(1, 2))])).toThrow(RangeError);
  });

  it("lands ingest's invoice and line rows with the real tables' columns as row objects would", async () => {
    const events = Array.from({ length: 40 }, (_, i) => issuedInvoice({ amounts: [1000 + i, 250], seller: 100 + i, buyer: 200 + i }));
    const issuedAt = (e: InvoiceEvent) => isoInstant((parseIssuedAt(e.issued_at) as { epochMs: number }).epochMs);
    const invoices = events.map((e, i) => invoiceRow(e, issuedAt(e), { topic: 'yunlian.invoices.qingpu', partition: 1, offset: String(i) }, isoInstant(Date.UTC(2020, 2, 1))));
    const lines = events.flatMap((e) => invoiceLineRows(e, issuedAt(e)));
    for (const t of ['invoices', 'invoice_lines']) {
      await client.command({ query: `CREATE TABLE yunlian.${t}_as_objects AS yunlian.${t}` });
      await client.command({ query: `CREATE TABLE yunlian.${t}_as_arrays AS yunlian.${t}` });
    }
    await insertRows(client, { table: 'yunlian.invoices_as_objects', rows: invoices });
    await insertRows(client, { table: 'yunlian.invoices_as_arrays', rows: encodeColumns(INVOICE_COLUMNS, invoices) });
    await insertRows(client, { table: 'yunlian.invoice_lines_as_objects', rows: lines });
    await insertRows(client, { table: 'yunlian.invoice_lines_as_arrays', rows: encodeColumns(INVOICE_LINE_COLUMNS, lines) });
    for (const [t, key] of [['invoices', 'event_id'], ['invoice_lines', 'event_id, line_no']] as const) {
      const all = async (table: string) => (await client.query({ query: `SELECT * FROM yunlian.${table} ORDER BY ${key}`, format: 'JSONEachRow' })).json();
      const asObjects = await all(`${t}_as_objects`);
      expect(asObjects.length).toBe(t === 'invoices' ? 40 : 80);
      expect(await all(`${t}_as_arrays`)).toEqual(asObjects);
    }
  });

  it('runs the migrations idempotently', async () => {
    expect(await migrate(client)).toEqual([]);
    const tables = (await (await client.query({ query: "SELECT name FROM system.tables WHERE database = 'yunlian' ORDER BY name", format: 'JSONEachRow' })).json<{ name: string }>()).map((r) => r.name);
    for (const t of ['invoices', 'invoice_lines', 'signals', 'enterprise_daily', 'links_daily', 'matches', 'cases', 'detect_snapshots', 'schema_migrations']) expect(tables).toContain(t);
    const versions = (await (await client.query({ query: 'SELECT version FROM yunlian.schema_migrations FINAL ORDER BY version', format: 'JSONEachRow' })).json<{ version: number }>()).map((r) => Number(r.version));
    expect(versions).toEqual(MIGRATIONS.map((m) => m.version));
  });
});
