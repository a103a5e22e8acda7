import { describe, expect, it } from 'vitest';
import { scoreMatchQuality } from '../../src/eval/matchQuality.ts';
import { meetsMatchTargets } from '../../src/eval/evalMatches.ts';
import type { MatchCandidate, MatchList } from '../../src/domain/matchList.ts';
import type { FirmProfile } from '../../src/simulate/firmProfile.ts';
import type { TruthLabel } from '../../src/simulate/groundTruth.ts';

const FOIL = '1080207020'.padEnd(19, '0');
const ZIPPER = '1090511010'.padEnd(19, '0');

function profile(tax_id: string, sells: string[], buys: string[] = [], suppliers: FirmProfile['suppliers'] = []): FirmProfile {
  return {
    tax_id, name: tax_id, district: 'jiashan', district_code: '330421', industry: 'x', taxpayer: 'GENERAL', size: 'MEDIUM', vat_rate_bp: 1300,
    invoicing: 'REGULAR', invoicing_day_share: 0.9, expected_daily_sales_fen: 0, expected_daily_purchases_fen: 0,
    sells: sells.map((tax_code) => ({ tax_code, item_name: '', unit: '', rate_bp: 1300 })), buys: buys.map((tax_code) => ({ tax_code, item_name: '' })),
    suppliers, buyers: [],
  };
}
const link = (tax_id: string, codes: string[]) => ({ tax_id, name: tax_id, pattern: 'REGULAR' as const, gap_working_days: 3, share_bp: 4000, main: true, tax_codes: codes });

const FIRMS = [
  profile('E', [], [FOIL], [link('P', [FOIL]), link('R', [FOIL])]),
  profile('P', [FOIL]),
  profile('R', [FOIL]),
  profile('A', [FOIL]),
  profile('D', [FOIL]),
  profile('Z', [ZIPPER]),
];
const label = (over: Partial<TruthLabel> = {}): TruthLabel => ({
  type: 'UPSTREAM_BROKEN', enterprise_tax_id: 'E', enterprise_name: 'E', partner_tax_id: 'P', start_day: '2020-05-01', end_day: null,
  observable_from: '2020-05-15', implied: false, cause: 'INJECTED', details: { replacement_tax_id: 'R' }, ...over,
});
const candidate = (tax_id: string, rank: number): MatchCandidate => ({
  rank, tax_id, name: tax_id, district_code: '330421', district: 'jiashan', score: 1 - rank / 10,
  components: { goods: 1, proximity: 1, capacity: 0.5, reliability: 1, size_fit: 1, familiarity: 0 }, matched_tax_codes: [FOIL],
  recent_monthly_fen: 1, existing_partner: false, reasons: [], converted_at: null,
});
function list(id: string, candidates: string[], version = 1, over: Partial<MatchList> = {}): MatchList {
  return {
    match_id: id, version, signal_id: id, enterprise_tax_id: 'E', enterprise_name: 'E', district: 'jiashan', need: 'SUPPLIER', signal_type: 'UPSTREAM_BROKEN',
    broken_partner_tax_id: 'P', status: 'OPEN', lost_goods: [{ tax_code: FOIL, amount_fen: 100 }], lost_monthly_fen: 100,
    opened_at_ms: Date.parse('2020-05-15T18:00:00+08:00'), as_of_ms: 0, closed_at_ms: null, converted_at: null,
    signal_detected_at_ms: 1_000, computed_at_ms: 1_250, candidates: candidates.map((c, i) => candidate(c, i + 1)), ...over,
  };
}

describe('match quality against the ground truth', () => {
  it('counts top-1, top-5 and reciprocal rank of the first true replacement', () => {
    const truth = { labels: [label()] };
    const first = scoreMatchQuality([list('m1', ['A', 'Z'])], truth, FIRMS);
    expect(first).toMatchObject({ lists: 1, scored: 1, top1_hit_rate: 1, top5_hit_rate: 1, mrr: 1, share_with_broken_partner: 0 });
    const third = scoreMatchQuality([list('m1', ['Z', 'E', 'R'])], truth, FIRMS);
    expect(third.top1_hit_rate).toBe(0);
    expect(third.top5_hit_rate).toBe(1);
    expect(third.mrr).toBeCloseTo(1 / 3);
    expect(third.replacement).toMatchObject({ labelled: 1, top1_hit_rate: 0, top5_hit_rate: 1 });
    expect(third.share_with_broken_partner).toBe(1);
    expect(third.latency_ms).toEqual({ p50: 250, p95: 250, max: 250 });
  });

  it('does not count a firm the truth shows short of inputs as a true replacement, and flags it as excluded', () => {
    const truth = { labels: [label(), label({ enterprise_tax_id: 'D', partner_tax_id: null, type: 'PURCHASE_DROP', observable_from: '2020-05-10', details: {} })] };
    const r = scoreMatchQuality([list('m1', ['D'])], truth, FIRMS);
    expect(r.per_list[0]!.first_hit_rank).toBeNull();
    expect(r.share_with_excluded_partner).toBe(1);
  });

  it('flags a candidate with a broken regular supplier as excluded, but not one whose lost supplier carried under 10 % (a break no detector must report)', () => {
    const brokenSupply = (share_bp: number) => label({ enterprise_tax_id: 'D', partner_tax_id: 'Q', observable_from: '2020-05-10', details: { share_bp } });
    const minor = scoreMatchQuality([list('m1', ['D', 'A'])], { labels: [label(), brokenSupply(778)] }, FIRMS);
    expect(minor.share_with_excluded_partner).toBe(0);
    expect(minor.per_list[0]).toMatchObject({ first_hit_rank: 2, excluded_candidates: [] });
    const regular = scoreMatchQuality([list('m1', ['D', 'A'])], { labels: [label(), brokenSupply(1200)] }, FIRMS);
    expect(regular.share_with_excluded_partner).toBe(1);
    expect(regular.per_list[0]!.excluded_candidates).toEqual(['D']);
  });

  it('does not flag a candidate whose disruption was not yet observable when the list opened', () => {
    const later = label({ enterprise_tax_id: 'D', partner_tax_id: null, type: 'PURCHASE_DROP', start_day: '2020-05-10', observable_from: '2020-05-20', details: {} });
    const r = scoreMatchQuality([list('m1', ['D'])], { labels: [label(), later] }, FIRMS);
    expect(r.share_with_excluded_partner).toBe(0);
    expect(r.per_list[0]!.first_hit_rank).toBeNull();
  });

  it('scores the first revision by default and the latest on request, and leaves lists without a label unscored', () => {
    const truth = { labels: [label()] };
    const revisions = [list('m1', ['Z', 'A'], 1), list('m1', ['A'], 2)];
    expect(scoreMatchQuality(revisions, truth, FIRMS).top1_hit_rate).toBe(0);
    expect(scoreMatchQuality(revisions, truth, FIRMS, { revision: 'latest' }).top1_hit_rate).toBe(1);
    const stray = scoreMatchQuality([list('m2', ['A'], 1, { broken_partner_tax_id: 'Q' })], truth, FIRMS);
    expect(stray).toMatchObject({ lists: 1, scored: 0, unmatched: 1 });
  });

  it('passes the eval targets only with top-5 ≥ 90 %, top-1 ≥ 60 %, no broken partner and at least one scored list', () => {
    const truth = { labels: [label()] };
    const clean = { share_with_broken_partner: 0, share_with_excluded_partner: 0 };
    expect(meetsMatchTargets(scoreMatchQuality([list('m1', ['A'])], truth, FIRMS), clean)).toBe(true);
    expect(meetsMatchTargets(scoreMatchQuality([list('m1', ['Z', 'A'])], truth, FIRMS), clean)).toBe(false);
    expect(meetsMatchTargets(scoreMatchQuality([list('m1', ['A', 'P'])], truth, FIRMS), clean)).toBe(false);
    expect(meetsMatchTargets(scoreMatchQuality([], truth, FIRMS), clean)).toBe(false);
  });

  it('fails the eval targets when the exclusion audit finds a list with a broken or an excluded partner, but not for the informational excluded share against the truth', () => {
    const truth = { labels: [label(), label({ enterprise_tax_id: 'D', partner_tax_id: null, type: 'PURCHASE_DROP', observable_from: '2020-05-10', details: {} })] };
    const report = scoreMatchQuality([list('m1', ['A', 'D'])], truth, FIRMS);
    expect(report.share_with_excluded_partner).toBe(1);
    expect(meetsMatchTargets(report, { share_with_broken_partner: 0, share_with_excluded_partner: 0 })).toBe(true);
    expect(meetsMatchTargets(report, { share_with_broken_partner: 0, share_with_excluded_partner: 0.01 })).toBe(false);
    expect(meetsMatchTargets(report, { share_with_broken_partner: 0.01, share_with_excluded_partner: 0 })).toBe(false);
  });
});
