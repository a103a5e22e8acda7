import { describe, expect, it } from 'vitest';
import type { InvoiceLeg, LegRole } from '../../src/domain/invoiceLeg.ts';
import { SlidingSum } from '../../pipelines/detect/dayRing.ts';
import { DEFAULT_DETECTOR_CONFIG, createDetectorConfig } from '../../pipelines/detect/detectorConfig.ts';
import { createEnterpriseState, type PartnerLink } from '../../pipelines/detect/enterpriseState.ts';
import { regularityOf } from '../../pipelines/detect/linkBreak.ts';
import { poissonUpperTail } from '../../pipelines/detect/voidSpike.ts';
import { BUYER, FIRM, OTHER_BUYER, SUPPLIER, detectorContext, ofType, everyNthWorkingDay, fakeCalendar, leg, replay, supplierLinkOn, type Firm } from '../helpers/detectFixtures.ts';

/**
 * The detectors against the noise of real invoicing: a lumpy flow's one
 * unlucky window, routine corrections of a busy firm, a partner whose gaps
 * look regular on average but keep no beat.
 */
const calendar = fakeCalendar();
const START = '2019-07-01';

function stream(partner: Firm, role: LegRole, from: string, to: string, amountFen: number, step = 1, seq = 0): InvoiceLeg[] {
  return everyNthWorkingDay(calendar, from, to, step).map((day) => leg({ partner, role, day, amountFen, seq }));
}

describe('drops need the collapse to last', () => {
  // ¥10,000 of purchases a day; on 2 Dec the supplier voids an old ¥70,000 invoice and only issues its corrected
  // copy on 4 Dec, so the windows ending 2 and 3 Dec sit at 30 % of the baseline and the one ending 4 Dec is back
  // at 100 %. (Purchases: on the sales side the cancelled invoice put back would lift those windows on its own,
  // see detectDropCancelledOrder.test.ts; the ring keeps no cancelled fen for purchases.)
  const legs = [
    ...stream(SUPPLIER, 'BUYER', START, '2019-12-31', 1_000_000),
    leg({ partner: SUPPLIER, role: 'BUYER', day: '2019-12-02', amountFen: -7_000_000, type: 'VOIDED', seq: 1 }),
    leg({ partner: SUPPLIER, role: 'BUYER', day: '2019-12-04', amountFen: 7_000_000, seq: 2 }),
  ];

  it('does not open PURCHASE_DROP on two low windows that recover on the third day', () => {
    const signals = replay(legs, detectorContext(calendar), { from: START, to: '2019-12-31' }).signals;
    expect(ofType(signals, 'PURCHASE_DROP')).toEqual([]);
  });

  it('would open it if a single low window were enough (dropConfirmDays = dropMaxConfirmDays = 1)', () => {
    const signals = replay(legs, detectorContext(calendar, { dropConfirmDays: 1, dropMaxConfirmDays: 1 }), { from: START, to: '2019-12-31' }).signals;
    expect(ofType(signals, 'PURCHASE_DROP').map((s) => [s.status, s.window_end])).toEqual([
      ['OPEN', '2019-12-02'],
      ['RESOLVED', '2019-12-04'],
    ]);
  });

  it('rejects a confirmation period under one day', () => {
    expect(() => createDetectorConfig({ dropConfirmDays: 0 })).toThrow(/dropConfirmDays/);
  });
});

describe('VOID_SPIKE weighs the count of corrections against the firm’s own rate', () => {
  it('computes the Poisson upper tail', () => {
    expect(poissonUpperTail(0, 2)).toBe(1);
    expect(poissonUpperTail(1, 0.5)).toBeCloseTo(1 - Math.exp(-0.5), 12);
    expect(poissonUpperTail(3, 0.5)).toBeCloseTo(1 - Math.exp(-0.5) * (1 + 0.5 + 0.125), 12);
    expect(poissonUpperTail(40, 1)).toBeLessThan(1e-40);
    expect(poissonUpperTail(2, 0)).toBe(0);
  });

  // A busy firm that corrects a small invoice every other working day; then four large corrections in a window.
  const routine = everyNthWorkingDay(calendar, START, '2019-11-29', 2).map((day) =>
    leg({ partner: OTHER_BUYER, role: 'SELLER', day, amountFen: -10_000, type: 'RED_LETTER', seq: 1 }),
  );
  const large = ['2019-12-02', '2019-12-03', '2019-12-04', '2019-12-05'].map((day) =>
    leg({ partner: BUYER, role: 'SELLER', day, amountFen: -600_000, type: 'VOIDED', seq: 2 }),
  );
  const legs = [...stream(BUYER, 'SELLER', START, '2019-12-31', 1_000_000), ...routine, ...large];

  it('does not fire when that many corrections are usual for the firm, however large they are', () => {
    const signals = replay(legs, detectorContext(calendar), { from: START, to: '2019-12-31' }).signals;
    expect(ofType(signals, 'VOID_SPIKE')).toEqual([]);
  });

  it('does not fire even with the count test switched off: the share of invoices cancelled is the firm’s usual', () => {
    // Correcting every other invoice is what this firm always does; four large corrections move only the share in fen.
    const signals = replay(legs, detectorContext(calendar, { voidSurpriseProbability: 1 }), { from: START, to: '2019-12-31' }).signals;
    expect(ofType(signals, 'VOID_SPIKE')).toEqual([]);
  });
});

describe('a regular partner keeps a beat', () => {
  function linkWithGaps(gaps: number[]): PartnerLink {
    const ordinals = [100];
    for (const g of gaps) ordinals.push(ordinals[ordinals.length - 1]! + g);
    return supplierLinkOn(ordinals);
  }

  const state = createEnterpriseState(FIRM.taxId, FIRM.name, FIRM.districtCode);
  state.sums[SlidingSum.GROSS_IN_RECENT] = 20_000_000;

  it('counts a supplier invoicing every third working day as regular', () => {
    const link = linkWithGaps([3, 3, 3, 4, 3, 3, 3, 3, 3, 3, 3, 3]);
    expect(regularityOf(link, state, link.lastOrdinal, DEFAULT_DETECTOR_CONFIG)?.usualGapDays).toBe(3);
  });

  it('does not count a partner whose gaps have a modest spread but keep no beat', () => {
    // Five gaps of 3 and three of 8: CV 0.497, but only 5 of 8 gaps lie near the usual gap of 3.
    const link = linkWithGaps([3, 8, 3, 3, 8, 3, 8, 3]);
    expect(regularityOf(link, state, link.lastOrdinal, DEFAULT_DETECTOR_CONFIG)).toBeNull();
    expect(regularityOf(link, state, link.lastOrdinal, createDetectorConfig({ linkMinOnBeatShare: 0 }))).not.toBeNull();
  });

  it('does not count a partner whose gaps vary as much as chance visits do', () => {
    const link = linkWithGaps([1, 9, 2, 14, 3, 1, 11, 4]);
    expect(regularityOf(link, state, link.lastOrdinal, DEFAULT_DETECTOR_CONFIG)).toBeNull();
  });
});
