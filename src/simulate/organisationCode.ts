/**
 * Organisation code (组织机构代码, GB 11714): 8 characters plus a check
 * character; it fills positions 9–17 of a USCC. Only digit bodies are generated.
 */
const WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

/** Throws RangeError unless `body` is 8 digits. */
export function organisationCode(body: string): string {
  if (!/^\d{8}$/.test(body)) throw new RangeError(`organisation code body must be 8 digits, got ${body}`);
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(body[i]) * WEIGHTS[i]!;
  const check = 11 - (sum % 11);
  return body + (check === 10 ? 'X' : check === 11 ? '0' : String(check));
}
