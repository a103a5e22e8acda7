/**
 * Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters,
 * the last a check character over the first 17 (DOMAIN.md).
 */
export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

export type UsccProblem =
  | { kind: 'ok' }
  | { kind: 'wrong_length'; length: number }
  | { kind: 'illegal_character'; position: number; character: string }
  | { kind: 'wrong_check_character'; expected: string; actual: string };

/** The check character for the first 17 characters; throws RangeError on an illegal character. */
export function usccCheckCharacter(first17: string): string {
  if (first17.length !== 17) throw new RangeError(`USCC body must have 17 characters, got ${first17.length}`);
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = USCC_ALPHABET.indexOf(first17[i]!);
    if (value < 0) throw new RangeError(`illegal USCC character at position ${i + 1}`);
    sum += value * WEIGHTS[i]!;
  }
  const check = (31 - (sum % 31)) % 31;
  return USCC_ALPHABET[check]!;
}

export function checkUscc(code: string): UsccProblem {
  if (code.length !== 18) return { kind: 'wrong_length', length: code.length };
  for (let i = 0; i < 18; i++) {
    if (!USCC_ALPHABET.includes(code[i]!)) return { kind: 'illegal_character', position: i + 1, character: code[i]! };
  }
  const expected = usccCheckCharacter(code.slice(0, 17));
  const actual = code[17]!;
  return expected === actual ? { kind: 'ok' } : { kind: 'wrong_check_character', expected, actual };
}

export function isValidUscc(code: string): boolean {
  return checkUscc(code).kind === 'ok';
}

/** Admin division code embedded at positions 3–8 (where the firm first registered). */
export function usccDivisionCode(code: string): string {
  return code.slice(2, 8);
}

/** Builds a valid code from its parts; `serial` fills positions 9–17 (GB 11714 organisation code). */
export function makeUscc(divisionCode: string, serial9: string, authority = '9', entityType = '1'): string {
  const body = `${authority}${entityType}${divisionCode}${serial9}`;
  return body + usccCheckCharacter(body);
}
