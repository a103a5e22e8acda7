import type { ClickHouseClient } from '@clickhouse/client';
import { encodeColumns, insertRows } from '../sinks/clickhouse/insertRows.ts';
import { INVOICE_COLUMNS, type InvoiceRow } from '../pipelines/ingest/invoiceRows.ts';
import { advantageOf, ratePerSecond, type BenchFigure } from './benchFigure.ts';

export interface InsertStageInput {
  clickhouse: ClickHouseClient;
  /** Rows of `yunlian.invoices` built by ingest's invoiceRow. */
  rows: readonly InvoiceRow[];
  batchRows: number;
  /** Invoices the naive side inserts one by one; its rate is extrapolated from them. */
  naiveCap: number;
}

/** Copies of `yunlian.invoices`, so the benchmark's rows never mix with the pipelines' data. */
const BENCH_TABLE = 'yunlian_bench.invoices';
const NAIVE_TABLE = 'yunlian_bench.invoices_naive';

/** Distinct invoice events in a table (the scenario's duplicate deliveries collapse in the ReplacingMergeTree). */
async function countEvents(client: ClickHouseClient, table: string): Promise<number> {
  const rs = await client.query({ query: `SELECT uniqExact(event_id) AS n FROM ${table}`, format: 'JSONEachRow' });
  const [row] = await rs.json<{ n: string | number }>();
  return Number(row?.n ?? 0);
}

/**
 * ClickHouse insert rows/s into a copy of `yunlian.invoices` (chDB, same
 * engine and settings): yunlian's insertRows with `batchRows`-row batches
 * encoded as ingest encodes them (JSONCompactEachRow) and a dedup token each, against one INSERT per invoice.
 */
export async function insertStage(input: InsertStageInput): Promise<BenchFigure[]> {
  const { clickhouse } = input;
  await clickhouse.command({ query: 'CREATE DATABASE IF NOT EXISTS yunlian_bench' });
  for (const table of [BENCH_TABLE, NAIVE_TABLE]) {
    await clickhouse.command({ query: `DROP TABLE IF EXISTS ${table}` });
    await clickhouse.command({ query: `CREATE TABLE ${table} AS yunlian.invoices` });
  }
  let t = performance.now();
  for (let i = 0; i < input.rows.length; i += input.batchRows) {
    await insertRows(clickhouse, { table: BENCH_TABLE, rows: encodeColumns(INVOICE_COLUMNS, input.rows.slice(i, i + input.batchRows)), dedupToken: `bench-${i}` });
  }
  const batchedSeconds = (performance.now() - t) / 1000;
  const naiveRows = input.rows.slice(0, input.naiveCap);
  t = performance.now();
  for (const row of naiveRows) await insertRows(clickhouse, { table: NAIVE_TABLE, rows: [row] });
  const naiveSeconds = (performance.now() - t) / 1000;

  const distinct = (rows: readonly InvoiceRow[]) => new Set(rows.map((r) => r.event_id)).size;
  const landed = await countEvents(clickhouse, BENCH_TABLE);
  const naiveLanded = await countEvents(clickhouse, NAIVE_TABLE);
  if (landed !== distinct(input.rows) || naiveLanded !== distinct(naiveRows)) {
    throw new Error(`insert bench lost rows: ${landed}/${distinct(input.rows)} events batched, ${naiveLanded}/${distinct(naiveRows)} one by one`);
  }
  const yunlian = ratePerSecond(input.rows.length, batchedSeconds);
  const naive = ratePerSecond(naiveRows.length, naiveSeconds);
  return [
    {
      id: 'stage.clickhouse_insert',
      label: 'ClickHouse insert (rows/s)',
      unit: 'rows/s',
      yunlian,
      naive,
      advantage: advantageOf(yunlian, naive, 'higher'),
      input: { rows: input.rows.length, batch_rows: input.batchRows, naive_rows: naiveRows.length, table: 'copy of yunlian.invoices (chDB)' },
      extrapolated: { yunlian: false, naive: true, how: `naive rate measured on ${naiveRows.length} single-row INSERTs` },
      notes: `yunlian: insertRows, ${input.batchRows}-row JSONCompactEachRow batches (encoded as ingest does, encoding timed) with a dedup token. naive: one INSERT per invoice. Distinct event ids verified after both.`,
    },
  ];
}
