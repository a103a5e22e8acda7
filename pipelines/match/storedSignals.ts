import type { ClickHouseClient } from '@clickhouse/client';
import type { District } from '../../src/domain/district.ts';
import type { DisruptionSignal, Severity, SignalType } from '../../src/domain/signal.ts';
import { toClickHouseFailure } from '../../sinks/clickhouse/clickhouseErrors.ts';

interface SignalRow {
  signal_id: string;
  enterprise_tax_id: string;
  enterprise_name: string;
  district: string;
  signal_type: string;
  partner_tax_id: string | null;
  severity: string;
  status: string;
  resolution: string | null;
  window_start: string;
  window_end: string;
  event_time_ms: string | number;
  baseline_fen: string | number;
  current_fen: string | number;
  explanation_zh: string;
  explanation_en: string;
  detected_at_ms: string | number;
}

/**
 * The signals open right now, from the `signals` table detect writes
 * (current state = highest version, read with FINAL). The match service needs
 * them at start for exclusions, capacity and reliability of candidates.
 */
export async function readOpenSignals(client: ClickHouseClient): Promise<DisruptionSignal[]> {
  try {
    const rs = await client.query({
      query: `SELECT * EXCEPT (event_time, detected_at), toUnixTimestamp64Milli(event_time) AS event_time_ms, toUnixTimestamp64Milli(detected_at) AS detected_at_ms
              FROM yunlian.signals FINAL WHERE status = 'OPEN' ORDER BY signal_id`,
      format: 'JSONEachRow',
    });
    const rows = await rs.json<SignalRow & { version: number }>();
    return rows.map((r) => ({
      signal_id: r.signal_id,
      enterprise_tax_id: r.enterprise_tax_id,
      enterprise_name: r.enterprise_name,
      district: r.district as District | 'other',
      signal_type: r.signal_type as SignalType,
      partner_tax_id: r.partner_tax_id,
      severity: r.severity as Severity,
      status: 'OPEN',
      resolution: null,
      window_start: r.window_start,
      window_end: r.window_end,
      event_time_ms: Number(r.event_time_ms),
      baseline_fen: Number(r.baseline_fen),
      current_fen: Number(r.current_fen),
      explanation_zh: r.explanation_zh,
      explanation_en: r.explanation_en,
      detected_at_ms: Number(r.detected_at_ms),
    }));
  } catch (error) {
    throw toClickHouseFailure(error, { operation: 'read open signals' });
  }
}
