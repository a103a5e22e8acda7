import { mkdirSync } from 'node:fs';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { ClickHouseConfig } from '../../src/runtime/config.ts';
import { meteredConnection, type ClickHouseCallMeter } from './meteredConnection.ts';

/**
 * The one place that decides between embedded chDB and a real server: the rest
 * of yunlian talks to `@clickhouse/client` either way.
 *
 * chDB trap (verified with chdb 3.4): its connection turns per-query
 * `clickhouse_settings` into session `SET`s that persist for later queries, so
 * never pass `clickhouse_settings`; put query-scoped settings in the SQL
 * `SETTINGS` clause (see insertRows.ts and its test).
 */
/** chDB's native insert: hands the payload to the engine as bytes instead of splicing it into the SQL text. */
export type RawInsert = (params: { table: string; values: Buffer; format: 'JSONEachRow' | 'JSONCompactEachRow'; columns?: string[]; settings: Record<string, string> }) => Promise<unknown>;

/** client-common's `Connection<Readable>` as @clickhouse/client takes it (its own copy of client-common). */
export type ClickHouseConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

const rawInserts = new WeakMap<ClickHouseClient, RawInsert>();
const connections = new WeakMap<ClickHouseClient, ClickHouseConnection>();

/**
 * The raw insert of an embedded client, or undefined (HTTP server, or a
 * wrapper around a client such as the fault suite's outage proxy, which must
 * see every call). chDB's connection builds `INSERT … FORMAT X\n<body>` as
 * one SQL string; the raw path skips that copy and the SQL lexer over the body
 * (measured about 2× the rows/s in bench/insertStage.ts).
 */
export function rawInsertOf(client: ClickHouseClient): RawInsert | undefined {
  return rawInserts.get(client);
}

/**
 * The connection under a client built here on an injected connection (chDB, or
 * one forwarded from a worker thread), so calls forwarded from another thread
 * can run on it as they arrive; undefined for an HTTP client.
 */
export function connectionOf(client: ClickHouseClient): ClickHouseConnection | undefined {
  return connections.get(client);
}

/** A client on an injected connection, remembering the connection and its raw insert (if any) for the two lookups above. */
export function clientOnConnection(connection: ClickHouseConnection, rawInsert?: RawInsert): ClickHouseClient {
  const client = createClient({ connection });
  connections.set(client, connection);
  if (rawInsert) rawInserts.set(client, rawInsert);
  return client;
}

export interface OpenClickHouseOptions {
  /**
   * Counts every call on the embedded engine (meteredConnection.ts): its busy
   * time and calls by table. Not used for a server, which runs calls
   * concurrently and has its own system.query_log.
   */
  meter?: ClickHouseCallMeter;
}

export async function openClickHouse(config: ClickHouseConfig, opts: OpenClickHouseOptions = {}): Promise<ClickHouseClient> {
  if (config.kind === 'http') {
    return createClient({
      url: config.url,
      username: config.username,
      password: config.password,
      compression: { request: false, response: true },
    });
  }
  mkdirSync(config.path, { recursive: true });
  // Imported lazily: production processes never load the native engine.
  const { createChdbConnection } = await import('chdb/connection');
  // chdb types its Connection against its own copy of client-common; structurally the same contract.
  const connection = createChdbConnection({ path: config.path }) as unknown as ClickHouseConnection;
  const native = (connection as unknown as { chdb?: { rawInsert?: RawInsert } }).chdb;
  const rawInsert: RawInsert | undefined = typeof native?.rawInsert === 'function' ? (params) => native.rawInsert!(params) : undefined;
  if (!opts.meter) return clientOnConnection(connection, rawInsert);
  const metered = meteredConnection(connection, rawInsert, opts.meter);
  return clientOnConnection(metered.connection, metered.rawInsert);
}
