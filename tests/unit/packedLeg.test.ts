import { describe, expect, it } from 'vitest';
import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';
import { packLeg, unpackLegs, type AppliedLeg, type PackedLeg } from '../../pipelines/detect/packedLeg.ts';
import { BUYER, FIRM, SUPPLIER, leg } from '../helpers/detectFixtures.ts';
import { snapshotScenarioLegs } from '../helpers/snapshotScenario.ts';

/** What applyLeg reads of a leg, spelled out independently of packedLeg.ts. */
function applied(l: InvoiceLeg): AppliedLeg {
  const { leg_id, event_type, invoice_no, original_invoice_no, role, enterprise_tax_id, enterprise_name, enterprise_district_code, partner_tax_id, partner_name, partner_district_code, issued_at_ms, amount_fen } = l;
  return { leg_id, event_type, invoice_no, original_invoice_no, role, enterprise_tax_id, enterprise_name, enterprise_district_code, partner_tax_id, partner_name, partner_district_code, issued_at_ms, amount_fen };
}

/** Packs a row's legs as EnterpriseWriteLog does, each after the previous one. */
function packRow(legs: readonly InvoiceLeg[], closedBefore: (i: number) => number | null): PackedLeg[] {
  return legs.map((l, i) => packLeg(l, closedBefore(i), i === 0 ? null : legs[i - 1]!));
}

const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('packed log-row legs', () => {
  it('unpack gives back every field applyLeg reads, and the day closed through before each leg, after JSON', () => {
    const row = [
      leg({ partner: BUYER, role: 'SELLER', day: '2020-02-10', amountFen: 120_000 }),
      leg({ partner: SUPPLIER, role: 'BUYER', day: '2020-02-10', amountFen: 80_000, seq: 1 }),
      leg({ partner: BUYER, role: 'SELLER', day: '2020-02-11', amountFen: -120_000, type: 'RED_LETTER' }),
    ];
    const unpacked = unpackLegs(FIRM.taxId, roundTrip(packRow(row, (i) => (i === 2 ? 18_300 : null))));
    expect(unpacked).toEqual(row.map((l, i) => ({ leg: applied(l), closedBefore: i === 2 ? 18_300 : null })));
  });

  it("keeps a renamed or moved enterprise's name and district on the leg that changed them", () => {
    const first = leg({ partner: BUYER, role: 'SELLER', day: '2020-02-10', amountFen: 100 });
    const renamed = { ...leg({ partner: BUYER, role: 'SELLER', day: '2020-02-11', amountFen: 200 }), enterprise_name: '嘉善恒达电子科技有限公司' };
    const moved = { ...leg({ partner: BUYER, role: 'SELLER', day: '2020-02-12', amountFen: 300 }), enterprise_name: renamed.enterprise_name, enterprise_district_code: '310118' };
    const same = { ...moved, leg_id: 'again:SELLER', event_id: 'again' };
    const packed = packRow([first, renamed, moved, same], () => null);
    expect(packed.map((p) => p.length)).toEqual([13, 13, 13, 11]);
    expect(unpackLegs(FIRM.taxId, roundTrip(packed)).map((u) => u.leg)).toEqual([first, renamed, moved, same].map(applied));
  });

  it('refuses a leg of unknown shape and a row whose first leg lacks the enterprise name', () => {
    const one = packLeg(leg({ partner: BUYER, role: 'SELLER', day: '2020-02-10', amountFen: 100 }), null, null);
    expect(() => unpackLegs(FIRM.taxId, [one.slice(0, 12) as PackedLeg])).toThrow(RangeError);
    expect(() => unpackLegs(FIRM.taxId, [{ leg: one } as unknown as PackedLeg])).toThrow(RangeError);
    expect(() => unpackLegs(FIRM.taxId, [one.slice(0, 11) as PackedLeg])).toThrow(/without the enterprise's name/);
  });

  it("is at most 55 % of the JSON of the legs as log rows stored them before (the whole leg without its goods)", () => {
    const legs = snapshotScenarioLegs();
    const before = JSON.stringify(legs.map((l) => ({ leg: { ...l, goods: [] }, closedBefore: 18_300 }))).length;
    // Rows of three legs of one enterprise, as a snapshot every ~750 legs of a 3,500-firm partition gives.
    const byFirm = new Map<string, InvoiceLeg[]>();
    for (const l of legs) byFirm.set(l.enterprise_tax_id, [...(byFirm.get(l.enterprise_tax_id) ?? []), l]);
    let after = 0;
    for (const firmLegs of byFirm.values()) {
      for (let i = 0; i < firmLegs.length; i += 3) after += JSON.stringify(packRow(firmLegs.slice(i, i + 3), () => 18_300)).length;
    }
    expect(legs.length).toBeGreaterThan(100);
    expect(after / before).toBeLessThan(0.55);
  });
});
