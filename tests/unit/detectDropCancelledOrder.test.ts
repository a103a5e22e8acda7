import { describe, expect, it } from 'vitest';
import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';
import { BUYER, OTHER_BUYER, detectorContext, ofType, fakeCalendar, leg, replay, workingDays, type Firm } from '../helpers/detectFixtures.ts';

/**
 * A window that is low only because one order was cancelled is that cancelled
 * order, not a drop (seed 69314 at 600 firms, in small).
 */
const calendar = fakeCalendar();
const START = '2019-07-01';
const DAYS = workingDays(calendar, START, '2020-03-31');
const ctx = detectorContext(calendar, { minBaselineFen: 100_000 });

function sale(i: number, amountFen: number, partner: Firm, type: InvoiceLeg['event_type'] = 'ISSUED'): InvoiceLeg {
  return leg({ partner, role: 'SELLER', day: DAYS[i]!, amountFen, type, hour: type === 'ISSUED' ? 10 : 15 });
}

// ¥1,000 a day to OTHER_BUYER and ¥80,000 every 8th working day to BUYER, which takes nine tenths of the sales:
// a 10-day window holds one of its invoices, two now and then. Its invoice of day 96 comes in small (¥10,000),
// so the windows ending 98–103 hold a fifth of the baseline, six days, less than the 8-day confirmation of
// such a lumpy flow. The invoice of day 104 is then voided the same afternoon, and nothing else changes: the
// windows ending 104–111 read a fifth to a tenth of the baseline until BUYER's next invoice on day 112.
const MAIN_DAYS = Array.from({ length: 15 }, (_, k) => 8 * k);
const SMALL_DAY = 96;
const CANCELLED_DAY = 104;

function legs(cancelled: 'voided' | 'never issued' | 'kept'): InvoiceLeg[] {
  return [
    ...Array.from({ length: 116 }, (_, i) => sale(i, 100_000, OTHER_BUYER)),
    ...MAIN_DAYS.filter((i) => cancelled === 'kept' || cancelled === 'voided' || i !== CANCELLED_DAY).map((i) => sale(i, i === SMALL_DAY ? 1_000_000 : 8_000_000, BUYER)),
    ...(cancelled === 'voided' ? [sale(CANCELLED_DAY, -8_000_000, BUYER, 'VOIDED')] : []),
  ];
}

describe('one cancelled order of the main buyer is no SALES_DROP', () => {
  it('does not open SALES_DROP while the only low windows are the ones holding the voided invoice', () => {
    expect(ofType(replay(legs('voided'), ctx, { from: START, to: DAYS[115]! }).signals, 'SALES_DROP')).toEqual([]);
  });

  it('does not open it when the invoice is kept (the low stretch before it is shorter than the confirmation)', () => {
    expect(ofType(replay(legs('kept'), ctx, { from: START, to: DAYS[115]! }).signals, 'SALES_DROP')).toEqual([]);
  });

  it('opens it when the invoice due never came: nothing was cancelled, the flow is missing', () => {
    const signals = ofType(replay(legs('never issued'), ctx, { from: START, to: DAYS[115]! }).signals, 'SALES_DROP');
    expect(signals.map((s) => s.status)).toContain('OPEN');
  });
});
