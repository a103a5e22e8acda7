import type { ClickHouseClient } from '@clickhouse/client';
import { MIGRATIONS, DATABASE_STATEMENT, type Migration } from './schema.ts';
import { toClickHouseFailure } from './clickhouseErrors.ts';
import { insertRows, isoInstant } from './insertRows.ts';

/**
 * Applies the migrations not yet recorded. Statements are themselves
 * idempotent (IF NOT EXISTS), so a crash between a statement and its record is
 * harmless. Returns the versions applied in this call.
 */
export async function migrate(client: ClickHouseClient, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  try {
    await client.command({ query: DATABASE_STATEMENT });
    await client.command({
      query: `CREATE TABLE IF NOT EXISTS yunlian.schema_migrations (version UInt32, name String, applied_at DateTime64(3, 'UTC'))
              ENGINE = ReplacingMergeTree ORDER BY version`,
    });
    const rs = await client.query({ query: 'SELECT version FROM yunlian.schema_migrations FINAL', format: 'JSONEachRow' });
    const done = new Set((await rs.json<{ version: number }>()).map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      for (const statement of m.statements) await client.command({ query: statement });
      await insertRows(client, { table: 'yunlian.schema_migrations', rows: [{ version: m.version, name: m.name, applied_at: isoInstant(Date.now()) }] });
      applied.push(m.version);
    }
    return applied;
  } catch (error) {
    throw toClickHouseFailure(error, { operation: 'migrate' });
  }
}
