import { describe, expect, it } from 'vitest';
import { dayToIso } from '../../src/calendar/workingCalendar.ts';
import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';
import { BUYER, SUPPLIER, detectorContext, fakeCalendar, leg, replay, workingDays } from '../helpers/detectFixtures.ts';

/**
 * A drop that lasts becomes the firm's level: once the 60-working-day
 * baseline has absorbed it the alert closes, and a further collapse from the
 * new level opens a new one.
 */
const calendar = fakeCalendar();
const ctx = detectorContext(calendar);
const START = '2019-07-01';
const DAYS = workingDays(calendar, START, '2020-12-31');
const FIRST_DROP = 80;
const SECOND_DROP = 200;
const END = 240;

/** ¥10,000 of purchases a day; 30 % of that from day 80 on for good; 5 % of the original from day 200. */
function purchases(secondDrop: boolean): InvoiceLeg[] {
  return DAYS.slice(0, END + 1).map((day, i) => {
    const fen = secondDrop && i >= SECOND_DROP ? 50_000 : i >= FIRST_DROP ? 300_000 : 1_000_000;
    return leg({ partner: SUPPLIER, role: 'BUYER', day, amountFen: fen });
  });
}

/** Steady sales beside, so the firm is plainly active throughout. */
const sales = DAYS.slice(0, END + 1).map((day) => leg({ partner: BUYER, role: 'SELLER', day, amountFen: 2_000_000 }));

function purchaseDrops(legs: InvoiceLeg[]) {
  return replay([...legs, ...sales], ctx, { from: START, to: DAYS[END]! }).signals.filter((s) => s.signal_type === 'PURCHASE_DROP');
}

describe('PURCHASE_DROP after a lasting drop', () => {
  it('closes the alert once the baseline has absorbed the lower level, saying it is the new level', () => {
    const signals = purchaseDrops(purchases(false));
    expect(signals.map((s) => s.status)).toEqual(['OPEN', 'RESOLVED']);
    const [opened, resolved] = signals;
    expect(opened!.window_end >= dayToIso(DAYS[FIRST_DROP]!)).toBe(true);
    // Absorbed: more than half of the baseline's rolling windows lie after the drop, i.e. some 30+ working days later.
    expect(resolved!.window_end > dayToIso(DAYS[FIRST_DROP + 30]!)).toBe(true);
    expect(resolved!.window_end < dayToIso(DAYS[FIRST_DROP + 60]!)).toBe(true);
    expect(resolved!.explanation_en).toContain('settled at a new level');
    expect(resolved!.signal_id).toBe(opened!.signal_id);
  });

  it('opens a new PURCHASE_DROP when the flow collapses again from the new level', () => {
    const signals = purchaseDrops(purchases(true));
    expect(signals.map((s) => s.status)).toEqual(['OPEN', 'RESOLVED', 'OPEN']);
    expect(signals[2]!.window_end >= dayToIso(DAYS[SECOND_DROP]!)).toBe(true);
    expect(signals[2]!.signal_id).not.toBe(signals[0]!.signal_id);
    // Measured against the new level (¥3,000 a day), not the original ¥10,000.
    expect(signals[2]!.baseline_fen).toBe(10 * 300_000);
  });

  it('keeps a drop to nothing open: a flow at zero has no level to settle at', () => {
    const legs = DAYS.slice(0, FIRST_DROP).map((day) => leg({ partner: SUPPLIER, role: 'BUYER', day, amountFen: 1_000_000 }));
    expect(purchaseDrops(legs).map((s) => s.status)).toEqual(['OPEN']);
  });
});
