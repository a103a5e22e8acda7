/**
 * A whole number and a working ordinal's low 8 bits in one exact double, `high · 256 + (ordinal mod 256)`: how
 * LinkHistory packs a link's invoice days (high: fen) and InvoiceDayIndex a firm's invoices (high: invoice key).
 * Each rebuilds the whole ordinal from a reference of its own. Valid for 0 ≤ value < 2^53.
 */
export const ORDINAL_MOD = 256;

/**
 * The high part. Not `(v - v % 256) / 256`: on a double beyond 32 bits V8 calls out to fmod for `%`, ~16 ns against
 * ~1 for this division by a power of two, which is exact, as are its floor and the product in packedLowOrdinal.
 */
export function packedHigh(v: number): number {
  return Math.floor(v / ORDINAL_MOD);
}

/** The ordinal's low 8 bits. */
export function packedLowOrdinal(v: number): number {
  return v - packedHigh(v) * ORDINAL_MOD;
}
