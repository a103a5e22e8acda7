import type { OpenDay, OpenDayCorrection } from './enterpriseState.ts';
import { stringHash52 } from './stringHash52.ts';

/**
 * A day's issued sales as OpenDay.issuedSales keeps them: four numbers a sale, in a flat array, so that a
 * busy day holds no object and no string per sale until it closes (docs/performance.md, "Session 22").
 */
export const ISSUED_SALE_FIELDS = 4;
/** Offsets within a sale's four numbers. */
const BUYER_HASH = 0;
const FEN = 1;
const INVOICE_HASH = 2;
const ISSUED_AT_MS = 3;

/** Appends an issued sale to `sales` (OpenDay.issuedSales); `invoiceHash` is stringHash52 of its invoice number. */
export function pushIssuedSale(sales: number[], buyerTaxId: string, fen: number, invoiceHash: number, issuedAtMs: number): void {
  sales.push(stringHash52(buyerTaxId), fen, invoiceHash, issuedAtMs);
}

/** The corrections of one working day that cancelled a sale, as VOID_SPIKE counts them. */
export interface CancelledCorrections {
  count: number;
  fen: number;
}

/** Earlier event time first; ties by the corrected invoice's number, so the matching never depends on arrival order. */
function byTime(a: OpenDayCorrection, b: OpenDayCorrection): number {
  const x = a.originalInvoiceNo ?? '';
  const y = b.originalInvoiceNo ?? '';
  return a.issuedAtMs - b.issuedAtMs || (x < y ? -1 : x > y ? 1 : 0);
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
 * reissues after them, which excuses as many as possible). Buyers and invoice
 * numbers are compared by their 52-bit hashes. How many are excused depends
 * only on the reissues' times, so only on the sets of legs, never on their
 * arrival order. O(n log n) in the day's corrections and their candidate
 * reissues, plus a scan of the day's sales when it has a correction.
 */
export function cancelledCorrections(day: Pick<OpenDay, 'corrections' | 'issuedSales'>): CancelledCorrections {
  const { corrections, issuedSales } = day;
  if (corrections.length === 0) return { count: 0, fen: 0 };
  const groups = new Map<string, OpenDayCorrection[]>();
  for (const c of corrections) {
    const key = `${c.partnerTaxId}|${c.fen}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [c]);
    else group.push(c);
  }
  let count = 0;
  let fen = 0;
  for (const group of groups.values()) {
    const buyer = stringHash52(group[0]!.partnerTaxId);
    const amount = group[0]!.fen;
    const originals = new Set<number>();
    for (const c of group) if (c.originalInvoiceNo !== null) originals.add(stringHash52(c.originalInvoiceNo));
    const reissueTimes: number[] = [];
    for (let i = 0; i < issuedSales.length; i += ISSUED_SALE_FIELDS) {
      if (issuedSales[i + BUYER_HASH] === buyer && issuedSales[i + FEN] === amount && !originals.has(issuedSales[i + INVOICE_HASH]!)) {
        reissueTimes.push(issuedSales[i + ISSUED_AT_MS]!);
      }
    }
    reissueTimes.sort((a, b) => a - b);
    const ordered = [...group].sort(byTime);
    let next = 0;
    let excused = 0;
    for (const c of ordered) {
      while (next < reissueTimes.length && reissueTimes[next]! <= c.issuedAtMs) next++;
      if (next >= reissueTimes.length) break;
      next++;
      excused++;
    }
    const cancelled = group.length - excused;
    count += cancelled;
    fen += cancelled * amount;
  }
  return { count, fen };
}
