import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { toClickHouseFailure } from './clickhouseErrors.ts';
import { rawInsertOf } from './clickhouseClient.ts';
import { jsonEachRowBody } from './jsonEachRowBody.ts';

const TABLE = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;
const TOKEN = /^[A-Za-z0-9:_.\-]{1,200}$/;

export interface InsertRowsParams {
  table: string;
  rows: readonly object[];
  /**
   * Same token, same rows → the second insert is dropped by ClickHouse. Must be
   * derived from the input (e.g. topic/partition/offset range), never random.
   */
  dedupToken?: string;
}

/**
 * Inserts rows as JSONEachRow. Query-scoped settings go in the SQL SETTINGS
 * clause, not `clickhouse_settings`: the chDB connection turns the latter into
 * session SETs that would leak into later inserts (a stale
 * insert_deduplication_token silently drops the next, different batch).
 * DateTime columns take ISO-8601 strings (best_effort parsing).
 */
export async function insertRows(client: ClickHouseClient, params: InsertRowsParams): Promise<void> {
  if (!TABLE.test(params.table)) throw new RangeError(`not a qualified table name: ${params.table}`);
  if (params.rows.length === 0) return;
  const settings: Record<string, string> = { date_time_input_format: 'best_effort' };
  if (params.dedupToken !== undefined) {
    if (!TOKEN.test(params.dedupToken)) throw new RangeError(`dedup token has characters outside [A-Za-z0-9:_.-]: ${params.dedupToken}`);
    settings.insert_deduplication_token = params.dedupToken;
  }
  // Serialised on the consumer's thread: see jsonEachRowBody for why it is built row by row.
  const body = jsonEachRowBody(params.rows);
  try {
    const raw = rawInsertOf(client);
    if (raw) {
      // chDB puts these settings in the statement's SETTINGS clause too (query-scoped), never a session SET.
      await raw({ table: params.table, values: body, format: 'JSONEachRow', settings });
      return;
    }
    const result = await client.exec({
      query: `INSERT INTO ${params.table} SETTINGS ${Object.entries(settings).map(([k, v]) => `${k} = '${v}'`).join(', ')} FORMAT JSONEachRow`,
      values: Readable.from([body]),
    });
    result.stream.resume();
    await new Promise<void>((resolve, reject) => {
      result.stream.once('end', resolve);
      result.stream.once('error', reject);
    });
  } catch (error) {
    throw toClickHouseFailure(error, { operation: 'insert', table: params.table, rows: params.rows.length });
  }
}

/** ISO-8601 UTC instant for a DateTime64 column. */
export function isoInstant(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
