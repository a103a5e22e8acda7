import type { InvoiceEvent } from '../../src/domain/invoiceEvent.ts';
import { isoInstant } from '../../sinks/clickhouse/insertRows.ts';

/** Where a record came from, kept on the row for lineage and replay checks. */
export interface SourcePosition {
  topic: string;
  partition: number;
  offset: string;
}

/** Row of `yunlian.invoices`. */
export function invoiceRow(event: InvoiceEvent, issuedAtMs: number, source: SourcePosition, ingestedAtMs: number): Record<string, unknown> {
  return {
    event_id: event.event_id,
    event_type: event.event_type,
    invoice_no: event.invoice_no,
    original_invoice_no: event.original_invoice_no,
    invoice_kind: event.invoice_kind,
    issued_at: isoInstant(issuedAtMs),
    district: event.district,
    seller_tax_id: event.seller.tax_id,
    seller_name: event.seller.name,
    seller_district_code: event.seller.district_code,
    buyer_tax_id: event.buyer.tax_id,
    buyer_name: event.buyer.name,
    buyer_district_code: event.buyer.district_code,
    line_count: event.lines.length,
    total_amount_fen: event.total_amount_fen,
    total_tax_fen: event.total_tax_fen,
    source_topic: source.topic,
    source_partition: source.partition,
    source_offset: source.offset,
    ingested_at: isoInstant(ingestedAtMs),
  };
}

/** Rows of `yunlian.invoice_lines`. */
export function invoiceLineRows(event: InvoiceEvent, issuedAtMs: number): Record<string, unknown>[] {
  const issued_at = isoInstant(issuedAtMs);
  return event.lines.map((l, line_no) => ({
    event_id: event.event_id,
    line_no,
    invoice_no: event.invoice_no,
    event_type: event.event_type,
    issued_at,
    district: event.district,
    seller_tax_id: event.seller.tax_id,
    buyer_tax_id: event.buyer.tax_id,
    tax_code: l.tax_code,
    item_name: l.item_name,
    quantity: l.quantity,
    unit: l.unit,
    amount_fen: l.amount_fen,
    tax_rate_bp: l.tax_rate_bp,
    tax_fen: l.tax_fen,
  }));
}
