/**
 * Formats integer fen as yuan with two decimals and thousands separators,
 * e.g. 123456789 → "¥1,234,567.89", using integer arithmetic only (never
 * fen / 100 in floating point, which would misround some amounts).
 * Throws RangeError when `fen` is not a safe integer.
 */
export function formatYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`not an integer fen amount: ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100);
  const cents = abs - yuan * 100;
  const grouped = String(yuan).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}¥${grouped}.${String(cents).padStart(2, '0')}`;
}
