import { describe, expect, it } from 'vitest';
import { jsonEachRowBody } from '../../sinks/clickhouse/jsonEachRowBody.ts';

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

describe('JSONEachRow body', () => {
  it('is byte for byte the UTF-8 of JSON.stringify(rows), for Chinese text, escapes, surrogates and nested values', () => {
    for (const [n, seed] of [[0, 1], [1, 2], [50, 3], [3000, 4]] as const) {
      const r = rows(n, seed);
      expect(jsonEachRowBody(r).equals(Buffer.from(JSON.stringify(r)))).toBe(true);
    }
  });

  it('grows for rows whose UTF-8 is three times their length, larger than the buffer it has', () => {
    const r = [{ name: '嘉'.repeat(2_000_000) }, { name: '善' }];
    expect(jsonEachRowBody(r).equals(Buffer.from(JSON.stringify(r)))).toBe(true);
  });

  it('writes a row whose toJSON gives nothing as null, as JSON.stringify does inside an array', () => {
    const r = [{ a: 1 }, { toJSON: () => undefined }];
    expect(jsonEachRowBody(r).toString()).toBe(JSON.stringify(r));
  });

  it('returns a buffer that the next call does not overwrite', () => {
    const first = rows(10, 5);
    const body = jsonEachRowBody(first);
    const copy = Buffer.from(body);
    jsonEachRowBody(rows(2000, 6));
    expect(body.equals(copy)).toBe(true);
  });
});
