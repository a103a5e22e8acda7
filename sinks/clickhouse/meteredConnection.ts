import { BusyClock } from '../../src/runtime/busyClock.ts';
import type { ClickHouseCallTarget, Metrics } from '../../src/runtime/metrics.ts';
import { targetOfSql } from './clickhouseCallTarget.ts';
import type { ClickHouseConnection, RawInsert } from './clickhouseClient.ts';

/** The metric events a metered connection reports (metrics.ts maps them to prom-client). */
export type ClickHouseCallMeter = Pick<Metrics, 'clickhouseCall' | 'clickhouseBusy'>;

export interface MeteredConnection {
  connection: ClickHouseConnection;
  rawInsert?: RawInsert;
}

/**
 * Wraps the one embedded (chDB) connection of the process so that every call
 * on it is counted, whoever makes it: pipelines on the main thread, calls
 * forwarded from worker threads (clickhouseCallServer.ts runs them on this
 * connection and raw insert, found through connectionOf / rawInsertOf),
 * migrations, the read-only HTTP interface. chDB runs one query at a time, so
 * its busy time (any call in flight) says how much of a run the pipelines
 * could have been waiting for it.
 *
 * A call counts from its start to its promise settling, failed calls too
 * (they occupied the engine); chDB materialises results before it resolves,
 * so reading a result stream afterwards is not engine time. Insert bytes are
 * counted where the body is bytes (the raw insert, which insertRows.ts uses
 * on chDB); a stream body is not read twice to measure it.
 */
export function meteredConnection(inner: ClickHouseConnection, rawInsert: RawInsert | undefined, meter: ClickHouseCallMeter, now: () => number = () => performance.now()): MeteredConnection {
  const clock = new BusyClock(now);

  async function timed<T>(target: ClickHouseCallTarget, insertBytes: number, run: () => Promise<T>): Promise<T> {
    const call = clock.start();
    try {
      return await run();
    } finally {
      const { callSeconds, busySeconds } = clock.end(call);
      meter.clickhouseBusy(busySeconds);
      meter.clickhouseCall(target, callSeconds, insertBytes);
    }
  }

  const connection: ClickHouseConnection = {
    query: (params) => timed(targetOfSql(params.query, 'query'), 0, () => inner.query(params)),
    exec: (params) => timed(targetOfSql(params.query, 'query'), 0, () => inner.exec(params)),
    insert: (params) => timed(targetOfSql(params.query, 'query'), 0, () => inner.insert(params)),
    command: (params) => timed(targetOfSql(params.query, 'command'), 0, () => inner.command(params)),
    ping: (params) => timed({ op: 'ping', table: '' }, 0, () => inner.ping(params)),
    close: () => inner.close(),
  };
  return {
    connection,
    ...(rawInsert ? { rawInsert: (params) => timed({ op: 'insert', table: params.table }, params.values.byteLength, () => rawInsert(params)) } : {}),
  };
}
