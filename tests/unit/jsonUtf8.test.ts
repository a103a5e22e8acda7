import { describe, expect, it } from 'vitest';
import { jsonLinesUtf8 } from '../../src/runtime/jsonUtf8.ts';
import { concatEncodedRows, encodeRows } from '../../sinks/clickhouse/insertRows.ts';

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

const lines = (r: readonly object[]) => Buffer.from(r.map((x) => JSON.stringify(x) + '\n').join(''));

describe('rows as JSON lines in UTF-8', () => {
  it('is byte for byte the UTF-8 of JSON.stringify of each row plus a newline, for Chinese text, escapes, surrogates and nested values', () => {
    for (const [n, seed] of [[0, 1], [1, 2], [50, 3], [3000, 4]] as const) {
      const r = rows(n, seed);
      expect(jsonLinesUtf8(r).equals(lines(r))).toBe(true);
    }
  });

  it('grows for rows whose UTF-8 is three times their length, larger than the buffer it has', () => {
    const r = [{ name: '嘉'.repeat(2_000_000) }, { name: '善' }];
    expect(jsonLinesUtf8(r).equals(lines(r))).toBe(true);
  });

  it('throws for a row without JSON text or with a BigInt', () => {
    expect(() => jsonLinesUtf8([{ a: 1 }, undefined])).toThrow(TypeError);
    expect(() => jsonLinesUtf8([{ n: 1n }])).toThrow(TypeError);
  });

  it('returns a buffer that the next call does not overwrite', () => {
    const body = jsonLinesUtf8(rows(10, 5));
    const copy = Buffer.from(body);
    jsonLinesUtf8(rows(2000, 6));
    expect(body.equals(copy)).toBe(true);
  });

  it('concatenates encoded batches into the encoding of all their rows, counting them', () => {
    const a = rows(7, 9);
    const b = rows(3, 10);
    const joined = concatEncodedRows([encodeRows(a), encodeRows([]), encodeRows(b)]);
    expect(joined.count).toBe(10);
    expect(joined.bytes.equals(lines([...a, ...b]))).toBe(true);
    expect(concatEncodedRows([]).count).toBe(0);
  });
});
