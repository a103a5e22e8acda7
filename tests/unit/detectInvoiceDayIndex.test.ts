import { describe, expect, it } from 'vitest';
import { InvoiceDayIndex, invoiceNoHash } from '../../pipelines/detect/invoiceDayIndex.ts';

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
    const legacy = InvoiceDayIndex.restore(undefined, [[invoiceNo(1), 3], [invoiceNo(2), 4]]);
    expect(legacy.serialize()).toEqual(index.serialize());
  });

  it('hashes invoice numbers to distinct 52-bit integers (no collision among 200k numbers)', () => {
    const seen = new Set<number>();
    let outOfRange = 0;
    for (let n = 0; n < 200_000; n++) {
      const h = invoiceNoHash(invoiceNo(n));
      if (!(Number.isSafeInteger(h) && h >= 0 && h < 2 ** 52)) outOfRange++;
      seen.add(h);
    }
    expect(outOfRange).toBe(0);
    expect(seen.size).toBe(200_000);
  });
});
