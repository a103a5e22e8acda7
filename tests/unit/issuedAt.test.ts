import { describe, expect, it } from 'vitest';
import { parseIssuedAt, type ParsedInstant } from '../../src/domain/issuedAt.ts';
import { seededRandom } from '../helpers/detectFixtures.ts';

/**
 * The parser this one replaced (a regular expression and Date.parse), plus the
 * rule it lacked: a day the month does not have is invalid, where Date.parse
 * rolled 30 February into March. The hand-written parser must agree with it on
 * every string, valid or not.
 */
function reference(value: string): ParsedInstant {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  if (!m) {
    return { kind: 'error', detail: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(value) ? 'issued_at has no zone offset' : 'issued_at is not an ISO-8601 instant' };
  }
  const epochMs = Date.parse(value);
  const [, y, mo, d, h, mi, s] = m.map(Number);
  const monthLength = new Date(Date.UTC(y!, mo!, 0)).getUTCDate();
  if (Number.isNaN(epochMs) || mo! > 12 || d! > 31 || d! > monthLength || h! > 23 || mi! > 59 || s! > 59 || y! < 1990) {
    return { kind: 'error', detail: 'issued_at is not a valid date-time' };
  }
  return { kind: 'ok', epochMs };
}

const ALPHABET = '0123456789-:T.Z+ x';

/** Timestamps near the accepted form: a valid one with a few characters replaced, inserted or dropped. */
function nearTimestamp(next: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const two = (max: number) => String(Math.floor(next() * (max + 1))).padStart(2, '0');
  const fraction = next() < 0.5 ? '' : `.${String(Math.floor(next() * 1e9)).padStart(9, '0').slice(0, 1 + Math.floor(next() * 10))}`;
  const zone = pick(['Z', '+08:00', '-05:30', `+${two(25)}:${two(61)}`, `-${two(25)}:${two(61)}`, '', '+0800']);
  let s = `${pick(['1989', '1990', '2019', '2020', '2024', '2100', '2000'])}-${two(13)}-${two(32)}T${two(25)}:${two(61)}:${two(61)}${fraction}${zone}`;
  const edits = Math.floor(next() * 3) - 1;
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * (s.length + 1));
    const op = next();
    const c = pick([...ALPHABET]);
    s = op < 0.4 ? s.slice(0, at) + c + s.slice(at + 1) : op < 0.7 ? s.slice(0, at) + c + s.slice(at) : s.slice(0, at) + s.slice(at + 1);
  }
  return s;
}

describe('parseIssuedAt', () => {
  it('reads instants with a zone offset, Z or a fraction', () => {
    expect(parseIssuedAt('2020-02-11T09:30:00+08:00')).toEqual({ kind: 'ok', epochMs: Date.UTC(2020, 1, 11, 1, 30) });
    expect(parseIssuedAt('2020-02-11T01:30:00Z')).toEqual({ kind: 'ok', epochMs: Date.UTC(2020, 1, 11, 1, 30) });
    expect(parseIssuedAt('2020-02-11T01:30:00.25Z')).toEqual({ kind: 'ok', epochMs: Date.UTC(2020, 1, 11, 1, 30, 0, 250) });
    expect(parseIssuedAt('2020-02-11T01:30:00.123456789-01:30')).toEqual({ kind: 'ok', epochMs: Date.UTC(2020, 1, 11, 3, 0, 0, 123) });
  });

  it('refuses a timestamp without a zone, a malformed one and a date the calendar does not have', () => {
    expect(parseIssuedAt('2020-02-11T09:30:00')).toEqual({ kind: 'error', detail: 'issued_at has no zone offset' });
    expect(parseIssuedAt('11/02/2020 09:30')).toEqual({ kind: 'error', detail: 'issued_at is not an ISO-8601 instant' });
    expect(parseIssuedAt('2020-02-11T09:30:00.Z')).toEqual({ kind: 'error', detail: 'issued_at is not an ISO-8601 instant' });
    for (const invalid of ['2020-02-30T09:30:00+08:00', '2019-02-29T09:30:00Z', '2020-04-31T00:00:00Z', '2020-01-10T24:00:00Z', '2020-01-10T10:00:00+08:60', '1989-12-31T23:59:59Z']) {
      expect(parseIssuedAt(invalid), invalid).toEqual({ kind: 'error', detail: 'issued_at is not a valid date-time' });
    }
    expect(parseIssuedAt('2020-02-29T09:30:00Z').kind).toBe('ok');
    expect(parseIssuedAt('2000-02-29T09:30:00Z').kind).toBe('ok');
    expect(parseIssuedAt('2100-02-29T09:30:00Z').kind).toBe('error');
  });

  it('agrees with the regular expression and Date.parse on 200,000 strings near the accepted form', () => {
    const next = seededRandom(20201130);
    let ok = 0;
    for (let i = 0; i < 200_000; i++) {
      const s = nearTimestamp(next);
      const expected = reference(s);
      const got = parseIssuedAt(s);
      if (got.kind !== expected.kind || (got.kind === 'ok' ? got.epochMs !== (expected as { epochMs: number }).epochMs : got.detail !== (expected as { detail: string }).detail)) {
        expect(got, s).toEqual(expected);
      }
      if (got.kind === 'ok') ok++;
    }
    // Both sides of the contract are exercised, not only the errors.
    expect(ok).toBeGreaterThan(10_000);
    expect(ok).toBeLessThan(190_000);
  });
});
