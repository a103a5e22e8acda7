import { describe, expect, it } from 'vitest';
import { InvoiceDayIndex, invoiceKey, invoiceNoHash } from '../../pipelines/detect/invoiceDayIndex.ts';

const invoiceNo = (n: number) => String(20_200_000_000_000_000_000n + BigInt(n));

describe('InvoiceDayIndex', () => {
  it('finds the day an invoice was issued on, and nothing for an invoice it never saw', () => {
    const index = new InvoiceDayIndex();
    index.add(invoiceNo(1), 10);
    index.add(invoiceNo(2), 10);
    index.add(invoiceNo(3), 12);
    expect(index.ordinalOf(invoiceNo(2))).toBe(10);
    expect(index.ordinalOf(invoiceNo(3))).toBe(12);
    expect(index.ordinalOf(invoiceNo(4))).toBeUndefined();
    expect(index.size).toBe(3);
  });

  it('prefers the latest day when an invoice number was seen on two days', () => {
    const index = new InvoiceDayIndex();
    index.add(invoiceNo(7), 15);
    index.add(invoiceNo(7), 11);
    expect(index.ordinalOf(invoiceNo(7))).toBe(15);
  });

  it('forgets whole days at or before the pruning point', () => {
    const index = new InvoiceDayIndex();
    for (let day = 1; day <= 5; day++) for (let i = 0; i < 3; i++) index.add(invoiceNo(day * 10 + i), day);
    index.pruneThrough(3);
    expect(index.size).toBe(6);
    expect(index.ordinalOf(invoiceNo(31))).toBeUndefined();
    expect(index.ordinalOf(invoiceNo(41))).toBe(4);
  });

  it('survives a snapshot round trip, and reads snapshots that still carry invoice numbers', () => {
    const index = new InvoiceDayIndex();
    index.add(invoiceNo(1), 3);
    index.add(invoiceNo(2), 4);
    const restored = InvoiceDayIndex.restore(JSON.parse(JSON.stringify(index.serialize())));
    expect(restored.serialize()).toEqual(index.serialize());
    expect(restored.ordinalOf(invoiceNo(2))).toBe(4);
    const legacy = InvoiceDayIndex.restore(undefined, undefined, [[invoiceNo(1), 3], [invoiceNo(2), 4]]);
    expect(legacy.serialize()).toEqual(index.serialize());
  });

  it('reads snapshots that carry 52-bit invoice number hashes', () => {
    const index = new InvoiceDayIndex();
    index.add(invoiceNo(1), 3);
    index.add(invoiceNo(2), 4);
    const hashed = InvoiceDayIndex.restore(undefined, [[3, [invoiceNoHash(invoiceNo(1))]], [4, [invoiceNoHash(invoiceNo(2))]]]);
    expect(hashed.serialize()).toEqual(index.serialize());
    expect(hashed.ordinalOf(invoiceNo(1))).toBe(3);
  });

  it('finds invoices of days far before or after the others, and prunes them like any other', () => {
    const index = new InvoiceDayIndex();
    index.add(invoiceNo(1), 5_000);
    index.add(invoiceNo(2), 4_000);
    index.add(invoiceNo(3), 9_000);
    index.add(invoiceNo(4), 5_255);
    expect([1, 2, 3, 4].map((n) => index.ordinalOf(invoiceNo(n)))).toEqual([5_000, 4_000, 9_000, 5_255]);
    index.pruneThrough(4_999);
    expect(index.size).toBe(3);
    expect([1, 2, 3, 4].map((n) => index.ordinalOf(invoiceNo(n)))).toEqual([5_000, undefined, 9_000, 5_255]);
    index.pruneThrough(8_999);
    expect(index.size).toBe(1);
    expect(index.ordinalOf(invoiceNo(3))).toBe(9_000);
    const restored = InvoiceDayIndex.restore(JSON.parse(JSON.stringify(index.serialize())));
    expect(restored.ordinalOf(invoiceNo(3))).toBe(9_000);
  });

  it('keeps the right day of every invoice while a ring of 80 days slides over 1,000 days', () => {
    const index = new InvoiceDayIndex();
    for (let day = 1; day <= 1_000; day++) {
      for (let i = 0; i < 5; i++) index.add(invoiceNo(day * 10 + i), day);
      index.pruneThrough(day - 80);
      expect(index.ordinalOf(invoiceNo(day * 10 + 2))).toBe(day);
      if (day > 79) expect(index.ordinalOf(invoiceNo((day - 79) * 10 + 4))).toBe(day - 79);
      if (day > 80) expect(index.ordinalOf(invoiceNo((day - 80) * 10))).toBeUndefined();
    }
    expect(index.size).toBe(400);
  });

  it.each([
    { name: '52-bit hashes', digest: invoiceNoHash, bits: 52 },
    { name: '45-bit keys', digest: invoiceKey, bits: 45 },
  ])('turns invoice numbers into distinct $name (no collision among 200k numbers)', ({ digest, bits }) => {
    const seen = new Set<number>();
    let outOfRange = 0;
    for (let n = 0; n < 200_000; n++) {
      const d = digest(invoiceNo(n));
      if (!(Number.isSafeInteger(d) && d >= 0 && d < 2 ** bits)) outOfRange++;
      seen.add(d);
    }
    expect(outOfRange).toBe(0);
    expect(seen.size).toBe(200_000);
  });
});
