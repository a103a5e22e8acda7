import type { DisruptionSignal } from '../../src/domain/signal.ts';

/** The columns the API selects from `signals`, with instants as epoch ms. */
export const SIGNAL_COLUMNS = `signal_id, enterprise_tax_id, enterprise_name, district, signal_type, partner_tax_id, severity, status, resolution,
  toString(window_start) AS window_start, toString(window_end) AS window_end,
  toUnixTimestamp64Milli(event_time) AS event_time_ms, baseline_fen, current_fen, explanation_zh, explanation_en,
  toUnixTimestamp64Milli(detected_at) AS detected_at_ms`;

/** A `signals` row as JSONEachRow returns it: 64-bit integers arrive as strings. */
export type SignalRow = Omit<DisruptionSignal, 'event_time_ms' | 'baseline_fen' | 'current_fen' | 'detected_at_ms'> & {
  event_time_ms: string | number;
  baseline_fen: string | number;
  current_fen: string | number;
  detected_at_ms: string | number;
};

/** Throws RangeError when an amount is beyond a safe integer (fen must stay exact). */
function exactInteger(value: string | number, column: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`${column} is not a safe integer: ${value}`);
  return n;
}

export function toDisruptionSignal(row: SignalRow): DisruptionSignal {
  return {
    ...row,
    event_time_ms: exactInteger(row.event_time_ms, 'event_time_ms'),
    baseline_fen: exactInteger(row.baseline_fen, 'baseline_fen'),
    current_fen: exactInteger(row.current_fen, 'current_fen'),
    detected_at_ms: exactInteger(row.detected_at_ms, 'detected_at_ms'),
  };
}
