import type { InvoiceEvent } from '../../src/domain/invoiceEvent.ts';
import type { InvoiceLeg, LegGoods, LegRole } from '../../src/domain/invoiceLeg.ts';

/**
 * One leg per party of a valid event, with amounts netted so that summing an
 * enterprise's legs gives its real flow in any arrival order: a VOIDED event
 * repeats the voided invoice with positive amounts, so its leg is negated.
 */
export function invoiceLegs(event: InvoiceEvent, issuedAtMs: number, sourcePartition = -1): [InvoiceLeg, InvoiceLeg] {
  const sign = event.event_type === 'VOIDED' ? -1 : 1;
  const goodsByCode = new Map<string, number>();
  for (const l of event.lines) goodsByCode.set(l.tax_code, (goodsByCode.get(l.tax_code) ?? 0) + sign * l.amount_fen);
  const goods: LegGoods[] = [...goodsByCode].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([tax_code, amount_fen]) => ({ tax_code, amount_fen }));
  const leg = (role: LegRole): InvoiceLeg => {
    const [self, partner] = role === 'SELLER' ? [event.seller, event.buyer] : [event.buyer, event.seller];
    return {
      leg_id: `${event.event_id}:${role}`,
      event_id: event.event_id,
      event_type: event.event_type,
      invoice_no: event.invoice_no,
      original_invoice_no: event.original_invoice_no,
      role,
      enterprise_tax_id: self.tax_id,
      enterprise_name: self.name,
      enterprise_district_code: self.district_code,
      partner_tax_id: partner.tax_id,
      partner_name: partner.name,
      partner_district_code: partner.district_code,
      feed_district: event.district,
      source_partition: sourcePartition,
      issued_at_ms: issuedAtMs,
      amount_fen: sign * event.total_amount_fen,
      tax_fen: sign * event.total_tax_fen,
      goods,
    };
  };
  return [leg('SELLER'), leg('BUYER')];
}
