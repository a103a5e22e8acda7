import type { OpenDay, OpenDayCorrection, OpenDayIssue } from './enterpriseState.ts';

/** Key under which a day's issued sales are remembered: the buyer and the exact amount. */
export function reissueKey(partnerTaxId: string, fen: number): string {
  return `${partnerTaxId}|${fen}`;
}

/** The corrections of one working day that cancelled a sale, as VOID_SPIKE counts them. */
export interface CancelledCorrections {
  count: number;
  fen: number;
}

/** Earlier event time first; ties by invoice number, so the matching never depends on arrival order. */
function byTime<T extends { issuedAtMs: number }>(key: (x: T) => string): (a: T, b: T) => number {
  return (a, b) => a.issuedAtMs - b.issuedAtMs || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

/**
 * The day's voided and red-letter sales that were not reissued. A clerk who
 * voids a wrong invoice and then issues the corrected one to the same buyer
 * for the same amount the same working day (作废重开, 红冲重开) fixed a
 * clerical error; the sale went ahead. Only corrections without such a
 * reissue are cancelled orders, which is what VOID_SPIKE is about (DESIGN.md
 * section 4).
 *
 * A reissue is an issued sale with the correction's buyer and amount, issued
 * after the correction, under another invoice number than the one corrected;
 * each reissue excuses one correction (earliest corrections take the earliest
 * reissues after them, which excuses as many as possible). Depends only on the
 * sets of legs, never on their arrival order. O(n log n) in the day's
 * corrections and their candidate reissues.
 */
export function cancelledCorrections(day: Pick<OpenDay, 'corrections' | 'issuedOut'>): CancelledCorrections {
  const { corrections, issuedOut } = day;
  if (corrections.length === 0) return { count: 0, fen: 0 };
  const groups = new Map<string, OpenDayCorrection[]>();
  for (const c of corrections) {
    const key = reissueKey(c.partnerTaxId, c.fen);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [c]);
    else group.push(c);
  }
  let count = 0;
  let fen = 0;
  for (const [key, group] of groups) {
    const originals = new Set<string>();
    for (const c of group) if (c.originalInvoiceNo !== null) originals.add(c.originalInvoiceNo);
    const reissues = (issuedOut.get(key) ?? []).filter((i) => !originals.has(i.invoiceNo)).sort(byTime((i: OpenDayIssue) => i.invoiceNo));
    const ordered = [...group].sort(byTime((c: OpenDayCorrection) => c.originalInvoiceNo ?? ''));
    let next = 0;
    let excused = 0;
    for (const c of ordered) {
      while (next < reissues.length && reissues[next]!.issuedAtMs <= c.issuedAtMs) next++;
      if (next >= reissues.length) break;
      next++;
      excused++;
    }
    const cancelled = group.length - excused;
    count += cancelled;
    fen += cancelled * (group[0]?.fen ?? 0);
  }
  return { count, fen };
}
