import type { InvoiceEvent, InvoiceLine } from '../../src/domain/invoiceEvent.ts';
import type { District } from '../../src/domain/district.ts';
import { DISTRICT_CODES } from '../../src/domain/district.ts';
import { makeUscc } from '../../src/domain/uscc.ts';
import { expectedLineTax } from '../../pipelines/ingest/validateInvoice.ts';

/** A valid USCC for a firm numbered `n` registered in `divisionCode`. */
export function firmTaxId(divisionCode: string, n: number): string {
  return makeUscc(divisionCode, `MA${String(n).padStart(6, '0')}X`.slice(0, 9).replace(/[IOSVZ]/g, '0'));
}

export function line(amountFen: number, rateBp = 1300, taxCode = '1090101010000000000'): InvoiceLine {
  return { tax_code: taxCode, item_name: '*五金制品*拉链', quantity: String(Math.abs(amountFen) / 100), unit: '条', amount_fen: amountFen, tax_rate_bp: rateBp, tax_fen: expectedLineTax(amountFen, rateBp) };
}

let counter = 0;

/** A valid ISSUED invoice on `district`'s feed from one of its firms to a buyer in `buyerDistrict`. */
export function issuedInvoice(opts: { district?: District; seller?: number; buyer?: number; buyerDistrict?: District; amounts?: number[]; day?: string; n?: number } = {}): InvoiceEvent {
  const district = opts.district ?? 'qingpu';
  const buyerDistrict = opts.buyerDistrict ?? 'wujiang';
  const n = opts.n ?? ++counter;
  const lines = (opts.amounts ?? [123_400]).map((a) => line(a));
  return {
    event_id: `evt-${district}-${n}`,
    event_type: 'ISSUED',
    invoice_no: String(20_200_000_000_000_000_000n + BigInt(n) + BigInt(DISTRICT_CODES[district])),
    original_invoice_no: null,
    invoice_kind: 'DIGITAL_SPECIAL',
    issued_at: `${opts.day ?? '2020-02-11'}T09:30:00+08:00`,
    district,
    seller: { tax_id: firmTaxId(DISTRICT_CODES[district], opts.seller ?? 1), name: '青浦某五金有限公司', district_code: DISTRICT_CODES[district] },
    buyer: { tax_id: firmTaxId(DISTRICT_CODES[buyerDistrict], opts.buyer ?? 2), name: '吴江某纺织有限公司', district_code: DISTRICT_CODES[buyerDistrict] },
    lines,
    total_amount_fen: lines.reduce((s, l) => s + l.amount_fen, 0),
    total_tax_fen: lines.reduce((s, l) => s + l.tax_fen, 0),
  };
}
