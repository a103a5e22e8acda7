import { describe, expect, it } from 'vitest';
import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';
import type { OpenDayLink } from '../../pipelines/detect/enterpriseState.ts';
import { withoutReissuedTouches } from '../../pipelines/detect/reissuedTouches.ts';
import { FIRM, SUPPLIER, detectorContext, fakeCalendar, leg, replay, workingDays } from '../helpers/detectFixtures.ts';

/**
 * A void and reissue (作废重开) of an earlier invoice is paperwork, not a
 * delivery: the day it happens is no invoice day of the link, so it does not
 * knock a regular supplier off its beat.
 */
const calendar = fakeCalendar();
// No off-beat extras allowed: three extra invoice days would also be merged away as a month-end rush would
// (scheduledGaps), which would hide whether the reissues themselves were recognised.
const ctx = detectorContext(calendar, { linkMaxExtraInvoiceDays: 0 });
const START = '2019-07-01';
const DAYS = workingDays(calendar, START, '2020-06-30');
const BEAT = 8;
const STOP = 160;
const END = 200;

/**
 * FIRM buys ¥50,000 from SUPPLIER every 8 working days until working day 160; in the 60 days before that, three of
 * those invoices are voided 3 working days later and reissued minutes after, for the same amount, to the same buyer.
 * `reissueAmount` lets a test make the "reissue" a different sale.
 */
function beatWithReissues(reissueAmount: (fen: number) => number): InvoiceLeg[] {
  const legs: InvoiceLeg[] = [];
  const reissued = new Set([STOP - 5 * BEAT, STOP - 3 * BEAT, STOP - BEAT]);
  for (let i = 0; i < STOP; i += BEAT) {
    const fen = 5_000_000 + (i % 3) * 10_000;
    const original = leg({ partner: SUPPLIER, role: 'BUYER', day: DAYS[i]!, amountFen: fen });
    legs.push(original);
    if (!reissued.has(i)) continue;
    const fixDay = DAYS[i + 3]!;
    const voided = leg({ partner: SUPPLIER, role: 'BUYER', day: fixDay, amountFen: -fen, type: 'VOIDED', seq: 1, hour: 10 });
    legs.push({ ...voided, original_invoice_no: original.invoice_no });
    legs.push(leg({ partner: SUPPLIER, role: 'BUYER', day: fixDay, amountFen: reissueAmount(fen), seq: 2, hour: 11 }));
  }
  return legs;
}

function upstreamBreaks(legs: InvoiceLeg[]) {
  return replay(legs, ctx, { from: START, to: DAYS[END]! }).signals.filter((s) => s.signal_type === 'UPSTREAM_BROKEN' && s.status === 'OPEN');
}

describe('a void and reissue of an earlier invoice is not an invoice day of the link', () => {
  it('opens UPSTREAM_BROKEN for a supplier on an 8-day beat whose clerk voided and reissued three invoices', () => {
    const opened = upstreamBreaks(beatWithReissues((fen) => fen));
    expect(opened).toHaveLength(1);
    expect(opened[0]!.partner_tax_id).toBe(SUPPLIER.taxId);
    expect(opened[0]!.enterprise_tax_id).toBe(FIRM.taxId);
  });

  it('still counts an extra sale of another amount on the day of a void as an invoice day (no beat, no break)', () => {
    expect(upstreamBreaks(beatWithReissues((fen) => fen + 123_400))).toEqual([]);
  });
});

describe('withoutReissuedTouches', () => {
  const touch = (direction: 'UPSTREAM' | 'DOWNSTREAM', grossFen: number): OpenDayLink => ({
    direction,
    partnerTaxId: SUPPLIER.taxId,
    partner: { name: SUPPLIER.name, districtCode: SUPPLIER.districtCode, asOfMs: 0, legRank: 0 },
    grossFen,
  });
  const issuedOn = new Map([['earlier', 10], ['today', 12]]);
  const lookup = (no: string): number | undefined => issuedOn.get(no);

  it('drops a touch whose fen is a same-side correction of an invoice from an earlier day', () => {
    const touched = new Map([['UPSTREAM|s', touch('UPSTREAM', 700)], ['DOWNSTREAM|b', touch('DOWNSTREAM', 700)]]);
    const kept = withoutReissuedTouches(touched, [{ role: 'BUYER', originalInvoiceNo: 'earlier', amountFen: -700 }], 12, lookup);
    expect([...kept.keys()]).toEqual(['DOWNSTREAM|b']);
  });

  it('keeps a touch when the corrected invoice was issued the same day or is unknown', () => {
    const touched = new Map([['UPSTREAM|s', touch('UPSTREAM', 700)]]);
    const sameDay = [{ role: 'BUYER' as const, originalInvoiceNo: 'today', amountFen: -700 }];
    const unknown = [{ role: 'BUYER' as const, originalInvoiceNo: 'never-seen', amountFen: -700 }];
    expect(withoutReissuedTouches(touched, sameDay, 12, lookup)).toBe(touched);
    expect(withoutReissuedTouches(touched, unknown, 12, lookup)).toBe(touched);
  });
});
