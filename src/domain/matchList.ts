import type { District } from './district.ts';
import type { SignalType } from './signal.ts';

/** What a disrupted enterprise is looking for (DESIGN.md section 5). */
export const MATCH_NEEDS = ['SUPPLIER', 'BUYER'] as const;
export type MatchNeed = (typeof MATCH_NEEDS)[number];

/** OPEN while the signal is open; CLOSED once the signal is RESOLVED (the list is kept for conversion analysis). */
export type MatchListStatus = 'OPEN' | 'CLOSED';

/** The explicit, separately tested parts of a candidate's score. */
export const RANKING_COMPONENTS = ['goods', 'proximity', 'capacity', 'reliability', 'size_fit', 'familiarity'] as const;
export type RankingComponent = (typeof RANKING_COMPONENTS)[number];

/** Each component in [0, 1]; the score is their weighted sum (see pipelines/match/rankingWeights.ts). */
export type ScoreComponents = Record<RankingComponent, number>;

/** One human-readable reason, in both languages the stewards and analysts use. */
export interface MatchReason {
  component: RankingComponent;
  zh: string;
  en: string;
}

/** A flow of goods by tax classification code; integer fen. */
export interface GoodsVolume {
  tax_code: string;
  amount_fen: number;
}

export interface MatchCandidate {
  /** 1-based. */
  rank: number;
  tax_id: string;
  name: string;
  district_code: string;
  /** Zone district, or 'other' outside the zone. */
  district: District | 'other';
  /** Weighted sum of the components, in [0, 1]; a ranking score, not money. */
  score: number;
  components: ScoreComponents;
  /** The candidate's tax codes that matched the lost goods (exact or by prefix). */
  matched_tax_codes: string[];
  /** The candidate's average monthly flow of the matched goods in the needed direction over the recent window, fen. */
  recent_monthly_fen: number;
  /** Already trades these goods with the enterprise in the needed direction (shifted volume, not a new relationship). */
  existing_partner: boolean;
  reasons: MatchReason[];
  /** YYYY-MM-DD of the first invoice between the enterprise and this candidate in the needed direction after the list opened. */
  converted_at: string | null;
}

/**
 * A ranked, explained list of replacement partners for one disruption signal,
 * published on `yunlian.matches` keyed by enterprise tax ID. Each revision
 * carries the whole list with a higher `version`; `match_id` is stable for the
 * signal's lifetime (deterministic: hash of signal_id and need).
 */
export interface MatchList {
  match_id: string;
  /** Revision number, 1 for the first list; the highest is current. */
  version: number;
  signal_id: string;
  enterprise_tax_id: string;
  enterprise_name: string;
  district: District | 'other';
  need: MatchNeed;
  signal_type: SignalType;
  /** The supplier or buyer that stopped (*_BROKEN), excluded from the candidates; null for drops. */
  broken_partner_tax_id: string | null;
  status: MatchListStatus;
  /** The goods to replace (the broken link's flow, or the firm's own mix for a drop), over the recent window. */
  lost_goods: GoodsVolume[];
  /** Average monthly value of the lost flow, fen; what size fit compares against. */
  lost_monthly_fen: number;
  /** Event time the signal fired (epoch ms). */
  opened_at_ms: number;
  /** Event time the ranking is as of: the window of recent volumes ends in this month. */
  as_of_ms: number;
  /** Event time of the RESOLVED signal that closed the list. */
  closed_at_ms: number | null;
  /** YYYY-MM-DD of the first conversion among the candidates, if any. */
  converted_at: string | null;
  /** Wall clock: when detect emitted the signal, and when this revision was computed (re-match latency). */
  signal_detected_at_ms: number;
  computed_at_ms: number;
  candidates: MatchCandidate[];
}
