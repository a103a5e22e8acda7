import { describe, expect, it } from 'vitest';
import { dayToIso } from '../../src/calendar/workingCalendar.ts';
import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';
import { createDetectorConfig, ringSizeFor } from '../../pipelines/detect/detectorConfig.ts';
import { BUYER, OTHER_BUYER, SPORADIC, SUPPLIER, detectorContext, ofType, fakeCalendar, leg, replay, workingDays } from '../helpers/detectFixtures.ts';

/**
 * Flows whose 10-day sums swing by nature: a buyer taking one big delivery a
 * week, a firm selling only to an occasional customer, a window that is low
 * only in its older half; and partners whose few invoices keep a beat by chance.
 */
const calendar = fakeCalendar();
const START = '2019-07-01';
const DAYS = workingDays(calendar, START, '2020-03-31');

function sale(i: number, amountFen: number, seq = 0, partner = BUYER): InvoiceLeg {
  return leg({ partner, role: 'SELLER', day: DAYS[i]!, amountFen, seq, type: amountFen < 0 ? 'RED_LETTER' : 'ISSUED' });
}

describe('a lumpy flow must stay down for the spacing of its invoices', () => {
  // ¥5,000 to BUYER every 7th working day and ¥50 a day to OTHER_BUYER (so the firm never looks silent); the big
  // invoice of working day 105 comes in at ¥1,000, so the windows ending 108–111 hold only that small one (27 %
  // of the usual window) until the next big one on day 112.
  const legs = [
    ...Array.from({ length: 20 }, (_, k) => 7 * k).map((i) => sale(i, i === 105 ? 100_000 : 500_000)),
    ...Array.from({ length: 130 }, (_, i) => sale(i, 5_000, 1, OTHER_BUYER)),
  ];
  const to = DAYS[125]!;

  it('does not open SALES_DROP on four low days of a weekly flow', () => {
    const ctx = detectorContext(calendar, { minBaselineFen: 100_000 });
    expect(ofType(replay(legs, ctx, { from: START, to }).signals, 'SALES_DROP')).toEqual([]);
  });

  it('would open it if every flow confirmed over 3 days (dropMaxConfirmDays = 3)', () => {
    const ctx = detectorContext(calendar, { minBaselineFen: 100_000, dropMaxConfirmDays: 3 });
    const drops = ofType(replay(legs, ctx, { from: START, to }).signals, 'SALES_DROP');
    expect(drops[0]?.window_end).toBe(dayToIso(DAYS[110]!));
  });

  it('keeps the extra days in the ring and rejects a cap under one day', () => {
    expect(ringSizeFor(createDetectorConfig({ dropMaxConfirmDays: 3 }))).toBe(72);
    expect(ringSizeFor(createDetectorConfig({ dropMaxConfirmDays: 10 }))).toBe(79);
    expect(() => createDetectorConfig({ dropMaxConfirmDays: 0 })).toThrow(/dropMaxConfirmDays/);
  });
});

describe('a flow whose bulk is one weekly invoice must stay down for that invoice\'s spacing', () => {
  // Seed 7 at 600 firms: a main buyer taking about 70 % of sales in one invoice a week, small daily sales besides;
  // one of its invoices voided. Here ¥9,000 to BUYER every 8th working day and ¥500 a day to OTHER_BUYER. Weighing
  // every day, the flow reads as an invoice every 5 days; but its 10-day sums hang on the weekly invoice, and with
  // the one of day 104 missing the windows ending 106–111 sit at a third of the baseline until day 112 brings the next.
  const legs = (lostFrom: number | null) => [
    ...Array.from({ length: 17 }, (_, k) => 8 * k).filter((i) => i !== 104 && (lostFrom === null || i < lostFrom)).map((i) => sale(i, 900_000)),
    ...Array.from({ length: 130 }, (_, i) => sale(i, 50_000, 1, OTHER_BUYER)),
  ];
  const ctx = detectorContext(calendar, { minBaselineFen: 100_000 });

  it('does not open SALES_DROP while the next weekly invoice is not yet overdue', () => {
    expect(ofType(replay(legs(null), ctx, { from: START, to: DAYS[125]! }).signals, 'SALES_DROP')).toEqual([]);
  });

  it('would open it on the fifth low day if only the effective-days spacing counted (dropMaxConfirmDays = 5)', () => {
    const capped = detectorContext(calendar, { minBaselineFen: 100_000, dropMaxConfirmDays: 5 });
    expect(ofType(replay(legs(null), capped, { from: START, to: DAYS[125]! }).signals, 'SALES_DROP')[0]?.window_end).toBe(dayToIso(DAYS[110]!));
  });

  it('still opens it within dropMaxConfirmDays of the first low window when the main buyer is lost', () => {
    // Last weekly invoice on day 96: the windows from 106 on hold none.
    const drops = ofType(replay(legs(100), ctx, { from: START, to: DAYS[125]! }).signals, 'SALES_DROP');
    expect(drops.map((s) => s.status)).toEqual(['OPEN']);
    expect(drops[0]!.window_end <= dayToIso(DAYS[106 + 7]!)).toBe(true);
  });
});

describe('a lumpy flow that collapsed may lift one window of its confirmation above the line', () => {
  // Two main buyers, each ¥4,500 every 9th working day (BUYER on days ≡ 0, OTHER_BUYER on days ≡ 4 mod 9), and
  // ¥500 a day to a third; from day 100 all of it runs at 32 %. A window holds one invoice of each main buyer, or
  // for one day in every four or five two of one of them: then the collapsed flow reads 42 % for that day. It never
  // stays under the 40 % line for the 6 days in a row its spacing asks, though it never comes near recovering
  // (seed 1234567 at 600 firms: a purchase drop to 26 % read 0.31, 0.37, 0.28, 0.38, 0.44, 0.33, … of its baseline).
  const level = (i: number, fen: number) => (i >= 100 ? Math.round(fen * 0.32) : fen);
  const legs = [
    ...Array.from({ length: 150 }, (_, i) => i).filter((i) => i % 9 === 0).map((i) => sale(i, level(i, 450_000), 0, BUYER)),
    ...Array.from({ length: 150 }, (_, i) => i).filter((i) => i % 9 === 4).map((i) => sale(i, level(i, 450_000), 2, OTHER_BUYER)),
    ...Array.from({ length: 150 }, (_, i) => sale(i, level(i, 50_000), 1, SPORADIC)),
  ];
  const ctx = detectorContext(calendar, { minBaselineFen: 100_000 });

  it('opens SALES_DROP once six low days held with one of them lifted to 42 %', () => {
    const drops = ofType(replay(legs, ctx, { from: START, to: DAYS[140]! }).signals, 'SALES_DROP');
    expect(drops.map((s) => s.status)).toEqual(['OPEN']);
    expect(drops[0]!.window_end < dayToIso(DAYS[120]!)).toBe(true);
  });
});

describe('a drop must be rare for the flow', () => {
  // ¥10,000 to an occasional customer on 4 working days out of 10 (days ≡ 0, 3, 5, 7 mod 10), with a 16-day pause
  // every 40 days, so a fair share of its 10-day windows are empty; then nothing from day 100 to day 115.
  const invoiceDays = Array.from({ length: 100 }, (_, i) => i).filter((i) => [0, 3, 5, 7].includes(i % 10) && !(i % 40 >= 24));
  const legs = invoiceDays.map((i) => sale(i, 1_000_000, 0, OTHER_BUYER));
  const to = DAYS[115]!;

  it('does not open SALES_DROP for a firm whose sales were often that low', () => {
    const ctx = detectorContext(calendar);
    expect(ofType(replay(legs, ctx, { from: START, to }).signals, 'SALES_DROP')).toEqual([]);
  });

  it('would open it if any share of equally low windows were allowed', () => {
    const ctx = detectorContext(calendar, { dropMaxLowWindowShare: 1 });
    expect(ofType(replay(legs, ctx, { from: START, to }).signals, 'SALES_DROP').map((s) => s.status)).toContain('OPEN');
  });
});

describe('a drop that is already over does not open', () => {
  // ¥10,000 a day. Working day 85 carries ¥200,000 more, day 88 a ¥70,000 red-letter invoice: once day 85 leaves
  // the window (window ending 95), windows 95–97 sit at 30 % of the baseline, low only through the older correction.
  const base = (quietFrom: number | null) =>
    Array.from({ length: 120 }, (_, i) => i)
      .filter((i) => quietFrom === null || i < quietFrom || i > 98)
      .map((i) => sale(i, 1_000_000));
  const extra = [sale(85, 20_000_000, 1), sale(88, -7_000_000, 2)];
  const ctx = detectorContext(calendar, { dropConfirmDays: 1, dropMaxConfirmDays: 1 });
  const to = DAYS[119]!;

  it('does not open SALES_DROP while the latest five days run at the usual rate', () => {
    expect(ofType(replay([...base(null), ...extra], ctx, { from: START, to }).signals, 'SALES_DROP')).toEqual([]);
  });

  it('opens it when the latest days are down as well', () => {
    const drops = ofType(replay([...base(91), ...extra], ctx, { from: START, to }).signals, 'SALES_DROP');
    expect(drops[0]?.status).toBe('OPEN');
  });
});

describe('a partner is regular on enough invoice days', () => {
  const purchases = (ordinals: number[]) => ordinals.map((i) => leg({ partner: SUPPLIER, role: 'BUYER', day: DAYS[i]!, amountFen: 3_000_000 }));
  const ctx = detectorContext(calendar);

  it('does not break a link seen on five days that kept a beat by chance', () => {
    // Five invoice days 8–11 days apart, then silence.
    const signals = replay(purchases([40, 49, 57, 67, 76]), ctx, { from: START, to: DAYS[120]! }).signals;
    expect(ofType(signals, 'UPSTREAM_BROKEN')).toEqual([]);
  });

  it('does not break a partner invoicing now and then whose six invoice days keep only three gaps on a beat', () => {
    // Seed 2020: gaps 9, 12, 11, 1, 12 (median 11, three of the four long ones within a day of it), then a month's pause.
    const signals = replay(purchases([10, 19, 31, 42, 43, 55]), ctx, { from: START, to: DAYS[100]! }).signals;
    expect(ofType(signals, 'UPSTREAM_BROKEN')).toEqual([]);
  });

  it('would break it if six invoice days with any five gaps made a partner recurring (linkMinInvoiceDays = 4)', () => {
    // With the bar at four invoice days (three gaps on the beat), the same days read as a beat of 11 broken after 22.
    const signals = replay(purchases([10, 19, 31, 42, 43, 55]), detectorContext(calendar, { linkMinInvoiceDays: 4 }), { from: START, to: DAYS[100]! }).signals;
    expect(ofType(signals, 'UPSTREAM_BROKEN').map((s) => s.window_end)).toEqual([dayToIso(DAYS[77]!)]);
  });

  it('breaks a supplier on a 4-day beat for 29 working days (the 2020 zone in early March) once it stops', () => {
    const signals = replay(purchases([4, 8, 12, 16, 20, 24, 28, 32]), ctx, { from: START, to: DAYS[60]! }).signals;
    expect(ofType(signals, 'UPSTREAM_BROKEN').map((s) => s.window_end)).toEqual([dayToIso(DAYS[42]!)]);
  });
});
