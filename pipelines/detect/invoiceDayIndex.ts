/**
 * The working-day ordinal of each invoice a firm issued while its day ring
 * still holds that day, so that a later void or red-letter correction nets on
 * the day of the invoice it cancels.
 *
 * Kept compact because it is most of a firm's state: a Map from invoice
 * number strings cost ~2.8 KB per tracked link in `npm run bench` (1.4 KB →
 * 4.2 KB). An invoice number is replaced by a 52-bit FNV-1a hash (a collision
 * among the few thousand invoices of one firm's ring is ~1e-9 likely and would
 * only move one correction to another day of the ring), and hash and day sit
 * unboxed in one number array per firm, ~16 bytes per invoice and no object
 * per day (a Map of per-day arrays cost more per firm than it saved). Lookups
 * scan: they happen once per correction, a few percent of invoices.
 */
export type SerializedInvoiceDays = Array<[ordinal: number, hashes: number[]]>;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 52 bits from two 32-bit FNV-1a passes with different offsets: exact in a double, deterministic everywhere. */
export function invoiceNoHash(invoiceNo: string): number {
  let a = FNV_OFFSET;
  let b = FNV_OFFSET ^ 0x5bd1e995;
  for (let i = 0; i < invoiceNo.length; i++) {
    const c = invoiceNo.charCodeAt(i);
    a = Math.imul(a ^ c, FNV_PRIME);
    b = Math.imul(b ^ c, FNV_PRIME);
  }
  return (a >>> 0) * 0x100000 + ((b >>> 0) & 0xfffff);
}

export class InvoiceDayIndex {
  /** [hash, ordinal, hash, ordinal, …]: one unboxed double array per firm, no per-day objects. */
  private entries: number[] = [];
  /** Oldest ordinal held, so pruning (once per closed day) rarely has to touch the array. */
  private oldest = Infinity;

  get size(): number {
    return this.entries.length / 2;
  }

  add(invoiceNo: string, ordinal: number): void {
    this.entries.push(invoiceNoHash(invoiceNo), ordinal);
    if (ordinal < this.oldest) this.oldest = ordinal;
  }

  /** The day an invoice was issued on (the latest, if seen twice), or undefined when unknown or pruned. */
  ordinalOf(invoiceNo: string): number | undefined {
    const hash = invoiceNoHash(invoiceNo);
    let found: number | undefined;
    const e = this.entries;
    for (let i = 0; i < e.length; i += 2) {
      if (e[i] === hash && (found === undefined || e[i + 1]! > found)) found = e[i + 1];
    }
    return found;
  }

  /** Forgets every invoice of a day at or before `ordinal`: no correction can be netted against them any more. */
  pruneThrough(ordinal: number): void {
    if (ordinal < this.oldest) return;
    const kept: number[] = [];
    let oldest = Infinity;
    const e = this.entries;
    for (let i = 0; i < e.length; i += 2) {
      if (e[i + 1]! <= ordinal) continue;
      kept.push(e[i]!, e[i + 1]!);
      if (e[i + 1]! < oldest) oldest = e[i + 1]!;
    }
    this.entries = kept;
    this.oldest = oldest;
  }

  /** Grouped by day, oldest first, hashes in arrival order: canonical, so equal states give equal snapshots. */
  serialize(): SerializedInvoiceDays {
    const days = new Map<number, number[]>();
    const e = this.entries;
    for (let i = 0; i < e.length; i += 2) {
      const hashes = days.get(e[i + 1]!);
      if (hashes) hashes.push(e[i]!);
      else days.set(e[i + 1]!, [e[i]!]);
    }
    return [...days.entries()].sort((x, y) => x[0] - y[0]);
  }

  static restore(days: SerializedInvoiceDays | undefined, legacy?: ReadonlyArray<readonly [string, number]>): InvoiceDayIndex {
    const index = new InvoiceDayIndex();
    for (const [ordinal, hashes] of days ?? []) {
      for (const hash of hashes) index.entries.push(hash, ordinal);
      if (hashes.length > 0 && ordinal < index.oldest) index.oldest = ordinal;
    }
    // Snapshots written before the index was hashed carry invoice numbers.
    for (const [invoiceNo, ordinal] of legacy ?? []) index.add(invoiceNo, ordinal);
    return index;
  }
}
