import type { OpenDayFlowCorrection, OpenDayLink } from './enterpriseState.ts';

/**
 * The link touches of a closing day that are invoice days of their own. A
 * clerk who voids (or red-letters in full) an invoice of an earlier day and
 * reissues it the same day for the same amount (作废重开, 红冲重开) corrected
 * paperwork; the delivery happened on the original's day, which is already
 * an invoice day of the link. Counting the reissue day too puts an off-beat
 * day into a regular partner's rhythm, and one such day among a handful of
 * gaps is enough to make a supplier on an 8-day beat look irregular, so its
 * later break would go unnoticed.
 *
 * A touch is a reissue when all its issued fen equals the amount of one
 * correction of the same side (the firm's sales for DOWNSTREAM, its
 * purchases for UPSTREAM) of an invoice issued on an earlier working ordinal
 * (`issuedOrdinalOf`). Exact fen equality is the reissue: legs carry no link
 * between the correction and the new invoice. Returns `touched` itself when
 * nothing is dropped. O(links + corrections).
 */
export function withoutReissuedTouches(
  touched: Map<string, OpenDayLink>,
  corrections: readonly OpenDayFlowCorrection[],
  o: number,
  issuedOrdinalOf: (invoiceNo: string) => number | undefined,
): Map<string, OpenDayLink> {
  if (corrections.length === 0) return touched;
  const earlier = { SELLER: new Set<number>(), BUYER: new Set<number>() };
  for (const c of corrections) {
    const issued = issuedOrdinalOf(c.originalInvoiceNo);
    if (issued !== undefined && issued < o) earlier[c.role].add(Math.abs(c.amountFen));
  }
  if (earlier.SELLER.size === 0 && earlier.BUYER.size === 0) return touched;
  let kept: Map<string, OpenDayLink> | null = null;
  for (const [key, t] of touched) {
    const reissue = earlier[t.direction === 'DOWNSTREAM' ? 'SELLER' : 'BUYER'].has(t.grossFen);
    if (reissue && kept === null) {
      kept = new Map();
      for (const [k, v] of touched) {
        if (k === key) break;
        kept.set(k, v);
      }
    } else if (!reissue && kept !== null) kept.set(key, t);
  }
  return kept ?? touched;
}
