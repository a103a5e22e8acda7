import type { InvoiceEvent } from '../../src/domain/invoiceEvent.ts';
import { tableColumns } from '../../sinks/clickhouse/insertRows.ts';

/** Where a record came from, kept on the row for lineage and replay checks. */
export interface SourcePosition {
  topic: string;
  partition: number;
  offset: string;
}

/** Row of `yunlian.invoices`. */
export type InvoiceRow = {
  event_id: string;
  event_type: InvoiceEvent['event_type'];
  invoice_no: string;
  original_invoice_no: string | null;
  invoice_kind: InvoiceEvent['invoice_kind'];
  issued_at: string;
  district: InvoiceEvent['district'];
  seller_tax_id: string;
  seller_name: string;
  seller_district_code: string;
  buyer_tax_id: string;
  buyer_name: string;
  buyer_district_code: string;
  line_count: number;
  total_amount_fen: number;
  total_tax_fen: number;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  ingested_at: string;
};

export const INVOICE_COLUMNS = tableColumns<InvoiceRow>({
  event_id: true,
  event_type: true,
  invoice_no: true,
  original_invoice_no: true,
  invoice_kind: true,
  issued_at: true,
  district: true,
  seller_tax_id: true,
  seller_name: true,
  seller_district_code: true,
  buyer_tax_id: true,
  buyer_name: true,
  buyer_district_code: true,
  line_count: true,
  total_amount_fen: true,
  total_tax_fen: true,
  source_topic: true,
  source_partition: true,
  source_offset: true,
  ingested_at: true,
});

/**
 * `issuedAt` and `ingestedAt` are the instants as ClickHouse reads them (isoInstant): formatted once by the
 * caller, as an invoice's row and its line rows share the one and a batch's rows the other.
 */
export function invoiceRow(event: InvoiceEvent, issuedAt: string, source: SourcePosition, ingestedAt: string): InvoiceRow {
  return {
    event_id: event.event_id,
    event_type: event.event_type,
    invoice_no: event.invoice_no,
    original_invoice_no: event.original_invoice_no,
    invoice_kind: event.invoice_kind,
    issued_at: issuedAt,
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
    ingested_at: ingestedAt,
  };
}

/** Row of `yunlian.invoice_lines`. */
export type InvoiceLineRow = {
  event_id: string;
  line_no: number;
  invoice_no: string;
  event_type: InvoiceEvent['event_type'];
  issued_at: string;
  district: InvoiceEvent['district'];
  seller_tax_id: string;
  buyer_tax_id: string;
  tax_code: string;
  item_name: string;
  quantity: InvoiceEvent['lines'][number]['quantity'];
  unit: InvoiceEvent['lines'][number]['unit'];
  amount_fen: number;
  tax_rate_bp: number;
  tax_fen: number;
};

export const INVOICE_LINE_COLUMNS = tableColumns<InvoiceLineRow>({
  event_id: true,
  line_no: true,
  invoice_no: true,
  event_type: true,
  issued_at: true,
  district: true,
  seller_tax_id: true,
  buyer_tax_id: true,
  tax_code: true,
  item_name: true,
  quantity: true,
  unit: true,
  amount_fen: true,
  tax_rate_bp: true,
  tax_fen: true,
});

/** Rows of `yunlian.invoice_lines`; `issuedAt` as for invoiceRow. */
export function invoiceLineRows(event: InvoiceEvent, issuedAt: string): InvoiceLineRow[] {
  return event.lines.map((l, line_no) => ({
    event_id: event.event_id,
    line_no,
    invoice_no: event.invoice_no,
    event_type: event.event_type,
    issued_at: issuedAt,
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
