import type { District } from '../src/domain/district.ts';
import type { InvoiceEvent } from '../src/domain/invoiceEvent.ts';
import type { InvoiceLeg } from '../src/domain/invoiceLeg.ts';
import { parseIssuedAt } from '../src/domain/issuedAt.ts';
import { invoiceLegs } from '../pipelines/ingest/invoiceLegs.ts';
import { validateInvoice } from '../pipelines/ingest/validateInvoice.ts';

/**
 * The legs ingest would emit for a sample of events, in arrival order
 * (invalid events dropped as the DLQ would; duplicates kept, as at-least-once
 * delivery keeps them). All legs go to one detector partition.
 */
export function legsOf(sample: ReadonlyArray<{ feed: District; event: InvoiceEvent }>, now: number): InvoiceLeg[] {
  const legs: InvoiceLeg[] = [];
  for (const { feed, event } of sample) {
    if (validateInvoice(event, { now, topicDistrict: feed }).kind !== 'valid') continue;
    const issued = parseIssuedAt(event.issued_at);
    if (issued.kind === 'error') continue;
    legs.push(...invoiceLegs(event, issued.epochMs, 0));
  }
  return legs;
}
