import type { GoodsVolume, MatchReason } from '../../src/domain/matchList.ts';
import { significantCode, sharedCategoryDigits } from './taxCodePrefixes.ts';

/**
 * How well one of the candidate's codes stands in for a lost code: the same
 * code is a full match; a shared category (by significant prefix) counts less
 * the coarser it is; below the 5-digit category nothing counts.
 */
export function codeSimilarity(lostCode: string, offeredCode: string): number {
  const shared = sharedCategoryDigits(lostCode, offeredCode);
  if (shared >= 19) return 1;
  if (shared >= 9) return 0.8;
  if (shared >= 7) return 0.6;
  if (shared >= 5) return 0.35;
  return 0;
}

export interface GoodsMatch {
  value: number;
  /** Candidate codes that matched some lost code, sorted. */
  matched_tax_codes: string[];
  /** The candidate's recent flow in those codes, fen. */
  matched_fen: number;
  reason: MatchReason | null;
}

/**
 * Goods similarity: for each lost code the best of the candidate's codes,
 * weighted by the lost flow's value per code (a firm that can replace the
 * main input counts more than one that covers a minor line).
 * `offered`: the candidate's recent flow per code in the needed direction.
 */
export function goodsSimilarity(lost: readonly GoodsVolume[], offered: ReadonlyMap<string, number>): GoodsMatch {
  const positive = lost.filter((g) => g.amount_fen > 0);
  const total = positive.reduce((s, g) => s + g.amount_fen, 0);
  if (total === 0 || offered.size === 0) return { value: 0, matched_tax_codes: [], matched_fen: 0, reason: null };
  let value = 0;
  let exact = 0;
  const matched = new Set<string>();
  for (const g of positive) {
    let best = 0;
    for (const code of offered.keys()) {
      const s = codeSimilarity(g.tax_code, code);
      if (s > 0) matched.add(code);
      if (s > best) best = s;
    }
    if (best === 1) exact += g.amount_fen;
    value += (g.amount_fen / total) * best;
  }
  const codes = [...matched].sort();
  const matchedFen = codes.reduce((s, c) => s + (offered.get(c) ?? 0), 0);
  if (codes.length === 0) return { value: 0, matched_tax_codes: [], matched_fen: 0, reason: null };
  const shareExact = Math.round((100 * exact) / total);
  const shown = codes.slice(0, 3).map(significantCode).join(', ');
  const reason: MatchReason =
    exact > 0
      ? { component: 'goods', zh: `经营相同商品（税收分类编码 ${shown}），覆盖损失流量的 ${shareExact}%`, en: `trades the same goods (tax codes ${shown}), covering ${shareExact}% of the lost flow` }
      : { component: 'goods', zh: `经营同类商品（分类编码 ${shown}）`, en: `trades goods of the same category (codes ${shown})` };
  return { value, matched_tax_codes: codes, matched_fen: matchedFen, reason };
}
