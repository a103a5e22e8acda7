import type { GoodsVolume, MatchNeed } from '../../src/domain/matchList.ts';
import type { CandidateIndex } from './candidateIndex.ts';
import { inWindow, type MonthKey } from './eventMonth.ts';
import { ledgerOf } from './firmLedger.ts';
import { activeMonths } from './monthlyVolume.ts';
import { enterpriseRole } from './needOfSignal.ts';

export interface LostFlow {
  /** By tax code, largest first; positive fen only. */
  goods: GoodsVolume[];
  /** Average over the months the flow was active (a link that broke mid-window is not diluted by its empty months). */
  monthlyFen: number;
}

/**
 * The goods a disrupted enterprise needs replaced, from its own ledger in the
 * window ending with `asOf`: for a broken link the flow with that partner, for
 * a collapse (or a link the window no longer shows) its whole mix in that
 * direction. Empty when the index knows nothing of the enterprise.
 */
export function lostFlow(index: CandidateIndex, enterpriseTaxId: string, need: MatchNeed, brokenPartnerTaxId: string | null, asOf: MonthKey): LostFlow {
  const firm = index.firms.get(enterpriseTaxId);
  if (!firm) return { goods: [], monthlyFen: 0 };
  const ledger = ledgerOf(firm, enterpriseRole(need));
  const window = index.options.windowMonths;
  const fromPartner = brokenPartnerTaxId === null ? undefined : ledger.partners.get(brokenPartnerTaxId);
  let byCode = fromPartner ? index.recentByCode(fromPartner, asOf) : new Map<string, number>();
  let months = 0;
  if (byCode.size > 0) {
    const perMonth = new Map<MonthKey, number>();
    for (const v of fromPartner!.values()) for (const [m, fen] of v) if (inWindow(m, asOf, window)) perMonth.set(m, (perMonth.get(m) ?? 0) + fen);
    months = [...perMonth.values()].filter((fen) => fen > 0).length;
  } else {
    byCode = index.recentByCode(ledger, asOf);
    months = activeMonths(ledger.gross, asOf, window);
  }
  const goods = [...byCode]
    .map(([tax_code, amount_fen]) => ({ tax_code, amount_fen }))
    .sort((a, b) => b.amount_fen - a.amount_fen || (a.tax_code < b.tax_code ? -1 : 1));
  const total = goods.reduce((s, g) => s + g.amount_fen, 0);
  return { goods, monthlyFen: Math.round(total / Math.max(1, months)) };
}
