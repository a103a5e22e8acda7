import type { InvoiceEvent } from '../../src/domain/invoiceEvent.ts';
import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';
import { PoisonRecordError } from '../../src/runtime/errors.ts';
import type { ConsumedRecord, OutgoingRecord } from '../../src/kafka/record.ts';
import { deadLetter } from '../../src/kafka/deadLetter.ts';
import type { ValueCodec } from '../../src/kafka/valueCodec.ts';
import { validateInvoice } from './validateInvoice.ts';
import { invoiceLegs } from './invoiceLegs.ts';
import { invoiceLineRows, invoiceRow } from './invoiceRows.ts';

/** What one batch of invoice records turns into; written by the pipeline before offsets commit. */
export interface IngestOutput {
  invoiceRows: Record<string, unknown>[];
  lineRows: Record<string, unknown>[];
  legs: InvoiceLeg[];
  deadLetters: OutgoingRecord[];
  /** DLQ count per reason, for metrics. */
  rejected: Map<string, number>;
  duplicatesInBatch: number;
}

export interface IngestBatchContext {
  codec: ValueCodec<InvoiceEvent>;
  now: number;
}

/**
 * Decodes and validates each record on its own (one bad invoice never stops
 * the other 9,999): infrastructure errors (registry down) propagate so the
 * whole batch is retried; poison records become dead letters.
 */
export async function ingestBatch(records: readonly ConsumedRecord[], ctx: IngestBatchContext): Promise<IngestOutput> {
  const out: IngestOutput = { invoiceRows: [], lineRows: [], legs: [], deadLetters: [], rejected: new Map(), duplicatesInBatch: 0 };
  const seen = new Set<string>();
  const reject = (record: ConsumedRecord, reason: string, detail: string) => {
    out.deadLetters.push(deadLetter(record, reason, detail));
    out.rejected.set(reason, (out.rejected.get(reason) ?? 0) + 1);
  };
  for (const record of records) {
    if (record.value === null || record.value.length === 0) {
      reject(record, 'EMPTY_VALUE', 'record has no value');
      continue;
    }
    let event: InvoiceEvent;
    try {
      event = await ctx.codec.decode(record.value);
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
      out.duplicatesInBatch++;
      continue;
    }
    seen.add(event.event_id);
    out.invoiceRows.push(invoiceRow(event, verdict.issuedAtMs, record, ctx.now));
    out.lineRows.push(...invoiceLineRows(event, verdict.issuedAtMs));
    out.legs.push(...invoiceLegs(event, verdict.issuedAtMs, record.partition));
  }
  return out;
}
