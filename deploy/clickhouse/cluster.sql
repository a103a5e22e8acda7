-- ClickHouse cluster DDL for yunlian, GENERATED from MIGRATIONS in sinks/clickhouse/schema.ts.
-- Do not edit: change the migrations, then run
--   npx tsx deploy/clickhouse/generateClusterDdl.ts > deploy/clickhouse/cluster.sql
-- Apply once per release on any node of cluster `yunlian` (see docs/production.md):
--   clickhouse-client --host <node> --user <admin> --ask-password --multiquery < deploy/clickhouse/cluster.sql
-- Sharded tables are Replicated*MergeTree `<table>_local` on every shard plus a Distributed `<table>`.

CREATE DATABASE IF NOT EXISTS yunlian ON CLUSTER yunlian;

-- The migrations record, replicated to every node so the pipelines' start-up migrate() is a no-op.
CREATE TABLE IF NOT EXISTS yunlian.schema_migrations ON CLUSTER yunlian (version UInt32, name String, applied_at DateTime64(3, 'UTC'))
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/yunlian/schema_migrations', '{replica}')
ORDER BY version;

-- migration 1: invoices and invoice lines
CREATE TABLE IF NOT EXISTS yunlian.invoices_local ON CLUSTER yunlian (
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
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/yunlian/invoices', '{replica}')
PARTITION BY toYYYYMM(issued_at)
ORDER BY (district, toDate(issued_at), event_id)
SETTINGS replicated_deduplication_window = 1000
COMMENT 'One row per invoice event (dedup on event_id: query with FINAL)';

CREATE TABLE IF NOT EXISTS yunlian.invoices ON CLUSTER yunlian AS yunlian.invoices_local
ENGINE = Distributed(yunlian, yunlian, invoices_local, cityHash64(event_id))
COMMENT 'One row per invoice event (dedup on event_id: query with FINAL)';

CREATE TABLE IF NOT EXISTS yunlian.invoice_lines_local ON CLUSTER yunlian (
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
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/yunlian/invoice_lines', '{replica}')
PARTITION BY toYYYYMM(issued_at)
ORDER BY (tax_code, issued_at, event_id, line_no)
SETTINGS replicated_deduplication_window = 1000
COMMENT 'One row per invoice line (dedup on event_id + line_no: query with FINAL)';

CREATE TABLE IF NOT EXISTS yunlian.invoice_lines ON CLUSTER yunlian AS yunlian.invoice_lines_local
ENGINE = Distributed(yunlian, yunlian, invoice_lines_local, cityHash64(event_id))
COMMENT 'One row per invoice line (dedup on event_id + line_no: query with FINAL)';

-- migration 2: signals and daily rollups
CREATE TABLE IF NOT EXISTS yunlian.signals_local ON CLUSTER yunlian (
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
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/yunlian/signals', '{replica}', version)
PARTITION BY toYYYYMM(window_start)
ORDER BY (signal_id)
SETTINGS replicated_deduplication_window = 1000
COMMENT 'One row per signal state (query with FINAL for the current state)';

CREATE TABLE IF NOT EXISTS yunlian.signals ON CLUSTER yunlian AS yunlian.signals_local
ENGINE = Distributed(yunlian, yunlian, signals_local, cityHash64(enterprise_tax_id))
COMMENT 'One row per signal state (query with FINAL for the current state)';

CREATE TABLE IF NOT EXISTS yunlian.enterprise_daily_local ON CLUSTER yunlian (
  day Date,
  enterprise_tax_id String,
  direction LowCardinality(String) COMMENT 'SALES (as seller) | PURCHASES (as buyer)',
  district LowCardinality(String),
  amount_fen Int64 COMMENT 'Netted flow: issued minus voided and red-letter',
  gross_fen Int64 COMMENT 'Issued flow before corrections',
  corrections_fen Int64 COMMENT 'Voided + red-letter amount of sales (positive)',
  legs UInt32 COMMENT 'Invoice legs of the enterprise that day (both directions)'
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/yunlian/enterprise_daily', '{replica}')
PARTITION BY toYYYYMM(day)
ORDER BY (enterprise_tax_id, direction, day)
SETTINGS replicated_deduplication_window = 1000
COMMENT 'Enterprise x working day x direction, written by detect when the day closes in event time (weekend invoicing counts towards the next working day)';

CREATE TABLE IF NOT EXISTS yunlian.enterprise_daily ON CLUSTER yunlian AS yunlian.enterprise_daily_local
ENGINE = Distributed(yunlian, yunlian, enterprise_daily_local, cityHash64(enterprise_tax_id))
COMMENT 'Enterprise x working day x direction, written by detect when the day closes in event time (weekend invoicing counts towards the next working day)';

CREATE TABLE IF NOT EXISTS yunlian.links_daily_local ON CLUSTER yunlian (
  day Date,
  seller_tax_id String,
  buyer_tax_id String,
  seller_district_code LowCardinality(String),
  buyer_district_code LowCardinality(String),
  gross_fen Int64 COMMENT 'Issued flow that day (before voids and red-letter corrections)'
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/yunlian/links_daily', '{replica}')
PARTITION BY toYYYYMM(day)
ORDER BY (seller_tax_id, buyer_tax_id, day)
SETTINGS replicated_deduplication_window = 1000
COMMENT 'Seller x buyer x working day issued flow, written by detect from the seller side';

CREATE TABLE IF NOT EXISTS yunlian.links_daily ON CLUSTER yunlian AS yunlian.links_daily_local
ENGINE = Distributed(yunlian, yunlian, links_daily_local, cityHash64(seller_tax_id))
COMMENT 'Seller x buyer x working day issued flow, written by detect from the seller side';

CREATE TABLE IF NOT EXISTS yunlian.late_events_local ON CLUSTER yunlian (
  leg_id String,
  enterprise_tax_id String,
  feed_district LowCardinality(String),
  issued_at DateTime64(3, 'Asia/Shanghai'),
  closed_through Date COMMENT 'The enterprise had closed days up to here when the leg arrived',
  amount_fen Int64,
  recorded_at DateTime64(3, 'UTC')
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/yunlian/late_events', '{replica}')
ORDER BY (leg_id)
COMMENT 'Legs that arrived after their day had closed in event time: counted, recorded, not applied';

CREATE TABLE IF NOT EXISTS yunlian.late_events ON CLUSTER yunlian AS yunlian.late_events_local
ENGINE = Distributed(yunlian, yunlian, late_events_local, cityHash64(enterprise_tax_id))
COMMENT 'Legs that arrived after their day had closed in event time: counted, recorded, not applied';

-- migration 3: match lists
CREATE TABLE IF NOT EXISTS yunlian.matches_local ON CLUSTER yunlian (
  match_id String COMMENT 'Deterministic id of the list: hash of signal_id and need',
  version UInt32 COMMENT 'Revision of the list, 1 = first; the highest is current',
  signal_id String COMMENT 'The disruption signal the list answers',
  enterprise_tax_id String COMMENT 'The disrupted enterprise',
  enterprise_name String,
  district LowCardinality(String) COMMENT 'Home district of the enterprise, or other',
  need LowCardinality(String) COMMENT 'SUPPLIER | BUYER',
  signal_type LowCardinality(String),
  broken_partner_tax_id Nullable(String) COMMENT 'The partner that stopped (*_BROKEN); never a candidate',
  status LowCardinality(String) COMMENT 'OPEN | CLOSED (closed when the signal is RESOLVED)',
  lost_tax_codes Array(String) COMMENT 'Goods to replace, largest flow first',
  lost_amounts_fen Array(Int64) COMMENT 'Recent flow per lost tax code, fen (parallel to lost_tax_codes)',
  lost_monthly_fen Int64 COMMENT 'Average monthly value of the lost flow, fen',
  opened_at DateTime64(3, 'Asia/Shanghai') COMMENT 'Event time the signal fired',
  as_of DateTime64(3, 'Asia/Shanghai') COMMENT 'Event time the ranking is as of',
  closed_at Nullable(DateTime64(3, 'Asia/Shanghai')) COMMENT 'Event time of the RESOLVED signal',
  list_converted_at Nullable(Date) COMMENT 'First conversion among the candidates',
  rank UInt16 COMMENT '1 = best; 0 = placeholder row of a list without candidates',
  candidate_tax_id String,
  candidate_name String,
  candidate_district LowCardinality(String) COMMENT 'Zone district of the candidate, or other',
  candidate_district_code LowCardinality(String),
  score Float64 COMMENT 'Weighted sum of the components, 0-1 (a ranking score, not money)',
  score_goods Float64,
  score_familiarity Float64,
  score_proximity Float64,
  score_reliability Float64,
  score_size_fit Float64,
  score_capacity Float64,
  matched_tax_codes Array(String),
  recent_monthly_fen Int64 COMMENT 'Candidate monthly flow of the matched goods, fen',
  existing_partner Bool COMMENT 'Already trades these goods with the enterprise in the needed direction',
  reasons Array(String) COMMENT 'Human-readable reasons, English',
  reasons_zh Array(String) COMMENT 'The same reasons in Chinese',
  reason_components Array(String) COMMENT 'Ranking component of each reason (parallel to reasons)',
  converted_at Nullable(Date) COMMENT 'First invoice with this candidate in the needed direction after the list opened',
  signal_detected_at DateTime64(3, 'UTC') COMMENT 'Wall clock when detect emitted the signal',
  computed_at DateTime64(3, 'UTC') COMMENT 'Wall clock when this revision was computed; not part of the identity'
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/yunlian/matches', '{replica}')
PARTITION BY toYYYYMM(opened_at)
ORDER BY (enterprise_tax_id, match_id, version, rank)
SETTINGS replicated_deduplication_window = 1000
COMMENT 'One row per candidate per revision of a match list; current = newest version per match_id';

CREATE TABLE IF NOT EXISTS yunlian.matches ON CLUSTER yunlian AS yunlian.matches_local
ENGINE = Distributed(yunlian, yunlian, matches_local, cityHash64(enterprise_tax_id))
COMMENT 'One row per candidate per revision of a match list; current = newest version per match_id';

CREATE VIEW IF NOT EXISTS yunlian.matches_current ON CLUSTER yunlian AS
SELECT * FROM yunlian.matches FINAL
WHERE (match_id, version) IN (SELECT match_id, max(version) FROM yunlian.matches GROUP BY match_id);

-- migration 4: cases of tax stewards
CREATE TABLE IF NOT EXISTS yunlian.cases_local ON CLUSTER yunlian (
  case_id String COMMENT 'Deterministic from signal_id: one case per signal',
  version UInt32 COMMENT '1 on open, +1 per change; the highest version is the current state',
  signal_id String,
  enterprise_tax_id String,
  enterprise_name String,
  district LowCardinality(String),
  signal_type LowCardinality(String) COMMENT 'Type of the signal the case was opened for',
  status LowCardinality(String) COMMENT 'OPEN | CLOSED',
  assignee String COMMENT 'Tax steward working the case; empty when unassigned',
  notes String COMMENT 'Free-text annotations of the steward',
  outcome Nullable(String) COMMENT 'MATCHED | RECOVERED_ON_ITS_OWN | NOT_A_DISRUPTION once closed',
  opened_at DateTime64(3, 'UTC'),
  updated_at DateTime64(3, 'UTC'),
  closed_at Nullable(DateTime64(3, 'UTC'))
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/yunlian/cases', '{replica}', version)
ORDER BY (case_id)
COMMENT 'One row per case state (query with FINAL for the current state)';

CREATE TABLE IF NOT EXISTS yunlian.cases ON CLUSTER yunlian AS yunlian.cases_local
ENGINE = Distributed(yunlian, yunlian, cases_local, cityHash64(enterprise_tax_id))
COMMENT 'One row per case state (query with FINAL for the current state)';

-- migration 6: detector state snapshots
CREATE TABLE IF NOT EXISTS yunlian.detect_snapshots_local ON CLUSTER yunlian (
  group_id String,
  topic String,
  partition UInt16,
  cluster_id String COMMENT 'Kafka cluster the offsets belong to (the embedded one is new on every start)',
  next_offset UInt64 COMMENT 'The state covers every record before this offset',
  taken_at DateTime64(3, 'UTC'),
  state String COMMENT 'gzip + base64 JSON of the partition state' CODEC(ZSTD(3))
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/yunlian/detect_snapshots', '{replica}', next_offset)
ORDER BY (group_id, cluster_id, topic, partition)
COMMENT 'Latest detector state per leg partition (the highest offset wins, so a stale owner after a rebalance cannot overwrite it); restored on assignment';

CREATE TABLE IF NOT EXISTS yunlian.detect_snapshots ON CLUSTER yunlian AS yunlian.detect_snapshots_local
ENGINE = Distributed(yunlian, yunlian, detect_snapshots_local, cityHash64(group_id, cluster_id, topic, partition))
COMMENT 'Latest detector state per leg partition (the highest offset wins, so a stale owner after a rebalance cannot overwrite it); restored on assignment';

-- migration 8: signals.opened_at
ALTER TABLE yunlian.signals_local ON CLUSTER yunlian ADD COLUMN IF NOT EXISTS opened_at DateTime64(3, 'Asia/Shanghai')
COMMENT 'Event-time instant the episode opened (the OPEN state), kept on every state row' AFTER event_time;

ALTER TABLE yunlian.signals ON CLUSTER yunlian ADD COLUMN IF NOT EXISTS opened_at DateTime64(3, 'Asia/Shanghai')
COMMENT 'Event-time instant the episode opened (the OPEN state), kept on every state row' AFTER event_time;

INSERT INTO yunlian.schema_migrations (version, name, applied_at) VALUES
  (1, 'invoices and invoice lines', now64(3)),
  (2, 'signals and daily rollups', now64(3)),
  (3, 'match lists', now64(3)),
  (4, 'cases of tax stewards', now64(3)),
  (6, 'detector state snapshots', now64(3)),
  (8, 'signals.opened_at', now64(3));
