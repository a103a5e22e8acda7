import { describe, expect, it } from 'vitest';
import { targetOfSql } from '../../sinks/clickhouse/clickhouseCallTarget.ts';
import type { ClickHouseConnection, RawInsert } from '../../sinks/clickhouse/clickhouseClient.ts';
import { meteredConnection } from '../../sinks/clickhouse/meteredConnection.ts';
import { createMetrics } from '../../src/runtime/metrics.ts';

describe('ClickHouse call targets', () => {
  it('names the table of an insert and nothing of a query', () => {
    expect(targetOfSql('INSERT INTO yunlian.invoices SETTINGS a = 1 FORMAT JSONEachRow', 'query')).toEqual({ op: 'insert', table: 'yunlian.invoices' });
    expect(targetOfSql('  insert into TABLE yunlian.links_daily (a, b) SELECT 1, 2', 'command')).toEqual({ op: 'insert', table: 'yunlian.links_daily' });
    expect(targetOfSql("SELECT * FROM yunlian.invoices WHERE seller_tax_id = 'secret'", 'query')).toEqual({ op: 'query', table: '' });
    expect(targetOfSql('CREATE TABLE yunlian.x (a UInt8) ENGINE = Memory', 'command')).toEqual({ op: 'command', table: '' });
  });

  it('keeps a quoted or odd insert target out of the label', () => {
    expect(targetOfSql('INSERT INTO `weird name` VALUES (1)', 'query')).toEqual({ op: 'insert', table: '' });
    expect(targetOfSql('INSERT INTO FUNCTION file(\'x.csv\') VALUES (1)', 'query')).toEqual({ op: 'insert', table: '' });
  });
});

/** A connection whose calls settle when the test says, so their overlap is controlled. */
function manualConnection() {
  const pending: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  const wait = <T>(value: T) => new Promise<T>((resolve, reject) => pending.push({ resolve: () => resolve(value), reject }));
  const connection = {
    query: () => wait({ query_id: 'q', stream: null }),
    exec: () => wait({ query_id: 'e', stream: null }),
    insert: () => wait({ query_id: 'i', executed: true }),
    command: () => wait({ query_id: 'c' }),
    ping: () => wait({ success: true }),
    close: async () => {},
  } as unknown as ClickHouseConnection;
  const rawInsert: RawInsert = () => wait(undefined);
  return { connection, rawInsert, pending };
}

describe('metered ClickHouse connection', () => {
  it('reports busy time once for overlapping calls, and calls, seconds and insert bytes by table', async () => {
    let t = 0;
    const metrics = createMetrics();
    const fake = manualConnection();
    const metered = meteredConnection(fake.connection, fake.rawInsert, metrics, () => t);
    const insert = metered.rawInsert!({ table: 'yunlian.invoices', values: Buffer.from('{"a":1}\n'), format: 'JSONEachRow', settings: {} });
    t = 100;
    const query = metered.connection.query({ query: 'SELECT count() FROM yunlian.invoices' });
    t = 400;
    fake.pending[0]!.resolve();
    await insert;
    t = 1000;
    fake.pending[1]!.resolve();
    await query;
    const load = metrics.clickhouseLoad();
    expect(load.busySeconds).toBeCloseTo(1, 9);
    expect(load.targets).toEqual(
      expect.arrayContaining([
        { op: 'insert', table: 'yunlian.invoices', calls: 1, callSeconds: 0.4, insertBytes: 8 },
        { op: 'query', table: '', calls: 1, callSeconds: 0.9, insertBytes: 0 },
      ]),
    );
    const text = await metrics.registry.metrics();
    expect(text).toContain('yunlian_clickhouse_busy_seconds_total 1');
    expect(text).toContain('yunlian_clickhouse_calls_total{op="insert",table="yunlian.invoices"} 1');
    expect(text).toContain('yunlian_clickhouse_insert_bytes_total{table="yunlian.invoices"} 8');
  });

  it('counts a failed call and passes its error on', async () => {
    let t = 0;
    const metrics = createMetrics();
    const fake = manualConnection();
    const metered = meteredConnection(fake.connection, fake.rawInsert, metrics, () => t);
    const command = metered.connection.command({ query: 'RENAME TABLE yunlian.a TO yunlian.b' });
    t = 250;
    fake.pending[0]!.reject(new Error('UNKNOWN_TABLE'));
    await expect(command).rejects.toThrow('UNKNOWN_TABLE');
    const load = metrics.clickhouseLoad();
    expect(load.busySeconds).toBeCloseTo(0.25, 9);
    expect(load.targets).toEqual([{ op: 'command', table: '', calls: 1, callSeconds: 0.25, insertBytes: 0 }]);
  });
});
