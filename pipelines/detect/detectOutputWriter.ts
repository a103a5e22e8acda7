import type { ClickHouseClient } from '@clickhouse/client';
import { dayToIso } from '../../src/calendar/workingCalendar.ts';
import type { DisruptionSignal } from '../../src/domain/signal.ts';
import type { OutgoingRecord } from '../../src/kafka/record.ts';
import type { RecordProducer } from '../../src/kafka/recordProducer.ts';
import { TOPICS } from '../../src/kafka/topics.ts';
import type { ValueCodec } from '../../src/kafka/valueCodec.ts';
import { settleAll } from '../../src/runtime/settleAll.ts';
import { insertRows, isoInstant } from '../../sinks/clickhouse/insertRows.ts';
import type { PartitionOutput } from './runtimePartition.ts';

/** What one handled batch of one leg partition must get written before its state may be snapshotted. */
export interface DetectBatchOutput {
  out: PartitionOutput;
  /** Undecodable leg records, for `yunlian.dlq`. */
  deadLetters: OutgoingRecord[];
  /** Leg records the batch carried (the write coalescer's weight). */
  legs: number;
}

export interface DetectSinks {
  clickhouse: ClickHouseClient;
  producer: RecordProducer;
  signalCodec: ValueCodec<DisruptionSignal>;
  /** Wall clock for `late_events.recorded_at`. */
  now: () => number;
}

/** Row of `yunlian.signals`: one per signal state; the version orders OPEN before RESOLVED. */
export function signalRow(s: DisruptionSignal, openedAtMs: number): Record<string, unknown> {
  return {
    signal_id: s.signal_id,
    version: s.status === 'OPEN' ? 1 : 2,
    enterprise_tax_id: s.enterprise_tax_id,
    enterprise_name: s.enterprise_name,
    district: s.district,
    signal_type: s.signal_type,
    partner_tax_id: s.partner_tax_id,
    severity: s.severity,
    status: s.status,
    resolution: s.resolution,
    window_start: s.window_start,
    window_end: s.window_end,
    event_time: isoInstant(s.event_time_ms),
    opened_at: isoInstant(openedAtMs),
    baseline_fen: s.baseline_fen,
    current_fen: s.current_fen,
    explanation_zh: s.explanation_zh,
    explanation_en: s.explanation_en,
    detected_at: isoInstant(s.detected_at_ms),
  };
}

/**
 * Writes the outputs of one or more batches (of any leg partitions) as one
 * set of ClickHouse inserts plus one produce, and resolves once all are
 * confirmed. Batches keep their order in `batches`, so each enterprise's
 * signals reach `yunlian.disruptions` in the order they fired. Every table is
 * a ReplacingMergeTree keyed by the row's identity, so the same output
 * written again in another grouping (a retry, a replay after a crash) counts once.
 */
export async function writeDetectOutputs(sinks: DetectSinks, batches: readonly DetectBatchOutput[]): Promise<{ signals: number }> {
  const now = sinks.now();
  const signals: Record<string, unknown>[] = [];
  const enterpriseDaily: Record<string, unknown>[] = [];
  const linksDaily: Record<string, unknown>[] = [];
  const late: Record<string, unknown>[] = [];
  const records: OutgoingRecord[] = [];
  const deadLetters: OutgoingRecord[] = [];
  for (const { out, deadLetters: dlq } of batches) {
    for (const s of out.signals) {
      signals.push(signalRow(s, out.openedAtMs.get(s.signal_id) ?? s.event_time_ms));
      records.push({ topic: TOPICS.disruptions, key: s.enterprise_tax_id, value: sinks.signalCodec.encode(s) });
    }
    for (const row of out.enterpriseDaily) enterpriseDaily.push(row);
    for (const row of out.linksDaily) linksDaily.push(row);
    for (const { leg, closedThrough } of out.late) {
      late.push({
        leg_id: leg.leg_id,
        enterprise_tax_id: leg.enterprise_tax_id,
        feed_district: leg.feed_district,
        issued_at: isoInstant(leg.issued_at_ms),
        closed_through: dayToIso(closedThrough),
        amount_fen: leg.amount_fen,
        recorded_at: isoInstant(now),
      });
    }
    for (const record of dlq) deadLetters.push(record);
  }
  const { clickhouse } = sinks;
  // Independent writes, all confirmed before any snapshot that covers them.
  await settleAll([
    insertRows(clickhouse, { table: 'yunlian.signals', rows: signals }),
    insertRows(clickhouse, { table: 'yunlian.enterprise_daily', rows: enterpriseDaily }),
    insertRows(clickhouse, { table: 'yunlian.links_daily', rows: linksDaily }),
    insertRows(clickhouse, { table: 'yunlian.late_events', rows: late }),
    sinks.producer.send([...records, ...deadLetters]),
  ]);
  return { signals: records.length };
}
