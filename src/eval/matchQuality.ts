import type { MatchList, MatchNeed } from '../domain/matchList.ts';
import type { DisruptionType } from '../domain/signal.ts';
import type { FirmProfile } from '../simulate/firmProfile.ts';
import type { GroundTruth, TruthLabel } from '../simulate/groundTruth.ts';

/**
 * Scores match lists against the simulator's ground truth (issue 5).
 *
 * A list is scored when its signal matches a truth label (same enterprise,
 * type and partner, opened between the label's start and its end plus a
 * grace period). The true replacements of a label are the firms that really
 * trade the lost goods on the needed side (from firms.json: `sells` for a
 * supplier, `buys` for a buyer; the lost goods are the broken link's tax codes,
 * or the firm's own goods for a drop), minus the firm, the broken partner and
 * firms the truth shows disrupted on the same side (or silent) when the list
 * opened; the replacement the simulator actually used
 * (`details.replacement_tax_id`, UPSTREAM_BROKEN) always counts. Top-k hit:
 * a true replacement within the first k; MRR: mean of 1 / rank of the first.
 */
export interface MatchQualityOptions {
  /** Score the first revision (what the steward got when the signal fired; default) or the latest. */
  revision?: 'first' | 'latest';
  /** Days after a label's end during which a list still matches it. */
  graceDays?: number;
  /**
   * A link break counts towards "excluded" only at or above this share of the
   * candidate's flow (DESIGN.md section 4: a regular partner carries ≥ 10 %).
   * Default 1000 bp.
   */
  regularShareBp?: number;
}

export interface ScoredList {
  match_id: string;
  enterprise_tax_id: string;
  signal_type: string;
  /** 1-based rank of the first true replacement, or null. */
  first_hit_rank: number | null;
  /** Rank of the simulator's own replacement, when the label names one. */
  replacement_rank: number | null;
  true_replacements: number;
  contains_broken_partner: boolean;
  contains_excluded: boolean;
  /** The candidates behind `contains_excluded` (for diagnosis). */
  excluded_candidates: string[];
  latency_ms: number;
}

export interface MatchQualityReport {
  lists: number;
  /** Lists that matched a truth label and had at least one true replacement to find. */
  scored: number;
  unmatched: number;
  top1_hit_rate: number;
  top5_hit_rate: number;
  mrr: number;
  /** Against the simulator's own replacement (labels that name one). */
  replacement: { labelled: number; top1_hit_rate: number; top5_hit_rate: number; mrr: number };
  /** Must be 0: the firm itself or its broken partner on its own list. */
  share_with_broken_partner: number;
  /**
   * Lists with a candidate the truth shows observably disrupted on the same
   * side (or silent) when the list opened, counting only disruptions a
   * detector must report (a link break of a regular partner, ≥ 10 % share).
   */
  share_with_excluded_partner: number;
  /** Wall-clock delay from the signal's emission to the list's first revision. */
  latency_ms: { p50: number; p95: number; max: number } | null;
  per_list: ScoredList[];
}

const SAME_SIDE: Record<MatchNeed, readonly DisruptionType[]> = {
  SUPPLIER: ['UPSTREAM_BROKEN', 'PURCHASE_DROP', 'SILENCE'],
  BUYER: ['DOWNSTREAM_BROKEN', 'SALES_DROP', 'SILENCE'],
};
const NEED_OF: Partial<Record<string, MatchNeed>> = { UPSTREAM_BROKEN: 'SUPPLIER', PURCHASE_DROP: 'SUPPLIER', DOWNSTREAM_BROKEN: 'BUYER', SALES_DROP: 'BUYER' };

function addDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function shanghaiDate(epochMs: number): string {
  return new Date(epochMs + 8 * 3_600_000).toISOString().slice(0, 10);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

const rate = (n: number, d: number): number => (d === 0 ? 0 : n / d);

export function scoreMatchQuality(lists: readonly MatchList[], truth: Pick<GroundTruth, 'labels'>, firms: readonly FirmProfile[], options: MatchQualityOptions = {}): MatchQualityReport {
  const grace = options.graceDays ?? 10;
  const regularShareBp = options.regularShareBp ?? 1000;
  const byId = new Map<string, MatchList>();
  for (const l of lists) {
    const have = byId.get(l.match_id);
    const better = !have || (options.revision === 'latest' ? l.version > have.version : l.version < have.version);
    if (better) byId.set(l.match_id, l);
  }
  const firmByTaxId = new Map(firms.map((f) => [f.tax_id, f]));
  /** Truly disrupted on that day (for the true replacements), or already observable (what a perfect detector could have excluded). */
  const disruptedOn = (taxId: string, types: readonly DisruptionType[], day: string, observable = false): boolean =>
    truth.labels.some((l) => l.enterprise_tax_id === taxId && types.includes(l.type) && (!observable || mustBeReported(l)) && (observable ? l.observable_from : l.start_day) <= day && (l.end_day === null || day < l.end_day));
  /**
   * The truth also labels breaks of links between 7.5 % and 10 % share so that
   * a detector firing on them is not a false positive; they are "may fire",
   * not "must fire" (scoreSignals counts no recall on them), so a list cannot
   * be faulted for a candidate whose only disruption is one of those. They
   * still keep the candidate out of the true replacements (stricter for hits).
   */
  const mustBeReported = (l: TruthLabel): boolean =>
    !(l.type === 'UPSTREAM_BROKEN' || l.type === 'DOWNSTREAM_BROKEN') || l.details.share_bp === undefined || l.details.share_bp >= regularShareBp;

  const perList: ScoredList[] = [];
  let unmatched = 0;
  for (const list of [...byId.values()].sort((a, b) => (a.match_id < b.match_id ? -1 : 1))) {
    const need = NEED_OF[list.signal_type];
    const opened = shanghaiDate(list.opened_at_ms);
    const label: TruthLabel | undefined = truth.labels.find(
      (l) => l.type === list.signal_type && l.enterprise_tax_id === list.enterprise_tax_id && l.partner_tax_id === list.broken_partner_tax_id &&
        l.start_day <= opened && (l.end_day === null || opened <= addDays(l.end_day, grace)),
    );
    const enterprise = firmByTaxId.get(list.enterprise_tax_id);
    const candidates = list.candidates.map((c) => c.tax_id);
    const containsBroken = candidates.includes(list.enterprise_tax_id) || (list.broken_partner_tax_id !== null && candidates.includes(list.broken_partner_tax_id));
    const excludedCandidates = need === undefined ? [] : candidates.filter((id) => disruptedOn(id, SAME_SIDE[need], opened, true));
    const containsExcluded = excludedCandidates.length > 0;
    const latency = list.computed_at_ms - list.signal_detected_at_ms;
    if (!label || !need || !enterprise) {
      unmatched++;
      perList.push({ match_id: list.match_id, enterprise_tax_id: list.enterprise_tax_id, signal_type: list.signal_type, first_hit_rank: null, replacement_rank: null, true_replacements: 0, contains_broken_partner: containsBroken, contains_excluded: containsExcluded, excluded_candidates: excludedCandidates, latency_ms: latency });
      continue;
    }
    const partnerLinks = need === 'SUPPLIER' ? enterprise.suppliers : enterprise.buyers;
    const lostCodes = new Set(
      label.partner_tax_id !== null
        ? (partnerLinks.find((p) => p.tax_id === label.partner_tax_id)?.tax_codes ?? [])
        : (need === 'SUPPLIER' ? enterprise.buys : enterprise.sells).map((g) => g.tax_code),
    );
    const replacement = label.details.replacement_tax_id ?? null;
    const trueSet = new Set<string>();
    for (const f of firms) {
      if (f.tax_id === enterprise.tax_id || f.tax_id === label.partner_tax_id) continue;
      const goods = need === 'SUPPLIER' ? f.sells : f.buys;
      if (!goods.some((g) => lostCodes.has(g.tax_code))) continue;
      if (disruptedOn(f.tax_id, SAME_SIDE[need], opened)) continue;
      trueSet.add(f.tax_id);
    }
    if (need === 'SUPPLIER' && label.type === 'UPSTREAM_BROKEN' && replacement !== null) trueSet.add(replacement);
    const hitIndex = candidates.findIndex((id) => trueSet.has(id));
    const replacementIndex = need === 'SUPPLIER' && replacement !== null ? candidates.indexOf(replacement) : -1;
    perList.push({
      match_id: list.match_id,
      enterprise_tax_id: list.enterprise_tax_id,
      signal_type: list.signal_type,
      first_hit_rank: hitIndex < 0 ? null : hitIndex + 1,
      replacement_rank: replacement === null || need !== 'SUPPLIER' ? null : replacementIndex < 0 ? 0 : replacementIndex + 1,
      true_replacements: trueSet.size,
      contains_broken_partner: containsBroken,
      contains_excluded: containsExcluded,
      excluded_candidates: excludedCandidates,
      latency_ms: latency,
    });
  }

  const scored = perList.filter((p) => p.true_replacements > 0);
  const hits = (k: number) => scored.filter((p) => p.first_hit_rank !== null && p.first_hit_rank <= k).length;
  const withReplacement = perList.filter((p) => p.replacement_rank !== null);
  const replacementHits = (k: number) => withReplacement.filter((p) => p.replacement_rank! > 0 && p.replacement_rank! <= k).length;
  const latencies = perList.map((p) => p.latency_ms).filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return {
    lists: perList.length,
    scored: scored.length,
    unmatched,
    top1_hit_rate: rate(hits(1), scored.length),
    top5_hit_rate: rate(hits(5), scored.length),
    mrr: rate(scored.reduce((s, p) => s + (p.first_hit_rank === null ? 0 : 1 / p.first_hit_rank), 0), scored.length),
    replacement: {
      labelled: withReplacement.length,
      top1_hit_rate: rate(replacementHits(1), withReplacement.length),
      top5_hit_rate: rate(replacementHits(5), withReplacement.length),
      mrr: rate(withReplacement.reduce((s, p) => s + (p.replacement_rank! > 0 ? 1 / p.replacement_rank! : 0), 0), withReplacement.length),
    },
    share_with_broken_partner: rate(perList.filter((p) => p.contains_broken_partner).length, perList.length),
    share_with_excluded_partner: rate(perList.filter((p) => p.contains_excluded).length, perList.length),
    latency_ms: latencies.length === 0 ? null : { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), max: latencies[latencies.length - 1]! },
    per_list: perList,
  };
}
