import { describe, expect, it } from 'vitest';
import { isoInstant } from '../../sinks/clickhouse/insertRows.ts';

describe('isoInstant', () => {
  it('writes exactly what Date#toISOString writes, across leap days, centuries and the whole 1970–9999 range', () => {
    const edges = [0, 1, 999, 86_399_999, Date.UTC(2000, 1, 29, 23, 59, 59, 999), Date.UTC(2100, 2, 1), Date.UTC(2020, 1, 10, 1, 30), Date.UTC(9999, 11, 31, 23, 59, 59, 999)];
    let s = 12345;
    const random = Array.from({ length: 50_000 }, () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const hi = s;
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return ((hi * 2 ** 32 + s) % 253_402_300_800_000);
    });
    for (const ms of [...edges, ...random]) expect(isoInstant(ms)).toBe(new Date(ms).toISOString());
  });

  it('leaves instants before 1970, from year 10000 and fractional milliseconds to Date, and throws for an invalid time', () => {
    for (const ms of [-1, -62_198_755_200_001, 253_402_300_800_000, 1_580_000_000_000.7]) expect(isoInstant(ms)).toBe(new Date(ms).toISOString());
    expect(() => isoInstant(Number.NaN)).toThrow(RangeError);
  });
});
