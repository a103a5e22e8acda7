import { describe, expect, it } from 'vitest';
import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';
import type { AppliedLeg } from '../../pipelines/detect/enterpriseDetector.ts';
import { unpackLegs, type PackedLeg } from '../../pipelines/detect/packedLeg.ts';
import { BUYER, FIRM, SUPPLIER, appliedFields, leg } from '../helpers/detectFixtures.ts';

/** Packs `leg` as EnterpriseWriteLog did before lean legs: the enterprise's pair left out when the row's previous leg had the same. */
function packLeg(leg: AppliedLeg, closedBefore: number | null, previous: AppliedLeg | null): PackedLeg {
  const packed: PackedLeg = [leg.leg_id, leg.event_type, leg.invoice_no, leg.original_invoice_no, leg.role, leg.partner_tax_id, leg.partner_name, leg.partner_district_code, leg.issued_at_ms, leg.amount_fen, closedBefore];
  if (previous === null || previous.enterprise_name !== leg.enterprise_name || previous.enterprise_district_code !== leg.enterprise_district_code) {
    packed.push(leg.enterprise_name, leg.enterprise_district_code);
  }
  return packed;
}

/** Packs a row's legs as EnterpriseWriteLog did, each after the previous one. */
function packRow(legs: readonly InvoiceLeg[], closedBefore: (i: number) => number | null): PackedLeg[] {
  return legs.map((l, i) => packLeg(l, closedBefore(i), i === 0 ? null : legs[i - 1]!));
}

const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('packed log-row legs (written before lean legs, still read)', () => {
  it('unpack gives back every field applyLeg reads, and the day closed through before each leg, after JSON', () => {
    const row = [
      leg({ partner: BUYER, role: 'SELLER', day: '2020-02-10', amountFen: 120_000 }),
      leg({ partner: SUPPLIER, role: 'BUYER', day: '2020-02-10', amountFen: 80_000, seq: 1 }),
      leg({ partner: BUYER, role: 'SELLER', day: '2020-02-11', amountFen: -120_000, type: 'RED_LETTER' }),
    ];
    const unpacked = unpackLegs(FIRM.taxId, roundTrip(packRow(row, (i) => (i === 2 ? 18_300 : null))));
    expect(unpacked).toEqual(row.map((l, i) => ({ leg: appliedFields(l), closedBefore: i === 2 ? 18_300 : null })));
  });

  it("keeps a renamed or moved enterprise's name and district on the leg that changed them", () => {
    const first = leg({ partner: BUYER, role: 'SELLER', day: '2020-02-10', amountFen: 100 });
    const renamed = { ...leg({ partner: BUYER, role: 'SELLER', day: '2020-02-11', amountFen: 200 }), enterprise_name: '嘉善恒达电子科技有限公司' };
    const moved = { ...leg({ partner: BUYER, role: 'SELLER', day: '2020-02-12', amountFen: 300 }), enterprise_name: renamed.enterprise_name, enterprise_district_code: '310118' };
    const same = { ...moved, leg_id: 'again:SELLER', event_id: 'again' };
    const packed = packRow([first, renamed, moved, same], () => null);
    expect(packed.map((p) => p.length)).toEqual([13, 13, 13, 11]);
    expect(unpackLegs(FIRM.taxId, roundTrip(packed)).map((u) => u.leg)).toEqual([first, renamed, moved, same].map(appliedFields));
  });

  it('refuses a leg of unknown shape and a row whose first leg lacks the enterprise name', () => {
    const one = packLeg(leg({ partner: BUYER, role: 'SELLER', day: '2020-02-10', amountFen: 100 }), null, null);
    expect(() => unpackLegs(FIRM.taxId, [one.slice(0, 12) as PackedLeg])).toThrow(RangeError);
    expect(() => unpackLegs(FIRM.taxId, [{ leg: one } as unknown as PackedLeg])).toThrow(RangeError);
    expect(() => unpackLegs(FIRM.taxId, [one.slice(0, 11) as PackedLeg])).toThrow(/without the enterprise's name/);
  });
});
