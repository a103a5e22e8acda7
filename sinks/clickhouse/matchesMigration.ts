import type { Migration } from './schema.ts';

/**
 * `yunlian.matches` (DESIGN.md section 6): one row per candidate of one
 * revision of a match list. Revisions are immutable facts keyed by
 * (match_id, version, rank), so a redelivered revision replaces itself and the
 * history of how a list evolved stays queryable; the current list is the
 * newest version per match_id (view `matches_current`). A list without
 * candidates keeps one row with rank 0 so its state (and its closing) is
 * recorded too.
 */
export const MATCHES_MIGRATION: Migration = {
  version: 3,
  name: 'match lists',
  statements: [
    `CREATE TABLE IF NOT EXISTS yunlian.matches (
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
    ) ENGINE = ReplacingMergeTree
    PARTITION BY toYYYYMM(opened_at)
    ORDER BY (enterprise_tax_id, match_id, version, rank)
    SETTINGS non_replicated_deduplication_window = 1000
    COMMENT 'One row per candidate per revision of a match list; current = newest version per match_id'`,
    `CREATE VIEW IF NOT EXISTS yunlian.matches_current AS
      SELECT * FROM yunlian.matches FINAL
      WHERE (match_id, version) IN (SELECT match_id, max(version) FROM yunlian.matches GROUP BY match_id)`,
  ],
};
