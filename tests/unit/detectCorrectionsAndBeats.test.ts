import { describe, expect, it } from 'vitest';
import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';
import { SlidingSum } from '../../pipelines/detect/dayRing.ts';
import { DEFAULT_DETECTOR_CONFIG } from '../../pipelines/detect/detectorConfig.ts';
import { createEnterpriseState, type EnterpriseState, type PartnerLink } from '../../pipelines/detect/enterpriseState.ts';
import { keepsBeat, regularityOf } from '../../pipelines/detect/linkBreak.ts';
import { deserializeState, serializeState } from '../../pipelines/detect/serializeState.ts';
import { FIRM, SUPPLIER, detectorContext, ofType, fakeCalendar, leg, replay, supplierLinkOn, workingDays } from '../helpers/detectFixtures.ts';

/**
 * Corrections are netted on the day of the invoice they cancel, and a partner
 * counts as regular only when it keeps a beat and has not been away for a
 * break's length inside the window.
 */
const calendar = fakeCalendar();
const ctx = detectorContext(calendar);
const START = '2019-07-01';
const DAYS = workingDays(calendar, START, '2020-03-31');
const BIG_DAY = 80;
const CORRECTION_DAY = 92;
const END = 110;

/**
 * FIRM buys ¥10,000 a day from SUPPLIER; on working day 80 a further ¥70,000
 * invoice, which a red-letter invoice 12 working days later takes back in full.
 * The correction names `correctedNo` as the invoice it corrects.
 */
function purchasesWithLateCorrection(correctedNo: (big: InvoiceLeg) => string): InvoiceLeg[] {
  const daily = DAYS.slice(0, END + 1).map((day) => leg({ partner: SUPPLIER, role: 'BUYER', day, amountFen: 1_000_000 }));
  const big = leg({ partner: SUPPLIER, role: 'BUYER', day: DAYS[BIG_DAY]!, amountFen: 7_000_000, seq: 1 });
  const red = leg({ partner: SUPPLIER, role: 'BUYER', day: DAYS[CORRECTION_DAY]!, amountFen: -7_000_000, seq: 2, type: 'RED_LETTER' });
  return [...daily, big, { ...red, original_invoice_no: correctedNo(big) }];
}

describe('a correction nets out the flow on the day of the invoice it cancels', () => {
  it('does not open PURCHASE_DROP when a red-letter invoice takes back an invoice from before the window', () => {
    const legs = purchasesWithLateCorrection((big) => big.invoice_no);
    expect(ofType(replay(legs, ctx, { from: START, to: DAYS[END]! }).signals, 'PURCHASE_DROP')).toEqual([]);
  });

  it('charges a correction of an invoice it never saw to its own day, where it does open PURCHASE_DROP', () => {
    const legs = purchasesWithLateCorrection(() => 'an-invoice-before-the-firm-was-tracked');
    const opened = ofType(replay(legs, ctx, { from: START, to: DAYS[END]! }).signals, 'PURCHASE_DROP').filter((s) => s.status === 'OPEN');
    expect(opened).toHaveLength(1);
  });

  it('removes the cancelled invoice from the day it was issued, so that day keeps only the real flow', () => {
    const legs = purchasesWithLateCorrection((big) => big.invoice_no);
    const { states } = replay(legs, ctx, { from: START, to: DAYS[CORRECTION_DAY]! });
    const state = states.get(FIRM.taxId)!;
    // Current window [83, 92]: ten ordinary days; the ¥70,000 left the baseline day 80 instead.
    expect(state.sums[SlidingSum.PURCHASES_CURRENT]).toBe(10 * 1_000_000);
  });

  it('keeps the sliding sums equal to what pushing the amended days would have given', () => {
    const legs = purchasesWithLateCorrection((big) => big.invoice_no);
    const amended = replay(legs, ctx, { from: START, to: DAYS[END]! }).states.get(FIRM.taxId)!;
    // The same flows with the big invoice and its correction never issued at all.
    const plain = legs.filter((l) => !l.event_id.endsWith('-1') && !l.event_id.endsWith('-2'));
    const reference = replay(plain, ctx, { from: START, to: DAYS[END]! }).states.get(FIRM.taxId)!;
    expect(Array.from(amended.sums.slice(SlidingSum.PURCHASES_CURRENT, SlidingSum.PURCHASES_BASELINE_POSITIVE_TOTAL + 1))).toEqual(
      Array.from(reference.sums.slice(SlidingSum.PURCHASES_CURRENT, SlidingSum.PURCHASES_BASELINE_POSITIVE_TOTAL + 1)),
    );
  });

  it('still finds the corrected invoice after a restart from a snapshot taken in between', () => {
    const legs = purchasesWithLateCorrection((big) => big.invoice_no);
    const first = replay(legs, ctx, { from: START, to: DAYS[BIG_DAY + 3]! });
    const restored = new Map<string, EnterpriseState>(
      [...first.states].map(([taxId, state]) => [taxId, deserializeState(JSON.parse(JSON.stringify(serializeState(state))))]),
    );
    const second = replay(legs, ctx, { from: DAYS[BIG_DAY + 3]! + 1, to: DAYS[END]!, states: restored });
    const uninterrupted = replay(legs, ctx, { from: START, to: DAYS[END]! });
    expect([...first.signals, ...second.signals]).toEqual(uninterrupted.signals);
    expect(ofType(second.signals, 'PURCHASE_DROP')).toEqual([]);
    expect(restored.get(FIRM.taxId)!.issuedInvoices.size).toBeGreaterThan(0);
  });

  it('forgets issued invoices once they are older than the ring', () => {
    const legs = purchasesWithLateCorrection((big) => big.invoice_no);
    const state = replay(legs, ctx, { from: START, to: DAYS[END]! }).states.get(FIRM.taxId)!;
    expect(state.issuedInvoices.size).toBeLessThanOrEqual(state.ringSize + 1);
  });
});

describe('a regular partner keeps its beat within a day', () => {
  /** A supplier link whose invoice days end at ordinal `last`, with these gaps between them. */
  function linkWithGaps(gaps: number[], last = 200): PartnerLink {
    const ordinals = [last];
    for (const g of [...gaps].reverse()) ordinals.unshift(ordinals[0]! - g);
    return supplierLinkOn(ordinals);
  }

  function stateActiveFrom(firstActiveOrdinal: number): EnterpriseState {
    const state = createEnterpriseState(FIRM.taxId, FIRM.name, FIRM.districtCode);
    state.sums[SlidingSum.GROSS_IN_RECENT] = 20_000_000;
    state.firstActiveOrdinal = firstActiveOrdinal;
    return state;
  }

  it('counts a supplier on a five-day beat with postponements and a month-end extra invoice as regular', () => {
    const link = linkWithGaps([5, 6, 4, 5, 2, 3, 5, 5, 6, 4, 5]);
    expect(regularityOf(link, stateActiveFrom(0), 200, DEFAULT_DETECTOR_CONFIG)?.usualGapDays).toBe(5);
  });

  it('does not count a partner whose gaps of 9 to 16 days have a modest spread but land on no beat', () => {
    // CV 0.42 and all within [usual / 2, 1.5 × usual + 1]: the looser beat test let this one through.
    const gaps = [9, 11, 11, 3, 16];
    expect(keepsBeat(gaps, gaps.length, 11, DEFAULT_DETECTOR_CONFIG)).toBe(false);
    expect(regularityOf(linkWithGaps(gaps), stateActiveFrom(0), 200, DEFAULT_DETECTOR_CONFIG)).toBeNull();
  });

  it('does not count a partner that turned up after a break-length absence inside the window', () => {
    // Seven invoices on a near five-day beat over the last 27 working days, nothing in the 33 before.
    const link = linkWithGaps([4, 4, 6, 1, 6, 6]);
    expect(regularityOf(link, stateActiveFrom(0), 200, DEFAULT_DETECTOR_CONFIG)).toBeNull();
  });

  it('does count that partner when the firm itself only became active just before its first invoice', () => {
    const link = linkWithGaps([4, 4, 6, 1, 6, 6]);
    expect(regularityOf(link, stateActiveFrom(link.history.ordinalAt(0) - 2), 200, DEFAULT_DETECTOR_CONFIG)).not.toBeNull();
  });
});
