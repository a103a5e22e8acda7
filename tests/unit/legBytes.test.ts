import { describe, expect, it } from 'vitest';
import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';
import { leanLeg } from '../../pipelines/detect/leanLeg.ts';
import { leanLegsOfBytes, PendingLegBytes } from '../../pipelines/detect/legBytes.ts';
import { createPrng } from '../../src/simulate/prng.ts';
import { BUYER, FIRM, SUPPLIER, leg } from '../helpers/detectFixtures.ts';

const ENTERPRISE_KNOWN = 1;
const PARTNER_KNOWN = 2;
const OTHER_FIRM = '91330421MA2B000077';

/** Strings a leg may carry that JSON or UTF-8 would treat specially. */
const AWKWARD = ['', 'a"b\\c', 'café ±', '嘉善县', 'tab\there', '😀 emoji', 'x'.repeat(253), 'y'.repeat(254), '长'.repeat(300)];

/** A leg whose fields come from `pick`: every event type, role, sign, original or none, and awkward strings. */
function variedLeg(pick: (n: number) => number, seq: number): InvoiceLeg {
  const base = leg({ partner: pick(2) === 0 ? BUYER : SUPPLIER, role: pick(2) === 0 ? 'SELLER' : 'BUYER', day: '2020-03-02', amountFen: 100 + pick(1_000_000), seq });
  const text = (fallback: string) => (pick(4) === 0 ? AWKWARD[pick(AWKWARD.length)]! : fallback);
  const eventType = (['ISSUED', 'VOIDED', 'RED_LETTER'] as const)[pick(3)]!;
  return {
    ...base,
    event_type: eventType,
    amount_fen: eventType === 'ISSUED' ? base.amount_fen : -base.amount_fen,
    original_invoice_no: eventType === 'ISSUED' ? null : text(`0${base.invoice_no}`),
    issued_at_ms: base.issued_at_ms + pick(86_400_000),
    leg_id: text(base.leg_id),
    invoice_no: text(base.invoice_no),
    partner_tax_id: text(base.partner_tax_id),
    partner_name: text(base.partner_name),
    partner_district_code: text(base.partner_district_code),
    enterprise_name: text(base.enterprise_name),
    enterprise_district_code: text(base.enterprise_district_code),
  };
}

describe('logged legs as bytes', () => {
  it('read back as the very tuples leanLeg makes, for every shape and awkward strings', () => {
    const prng = createPrng(20201201);
    const pick = (n: number) => Math.floor(prng.next() * n);
    const pending = new PendingLegBytes();
    const expected = new Map<string, unknown[]>([
      [FIRM.taxId, []],
      [OTHER_FIRM, []],
    ]);
    for (let i = 0; i < 2_000; i++) {
      const l = variedLeg(pick, i);
      const known = pick(4);
      const closedBefore = pick(3) === 0 ? null : 18_000 + pick(400) - 200;
      // Two enterprises' legs interleaved, as a partition applies them.
      const taxId = pick(2) === 0 ? FIRM.taxId : OTHER_FIRM;
      pending.append(taxId, l, closedBefore, known);
      expected.get(taxId)!.push(leanLeg(l, closedBefore, known));
    }
    for (const [taxId, legs] of expected) {
      expect(pending.count(taxId)).toBe(legs.length);
      expect(leanLegsOfBytes(taxId, pending.base64Of(taxId), legs.length)).toEqual(legs);
    }
    // Every shape occurred: 9 fields (both known), 11 (partner named), 13 (both named).
    const shapes = new Set([...expected.values()].flat().map((t) => (t as unknown[]).length));
    expect([...shapes].sort()).toEqual([11, 13, 9]);
  });

  it('forget an enterprise deleted, and all of them once cleared', () => {
    const pending = new PendingLegBytes();
    const sale = (seq: number) => leg({ partner: BUYER, role: 'SELLER', day: '2020-03-02', amountFen: 100, seq });
    pending.append(FIRM.taxId, sale(1), null, ENTERPRISE_KNOWN | PARTNER_KNOWN);
    pending.append(OTHER_FIRM, sale(2), null, 0);
    pending.delete(FIRM.taxId);
    expect([...pending.keys()]).toEqual([OTHER_FIRM]);
    expect(pending.base64Of(FIRM.taxId)).toBe('');
    pending.clear();
    expect(pending.count(OTHER_FIRM)).toBe(0);
    pending.append(FIRM.taxId, sale(3), 18_300, ENTERPRISE_KNOWN);
    expect(leanLegsOfBytes(FIRM.taxId, pending.base64Of(FIRM.taxId), 1)).toEqual([leanLeg(sale(3), 18_300, ENTERPRISE_KNOWN)]);
  });

  it('refuse bytes cut short, or holding another number of legs than the row says, as a RangeError naming the firm', () => {
    const pending = new PendingLegBytes();
    for (let seq = 0; seq < 3; seq++) pending.append(FIRM.taxId, leg({ partner: BUYER, role: 'SELLER', day: '2020-03-02', amountFen: 100, seq }), 18_300, 0);
    const bytes = Buffer.from(pending.base64Of(FIRM.taxId), 'base64');
    expect(leanLegsOfBytes(FIRM.taxId, bytes.toString('base64'), 3)).toHaveLength(3);
    for (let cut = 1; cut < bytes.length; cut += 7) {
      expect(() => leanLegsOfBytes(FIRM.taxId, bytes.subarray(0, cut).toString('base64'), 3)).toThrow(new RangeError(`log row of ${FIRM.taxId} holds malformed leg bytes`));
    }
    expect(() => leanLegsOfBytes(FIRM.taxId, bytes.toString('base64'), 2)).toThrow(RangeError);
  });
});
