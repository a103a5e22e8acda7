import type { ClickHouseClient } from '@clickhouse/client';
import { toClickHouseFailure } from '../../sinks/clickhouse/clickhouseErrors.ts';

/**
 * Runs a SELECT with bound parameters (`{name:Type}` placeholders) and returns
 * JSONEachRow rows. Never pass user input inside `sql`; never pass
 * clickhouse_settings (chDB turns them into session SETs, see
 * clickhouseClient.ts). Throws a typed YunlianError.
 */
export async function selectRows<T>(client: ClickHouseClient, sql: string, params: Record<string, unknown> = {}): Promise<T[]> {
  try {
    const rs = await client.query({ query: sql, format: 'JSONEachRow', query_params: params });
    return await rs.json<T>();
  } catch (error) {
    throw toClickHouseFailure(error, { operation: 'select' });
  }
}
