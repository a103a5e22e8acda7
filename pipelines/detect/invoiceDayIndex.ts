import { stringHash52 } from './stringHash52.ts';
import { ORDINAL_MOD, packedHigh, packedLowOrdinal } from './packedOrdinal.ts';

/**
 * The working-day ordinal of each invoice a firm issued while its day ring
 * still holds that day, so that a later void or red-letter correction nets on
 * the day of the invoice it cancels.
 *
 * Kept compact because it is most of a firm's state: a Map from invoice
 * number strings cost ~2.8 KB per tracked link in `npm run bench` (1.4 KB →
 * 4.2 KB), and [hash, ordinal] pairs in a number array ~400 bytes. An invoice
 * number is replaced by a 45-bit hash (invoiceKey; a collision among the few
 * thousand invoices of one firm's ring is ~1e-10 likely and would only move
 * one correction to another day of the ring), and key and day share one
 * double, `key · 256 + (ordinal mod 256)`, in one number array per firm grown
 * by a quarter at a time: ~9 bytes per invoice. The ordinal is rebuilt from
 * `base`, the oldest ordinal the index can still hold, which is exact for
 * ordinals in [base, base + 255]: the ring's days and the open ones, for any
 * ring under ~250 days. An invoice of a day outside that range (a leg dated
 * far ahead, or a longer ring) goes to a side list of [key, ordinal] pairs. Lookups scan:
 * they happen once per correction, a few percent of invoices.
 */
export type SerializedInvoiceDays = Array<[ordinal: number, hashes: number[]]>;

/** The 52-bit hash snapshots of version 1 stored for an invoice number. */
export const invoiceNoHash = stringHash52;

/** The 45 high bits of invoiceNoHash: what the index keeps, so key and ordinal fit one exact double. */
export function invoiceKey(invoiceNo: string): number {
  return keyOfHash(invoiceNoHash(invoiceNo));
}

/** invoiceKey from a stored 52-bit invoiceNoHash (snapshots written before keys were 45 bits). */
function keyOfHash(hash: number): number {
  return Math.floor(hash / 128);
}

export class InvoiceDayIndex {
  /** Packed `key · 256 + (ordinal mod 256)`, in [0, count); slots beyond are spare. */
  private packed: number[] = [];
  private count = 0;
  /** Oldest ordinal a packed entry can have (null while empty): ordinals are rebuilt relative to it. */
  private base: number | null = null;
  /** [key, ordinal] pairs of invoices whose day lies outside [base, base + 255]; usually null. */
  private outliers: number[] | null = null;
  /** Oldest ordinal held, so pruning (once per closed day) rarely has to touch the array. */
  private oldest = Infinity;

  get size(): number {
    return this.count + (this.outliers === null ? 0 : this.outliers.length / 2);
  }

  add(invoiceNo: string, ordinal: number): void {
    this.addKey(invoiceKey(invoiceNo), ordinal);
  }

  /** add() of an invoice number whose stringHash52 the caller has already computed. */
  addHash(hash: number, ordinal: number): void {
    this.addKey(keyOfHash(hash), ordinal);
  }

  /** The day an invoice was issued on (the latest, if seen twice), or undefined when unknown or pruned. */
  ordinalOf(invoiceNo: string): number | undefined {
    const key = invoiceKey(invoiceNo);
    const lo = key * ORDINAL_MOD;
    const hi = lo + ORDINAL_MOD - 1;
    let found: number | undefined;
    const p = this.packed;
    for (let i = 0; i < this.count; i++) {
      const v = p[i]!;
      if (v < lo || v > hi) continue;
      const ordinal = this.ordinalAt(v);
      if (found === undefined || ordinal > found) found = ordinal;
    }
    const w = this.outliers;
    if (w !== null) {
      for (let i = 0; i < w.length; i += 2) if (w[i] === key && (found === undefined || w[i + 1]! > found)) found = w[i + 1];
    }
    return found;
  }

  /** Forgets every invoice of a day at or before `ordinal`: no correction can be netted against them any more. */
  pruneThrough(ordinal: number): void {
    // Every packed day is after `ordinal`, so the range can start just after it (packed values stay valid).
    const base = this.base !== null && ordinal + 1 > this.base ? ordinal + 1 : this.base;
    if (ordinal < this.oldest) {
      this.base = base;
      return;
    }
    const p = this.packed;
    let kept = 0;
    let oldest = Infinity;
    for (let i = 0; i < this.count; i++) {
      const v = p[i]!;
      const day = this.ordinalAt(v);
      if (day <= ordinal) continue;
      p[kept++] = v;
      if (day < oldest) oldest = day;
    }
    this.count = kept;
    this.base = base;
    const w = this.outliers;
    this.outliers = null;
    if (w !== null) {
      for (let i = 0; i < w.length; i += 2) {
        if (w[i + 1]! <= ordinal) continue;
        this.addKey(w[i]!, w[i + 1]!);
        if (w[i + 1]! < oldest) oldest = w[i + 1]!;
      }
    }
    this.oldest = oldest;
    if (this.count === 0 && this.outliers === null) this.base = null;
    // Give back what a busy spell grew and a quiet one no longer needs.
    if (this.packed.length > 2 * this.count + 8) this.resize(this.count + Math.max(4, this.count >> 2));
  }

  /** Grouped by day, oldest first, keys in arrival order: canonical, so equal states give equal snapshots. */
  serialize(): SerializedInvoiceDays {
    const days = new Map<number, number[]>();
    const put = (key: number, ordinal: number) => {
      const keys = days.get(ordinal);
      if (keys) keys.push(key);
      else days.set(ordinal, [key]);
    };
    for (let i = 0; i < this.count; i++) {
      const v = this.packed[i]!;
      put(packedHigh(v), this.ordinalAt(v));
    }
    const w = this.outliers;
    if (w !== null) for (let i = 0; i < w.length; i += 2) put(w[i]!, w[i + 1]!);
    return [...days.entries()].sort((x, y) => x[0] - y[0]);
  }

  /**
   * From serialize()'s output (`keys`), or from older snapshots: `hashes`,
   * 52-bit invoiceNoHash values grouped the same way, or `legacy` invoice
   * numbers (before the index was hashed).
   */
  static restore(keys: SerializedInvoiceDays | undefined, hashes?: SerializedInvoiceDays, legacy?: ReadonlyArray<readonly [string, number]>): InvoiceDayIndex {
    const index = new InvoiceDayIndex();
    for (const [ordinal, ks] of keys ?? []) for (const key of ks) index.addKey(key, ordinal);
    for (const [ordinal, hs] of hashes ?? []) for (const hash of hs) index.addHash(hash, ordinal);
    for (const [invoiceNo, ordinal] of legacy ?? []) index.add(invoiceNo, ordinal);
    return index;
  }

  private addKey(key: number, ordinal: number): void {
    if (ordinal < this.oldest) this.oldest = ordinal;
    // A fresh index starts its range a little before the first day, so a leg of an earlier open day still packs.
    if (this.base === null) this.base = ordinal - 32;
    if (ordinal < this.base || ordinal - this.base >= ORDINAL_MOD || !Number.isSafeInteger(key * ORDINAL_MOD)) {
      (this.outliers ??= []).push(key, ordinal);
      return;
    }
    if (this.count === this.packed.length) this.resize(this.count + Math.max(4, this.count >> 2));
    this.packed[this.count++] = key * ORDINAL_MOD + (ordinal & (ORDINAL_MOD - 1));
  }

  /** The ordinal of a packed entry: the one in [base, base + 255] with its low 8 bits. */
  private ordinalAt(v: number): number {
    const base = this.base!;
    return base + ((packedLowOrdinal(v) - base) & (ORDINAL_MOD - 1));
  }

  private resize(capacity: number): void {
    const next: number[] = new Array<number>(capacity).fill(0);
    for (let i = 0; i < this.count; i++) next[i] = this.packed[i]!;
    this.packed = next;
  }
}
