import { describe, expect, it } from 'vitest';
import { jsonUtf8 } from '../../src/runtime/jsonUtf8.ts';

const TEXTS = ['', '苏州益诚金属材料科技有限公司', '*钢材*不锈钢棒', 'quote " backslash \\ newline \n tab \t', '\u0000\u001f', 'é€😀', '\ud800 lone surrogate', 'x'.repeat(5000)];

function rows(n: number, seed: number): object[] {
  let s = seed;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  return Array.from({ length: n }, (_, i) => ({
    event_id: `e-${i}`,
    name: TEXTS[Math.floor(next() * TEXTS.length)],
    amount_fen: Math.floor(next() * 2 ** 40) - 2 ** 39,
    rate: next(),
    original_invoice_no: next() < 0.5 ? null : '19320000869253399669',
    reasons: ['同一税收分类编码', 'same district'],
    skipped: undefined,
  }));
}

describe('JSON as UTF-8 bytes', () => {
  it('is byte for byte the UTF-8 of JSON.stringify(rows), for Chinese text, escapes, surrogates and nested values', () => {
    for (const [n, seed] of [[0, 1], [1, 2], [50, 3], [3000, 4]] as const) {
      const r = rows(n, seed);
      expect(jsonUtf8(r).equals(Buffer.from(JSON.stringify(r)))).toBe(true);
    }
  });

  it('grows for rows whose UTF-8 is three times their length, larger than the buffer it has', () => {
    const r = [{ name: '嘉'.repeat(2_000_000) }, { name: '善' }];
    expect(jsonUtf8(r).equals(Buffer.from(JSON.stringify(r)))).toBe(true);
  });

  it('writes an object property by property as JSON.stringify does: skipped undefined and functions, arrays under properties, toJSON', () => {
    const state = { version: 1, clock: { watermark: 5, sources: ['a', '嘉'] }, enterprises: rows(500, 8), gone: undefined, fn: () => 1, openedAtMs: { 's-1': 2 } };
    expect(jsonUtf8(state).equals(Buffer.from(JSON.stringify(state)))).toBe(true);
    const withDates = { at: new Date(0), list: [new Date(1), { toJSON: (key: string) => `key ${key}` }], keyed: { toJSON: (key: string) => `key ${key}` } };
    expect(jsonUtf8(withDates).toString()).toBe(JSON.stringify(withDates));
    expect(jsonUtf8([{ toJSON: (key: string) => `index ${key}` }]).toString()).toBe(JSON.stringify([{ toJSON: (key: string) => `index ${key}` }]));
    expect(jsonUtf8('嘉善').toString()).toBe('"嘉善"');
    expect(() => jsonUtf8(undefined)).toThrow(TypeError);
    expect(() => jsonUtf8({ n: 1n })).toThrow(TypeError);
  });

  it('writes a row whose toJSON gives nothing as null, as JSON.stringify does inside an array', () => {
    const r = [{ a: 1 }, { toJSON: () => undefined }];
    expect(jsonUtf8(r).toString()).toBe(JSON.stringify(r));
  });

  it('returns a buffer that the next call does not overwrite', () => {
    const first = rows(10, 5);
    const body = jsonUtf8(first);
    const copy = Buffer.from(body);
    jsonUtf8(rows(2000, 6));
    expect(body.equals(copy)).toBe(true);
  });
});
