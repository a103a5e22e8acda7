import { describe, expect, it } from 'vitest';
import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';
import { applyLeg, closeDay } from '../../pipelines/detect/enterpriseDetector.ts';
import { createEnterpriseState, legLinkKey, type EnterpriseState } from '../../pipelines/detect/enterpriseState.ts';
import { knownParties, leanClosedBefore, leanLeg, unpackLeanLeg, type LeanLeg } from '../../pipelines/detect/leanLeg.ts';
import type { AppliedLeg } from '../../pipelines/detect/enterpriseDetector.ts';
import { BUYER, FIRM, SUPPLIER, appliedFields, detectorContext, leg } from '../helpers/detectFixtures.ts';
import { snapshotCalendar } from '../helpers/snapshotScenario.ts';

const ctx = detectorContext(snapshotCalendar);
const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** FIRM after selling to BUYER on 10 February 2020, that day closed: BUYER is in its link history. */
function stateKnowingBuyer(): EnterpriseState {
  const state = createEnterpriseState(FIRM.taxId, FIRM.name, FIRM.districtCode);
  applyLeg(state, leg({ partner: BUYER, role: 'SELLER', day: '2020-02-10', amountFen: 100_000 }), ctx);
  closeDay(state, state.firstLegDay!, ctx);
  return state;
}

/** Packs `l` against `state` as the partition does (before applying it), then unpacks it after JSON against the same state. */
function throughRow(state: EnterpriseState, l: InvoiceLeg): { lean: LeanLeg; unpacked: AppliedLeg } {
  const lean = roundTrip(leanLeg(l, state.lastClosedDay, knownParties(state, l, legLinkKey(l))));
  return { lean, unpacked: unpackLeanLeg(FIRM.taxId, lean, state) };
}

describe('lean log-row legs', () => {
  it('leave out the names the state knows, and unpack against that state to every field applyLeg reads', () => {
    const state = stateKnowingBuyer();
    const again = leg({ partner: BUYER, role: 'SELLER', day: '2020-02-11', amountFen: 200_000 });
    const { lean, unpacked } = throughRow(state, again);
    expect(lean).toHaveLength(9);
    expect(JSON.stringify(lean)).toMatch(/^[\x20-\x7e]*$/);
    expect(unpacked).toEqual(appliedFields(again));
    expect(leanClosedBefore(FIRM.taxId, lean)).toBe(state.lastClosedDay);
  });

  it('keep a partner the state has no link to, or names differently, and an enterprise renamed or moved', () => {
    const state = stateKnowingBuyer();
    const newPartner = leg({ partner: SUPPLIER, role: 'BUYER', day: '2020-02-11', amountFen: 50_000 });
    // BUYER is known DOWNSTREAM only: as a supplier it is a link the state does not have.
    const buyerAsSupplier = leg({ partner: BUYER, role: 'BUYER', day: '2020-02-11', amountFen: 50_000, seq: 1 });
    const partnerRenamed = { ...leg({ partner: BUYER, role: 'SELLER', day: '2020-02-11', amountFen: 70_000, seq: 2 }), partner_name: '上海青浦鑫源金属制品有限公司' };
    const firmRenamed = { ...leg({ partner: BUYER, role: 'SELLER', day: '2020-02-11', amountFen: 90_000, seq: 3 }), enterprise_name: '嘉善恒达电子科技有限公司' };
    const firmMoved = { ...leg({ partner: SUPPLIER, role: 'BUYER', day: '2020-02-11', amountFen: 90_000, seq: 4 }), enterprise_district_code: '310118' };
    const shapes = [newPartner, buyerAsSupplier, partnerRenamed, firmRenamed, firmMoved].map((l) => {
      const { lean, unpacked } = throughRow(state, l);
      expect(unpacked).toEqual(appliedFields(l));
      return lean.length;
    });
    expect(shapes).toEqual([11, 11, 11, 13, 13]);
    // The enterprise's pair is written, the known partner's left out.
    expect(roundTrip(leanLeg(firmRenamed, null, knownParties(state, firmRenamed, legLinkKey(firmRenamed)))).slice(9)).toEqual([null, null, firmRenamed.enterprise_name, FIRM.districtCode]);
  });

  it('a void of an invoice to a known partner leaves its name out too', () => {
    const state = stateKnowingBuyer();
    const voided = leg({ partner: BUYER, role: 'SELLER', day: '2020-02-11', amountFen: -100_000, type: 'VOIDED' });
    const { lean, unpacked } = throughRow(state, voided);
    expect(lean).toHaveLength(9);
    expect(unpacked).toEqual(appliedFields(voided));
  });

  it('refuses a tuple of unknown shape, and a leg whose partner the state does not know though the row says it did', () => {
    const state = stateKnowingBuyer();
    const sale = leg({ partner: BUYER, role: 'SELLER', day: '2020-02-11', amountFen: 1 });
    const known = leanLeg(sale, null, knownParties(state, sale, legLinkKey(sale)));
    expect(known).toHaveLength(9);
    expect(() => leanClosedBefore(FIRM.taxId, known.slice(0, 8) as LeanLeg)).toThrow(RangeError);
    expect(() => leanClosedBefore(FIRM.taxId, [...known, 'x'] as unknown as LeanLeg)).toThrow(RangeError);
    expect(() => leanClosedBefore(FIRM.taxId, { legs: known } as unknown as LeanLeg)).toThrow(RangeError);
    const fresh = createEnterpriseState(FIRM.taxId, FIRM.name, FIRM.districtCode);
    expect(() => unpackLeanLeg(FIRM.taxId, known, fresh)).toThrow(/does not know/);
  });
});
