import { describe, expect, it } from 'vitest';
import { invoiceLegs } from '../../pipelines/ingest/invoiceLegs.ts';
import { parseInvoiceEvent } from '../../src/domain/parseInvoiceEvent.ts';
import { issuedInvoice, line } from '../helpers/invoiceFixtures.ts';

describe('invoice legs', () => {
  it('emits one leg per party, keyed by that party, with stable ids', () => {
    const inv = issuedInvoice({ amounts: [1000, 2000] });
    const [seller, buyer] = invoiceLegs(inv, 1);
    expect(seller.role).toBe('SELLER');
    expect(seller.enterprise_tax_id).toBe(inv.seller.tax_id);
    expect(seller.partner_tax_id).toBe(inv.buyer.tax_id);
    expect(buyer.enterprise_tax_id).toBe(inv.buyer.tax_id);
    expect(buyer.partner_tax_id).toBe(inv.seller.tax_id);
    expect(seller.leg_id).toBe(`${inv.event_id}:SELLER`);
    expect(seller.amount_fen).toBe(3000);
    expect(seller.goods).toEqual([{ tax_code: inv.lines[0]!.tax_code, amount_fen: 3000 }]);
    expect(seller.feed_district).toBe(inv.district);
  });

  it('negates a void so that issue + void nets to zero in any order', () => {
    const inv = issuedInvoice({ amounts: [5000] });
    const voided = { ...inv, event_id: 'void-1', event_type: 'VOIDED' as const, original_invoice_no: inv.invoice_no };
    const total = [...invoiceLegs(voided, 2), ...invoiceLegs(inv, 1)].filter((l) => l.role === 'SELLER').reduce((s, l) => s + l.amount_fen, 0);
    expect(total).toBe(0);
  });

  it('keeps red-letter amounts negative and groups goods by tax code', () => {
    const inv = issuedInvoice();
    const lines = [line(-100, 1300, '1090101010000000000'), line(-200, 1300, '1090101010000000000'), line(-50, 1300, '3040201000000000000')];
    const red = { ...inv, event_type: 'RED_LETTER' as const, original_invoice_no: '1'.repeat(20), lines, total_amount_fen: -350, total_tax_fen: lines.reduce((s, l) => s + l.tax_fen, 0) };
    const [seller] = invoiceLegs(red, 1);
    expect(seller.amount_fen).toBe(-350);
    expect(seller.goods).toEqual([
      { tax_code: '1090101010000000000', amount_fen: -300 },
      { tax_code: '3040201000000000000', amount_fen: -50 },
    ]);
  });
});

describe('InvoiceEvent JSON shape', () => {
  it('accepts the contract example shape and numeric quantities', () => {
    const inv = issuedInvoice();
    const json = JSON.parse(JSON.stringify({ ...inv, lines: [{ ...inv.lines[0], quantity: 1000 }] }));
    const parsed = parseInvoiceEvent(json);
    expect(parsed.kind).toBe('ok');
    if (parsed.kind === 'ok') expect(parsed.event.lines[0]!.quantity).toBe('1000');
  });

  it('names the field that has the wrong type', () => {
    const inv = JSON.parse(JSON.stringify(issuedInvoice()));
    inv.lines[0].amount_fen = '123';
    expect(parseInvoiceEvent(inv)).toEqual({ kind: 'error', detail: 'lines[0].amount_fen must be an integer (fen / basis points)' });
    expect(parseInvoiceEvent({ ...inv, seller: null })).toEqual({ kind: 'error', detail: 'seller must be an object' });
    expect(parseInvoiceEvent([1, 2])).toEqual({ kind: 'error', detail: 'event must be an object' });
    expect(parseInvoiceEvent({ ...inv, total_amount_fen: 1.5 }).kind).toBe('error');
  });
});
