const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * 52 bits of a string from two 32-bit FNV-1a passes with different offsets: exact in a double, deterministic
 * everywhere, so state may keep it instead of the string. Two different strings among n collide with probability
 * about n² / 2^53: ~1e-10 for the few thousand invoice numbers or leg ids one firm holds at a time.
 */
export function stringHash52(s: string): number {
  let a = FNV_OFFSET;
  let b = FNV_OFFSET ^ 0x5bd1e995;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, FNV_PRIME);
    b = Math.imul(b ^ c, FNV_PRIME);
  }
  return (a >>> 0) * 0x100000 + ((b >>> 0) & 0xfffff);
}
