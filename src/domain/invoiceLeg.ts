import type { District } from './district.ts';
import type { EventType } from './invoiceEvent.ts';

export type LegRole = 'SELLER' | 'BUYER';

/** A goods flow on one invoice line, reduced to what detection and matching need. */
export interface LegGoods {
  tax_code: string;
  /** Signed, netted fen (see InvoiceLeg.amount_fen). */
  amount_fen: number;
}

/**
 * One party's view of one invoice event, keyed by that party's tax ID on
 * `yunlian.invoice-legs` so all of an enterprise's flows meet in one partition.
 *
 * amount_fen is already netted: ISSUED is the invoice total, RED_LETTER its
 * (negative) total, VOIDED the negated total of the voided invoice. Summing legs
 * by enterprise gives the real flow whatever order they arrive in.
 */
export interface InvoiceLeg {
  /** `${event_id}:${role}` — unique, stable across redelivery. */
  leg_id: string;
  event_id: string;
  event_type: EventType;
  invoice_no: string;
  original_invoice_no: string | null;
  role: LegRole;
  enterprise_tax_id: string;
  enterprise_name: string;
  enterprise_district_code: string;
  partner_tax_id: string;
  partner_name: string;
  partner_district_code: string;
  /** The district feed the event arrived on. */
  feed_district: District;
  /**
   * Partition of the feed topic the event was read from (-1 when unknown).
   * Detect keeps one event-time watermark per (feed, partition): each is in
   * rough event-time order, while the legs topic mixes them in whatever order
   * ingest happened to process them.
   */
  source_partition?: number;
  /** Event time, epoch milliseconds. */
  issued_at_ms: number;
  amount_fen: number;
  tax_fen: number;
  goods: LegGoods[];
}

/**
 * The fields of a leg that detect reads, which it decodes with a reader schema that leaves the others out
 * (schemas/InvoiceLeg.detect.avsc): building them was a seventh of decoding a leg.
 */
export type DetectLeg = Omit<InvoiceLeg, 'event_id' | 'tax_fen' | 'goods'>;
