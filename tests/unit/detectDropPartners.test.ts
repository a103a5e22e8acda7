import { describe, expect, it } from 'vitest';
import { dayToIso } from '../../src/calendar/workingCalendar.ts';
import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';
import { BUYER, OTHER_BUYER, SPORADIC, SUPPLIER, detectorContext, ofType, fakeCalendar, leg, replay, workingDays, type Firm } from '../helpers/detectFixtures.ts';

/**
 * A low window explained by the firm's partners: an occasional customer that
 * skipped it, or a slower supplier that took over a lost one's orders.
 */
const calendar = fakeCalendar();
const START = '2019-07-01';
const DAYS = workingDays(calendar, START, '2020-03-31');
const ctx = detectorContext(calendar, { minBaselineFen: 100_000 });

function sale(i: number, amountFen: number, partner: Firm): InvoiceLeg {
  return leg({ partner, role: 'SELLER', day: DAYS[i]!, amountFen });
}

function purchase(i: number, amountFen: number, partner: Firm): InvoiceLeg {
  return leg({ partner, role: 'BUYER', day: DAYS[i]!, amountFen });
}

describe('a pause of a customer that was never regular is no SALES_DROP', () => {
  // Seed 86420 at 600 firms, in small: ¥1,000 a day to OTHER_BUYER, ¥6,000 every 6th working day to BUYER and
  // ¥30,000 one-off orders from SPORADIC 6 to 19 working days apart (more than half the sales). From day 100
  // BUYER takes 30 % and SPORADIC's next order comes on day 121: the windows ending 109–120 hold ¥11,800, a
  // quarter of the baseline, for twelve days — only because the occasional customer has not ordered yet.
  const sporadicDays = [3, 15, 21, 38, 44, 63, 70, 88, 97, 121];
  const legs = (regularLevel: number) => [
    ...Array.from({ length: 130 }, (_, i) => sale(i, Math.round(100_000 * (i >= 100 ? regularLevel : 1)), OTHER_BUYER)),
    ...Array.from({ length: 22 }, (_, k) => 6 * k).map((i) => sale(i, Math.round(600_000 * (i >= 100 ? 0.3 : 1)), BUYER)),
    ...sporadicDays.map((i) => sale(i, 3_000_000, SPORADIC)),
  ];

  it('does not open SALES_DROP while the regular buyers still take 40 % of their usual flow', () => {
    expect(ofType(replay(legs(1), ctx, { from: START, to: DAYS[125]! }).signals, 'SALES_DROP')).toEqual([]);
  });

  it('opens it when the regular buyers collapse too', () => {
    const drops = ofType(replay(legs(0.2), ctx, { from: START, to: DAYS[125]! }).signals, 'SALES_DROP');
    expect(drops.map((s) => s.status)).toEqual(['OPEN', 'RESOLVED']);
    expect(drops[0]!.window_end <= dayToIso(DAYS[120]!)).toBe(true);
  });
});

describe('a supplier taking over a lost one\'s orders on its own beat is no PURCHASE_DROP', () => {
  // Seed 24680 at 600 firms, in small: ¥15,000 a day from SUPPLIER and ¥2,000 every 5th working day from
  // OTHER_BUYER. SUPPLIER's last invoice is on day 94; OTHER_BUYER takes over its orders in lumps: ¥25,000 on
  // day 97 (ramping up), ¥75,000 on day 105 (a day late) and every 5th day after. The windows ending 102–104
  // hold one small lump, 36 % down to 17 % of the baseline, until the next lump lands.
  const legs = (takeover: boolean) => [
    ...Array.from({ length: 95 }, (_, i) => purchase(i, 1_500_000, SUPPLIER)),
    ...Array.from({ length: 20 }, (_, k) => 5 * k).filter((i) => i < 96).map((i) => purchase(i, 200_000, OTHER_BUYER)),
    ...(takeover ? [97, 105, 110, 115, 120, 125].map((i) => purchase(i, i === 97 ? 2_500_000 : 7_500_000, OTHER_BUYER)) : []),
  ];

  it('does not open PURCHASE_DROP in the days before the new supplier\'s next lump is due', () => {
    expect(ofType(replay(legs(true), ctx, { from: START, to: DAYS[125]! }).signals, 'PURCHASE_DROP')).toEqual([]);
  });

  it('opens it within a few days when nobody takes over', () => {
    const drops = ofType(replay(legs(false), ctx, { from: START, to: DAYS[125]! }).signals, 'PURCHASE_DROP');
    expect(drops.map((s) => s.status)).toEqual(['OPEN']);
    expect(drops[0]!.window_end).toBe(dayToIso(DAYS[103]!));
  });
});

describe('a regular buyer whose latest invoice was cancelled is no SALES_DROP before its next one is due', () => {
  // Seed 69314 at 600 firms, in small: ¥5,000 a day to OTHER_BUYER and ¥300,000 every 8th working day to BUYER.
  // BUYER's order on day 104 comes in small (¥50,000) and its invoice of day 112 is voided the same day, so the
  // windows ending 106–119 hold ¥100,000, under a third of the ¥350,000 baseline, for 14 days: past the longest
  // confirmation (8 days). Its next invoice, on day 120, is back to normal.
  const voidedDay = 112;
  const legs = (nextBeat: boolean) => {
    const beats = Array.from({ length: 17 }, (_, k) => 8 * k).filter((i) => i !== voidedDay && (nextBeat || i < voidedDay));
    const issued = sale(voidedDay, 30_000_000, BUYER);
    const voided = { ...leg({ partner: BUYER, role: 'SELLER', day: DAYS[voidedDay]!, amountFen: -30_000_000, type: 'VOIDED', seq: 1, hour: 15 }), original_invoice_no: issued.invoice_no };
    return [
      ...Array.from({ length: 130 }, (_, i) => sale(i, 500_000, OTHER_BUYER)),
      ...beats.map((i) => sale(i, i === 104 ? 5_000_000 : 30_000_000, BUYER)),
      issued,
      voided,
    ];
  };

  it('does not open SALES_DROP while the buyer\'s next invoice is not yet due', () => {
    expect(ofType(replay(legs(true), ctx, { from: START, to: DAYS[125]! }).signals, 'SALES_DROP')).toEqual([]);
  });

  it('opens it once that invoice is overdue', () => {
    const drops = ofType(replay(legs(false), ctx, { from: START, to: DAYS[125]! }).signals, 'SALES_DROP');
    expect(drops.map((s) => s.status)).toEqual(['OPEN']);
    // Overdue from voidedDay + 9 on, but the voided order also holds the drop while its own day is in the window
    // (largestCancellationFen): the first window without it ends at voidedDay + 10.
    expect(drops[0]!.window_end).toBe(dayToIso(DAYS[voidedDay + 10]!));
  });
});
