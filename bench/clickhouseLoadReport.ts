import type { ClickHouseLoad, ClickHouseTargetLoad } from '../src/runtime/metrics.ts';

/** The embedded ClickHouse's load during one bench run: the difference of the call metrics read before and after it. */
export interface ClickHouseRunLoad {
  /** Wall time with at least one call in flight (yunlian_clickhouse_busy_seconds_total). */
  busySeconds: number;
  /** Wall time between the two readings. */
  spanSeconds: number;
  /** busySeconds ÷ spanSeconds: near 1, the pipelines wait for chDB, which runs one call at a time. */
  busyShare: number | null;
  calls: number;
  /** Summed start-to-end seconds of all calls (queueing included, so it can exceed busySeconds). */
  callSeconds: number;
  /** The targets (insert into a table, query, command) by summed call seconds, largest first. */
  top: ClickHouseTargetLoad[];
}

const keyOf = (t: Pick<ClickHouseTargetLoad, 'op' | 'table'>): string => `${t.op} ${t.table}`;

/**
 * What happened between two readings of the same registry (counters only
 * grow, so the difference is the run's share). `top` keeps that many targets.
 */
export function clickhouseRunLoad(before: ClickHouseLoad, after: ClickHouseLoad, spanSeconds: number, top = 5): ClickHouseRunLoad {
  const earlier = new Map(before.targets.map((t) => [keyOf(t), t]));
  const targets: ClickHouseTargetLoad[] = [];
  for (const t of after.targets) {
    const b = earlier.get(keyOf(t));
    const calls = t.calls - (b?.calls ?? 0);
    if (calls <= 0) continue;
    targets.push({ op: t.op, table: t.table, calls, callSeconds: t.callSeconds - (b?.callSeconds ?? 0), insertBytes: t.insertBytes - (b?.insertBytes ?? 0) });
  }
  targets.sort((a, b) => b.callSeconds - a.callSeconds);
  const busySeconds = after.busySeconds - before.busySeconds;
  return {
    busySeconds,
    spanSeconds,
    busyShare: spanSeconds > 0 ? busySeconds / spanSeconds : null,
    calls: targets.reduce((s, t) => s + t.calls, 0),
    callSeconds: targets.reduce((s, t) => s + t.callSeconds, 0),
    top: targets.slice(0, top),
  };
}

/** Lines for the bench's console output. */
export function formatClickHouseLoad(load: ClickHouseRunLoad): string[] {
  const share = load.busyShare === null ? '—' : `${(load.busyShare * 100).toFixed(0)} %`;
  return [
    `ClickHouse (chDB) busy ${load.busySeconds.toFixed(1)} s of ${load.spanSeconds.toFixed(1)} s wall (${share}); ${load.calls} calls, ${load.callSeconds.toFixed(1)} call s (queueing included). Top by call s:`,
    ...load.top.map(
      (t) =>
        `  ${(t.table === '' ? t.op : `${t.op} ${t.table}`).padEnd(40)} ${String(t.calls).padStart(6)} calls ${t.callSeconds.toFixed(1).padStart(8)} s` +
        (t.insertBytes > 0 ? ` ${(t.insertBytes / 2 ** 20).toFixed(1).padStart(8)} MiB` : ''),
    ),
  ];
}
