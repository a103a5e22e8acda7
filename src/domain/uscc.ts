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

/** Each character's value in USCC_ALPHABET by char code, -1 for a character outside it (a table: checked for every party of every invoice). */
const VALUE_OF_CODE = new Int8Array(128).fill(-1);
for (let v = 0; v < USCC_ALPHABET.length; v++) VALUE_OF_CODE[USCC_ALPHABET.charCodeAt(v)] = v;

function valueAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c < 128 ? VALUE_OF_CODE[c]! : -1;
}

/** The check value of the first 17 characters, or -(position) of the first illegal one. */
function checkValue(code: string): number {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = valueAt(code, i);
    if (value < 0) return -(i + 1);
    sum += value * WEIGHTS[i]!;
  }
  return (31 - (sum % 31)) % 31;
}

/** The check character for the first 17 characters; throws RangeError on an illegal character. */
export function usccCheckCharacter(first17: string): string {
  if (first17.length !== 17) throw new RangeError(`USCC body must have 17 characters, got ${first17.length}`);
  const check = checkValue(first17);
  if (check < 0) throw new RangeError(`illegal USCC character at position ${-check}`);
  return USCC_ALPHABET[check]!;
}

const OK: UsccProblem = Object.freeze({ kind: 'ok' });

export function checkUscc(code: string): UsccProblem {
  if (code.length !== 18) return { kind: 'wrong_length', length: code.length };
  const check = checkValue(code);
  if (check < 0) return { kind: 'illegal_character', position: -check, character: code[-check - 1]! };
  const last = valueAt(code, 17);
  if (last < 0) return { kind: 'illegal_character', position: 18, character: code[17]! };
  return last === check ? OK : { kind: 'wrong_check_character', expected: USCC_ALPHABET[check]!, actual: code[17]! };
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
