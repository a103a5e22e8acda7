import type { ClickHouseClient } from '@clickhouse/client';
import type { DisruptionSignal } from '../../src/domain/signal.ts';
import { selectRows } from './selectRows.ts';
import { SIGNAL_COLUMNS, toDisruptionSignal, type SignalRow } from './signalRow.ts';
import { signalWhere, type Page, type SignalFilters } from './signalFilters.ts';

/** Reads of the `signals` table (current state of each signal: FINAL). */
export interface SignalPage {
  signals: DisruptionSignal[];
  total: number;
  limit: number;
  offset: number;
}

export interface SignalCounts {
  total: number;
  byDistrict: Record<string, number>;
  byType: Record<string, number>;
  bySeverity: Record<string, number>;
}

/** Newest first in event time; ties broken by id so pages never overlap. */
export async function listSignals(client: ClickHouseClient, filters: SignalFilters, page: Page): Promise<SignalPage> {
  const { where, params } = signalWhere(filters);
  const rows = await selectRows<SignalRow>(
    client,
    `SELECT ${SIGNAL_COLUMNS} FROM yunlian.signals FINAL WHERE ${where}
     ORDER BY event_time DESC, signal_id LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    { ...params, limit: page.limit, offset: page.offset },
  );
  const [count] = await selectRows<{ n: string }>(client, `SELECT count() AS n FROM yunlian.signals FINAL WHERE ${where}`, params);
  return { signals: rows.map(toDisruptionSignal), total: Number(count?.n ?? 0), ...page };
}

export async function countSignals(client: ClickHouseClient, filters: SignalFilters): Promise<SignalCounts> {
  const { where, params } = signalWhere(filters);
  const rows = await selectRows<{ district: string; signal_type: string; severity: string; n: string }>(
    client,
    `SELECT district, signal_type, severity, count() AS n FROM yunlian.signals FINAL WHERE ${where} GROUP BY district, signal_type, severity`,
    params,
  );
  const counts: SignalCounts = { total: 0, byDistrict: {}, byType: {}, bySeverity: {} };
  for (const row of rows) {
    const n = Number(row.n);
    counts.total += n;
    counts.byDistrict[row.district] = (counts.byDistrict[row.district] ?? 0) + n;
    counts.byType[row.signal_type] = (counts.byType[row.signal_type] ?? 0) + n;
    counts.bySeverity[row.severity] = (counts.bySeverity[row.severity] ?? 0) + n;
  }
  return counts;
}

export async function findSignal(client: ClickHouseClient, signalId: string): Promise<DisruptionSignal | null> {
  const rows = await selectRows<SignalRow>(client, `SELECT ${SIGNAL_COLUMNS} FROM yunlian.signals FINAL WHERE signal_id = {id:String} LIMIT 1`, { id: signalId });
  return rows[0] ? toDisruptionSignal(rows[0]) : null;
}
