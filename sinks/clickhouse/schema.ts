/**
 * The ClickHouse model (DESIGN.md section 6), database `yunlian`. Each entry is
 * one idempotent migration; they run in order and are recorded in
 * `yunlian.schema_migrations`, so re-running is a no-op.
 *
 * Dedup: facts that Kafka can redeliver are ReplacingMergeTree on a key that
 * identifies the fact (event_id, line, signal_id + version), read with FINAL;
 * batch inserts also carry an insert_deduplication_token so an identical
 * redelivered batch is dropped at once.
 */
import { MATCHES_MIGRATION } from './matchesMigration.ts';
import { CASES_MIGRATION } from './casesMigration.ts';
import { VIEWS_MIGRATION } from './viewsMigration.ts';

export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

const DEDUP_WINDOW = 'non_replicated_deduplication_window = 1000';

const CORE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'invoices and invoice lines',
    statements: [
      `CREATE TABLE IF NOT EXISTS yunlian.invoices (
        event_id String COMMENT 'Producer-assigned id of the event; duplicates share it',
        event_type LowCardinality(String) COMMENT 'ISSUED | VOIDED | RED_LETTER',
        invoice_no String COMMENT '20-digit digital invoice number (or code+number of older invoices)',
        original_invoice_no Nullable(String) COMMENT 'Voided or corrected invoice for VOIDED / RED_LETTER',
        invoice_kind LowCardinality(String) COMMENT 'VAT_SPECIAL | VAT_GENERAL | DIGITAL_SPECIAL | DIGITAL_GENERAL',
        issued_at DateTime64(3, 'Asia/Shanghai') COMMENT 'Event time: issue (or void) instant',
        district LowCardinality(String) COMMENT 'Feed that carried the event: qingpu | jiashan | wujiang',
        seller_tax_id String COMMENT 'Seller USCC',
        seller_name String,
        seller_district_code LowCardinality(String) COMMENT 'Admin division code where the seller files',
        buyer_tax_id String COMMENT 'Buyer USCC',
        buyer_name String,
        buyer_district_code LowCardinality(String),
        line_count UInt16,
        total_amount_fen Int64 COMMENT 'Sum of line amounts, fen (negative on red-letter invoices)',
        total_tax_fen Int64 COMMENT 'Sum of line tax, fen',
        source_topic LowCardinality(String),
        source_partition UInt16,
        source_offset UInt64,
        ingested_at DateTime64(3, 'UTC')
      ) ENGINE = ReplacingMergeTree
      PARTITION BY toYYYYMM(issued_at)
      ORDER BY (district, toDate(issued_at), event_id)
      SETTINGS ${DEDUP_WINDOW}
      COMMENT 'One row per invoice event (dedup on event_id: query with FINAL)'`,
      `CREATE TABLE IF NOT EXISTS yunlian.invoice_lines (
        event_id String,
        line_no UInt16 COMMENT '0-based position on the invoice',
        invoice_no String,
        event_type LowCardinality(String),
        issued_at DateTime64(3, 'Asia/Shanghai'),
        district LowCardinality(String),
        seller_tax_id String,
        buyer_tax_id String,
        tax_code LowCardinality(String) COMMENT '19-digit tax classification code; prefixes are coarser categories',
        item_name String COMMENT '*类别简称*品名',
        quantity String COMMENT 'Decimal as issued',
        unit LowCardinality(String),
        amount_fen Int64,
        tax_rate_bp UInt16 COMMENT 'Basis points: 1300 = 13 %',
        tax_fen Int64
      ) ENGINE = ReplacingMergeTree
      PARTITION BY toYYYYMM(issued_at)
      ORDER BY (tax_code, issued_at, event_id, line_no)
      SETTINGS ${DEDUP_WINDOW}
      COMMENT 'One row per invoice line (dedup on event_id + line_no: query with FINAL)'`,
    ],
  },
  {
    version: 2,
    name: 'signals and daily rollups',
    statements: [
      `CREATE TABLE IF NOT EXISTS yunlian.signals (
        signal_id String COMMENT 'Deterministic id of the disruption episode',
        version UInt8 COMMENT '1 = OPEN, 2 = RESOLVED; the highest version is the current state',
        enterprise_tax_id String,
        enterprise_name String,
        district LowCardinality(String) COMMENT 'Home district of the enterprise, or other',
        signal_type LowCardinality(String),
        partner_tax_id Nullable(String) COMMENT 'Broken supplier/buyer for *_BROKEN',
        severity LowCardinality(String),
        status LowCardinality(String) COMMENT 'OPEN | RESOLVED',
        resolution Nullable(String) COMMENT 'RECOVERED | LINK_RESTORED when resolved',
        window_start Date,
        window_end Date,
        event_time DateTime64(3, 'Asia/Shanghai') COMMENT 'Event-time instant the state was reached',
        baseline_fen Int64,
        current_fen Int64,
        explanation_zh String,
        explanation_en String,
        detected_at DateTime64(3, 'UTC') COMMENT 'Wall clock at emission; not part of the identity'
      ) ENGINE = ReplacingMergeTree(version)
      PARTITION BY toYYYYMM(window_start)
      ORDER BY (signal_id)
      SETTINGS ${DEDUP_WINDOW}
      COMMENT 'One row per signal state (query with FINAL for the current state)'`,
      `CREATE TABLE IF NOT EXISTS yunlian.enterprise_daily (
        day Date,
        enterprise_tax_id String,
        direction LowCardinality(String) COMMENT 'SALES (as seller) | PURCHASES (as buyer)',
        district LowCardinality(String),
        amount_fen Int64 COMMENT 'Netted flow: issued minus voided and red-letter',
        gross_fen Int64 COMMENT 'Issued flow before corrections',
        corrections_fen Int64 COMMENT 'Voided + red-letter amount of sales (positive)',
        legs UInt32 COMMENT 'Invoice legs of the enterprise that day (both directions)'
      ) ENGINE = ReplacingMergeTree
      PARTITION BY toYYYYMM(day)
      ORDER BY (enterprise_tax_id, direction, day)
      SETTINGS ${DEDUP_WINDOW}
      COMMENT 'Enterprise x working day x direction, written by detect when the day closes in event time (weekend invoicing counts towards the next working day)'`,
      `CREATE TABLE IF NOT EXISTS yunlian.links_daily (
        day Date,
        seller_tax_id String,
        buyer_tax_id String,
        seller_district_code LowCardinality(String),
        buyer_district_code LowCardinality(String),
        gross_fen Int64 COMMENT 'Issued flow that day (before voids and red-letter corrections)'
      ) ENGINE = ReplacingMergeTree
      PARTITION BY toYYYYMM(day)
      ORDER BY (seller_tax_id, buyer_tax_id, day)
      SETTINGS ${DEDUP_WINDOW}
      COMMENT 'Seller x buyer x working day issued flow, written by detect from the seller side'`,
      `CREATE TABLE IF NOT EXISTS yunlian.late_events (
        leg_id String,
        enterprise_tax_id String,
        feed_district LowCardinality(String),
        issued_at DateTime64(3, 'Asia/Shanghai'),
        closed_through Date COMMENT 'The enterprise had closed days up to here when the leg arrived',
        amount_fen Int64,
        recorded_at DateTime64(3, 'UTC')
      ) ENGINE = ReplacingMergeTree
      ORDER BY (leg_id)
      COMMENT 'Legs that arrived after their day had closed in event time: counted, recorded, not applied'`,
    ],
  },
];


/** Detector state snapshots, tied to the offsets committed with them (see pipelines/detect/runtimeSnapshotStore.ts). */
export const SNAPSHOTS_MIGRATION: Migration = {
  version: 6,
  name: 'detector state snapshots',
  statements: [
    `CREATE TABLE IF NOT EXISTS yunlian.detect_snapshots (
      group_id String,
      topic String,
      partition UInt16,
      cluster_id String COMMENT 'Kafka cluster the offsets belong to (the embedded one is new on every start)',
      next_offset UInt64 COMMENT 'The state covers every record before this offset',
      taken_at DateTime64(3, 'UTC'),
      state String COMMENT 'gzip + base64 JSON of the partition state' CODEC(ZSTD(3))
    ) ENGINE = ReplacingMergeTree(next_offset)
    ORDER BY (group_id, cluster_id, topic, partition)
    COMMENT 'Latest detector state per leg partition (the highest offset wins, so a stale owner after a rebalance cannot overwrite it); restored on assignment'`,
  ],
};

/**
 * Incremental detector state: one row per partition header and per enterprise, rewritten only when it changed
 * (see pipelines/detect/incrementalSnapshot.ts). detect_snapshots stays readable for partitions last saved
 * before this table existed.
 */
export const SNAPSHOT_ENTRIES_MIGRATION: Migration = {
  version: 9,
  name: 'incremental detector state snapshots',
  statements: [
    `CREATE TABLE IF NOT EXISTS yunlian.detect_snapshot_entries (
      group_id String,
      topic String,
      partition UInt16,
      cluster_id String COMMENT 'Kafka cluster the offsets belong to (the embedded one is new on every start)',
      entry_key String COMMENT 'Empty for the partition header (clock, close-through days), else the enterprise tax ID',
      version UInt64 COMMENT 'The row covers every record of the partition before this offset',
      deleted UInt8 COMMENT '1: the enterprise was dropped as dormant (a tombstone, state empty)',
      taken_at DateTime64(3, 'UTC'),
      state String COMMENT 'JSON of the header or of the enterprise entry' CODEC(ZSTD(3))
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY (group_id, cluster_id, topic, partition, entry_key)
    COMMENT 'Detector state per leg partition, one row per header and enterprise (the highest offset wins); a snapshot writes the changed enterprises, then the header'`,
  ],
};

export const DATABASE_STATEMENT = 'CREATE DATABASE IF NOT EXISTS yunlian';


/** The state rows of a signal collapse to the newest at merge time; each keeps when its episode opened. */
export const SIGNAL_OPENED_AT_MIGRATION: Migration = {
  version: 8,
  name: 'signals.opened_at',
  statements: [
    `ALTER TABLE yunlian.signals ADD COLUMN IF NOT EXISTS opened_at DateTime64(3, 'Asia/Shanghai')
      COMMENT 'Event-time instant the episode opened (the OPEN state), kept on every state row' AFTER event_time`,
  ],
};

/** Every migration, in version order. */
export const MIGRATIONS: readonly Migration[] = [...CORE_MIGRATIONS, MATCHES_MIGRATION, CASES_MIGRATION, VIEWS_MIGRATION, SNAPSHOTS_MIGRATION, SIGNAL_OPENED_AT_MIGRATION, SNAPSHOT_ENTRIES_MIGRATION].sort((a, b) => a.version - b.version);
