import type { District } from '../../src/domain/district.ts';
import type { MatchCandidate, MatchList, MatchNeed, MatchReason, RankingComponent } from '../../src/domain/matchList.ts';
import type { SignalType } from '../../src/domain/signal.ts';
import { isoInstant } from '../../sinks/clickhouse/insertRows.ts';

/** One row of `yunlian.matches` as written (JSONEachRow) and as read back. */
export interface MatchRow {
  match_id: string;
  version: number;
  signal_id: string;
  enterprise_tax_id: string;
  enterprise_name: string;
  district: string;
  need: string;
  signal_type: string;
  broken_partner_tax_id: string | null;
  status: string;
  lost_tax_codes: string[];
  lost_amounts_fen: (number | string)[];
  lost_monthly_fen: number | string;
  opened_at: string;
  as_of: string;
  closed_at: string | null;
  list_converted_at: string | null;
  rank: number;
  candidate_tax_id: string;
  candidate_name: string;
  candidate_district: string;
  candidate_district_code: string;
  score: number;
  score_goods: number;
  score_familiarity: number;
  score_proximity: number;
  score_reliability: number;
  score_size_fit: number;
  score_capacity: number;
  matched_tax_codes: string[];
  recent_monthly_fen: number | string;
  existing_partner: boolean;
  reasons: string[];
  reasons_zh: string[];
  reason_components: string[];
  converted_at: string | null;
  signal_detected_at: string;
  computed_at: string;
}

/** Flattens one revision into rows (one per candidate; a placeholder rank-0 row when there are none). */
export function matchRows(list: MatchList): MatchRow[] {
  const head = {
    match_id: list.match_id,
    version: list.version,
    signal_id: list.signal_id,
    enterprise_tax_id: list.enterprise_tax_id,
    enterprise_name: list.enterprise_name,
    district: list.district,
    need: list.need,
    signal_type: list.signal_type,
    broken_partner_tax_id: list.broken_partner_tax_id,
    status: list.status,
    lost_tax_codes: list.lost_goods.map((g) => g.tax_code),
    lost_amounts_fen: list.lost_goods.map((g) => g.amount_fen),
    lost_monthly_fen: list.lost_monthly_fen,
    opened_at: isoInstant(list.opened_at_ms),
    as_of: isoInstant(list.as_of_ms),
    closed_at: list.closed_at_ms === null ? null : isoInstant(list.closed_at_ms),
    list_converted_at: list.converted_at,
    signal_detected_at: isoInstant(list.signal_detected_at_ms),
    computed_at: isoInstant(list.computed_at_ms),
  };
  if (list.candidates.length === 0) {
    return [{
      ...head, rank: 0, candidate_tax_id: '', candidate_name: '', candidate_district: '', candidate_district_code: '',
      score: 0, score_goods: 0, score_familiarity: 0, score_proximity: 0, score_reliability: 0, score_size_fit: 0, score_capacity: 0,
      matched_tax_codes: [], recent_monthly_fen: 0, existing_partner: false, reasons: [], reasons_zh: [], reason_components: [], converted_at: null,
    }];
  }
  return list.candidates.map((c) => ({
    ...head,
    rank: c.rank,
    candidate_tax_id: c.tax_id,
    candidate_name: c.name,
    candidate_district: c.district,
    candidate_district_code: c.district_code,
    score: c.score,
    score_goods: c.components.goods,
    score_familiarity: c.components.familiarity,
    score_proximity: c.components.proximity,
    score_reliability: c.components.reliability,
    score_size_fit: c.components.size_fit,
    score_capacity: c.components.capacity,
    matched_tax_codes: c.matched_tax_codes,
    recent_monthly_fen: c.recent_monthly_fen,
    existing_partner: c.existing_partner,
    reasons: c.reasons.map((r) => r.en),
    reasons_zh: c.reasons.map((r) => r.zh),
    reason_components: c.reasons.map((r) => r.component),
    converted_at: c.converted_at,
  }));
}

const INSTANT_COLUMNS = ['opened_at', 'as_of', 'closed_at', 'signal_detected_at', 'computed_at'] as const;

/** A row read back with its instants as epoch ms (see STORED_MATCH_COLUMNS). */
export type StoredMatchRow = Omit<MatchRow, (typeof INSTANT_COLUMNS)[number]> & {
  opened_at_ms: number | string;
  as_of_ms: number | string;
  closed_at_ms: number | string | null;
  signal_detected_at_ms: number | string;
  computed_at_ms: number | string;
};

/** SELECT list that reads `yunlian.matches` as StoredMatchRow: instants as epoch ms, no zone parsing in JS. */
export const STORED_MATCH_COLUMNS = `* EXCEPT (${INSTANT_COLUMNS.join(', ')}), ${INSTANT_COLUMNS.map((c) => `toUnixTimestamp64Milli(${c}) AS ${c}_ms`).join(', ')}`;

/**
 * Rebuilds one revision from its rows (any order). Precondition: all rows
 * share match_id and version; throws RangeError on an empty array.
 */
export function matchListFromRows(rows: readonly StoredMatchRow[]): MatchList {
  const head = rows[0];
  if (!head) throw new RangeError('no rows for a match list');
  const sorted = [...rows].filter((r) => Number(r.rank) > 0).sort((a, b) => Number(a.rank) - Number(b.rank));
  const candidates: MatchCandidate[] = sorted.map((r) => ({
    rank: Number(r.rank),
    tax_id: r.candidate_tax_id,
    name: r.candidate_name,
    district_code: r.candidate_district_code,
    district: r.candidate_district as District | 'other',
    score: Number(r.score),
    components: {
      goods: Number(r.score_goods),
      proximity: Number(r.score_proximity),
      capacity: Number(r.score_capacity),
      reliability: Number(r.score_reliability),
      size_fit: Number(r.score_size_fit),
      familiarity: Number(r.score_familiarity),
    },
    matched_tax_codes: r.matched_tax_codes,
    recent_monthly_fen: Number(r.recent_monthly_fen),
    existing_partner: Boolean(r.existing_partner),
    reasons: r.reasons.map((en, i): MatchReason => ({ component: r.reason_components[i] as RankingComponent, zh: r.reasons_zh[i] ?? '', en })),
    converted_at: r.converted_at,
  }));
  return {
    match_id: head.match_id,
    version: Number(head.version),
    signal_id: head.signal_id,
    enterprise_tax_id: head.enterprise_tax_id,
    enterprise_name: head.enterprise_name,
    district: head.district as District | 'other',
    need: head.need as MatchNeed,
    signal_type: head.signal_type as SignalType,
    broken_partner_tax_id: head.broken_partner_tax_id,
    status: head.status === 'CLOSED' ? 'CLOSED' : 'OPEN',
    lost_goods: head.lost_tax_codes.map((tax_code, i) => ({ tax_code, amount_fen: Number(head.lost_amounts_fen[i]) })),
    lost_monthly_fen: Number(head.lost_monthly_fen),
    opened_at_ms: Number(head.opened_at_ms),
    as_of_ms: Number(head.as_of_ms),
    closed_at_ms: head.closed_at_ms === null ? null : Number(head.closed_at_ms),
    converted_at: head.list_converted_at,
    signal_detected_at_ms: Number(head.signal_detected_at_ms),
    computed_at_ms: Number(head.computed_at_ms),
    candidates,
  };
}
