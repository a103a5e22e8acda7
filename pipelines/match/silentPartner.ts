import type { MonthKey } from './eventMonth.ts';
import type { FlowLedger } from './firmLedger.ts';
import { recentFen } from './monthlyVolume.ts';

/** A regular partner carries at least this share of a firm's flow in one direction (DESIGN.md section 4: 10 %). */
export const REGULAR_PARTNER_SHARE = 0.1;

export interface SilentPartnerQuery {
  asOf: MonthKey;
  windowMonths: number;
  /** The month a partner's open SILENCE began, or null when it is not silent. */
  silentSince: (taxId: string) => MonthKey | null;
  minShare?: number;
}

/**
 * The candidate's regular partner in one direction that has gone silent, or
 * null: the largest silent one that carried at least `minShare` of the
 * ledger's netted flow over the window ending when its silence began (so a
 * partner silent for months, whose trade has left the recent window, still
 * counts while the silence lasts).
 *
 * Why it matters: a supplier whose main input supplier stopped invoicing
 * altogether is short of inputs, and a buyer whose main customer went silent
 * will not buy more — days before the candidate's own link-break signal can
 * fire (that needs ≥ 2 × the usual gap and ≥ 10 working days, SILENCE only 7),
 * and even when it never fires because the link is not on a steady beat.
 * Cost: the candidate's partners, not all firms.
 */
export function silentRegularPartner(ledger: FlowLedger, q: SilentPartnerQuery): string | null {
  const minShare = q.minShare ?? REGULAR_PARTNER_SHARE;
  const silent: Array<{ partner: string; since: MonthKey }> = [];
  for (const partner of ledger.partners.keys()) {
    const since = q.silentSince(partner);
    if (since !== null) silent.push({ partner, since: Math.min(since, q.asOf) });
  }
  if (silent.length === 0) return null;
  const partnerFen = (byCode: ReadonlyMap<string, Map<MonthKey, number>> | undefined, asOf: MonthKey): number => {
    let fen = 0;
    if (byCode) for (const volume of byCode.values()) fen += recentFen(volume, asOf, q.windowMonths);
    return fen;
  };
  let best: { partner: string; fen: number } | null = null;
  for (const { partner, since } of silent) {
    let total = 0;
    for (const byCode of ledger.partners.values()) total += Math.max(0, partnerFen(byCode, since));
    const fen = partnerFen(ledger.partners.get(partner), since);
    if (total <= 0 || fen < minShare * total) continue;
    if (!best || fen > best.fen || (fen === best.fen && partner < best.partner)) best = { partner, fen };
  }
  return best?.partner ?? null;
}
