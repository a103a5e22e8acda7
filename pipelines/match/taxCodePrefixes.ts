/**
 * Tax classification codes (商品和服务税收分类编码) are 19 digits: the class
 * digit, then two digits per level, padded with zeros. Prefixes of the
 * significant part are coarser categories; the match index is keyed by the full
 * code and by these prefix lengths (class + 2 levels, class + 3 levels).
 * Coarser than 5 digits ("machinery") says too little to recommend a partner.
 */
export const INDEX_PREFIX_LENGTHS = [7, 5] as const;

/** The code without its zero padding (at least the class digit). */
export function significantCode(taxCode: string): string {
  const trimmed = taxCode.replace(/0+$/, '');
  return trimmed.length === 0 ? taxCode.slice(0, 1) : trimmed;
}

/** Index keys of a code, finest first: the full code, then its 7- and 5-digit categories (when the code is that specific). */
export function indexKeysOf(taxCode: string): string[] {
  const sig = significantCode(taxCode);
  const keys = [taxCode];
  for (const n of INDEX_PREFIX_LENGTHS) if (sig.length > n) keys.push(sig.slice(0, n));
  return keys;
}

/** Length of the common prefix of the two codes' significant parts; 19 when the codes are equal. */
export function sharedCategoryDigits(a: string, b: string): number {
  if (a === b) return 19;
  const x = significantCode(a);
  const y = significantCode(b);
  const n = Math.min(x.length, y.length);
  let i = 0;
  while (i < n && x[i] === y[i]) i++;
  return i;
}
