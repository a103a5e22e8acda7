import type { District } from '../src/domain/district.ts';
import type { InvoiceEvent } from '../src/domain/invoiceEvent.ts';
import { validateInvoice } from '../pipelines/ingest/validateInvoice.ts';
import { invoiceLegs } from '../pipelines/ingest/invoiceLegs.ts';
import { invoiceLineRows, invoiceRow } from '../pipelines/ingest/invoiceRows.ts';
import { parseIssuedAt } from '../src/domain/issuedAt.ts';
import { isoInstant } from '../sinks/clickhouse/insertRows.ts';
import { ratePerSecond, type BenchFigure } from './benchFigure.ts';

/**
 * The ingest rules (validateInvoice) and the row/leg building that follows
 * them, per event. There is no naive variant: a naive pipeline applies the
 * same rules, so the baseline column is empty rather than invented.
 */
export function validateStage(sample: ReadonlyArray<{ feed: District; event: InvoiceEvent }>, now: number): BenchFigure[] {
  let t = performance.now();
  let valid = 0;
  for (const { feed, event } of sample) if (validateInvoice(event, { now, topicDistrict: feed }).kind === 'valid') valid++;
  const validateSeconds = (performance.now() - t) / 1000;

  t = performance.now();
  let rows = 0;
  const source = { topic: 'bench', partition: 0, offset: '0' };
  // Once, as ingest formats its batch's ingested_at once.
  const ingestedAt = isoInstant(now);
  for (const { event } of sample) {
    const issued = parseIssuedAt(event.issued_at);
    if (issued.kind === 'error') continue;
    const issuedAt = isoInstant(issued.epochMs);
    invoiceRow(event, issuedAt, source, ingestedAt);
    rows += invoiceLineRows(event, issuedAt).length + invoiceLegs(event, issued.epochMs, 0).length;
  }
  const transformSeconds = (performance.now() - t) / 1000;
  return [
    {
      id: 'stage.validate',
      label: 'validate (events/s)',
      unit: 'events/s',
      yunlian: ratePerSecond(sample.length, validateSeconds),
      naive: null,
      advantage: null,
      input: { events: sample.length, valid },
      extrapolated: { yunlian: false, naive: false },
      notes: 'validateInvoice per event (USCC check digits, totals, line tax in BigInt, references). No naive variant: same rules either way.',
    },
    {
      id: 'stage.transform',
      label: 'rows+legs build (events/s)',
      unit: 'events/s',
      yunlian: ratePerSecond(sample.length, transformSeconds),
      naive: null,
      advantage: null,
      input: { events: sample.length, rows_and_legs: rows },
      extrapolated: { yunlian: false, naive: false },
      notes: 'invoiceRow + invoiceLineRows + invoiceLegs per event (what ingest does after validation).',
    },
  ];
}
