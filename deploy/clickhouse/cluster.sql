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

-- migration 5: analyst views
CREATE TABLE IF NOT EXISTS yunlian.working_days_local ON CLUSTER yunlian (
  day Date COMMENT 'Calendar day, Asia/Shanghai',
  is_working_day Bool COMMENT 'Worked under the zone calendar: statutory holidays with 调休 make-up days, minus regional closures that close every zone district',
  working_ordinal Int32 COMMENT 'Strictly increasing over working days (2019-12-31 = 0); a non-working day carries the ordinal of the last working day before it, so ordinal(b) - ordinal(a) = working days in (a, b]',
  rollup_day Date COMMENT 'The working day whose enterprise_daily / links_daily figures include invoices issued on this day: the day itself, or the next working day',
  closure_reason String COMMENT 'Why the day is not worked (周末 weekend, 春节, regional closure …); empty on a working day'
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/yunlian/working_days', '{replica}')
ORDER BY day
COMMENT 'Working-day calendar of the detectors, one row per calendar day, filled from src/calendar by fillWorkingDays (query with FINAL)';

CREATE TABLE IF NOT EXISTS yunlian.working_days ON CLUSTER yunlian AS yunlian.working_days_local
ENGINE = Distributed(yunlian, yunlian, working_days_local, cityHash64(day))
COMMENT 'Working-day calendar of the detectors, one row per calendar day, filled from src/calendar by fillWorkingDays (query with FINAL)';

CREATE OR REPLACE VIEW yunlian.v_signal_durations ON CLUSTER yunlian AS
SELECT
  s.signal_id AS signal_id,
  s.enterprise_tax_id AS enterprise_tax_id,
  s.enterprise_name AS enterprise_name,
  s.district AS district,
  s.signal_type AS signal_type,
  s.partner_tax_id AS partner_tax_id,
  s.severity AS severity,
  s.status AS status,
  s.resolution AS resolution,
  s.window_start AS first_disrupted_day,
  if(s.status = 'RESOLVED', toNullable(s.window_end), NULL) AS resolved_day,
  s.as_of AS as_of,
  -- working days in [first_disrupted_day, last_disrupted_day] = ordinal(last) - ordinal(first - 1); NULL outside the filled calendar
  if(b.day = s.day_before_start AND e.day = s.last_disrupted_day, toNullable(greatest(0, e.working_ordinal - b.working_ordinal)), NULL) AS disrupted_working_days,
  s.baseline_fen AS baseline_fen,
  s.current_fen AS current_fen,
  s.explanation_zh AS explanation_zh,
  s.explanation_en AS explanation_en
FROM (
  SELECT
    signal_id, enterprise_tax_id, enterprise_name, district, signal_type, partner_tax_id, severity, status, resolution,
    window_start, window_end, baseline_fen, current_fen, explanation_zh, explanation_en,
    (SELECT max(day) FROM yunlian.enterprise_daily FINAL) AS as_of,
    window_start - 1 AS day_before_start,
    -- a resolved signal's window ends on the day activity returned, which is no longer disrupted
    if(status = 'RESOLVED', window_end - 1, as_of) AS last_disrupted_day
  FROM yunlian.signals FINAL
) AS s
LEFT JOIN (SELECT day, working_ordinal FROM yunlian.working_days FINAL) AS b ON b.day = s.day_before_start
LEFT JOIN (SELECT day, working_ordinal FROM yunlian.working_days FINAL) AS e ON e.day = s.last_disrupted_day
COMMENT 'One row per disruption signal (current state): how many working days it has lasted. Resolved: working days from window_start up to the day before the resolution; open: through as_of, the latest working day detect has closed';

CREATE OR REPLACE VIEW yunlian.v_open_signals ON CLUSTER yunlian AS
SELECT
  signal_id, enterprise_tax_id, enterprise_name, district, signal_type, partner_tax_id, severity,
  first_disrupted_day, as_of, disrupted_working_days AS open_working_days,
  baseline_fen, current_fen, explanation_zh, explanation_en
FROM yunlian.v_signal_durations
WHERE status = 'OPEN'
COMMENT 'Disruptions open now (as of the latest closed working day), with the working days they have lasted: the worklist of tax stewards';

CREATE OR REPLACE VIEW yunlian.v_recovery_time ON CLUSTER yunlian AS
SELECT
  signal_type,
  countIf(status = 'RESOLVED') AS resolved_signals,
  round(avgIf(disrupted_working_days, status = 'RESOLVED'), 1) AS avg_working_days,
  quantileExactInclusiveIf(0.5)(disrupted_working_days, status = 'RESOLVED') AS median_working_days,
  quantileExactInclusiveIf(0.9)(disrupted_working_days, status = 'RESOLVED') AS p90_working_days,
  maxIf(disrupted_working_days, status = 'RESOLVED') AS max_working_days,
  countIf(status = 'OPEN') AS open_signals,
  maxIf(disrupted_working_days, status = 'OPEN') AS longest_open_working_days
FROM yunlian.v_signal_durations
GROUP BY signal_type
COMMENT 'Time to recovery per signal type, in working days from the first disrupted day (window_start) to the resolution (RECOVERED / LINK_RESTORED); open signals are counted apart so a long open tail is not hidden';

CREATE OR REPLACE VIEW yunlian.v_disrupted_firms_daily ON CLUSTER yunlian AS
SELECT
  g.day AS day,
  g.district AS district,
  c.disrupted_firms AS disrupted_firms,
  c.open_signals AS open_signals,
  c.high_severity_firms AS high_severity_firms,
  c.firms_short_of_supply AS firms_short_of_supply,
  c.firms_short_of_demand AS firms_short_of_demand,
  c.new_disruptions AS new_disruptions
FROM (
  -- the full grid, so a day without disruption reads 0 (time series in Grafana need the zeros)
  SELECT day, arrayJoin(['qingpu', 'jiashan', 'wujiang', 'other']) AS district
  FROM yunlian.working_days FINAL
  WHERE is_working_day
    AND day >= (SELECT min(day) FROM yunlian.enterprise_daily FINAL)
    AND day <= (SELECT max(day) FROM yunlian.enterprise_daily FINAL)
) AS g
LEFT JOIN (
  SELECT
    d.day AS day,
    d.district AS district,
    uniqExact(d.enterprise_tax_id) AS disrupted_firms,
    count() AS open_signals,
    uniqExactIf(d.enterprise_tax_id, d.severity = 'HIGH') AS high_severity_firms,
    uniqExactIf(d.enterprise_tax_id, d.signal_type IN ('UPSTREAM_BROKEN', 'PURCHASE_DROP')) AS firms_short_of_supply,
    uniqExactIf(d.enterprise_tax_id, d.signal_type IN ('DOWNSTREAM_BROKEN', 'SALES_DROP')) AS firms_short_of_demand,
    countIf(d.first_disrupted_day = d.day) AS new_disruptions
  FROM (
    SELECT enterprise_tax_id, district, signal_type, severity, first_disrupted_day,
      arrayJoin(arrayMap(i -> first_disrupted_day + i, range(toUInt32(greatest(0, dateDiff('day', first_disrupted_day, last_disrupted_day) + 1))))) AS day
    FROM (
      SELECT enterprise_tax_id, district, signal_type, severity, window_start AS first_disrupted_day,
        if(status = 'RESOLVED', window_end - 1, (SELECT max(day) FROM yunlian.enterprise_daily FINAL)) AS last_disrupted_day
      FROM yunlian.signals FINAL
    )
  ) AS d
  INNER JOIN (SELECT day FROM yunlian.working_days FINAL WHERE is_working_day) AS w ON w.day = d.day
  GROUP BY d.day, d.district
) AS c ON c.day = g.day AND c.district = g.district
COMMENT 'Disrupted firms per district (home district of the firm, other = outside the zone) and working day: a firm is disrupted on each working day from a signal window_start until the day before it resolved (open: through the latest closed working day). One row per working day and district, zeros included';

CREATE OR REPLACE VIEW yunlian.v_broken_links ON CLUSTER yunlian AS
SELECT
  b.supplier_tax_id AS supplier_tax_id,
  p.supplier_name AS supplier_name,
  transform(p.supplier_district_code, ['310118', '330421', '320509'], ['qingpu', 'jiashan', 'wujiang'], 'other') AS supplier_district,
  b.buyer_tax_id AS buyer_tax_id,
  p.buyer_name AS buyer_name,
  transform(p.buyer_district_code, ['310118', '330421', '320509'], ['qingpu', 'jiashan', 'wujiang'], 'other') AS buyer_district,
  b.first_silent_day AS first_silent_day,
  b.episode_status AS status,
  b.restored_day AS restored_day,
  b.link_severity AS severity,
  b.reported_by AS reported_by,
  b.lost_baseline_fen AS lost_baseline_fen,
  b.signal_ids AS signal_ids
FROM (
  SELECT
    if(signal_type = 'UPSTREAM_BROKEN', assumeNotNull(partner_tax_id), enterprise_tax_id) AS supplier_tax_id,
    if(signal_type = 'UPSTREAM_BROKEN', enterprise_tax_id, assumeNotNull(partner_tax_id)) AS buyer_tax_id,
    window_start AS first_silent_day,
    -- both sides may report the same break; it stays open while either side has not seen it restored
    if(countIf(status = 'OPEN') > 0, 'OPEN', 'RESOLVED') AS episode_status,
    if(countIf(status = 'OPEN') > 0, NULL, toNullable(max(window_end))) AS restored_day,
    ['LOW', 'MEDIUM', 'HIGH'][max(indexOf(['LOW', 'MEDIUM', 'HIGH'], severity))] AS link_severity,
    arrayStringConcat(arraySort(groupUniqArray(if(signal_type = 'UPSTREAM_BROKEN', 'BUYER', 'SUPPLIER'))), '+') AS reported_by,
    max(baseline_fen) AS lost_baseline_fen,
    arraySort(groupArray(signal_id)) AS signal_ids
  FROM yunlian.signals FINAL
  WHERE signal_type IN ('UPSTREAM_BROKEN', 'DOWNSTREAM_BROKEN') AND partner_tax_id IS NOT NULL
  GROUP BY supplier_tax_id, buyer_tax_id, first_silent_day
) AS b
LEFT JOIN (
  -- names and district codes as on the pair's latest invoice (a firm that moved district is shown where it files now)
  SELECT
    seller_tax_id, buyer_tax_id,
    argMax(seller_name, issued_at) AS supplier_name,
    argMax(seller_district_code, issued_at) AS supplier_district_code,
    argMax(buyer_name, issued_at) AS buyer_name,
    argMax(buyer_district_code, issued_at) AS buyer_district_code
  FROM yunlian.invoices FINAL
  WHERE (seller_tax_id, buyer_tax_id) GLOBAL IN (SELECT if(signal_type = 'UPSTREAM_BROKEN', assumeNotNull(partner_tax_id), enterprise_tax_id), if(signal_type = 'UPSTREAM_BROKEN', enterprise_tax_id, assumeNotNull(partner_tax_id)) FROM yunlian.signals FINAL WHERE signal_type IN ('UPSTREAM_BROKEN', 'DOWNSTREAM_BROKEN') AND partner_tax_id IS NOT NULL)
  GROUP BY seller_tax_id, buyer_tax_id
) AS p ON p.seller_tax_id = b.supplier_tax_id AND p.buyer_tax_id = b.buyer_tax_id
COMMENT 'One row per broken supplier-to-buyer link episode (UPSTREAM_BROKEN from the buyer and DOWNSTREAM_BROKEN from the supplier merged): names and districts as on the latest invoice of the pair, first silent working day, restored day, and lost_baseline_fen, the link flow over the 60 working days before the break';

CREATE OR REPLACE VIEW yunlian.v_broken_links_matrix ON CLUSTER yunlian AS
SELECT
  a.supplier_district AS supplier_district,
  m.to_qingpu AS to_qingpu,
  m.to_jiashan AS to_jiashan,
  m.to_wujiang AS to_wujiang,
  m.to_other AS to_other,
  m.broken_links AS broken_links,
  m.open_links AS open_links,
  m.lost_baseline_fen AS lost_baseline_fen
FROM (SELECT arrayJoin(['qingpu', 'jiashan', 'wujiang', 'other']) AS supplier_district) AS a
LEFT JOIN (
  SELECT
    supplier_district,
    countIf(buyer_district = 'qingpu') AS to_qingpu,
    countIf(buyer_district = 'jiashan') AS to_jiashan,
    countIf(buyer_district = 'wujiang') AS to_wujiang,
    countIf(buyer_district = 'other') AS to_other,
    count() AS broken_links,
    countIf(status = 'OPEN') AS open_links,
    sum(lost_baseline_fen) AS lost_baseline_fen
  FROM yunlian.v_broken_links
  GROUP BY supplier_district
) AS m ON m.supplier_district = a.supplier_district
COMMENT 'Cross-district matrix of broken links: one row per supplier district, one to_<district> column per buyer district, cells count broken link episodes (ever; open_links: still open); every district has a row';

CREATE OR REPLACE VIEW yunlian.v_lost_flow ON CLUSTER yunlian AS
SELECT
  b.supplier_tax_id AS supplier_tax_id,
  b.buyer_tax_id AS buyer_tax_id,
  b.supplier_district AS supplier_district,
  b.buyer_district AS buyer_district,
  b.first_silent_day AS first_silent_day,
  b.status AS status,
  f.tax_code AS tax_code,
  left(f.tax_code, 3) AS tax_code_prefix3,
  left(f.tax_code, 5) AS tax_code_prefix5,
  any(f.category) AS category,
  sum(f.amount_fen) AS lost_fen,
  count() AS invoice_lines
FROM (
  SELECT v.supplier_tax_id, v.buyer_tax_id, v.supplier_district, v.buyer_district, v.first_silent_day, v.status, w.working_ordinal AS break_ordinal
  FROM (SELECT supplier_tax_id, buyer_tax_id, supplier_district, buyer_district, first_silent_day, status FROM yunlian.v_broken_links) AS v
  INNER JOIN (SELECT day, working_ordinal FROM yunlian.working_days FINAL) AS w ON w.day = v.first_silent_day
) AS b
INNER JOIN (
  SELECT
    l.seller_tax_id AS seller_tax_id, l.buyer_tax_id AS buyer_tax_id, l.tax_code AS tax_code, l.category AS category, l.amount_fen AS amount_fen,
    -- detect credits an invoice issued on a non-working day to the next working day
    w.working_ordinal + if(w.is_working_day, 0, 1) AS credited_ordinal
  FROM (
    SELECT seller_tax_id, buyer_tax_id, tax_code, extract(item_name, '^[*]([^*]+)[*]') AS category, amount_fen, toDate(issued_at) AS issued_day
    FROM yunlian.invoice_lines FINAL
    WHERE event_type = 'ISSUED'
      AND (seller_tax_id, buyer_tax_id) GLOBAL IN (SELECT supplier_tax_id, buyer_tax_id FROM yunlian.v_broken_links)
  ) AS l
  INNER JOIN (SELECT day, working_ordinal, is_working_day FROM yunlian.working_days FINAL) AS w ON w.day = l.issued_day
) AS f ON f.seller_tax_id = b.supplier_tax_id AND f.buyer_tax_id = b.buyer_tax_id
WHERE f.credited_ordinal >= b.break_ordinal - 60 AND f.credited_ordinal < b.break_ordinal
GROUP BY b.supplier_tax_id, b.buyer_tax_id, b.supplier_district, b.buyer_district, b.first_silent_day, b.status, f.tax_code
COMMENT 'What a broken link carried: per broken link episode and 19-digit tax code, the issued (gross) invoice flow from the supplier to the buyer over the 60 working days before the first silent day, the window detect judged the link on, so per episode it sums to lost_baseline_fen';

CREATE OR REPLACE VIEW yunlian.v_lost_flow_by_goods ON CLUSTER yunlian AS
SELECT
  tax_code_prefix5,
  tax_code_prefix3,
  topK(1)(category)[1] AS goods_category,
  uniqExact(supplier_tax_id, buyer_tax_id, first_silent_day) AS broken_links,
  uniqExactIf((supplier_tax_id, buyer_tax_id, first_silent_day), status = 'OPEN') AS open_broken_links,
  sum(lost_fen) AS lost_flow_fen,
  sumIf(lost_fen, status = 'OPEN') AS open_lost_flow_fen,
  max(first_silent_day) AS latest_break
FROM yunlian.v_lost_flow
GROUP BY tax_code_prefix5, tax_code_prefix3
COMMENT 'Goods categories (first 5 digits of the tax classification code; the first 3 alongside for a coarser roll-up) by the flow of broken links, all and still open: which goods need replacement suppliers or buyers';

CREATE OR REPLACE VIEW yunlian.v_match_conversion ON CLUSTER yunlian AS
SELECT
  district,
  signal_type,
  need,
  count() AS lists,
  countIf(list_candidates > 0) AS lists_with_candidates,
  countIf(list_converted_at IS NOT NULL) AS converted_lists,
  if(lists_with_candidates = 0, NULL, round(converted_lists / lists_with_candidates, 4)) AS conversion_rate,
  sum(list_candidates) AS candidates,
  sum(list_converted_candidates) AS converted_candidates,
  if(candidates = 0, NULL, round(converted_candidates / candidates, 4)) AS candidate_conversion_rate,
  countIf(list_status = 'CLOSED') AS closed_lists
FROM (
  -- the newest revision of each list
  SELECT
    match_id,
    argMax((revision_district, revision_signal_type, revision_need, revision_status, revision_converted_at, revision_candidates, revision_converted_candidates), version) AS latest,
    latest.1 AS district,
    latest.2 AS signal_type,
    latest.3 AS need,
    latest.4 AS list_status,
    latest.5 AS list_converted_at,
    latest.6 AS list_candidates,
    latest.7 AS list_converted_candidates
  FROM (
    SELECT
      match_id,
      version,
      any(district) AS revision_district,
      any(signal_type) AS revision_signal_type,
      any(need) AS revision_need,
      any(status) AS revision_status,
      any(list_converted_at) AS revision_converted_at,
      countIf(rank > 0) AS revision_candidates,
      countIf(rank > 0 AND converted_at IS NOT NULL) AS revision_converted_candidates
    FROM yunlian.matches FINAL
    GROUP BY match_id, version
  )
  GROUP BY match_id
)
GROUP BY district, signal_type, need
COMMENT 'Match conversion per district, signal type and need: a list converts when the firm invoices with one of its candidates in the needed direction after the list opened (list_converted_at). Rates are per group; re-aggregate the counts, not the rates';

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

-- migration 9: incremental detector state snapshots
CREATE TABLE IF NOT EXISTS yunlian.detect_snapshot_entries_local ON CLUSTER yunlian (
  group_id String,
  topic String,
  partition UInt16,
  cluster_id String COMMENT 'Kafka cluster the offsets belong to (the embedded one is new on every start)',
  entry_key String COMMENT 'Empty for the partition header (clock, close-through days), else the enterprise tax ID',
  version UInt64 COMMENT 'The row covers every record of the partition before this offset',
  deleted UInt8 COMMENT '1: the enterprise was dropped as dormant (a tombstone, state empty)',
  taken_at DateTime64(3, 'UTC'),
  state String COMMENT 'JSON of the header or of the enterprise entry' CODEC(ZSTD(3))
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/yunlian/detect_snapshot_entries', '{replica}', version)
ORDER BY (group_id, cluster_id, topic, partition, entry_key)
COMMENT 'Detector state per leg partition, one row per header and enterprise (the highest offset wins); a snapshot writes the changed enterprises, then the header';

CREATE TABLE IF NOT EXISTS yunlian.detect_snapshot_entries ON CLUSTER yunlian AS yunlian.detect_snapshot_entries_local
ENGINE = Distributed(yunlian, yunlian, detect_snapshot_entries_local, cityHash64(group_id, cluster_id, topic, partition))
COMMENT 'Detector state per leg partition, one row per header and enterprise (the highest offset wins); a snapshot writes the changed enterprises, then the header';

INSERT INTO yunlian.schema_migrations (version, name, applied_at) VALUES
  (1, 'invoices and invoice lines', now64(3)),
  (2, 'signals and daily rollups', now64(3)),
  (3, 'match lists', now64(3)),
  (4, 'cases of tax stewards', now64(3)),
  (5, 'analyst views', now64(3)),
  (6, 'detector state snapshots', now64(3)),
  (8, 'signals.opened_at', now64(3)),
  (9, 'incremental detector state snapshots', now64(3));
