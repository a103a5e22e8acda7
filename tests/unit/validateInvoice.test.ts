import { describe, expect, it } from 'vitest';
import { expectedLineTax, validateInvoice, type InvalidReason } from '../../pipelines/ingest/validateInvoice.ts';
import type { InvoiceEvent } from '../../src/domain/invoiceEvent.ts';
import { issuedInvoice, line } from '../helpers/invoiceFixtures.ts';

const ctx = { now: Date.parse('2026-01-01T00:00:00Z') };

function reasonOf(event: InvoiceEvent, extra: Partial<typeof ctx & { topicDistrict: string }> = {}): InvalidReason | 'valid' {
  const v = validateInvoice(event, { ...ctx, ...extra });
  return v.kind === 'valid' ? 'valid' : v.reason;
}

function redLetter(of: InvoiceEvent): InvoiceEvent {
  const lines = [line(-50_000)];
  return { ...of, event_id: `${of.event_id}-red`, event_type: 'RED_LETTER', invoice_no: String(BigInt(of.invoice_no) + 7n), original_invoice_no: of.invoice_no, lines, total_amount_fen: -50_000, total_tax_fen: lines[0]!.tax_fen };
}

describe('invoice validation (DESIGN.md section 3)', () => {
  it('accepts a well-formed invoice, its void and a red-letter correction', () => {
    const inv = issuedInvoice({ amounts: [100_000, 23_456] });
    expect(reasonOf(inv)).toBe('valid');
    expect(reasonOf({ ...inv, event_id: 'v1', event_type: 'VOIDED', original_invoice_no: inv.invoice_no })).toBe('valid');
    expect(reasonOf(redLetter(inv))).toBe('valid');
  });

  it('hands back the parsed issued_at of a valid invoice, so ingest does not parse it twice', () => {
    const inv = { ...issuedInvoice(), issued_at: '2020-02-11T09:30:00.250+08:00' };
    expect(validateInvoice(inv, ctx)).toEqual({ kind: 'valid', issuedAtMs: Date.parse('2020-02-11T01:30:00.250Z') });
  });

  it('rounds line tax half away from zero, exactly, also for negative and huge amounts', () => {
    expect(expectedLineTax(123_400, 1300)).toBe(16_042);
    expect(expectedLineTax(50, 1300)).toBe(7); // 6.5 → 7
    expect(expectedLineTax(-50, 1300)).toBe(-7);
    expect(expectedLineTax(9_000_000_000_000_001, 1300)).toBe(1_170_000_000_000_000);
  });

  it('accepts line tax within ±1 fen and rejects 2 fen off', () => {
    const inv = issuedInvoice();
    const l = inv.lines[0]!;
    const off = (d: number) => ({ ...inv, lines: [{ ...l, tax_fen: l.tax_fen + d }], total_tax_fen: l.tax_fen + d });
    expect(reasonOf(off(1))).toBe('valid');
    expect(reasonOf(off(-1))).toBe('valid');
    expect(reasonOf(off(2))).toBe('LINE_TAX_MISMATCH');
  });

  it('rejects totals that are not the sum of the lines', () => {
    const inv = issuedInvoice({ amounts: [100, 200] });
    expect(reasonOf({ ...inv, total_amount_fen: 301 })).toBe('TOTAL_AMOUNT_MISMATCH');
    expect(reasonOf({ ...inv, total_tax_fen: inv.total_tax_fen + 5 })).toBe('TOTAL_TAX_MISMATCH');
  });

  it('rejects an invalid seller or buyer USCC', () => {
    const inv = issuedInvoice();
    const flip = (id: string) => id.slice(0, 17) + (id[17] === '0' ? '1' : '0');
    expect(reasonOf({ ...inv, seller: { ...inv.seller, tax_id: flip(inv.seller.tax_id) } })).toBe('SELLER_USCC_INVALID');
    expect(reasonOf({ ...inv, buyer: { ...inv.buyer, tax_id: 'not-a-code' } })).toBe('BUYER_USCC_INVALID');
  });

  it('rejects unknown event types, kinds and districts', () => {
    const inv = issuedInvoice();
    expect(reasonOf({ ...inv, event_type: 'CANCELLED' as never })).toBe('UNKNOWN_EVENT_TYPE');
    expect(reasonOf({ ...inv, invoice_kind: 'PAPER' as never })).toBe('UNKNOWN_INVOICE_KIND');
    expect(reasonOf({ ...inv, district: 'pudong' as never })).toBe('UNKNOWN_DISTRICT');
  });

  it('requires timestamps with a zone and not in the future', () => {
    const inv = issuedInvoice();
    expect(reasonOf({ ...inv, issued_at: '2020-02-11T09:30:00' })).toBe('TIMESTAMP_INVALID');
    expect(reasonOf({ ...inv, issued_at: '11/02/2020 09:30' })).toBe('TIMESTAMP_INVALID');
    expect(reasonOf({ ...inv, issued_at: '2020-02-11T01:30:00Z' })).toBe('valid');
    expect(reasonOf({ ...inv, issued_at: '2027-02-11T09:30:00+08:00' })).toBe('TIMESTAMP_IN_FUTURE');
  });

  it('requires a red-letter invoice to reference another invoice, and a void to repeat its own number', () => {
    const inv = issuedInvoice();
    const red = redLetter(inv);
    expect(reasonOf({ ...red, original_invoice_no: null })).toBe('RED_LETTER_NO_REFERENCE');
    expect(reasonOf({ ...red, original_invoice_no: red.invoice_no })).toBe('RED_LETTER_NO_REFERENCE');
    expect(reasonOf({ ...inv, event_type: 'VOIDED', original_invoice_no: '12345678901234567890' })).toBe('VOID_REFERENCE_MISMATCH');
    expect(reasonOf({ ...inv, original_invoice_no: '12345678901234567890' })).toBe('REFERENCE_INVALID');
  });

  it('rejects negative amounts on issued invoices and positive ones on red-letter invoices', () => {
    const inv = issuedInvoice({ amounts: [-100] });
    expect(reasonOf(inv)).toBe('SIGN_MISMATCH');
    const red = redLetter(issuedInvoice());
    expect(reasonOf({ ...red, lines: [line(100)], total_amount_fen: 100, total_tax_fen: 13 })).toBe('SIGN_MISMATCH');
  });

  it('rejects an invoice on the wrong feed and one with no party in the zone', () => {
    const inv = issuedInvoice({ district: 'jiashan' });
    expect(reasonOf(inv, { topicDistrict: 'qingpu' })).toBe('FEED_MISMATCH');
    expect(reasonOf({ ...inv, district: 'wujiang' })).toBe('FEED_MISMATCH');
    const outside = { ...inv, seller: { ...inv.seller, district_code: '320500' }, buyer: { ...inv.buyer, district_code: '330400' } };
    expect(reasonOf(outside)).toBe('FEED_MISMATCH');
  });

  it('accepts a purchase from outside the zone on the buyer district feed', () => {
    const inv = issuedInvoice({ district: 'wujiang', buyerDistrict: 'wujiang' });
    const fromSuzhou = { ...inv, seller: { ...inv.seller, district_code: '320500' } };
    expect(reasonOf(fromSuzhou)).toBe('valid');
  });

  it('rejects malformed numbers, codes and oversized text', () => {
    const inv = issuedInvoice();
    const l = inv.lines[0]!;
    expect(reasonOf({ ...inv, invoice_no: '123' })).toBe('INVALID_INVOICE_NO');
    expect(reasonOf({ ...inv, lines: [{ ...l, tax_code: '9090101010000000000' }] })).toBe('INVALID_TAX_CODE');
    expect(reasonOf({ ...inv, lines: [{ ...l, quantity: '1e5' }] })).toBe('INVALID_QUANTITY');
    expect(reasonOf({ ...inv, lines: [{ ...l, amount_fen: 0.5 }] })).toBe('AMOUNT_NOT_INTEGER');
    expect(reasonOf({ ...inv, lines: [{ ...l, tax_rate_bp: 5000 }] })).toBe('INVALID_TAX_RATE');
    expect(reasonOf({ ...inv, lines: [{ ...l, item_name: 'x'.repeat(100_000) }] })).toBe('FIELD_TOO_LONG');
    expect(reasonOf({ ...inv, lines: [] })).toBe('NO_LINES');
    expect(reasonOf({ ...inv, buyer: inv.seller })).toBe('SELF_INVOICE');
    expect(reasonOf({ ...inv, event_id: '' })).toBe('INVALID_EVENT_ID');
    expect(reasonOf({ ...inv, seller: { ...inv.seller, name: '青浦\uFFFD公司' } })).toBe('INVALID_TEXT_ENCODING');
    expect(reasonOf({ ...inv, lines: [l, { ...l, unit: '\uFFFD' }] })).toBe('INVALID_TEXT_ENCODING');
  });
});
