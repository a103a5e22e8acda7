import type { InvoiceEvent } from '../../src/domain/invoiceEvent.ts';
import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';
import { PoisonRecordError } from '../../src/runtime/errors.ts';
import type { ConsumedRecord, OutgoingRecord } from '../../src/kafka/record.ts';
import { deadLetter } from '../../src/kafka/deadLetter.ts';
import type { ValueCodec } from '../../src/kafka/valueCodec.ts';
import { TOPICS } from '../../src/kafka/topics.ts';
import { encodeColumns, isoInstant, type EncodedRows } from '../../sinks/clickhouse/insertRows.ts';
import { validateInvoice } from './validateInvoice.ts';
import { invoiceLegs } from './invoiceLegs.ts';
import { INVOICE_COLUMNS, INVOICE_LINE_COLUMNS, invoiceLineRows, invoiceRow, type InvoiceLineRow, type InvoiceRow } from './invoiceRows.ts';

/**
 * What one batch of invoice records turns into; written by the pipeline before
 * offsets commit. Encoded already: the output waits for a group write while
 * later batches are handled, and bytes held that long cost the young-generation
 * GC nothing, where row and leg objects (with the decoded event's strings they
 * point to) would be copied by every scavenge until the write.
 */
export interface IngestOutput {
  /** Rows of `yunlian.invoices`, JSON lines. */
  invoiceRows: EncodedRows;
  /** Rows of `yunlian.invoice_lines`, JSON lines. */
  lineRows: EncodedRows;
  /** Two records per valid event for `yunlian.invoice-legs` (Avro values, keyed by enterprise tax ID), in record order. */
  legs: OutgoingRecord[];
  deadLetters: OutgoingRecord[];
  /** DLQ count per reason, for metrics. */
  rejected: Map<string, number>;
  duplicatesInBatch: number;
}

export interface IngestBatchContext {
  codec: ValueCodec<InvoiceEvent>;
  legCodec: ValueCodec<InvoiceLeg>;
  now: number;
}

/**
 * Decodes and validates each record on its own (one bad invoice never stops
 * the other 9,999): infrastructure errors (registry down) propagate so the
 * whole batch is retried; poison records become dead letters.
 */
export async function ingestBatch(records: readonly ConsumedRecord[], ctx: IngestBatchContext): Promise<IngestOutput> {
  const invoiceRows: InvoiceRow[] = [];
  const lineRows: InvoiceLineRow[] = [];
  const legs: OutgoingRecord[] = [];
  const deadLetters: OutgoingRecord[] = [];
  const rejected = new Map<string, number>();
  let duplicatesInBatch = 0;
  const seen = new Set<string>();
  const ingestedAt = isoInstant(ctx.now);
  const reject = (record: ConsumedRecord, reason: string, detail: string) => {
    deadLetters.push(deadLetter(record, reason, detail));
    rejected.set(reason, (rejected.get(reason) ?? 0) + 1);
  };
  for (const record of records) {
    if (record.value === null || record.value.length === 0) {
      reject(record, 'EMPTY_VALUE', 'record has no value');
      continue;
    }
    let event: InvoiceEvent;
    try {
      event = ctx.codec.decodeNow?.(record.value) ?? (await ctx.codec.decode(record.value));
    } catch (error) {
      if (error instanceof PoisonRecordError) {
        reject(record, error.code, error.message);
        continue;
      }
      throw error;
    }
    const topicDistrict = record.topic.startsWith('yunlian.invoices.') ? record.topic.slice('yunlian.invoices.'.length) : undefined;
    const verdict = validateInvoice(event, { now: ctx.now, topicDistrict });
    if (verdict.kind === 'invalid') {
      reject(record, verdict.reason, verdict.detail);
      continue;
    }
    if (seen.has(event.event_id)) {
      duplicatesInBatch++;
      continue;
    }
    // Encoded before any row is kept, so a leg the schema refuses dead-letters its invoice whole.
    let seller: Buffer;
    let buyer: Buffer;
    const [sellerLeg, buyerLeg] = invoiceLegs(event, verdict.issuedAtMs, record.partition);
    try {
      seller = ctx.legCodec.encode(sellerLeg);
      buyer = ctx.legCodec.encode(buyerLeg);
    } catch (error) {
      if (error instanceof PoisonRecordError) {
        reject(record, error.code, error.message);
        continue;
      }
      throw error;
    }
    seen.add(event.event_id);
    legs.push({ topic: TOPICS.invoiceLegs, key: sellerLeg.enterprise_tax_id, value: seller }, { topic: TOPICS.invoiceLegs, key: buyerLeg.enterprise_tax_id, value: buyer });
    const issuedAt = isoInstant(verdict.issuedAtMs);
    invoiceRows.push(invoiceRow(event, issuedAt, record, ingestedAt));
    for (const row of invoiceLineRows(event, issuedAt)) lineRows.push(row);
  }
  return { invoiceRows: encodeColumns(INVOICE_COLUMNS, invoiceRows), lineRows: encodeColumns(INVOICE_LINE_COLUMNS, lineRows), legs, deadLetters, rejected, duplicatesInBatch };
}
