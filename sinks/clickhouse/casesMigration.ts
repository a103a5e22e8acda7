import type { Migration } from './schema.ts';

/**
 * Cases of tax stewards (税务管家): one row per case state. Every change
 * (open, assign, annotate, close, reopen) inserts the next version, so the
 * table is also the case history; read the current state with FINAL.
 * signal_type and district are copied from the signal when the case opens so
 * outcome counts per signal type (false positives) need no join.
 */
export const CASES_MIGRATION: Migration = {
  version: 4,
  name: 'cases of tax stewards',
  statements: [
    `CREATE TABLE IF NOT EXISTS yunlian.cases (
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
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY (case_id)
    COMMENT 'One row per case state (query with FINAL for the current state)'`,
  ],
};
