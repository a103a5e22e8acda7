/**
 * An enterprise's main suppliers or buyers from its invoice links, with the
 * links that a signal says are broken marked, so a steward sees at a glance
 * which part of the supply chain failed.
 */
export interface LinkTotal {
  partner_tax_id: string;
  amount_fen: number;
  active_days: number;
  last_day: string;
}

export interface BrokenLink {
  partner_tax_id: string;
  signal_id: string;
  status: 'OPEN' | 'RESOLVED';
  window_start: string;
}

export interface MainPartner extends LinkTotal {
  name: string | null;
  /** Share of the enterprise's flow in this direction over the lookback, 0..1. */
  share: number;
  broken: { signal_id: string; status: 'OPEN' | 'RESOLVED'; since: string } | null;
}

/**
 * Ranks partners by netted amount. Shares are over the positive flow of all
 * `links` given (callers pass the complete lookback, not a top-N). A partner
 * that only appears in a broken-link signal is still listed: the link that
 * broke matters even when its history fell out of the lookback. An open
 * signal wins over a resolved one for the same partner.
 */
export function mainPartners(links: readonly LinkTotal[], broken: readonly BrokenLink[], names: ReadonlyMap<string, string>, top = 10): MainPartner[] {
  const total = links.reduce((sum, l) => sum + Math.max(0, l.amount_fen), 0);
  const brokenBy = new Map<string, BrokenLink>();
  for (const b of broken) {
    const seen = brokenBy.get(b.partner_tax_id);
    if (!seen || (seen.status === 'RESOLVED' && b.status === 'OPEN') || (seen.status === b.status && b.window_start > seen.window_start)) brokenBy.set(b.partner_tax_id, b);
  }
  const ranked = [...links].sort((a, b) => b.amount_fen - a.amount_fen || a.partner_tax_id.localeCompare(b.partner_tax_id));
  const chosen = ranked.slice(0, top);
  for (const b of brokenBy.values()) {
    if (chosen.some((l) => l.partner_tax_id === b.partner_tax_id)) continue;
    chosen.push(ranked.find((l) => l.partner_tax_id === b.partner_tax_id) ?? { partner_tax_id: b.partner_tax_id, amount_fen: 0, active_days: 0, last_day: b.window_start });
  }
  return chosen.map((l) => {
    const b = brokenBy.get(l.partner_tax_id);
    return {
      ...l,
      name: names.get(l.partner_tax_id) ?? null,
      share: total > 0 ? Math.max(0, l.amount_fen) / total : 0,
      broken: b ? { signal_id: b.signal_id, status: b.status, since: b.window_start } : null,
    };
  });
}
