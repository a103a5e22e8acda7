import { districtOfCode } from '../../src/domain/district.ts';
import { RANKING_COMPONENTS, type GoodsVolume, type MatchCandidate, type MatchNeed, type MatchReason, type ScoreComponents } from '../../src/domain/matchList.ts';
import type { CandidateIndex } from './candidateIndex.ts';
import { capacitySignal } from './capacitySignal.ts';
import { monthOfIsoDate, type MonthKey } from './eventMonth.ts';
import { exclusionOf, type Exclusion } from './exclusionRules.ts';
import { familiarity } from './familiarity.ts';
import { ledgerOf } from './firmLedger.ts';
import { codeSimilarity, goodsSimilarity } from './goodsSimilarity.ts';
import { activeMonths, recentFen } from './monthlyVolume.ts';
import { candidateRole, enterpriseRole } from './needOfSignal.ts';
import type { OpenSignalBook } from './openSignalBook.ts';
import { proximity } from './proximity.ts';
import { DEFAULT_RANKING_WEIGHTS, type RankingWeights } from './rankingWeights.ts';
import { reliability } from './reliability.ts';
import { silentRegularPartner } from './silentPartner.ts';
import { sizeFit } from './sizeFit.ts';

export interface RankingRequest {
  enterpriseTaxId: string;
  enterpriseDistrictCode: string;
  need: MatchNeed;
  brokenPartnerTaxId: string | null;
  lostGoods: readonly GoodsVolume[];
  lostMonthlyFen: number;
  asOf: MonthKey;
}

export interface RankingOptions {
  weights: RankingWeights;
  maxCandidates: number;
}

export const DEFAULT_RANKING_OPTIONS: RankingOptions = { weights: DEFAULT_RANKING_WEIGHTS, maxCandidates: 10 };

export interface Ranking {
  candidates: MatchCandidate[];
  /** Firms the index offered that an exclusion rule removed (for tests and diagnostics). */
  excluded: Map<string, Exclusion>;
  /** Firms scored: bounded by the index postings, not by the number of firms. */
  scanned: number;
}

/** Reasons in the order a steward reads them: what, who they are to us, where, then the rest. */
const REASON_ORDER: readonly MatchReason['component'][] = ['goods', 'familiarity', 'proximity', 'capacity', 'reliability', 'size_fit'];
const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;

/**
 * Ranks replacement partners for one need: candidates from the index postings
 * of the lost goods plus the enterprise's own partners in that direction,
 * minus the exclusions, scored by the weighted components and sorted by score
 * then tax ID (deterministic).
 */
export function rankCandidates(index: CandidateIndex, signals: OpenSignalBook, req: RankingRequest, options: RankingOptions = DEFAULT_RANKING_OPTIONS): Ranking {
  const role = candidateRole(req.need);
  const window = index.options.windowMonths;
  const lostCodes = req.lostGoods.map((g) => g.tax_code);
  const lostTotalFen = req.lostGoods.reduce((s, g) => s + g.amount_fen, 0);
  const pool = index.candidatesFor(role, lostCodes);
  const enterprise = index.firms.get(req.enterpriseTaxId);
  const ownPartners = enterprise ? ledgerOf(enterprise, enterpriseRole(req.need)).partners : new Map<string, Map<string, Map<MonthKey, number>>>();
  for (const [partner, byCode] of ownPartners) {
    if ([...byCode.keys()].some((code) => lostCodes.some((lost) => codeSimilarity(lost, code) > 0))) pool.add(partner);
  }

  const silentSince = (id: string): MonthKey | null => {
    const since = signals.openSince(id, 'SILENCE');
    return since === null ? null : monthOfIsoDate(since);
  };
  const excluded = new Map<string, Exclusion>();
  const scored: MatchCandidate[] = [];
  for (const taxId of [...pool].sort()) {
    const firm = index.firms.get(taxId);
    if (!firm) continue;
    const openTypes = signals.openTypesOf(taxId);
    // The candidate's own side that the need depends on: a supplier's purchases, a buyer's sales.
    const silentPartner = silentRegularPartner(ledgerOf(firm, enterpriseRole(req.need)), { asOf: req.asOf, windowMonths: window, silentSince });
    const exclusion = exclusionOf(taxId, openTypes, { enterpriseTaxId: req.enterpriseTaxId, brokenPartnerTaxId: req.brokenPartnerTaxId, need: req.need }, silentPartner);
    if (exclusion) {
      excluded.set(taxId, exclusion);
      continue;
    }
    const ledger = ledgerOf(firm, role);
    const goods = goodsSimilarity(req.lostGoods, index.recentByCode(ledger, req.asOf));
    if (goods.value <= 0) continue;
    const shared = ownPartners.get(taxId);
    let sharedFen = 0;
    if (shared) for (const code of goods.matched_tax_codes) sharedFen += recentFen(shared.get(code), req.asOf, window);
    const active = Math.max(1, activeMonths(ledger.gross, req.asOf, window));
    const monthlyFen = Math.round(goods.matched_fen / active);
    const parts = {
      goods: { value: goods.value, reason: goods.reason },
      familiarity: familiarity(req.need, sharedFen, lostTotalFen),
      proximity: proximity(req.enterpriseDistrictCode, firm.district_code),
      capacity: capacitySignal(req.need, openTypes),
      reliability: reliability({
        grossFen: recentFen(ledger.gross, req.asOf, window),
        correctionsFen: recentFen(ledger.corrections, req.asOf, window),
        activeMonths: activeMonths(ledger.gross, req.asOf, window),
        windowMonths: window,
        voidSpikeOpen: openTypes.has('VOID_SPIKE'),
      }),
      size_fit: sizeFit(monthlyFen, req.lostMonthlyFen),
    };
    const components = {} as ScoreComponents;
    let score = 0;
    for (const c of RANKING_COMPONENTS) {
      components[c] = round4(parts[c].value);
      score += options.weights[c] * parts[c].value;
    }
    scored.push({
      rank: 0,
      tax_id: taxId,
      name: firm.name,
      district_code: firm.district_code,
      district: districtOfCode(firm.district_code) ?? 'other',
      score: round4(score),
      components,
      matched_tax_codes: goods.matched_tax_codes,
      recent_monthly_fen: monthlyFen,
      existing_partner: sharedFen > 0,
      reasons: REASON_ORDER.map((c) => parts[c].reason).filter((r): r is MatchReason => r !== null),
      converted_at: null,
    });
  }
  scored.sort((a, b) => b.score - a.score || (a.tax_id < b.tax_id ? -1 : 1));
  const candidates = scored.slice(0, options.maxCandidates).map((c, i) => ({ ...c, rank: i + 1 }));
  return { candidates, excluded, scanned: pool.size };
}
