import type { ClickHouseClient } from '@clickhouse/client';
import { dayToIso } from '../../src/calendar/workingCalendar.ts';
import type { DisruptionSignal } from '../../src/domain/signal.ts';
import type { OutgoingRecord } from '../../src/kafka/record.ts';
import type { RecordProducer } from '../../src/kafka/recordProducer.ts';
import { TOPICS } from '../../src/kafka/topics.ts';
import type { ValueCodec } from '../../src/kafka/valueCodec.ts';
import { settleAll } from '../../src/runtime/settleAll.ts';
import { concatEncodedRows, encodeColumns, encodeRows, insertRows, isoInstant, type EncodedRows } from '../../sinks/clickhouse/insertRows.ts';
import { ENTERPRISE_DAILY_COLUMNS, LINKS_DAILY_COLUMNS } from './runtimeRollups.ts';
import type { PartitionOutput } from './runtimePartition.ts';

/**
 * What one handled batch of one leg partition must get written before a
 * snapshot may cover it, encoded when the batch is handled: the output waits
 * for a group write (and the snapshot behind it), and bytes held that long are
 * not copied by every young-generation collection as row objects would be.
 */
export interface DetectBatchOutput {
  signals: EncodedRows;
  enterpriseDaily: EncodedRows;
  linksDaily: EncodedRows;
  late: EncodedRows;
  /** Avro-encoded signals for `yunlian.disruptions`, in firing order, then undecodable leg records for `yunlian.dlq`. */
  records: OutgoingRecord[];
  /** Leg records the batch carried (its weight in a group write). */
  legs: number;
}

export interface DetectSinks {
  clickhouse: ClickHouseClient;
  producer: RecordProducer;
}

export interface DetectOutputEncoding {
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

/** Encodes one batch's outputs (rows as JSON lines, signals as Avro records) so that nothing else of it is kept. */
export function encodeDetectOutput(encoding: DetectOutputEncoding, out: PartitionOutput, deadLetters: readonly OutgoingRecord[], legs: number): DetectBatchOutput {
  const records: OutgoingRecord[] = [];
  const signals: Record<string, unknown>[] = [];
  for (const s of out.signals) {
    signals.push(signalRow(s, out.openedAtMs.get(s.signal_id) ?? s.event_time_ms));
    records.push({ topic: TOPICS.disruptions, key: s.enterprise_tax_id, value: encoding.signalCodec.encode(s) });
  }
  for (const record of deadLetters) records.push(record);
  const recordedAt = isoInstant(encoding.now());
  const late = out.late.map(({ leg, closedThrough }) => ({
    leg_id: leg.leg_id,
    enterprise_tax_id: leg.enterprise_tax_id,
    feed_district: leg.feed_district,
    issued_at: isoInstant(leg.issued_at_ms),
    closed_through: dayToIso(closedThrough),
    amount_fen: leg.amount_fen,
    recorded_at: recordedAt,
  }));
  return {
    signals: encodeRows(signals),
    enterpriseDaily: encodeColumns(ENTERPRISE_DAILY_COLUMNS, out.enterpriseDaily),
    linksDaily: encodeColumns(LINKS_DAILY_COLUMNS, out.linksDaily),
    late: encodeRows(late),
    records,
    legs,
  };
}

/** Whether a batch produced anything to write (most batches between day boundaries produce nothing). */
export function hasDetectOutputs(o: DetectBatchOutput): boolean {
  return o.signals.count + o.enterpriseDaily.count + o.linksDaily.count + o.late.count + o.records.length > 0;
}

/** Rows one group write of detect's outputs carried, by table, for metrics. */
export interface DetectWriteCounts {
  signals: number;
  enterpriseDaily: number;
  linksDaily: number;
  late: number;
  records: number;
}

/**
 * Writes the outputs of one or more batches (of any leg partitions) as one
 * set of ClickHouse inserts plus one produce, and resolves once all are
 * confirmed. Batches keep their order in `batches`, so each enterprise's
 * signals reach `yunlian.disruptions` in the order they fired. Every table is
 * a ReplacingMergeTree keyed by the row's identity, so the same output
 * written again in another grouping (a retry, a replay after a crash) counts once.
 */
export async function writeDetectOutputs(sinks: DetectSinks, batches: readonly DetectBatchOutput[]): Promise<DetectWriteCounts> {
  const signals = concatEncodedRows(batches.map((b) => b.signals));
  const enterpriseDaily = concatEncodedRows(batches.map((b) => b.enterpriseDaily));
  const linksDaily = concatEncodedRows(batches.map((b) => b.linksDaily));
  const late = concatEncodedRows(batches.map((b) => b.late));
  const records = batches.flatMap((b) => b.records);
  const { clickhouse } = sinks;
  // Independent writes, all confirmed before any snapshot that covers them.
  await settleAll([
    insertRows(clickhouse, { table: 'yunlian.signals', rows: signals }),
    insertRows(clickhouse, { table: 'yunlian.enterprise_daily', rows: enterpriseDaily }),
    insertRows(clickhouse, { table: 'yunlian.links_daily', rows: linksDaily }),
    insertRows(clickhouse, { table: 'yunlian.late_events', rows: late }),
    records.length > 0 ? sinks.producer.send(records) : Promise.resolve(),
  ]);
  return { signals: signals.count, enterpriseDaily: enterpriseDaily.count, linksDaily: linksDaily.count, late: late.count, records: records.length };
}
