import type { District } from './district.ts';

/** DESIGN.md section 3: the input contract, one JSON object per line / one Avro record. */
export const EVENT_TYPES = ['ISSUED', 'VOIDED', 'RED_LETTER'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const INVOICE_KINDS = ['VAT_SPECIAL', 'VAT_GENERAL', 'DIGITAL_SPECIAL', 'DIGITAL_GENERAL'] as const;
export type InvoiceKind = (typeof INVOICE_KINDS)[number];

export interface Party {
  tax_id: string;
  name: string;
  /** Admin division code where the firm files now (may differ from USCC positions 3–8 after migration). */
  district_code: string;
}

export interface InvoiceLine {
  /** 19-digit tax classification code (商品和服务税收分类编码). */
  tax_code: string;
  /** `*类别简称*品名` */
  item_name: string;
  /** Decimal string; negative on red-letter invoices. */
  quantity: string;
  unit: string;
  /** Integer fen; negative on red-letter invoices. */
  amount_fen: number;
  /** Basis points: 1300 = 13 %. */
  tax_rate_bp: number;
  tax_fen: number;
}

export interface InvoiceEvent {
  event_id: string;
  event_type: EventType;
  invoice_no: string;
  original_invoice_no: string | null;
  invoice_kind: InvoiceKind;
  /** ISO-8601 with an explicit zone, e.g. 2020-02-11T09:30:00+08:00. */
  issued_at: string;
  /** The feed that carried the event. */
  district: District;
  seller: Party;
  buyer: Party;
  lines: InvoiceLine[];
  total_amount_fen: number;
  total_tax_fen: number;
  /** Added in schema v2 (BACKWARD compatible); absent in v1 records. */
  source_system?: string | null;
}
