import type { District } from '../domain/district.ts';
import { invoiceTopic } from '../domain/district.ts';
import type { InvoiceEvent } from '../domain/invoiceEvent.ts';
import type { RecordProducer } from '../kafka/recordProducer.ts';
import type { OutgoingRecord } from '../kafka/record.ts';
import type { ValueCodec } from '../kafka/valueCodec.ts';
import type { LagGate } from '../kafka/lagGate.ts';

export interface ScenarioStreamOptions {
  /** Events of all feeds merged in arrival order. */
  arrivals: Iterable<{ feed: District; event: InvoiceEvent }>;
  producer: RecordProducer;
  codecs: Record<District, ValueCodec<InvoiceEvent>>;
  /** Offered load, events per second across all feeds; Infinity = as fast as backpressure allows. */
  eventsPerSecond: number;
  /** Awaited before each produce request: backpressure on every consumer group downstream. */
  lagGates?: readonly LagGate[];
  signal?: AbortSignal;
  onProgress?: (produced: number, last: InvoiceEvent) => void;
}

/**
 * Plays a scenario into the district topics as a live system would see it:
 * arrival order kept, paced to a fixed rate, held back by consumer lag.
 * Returns the number of events produced.
 */
export async function streamScenario(opts: ScenarioStreamOptions): Promise<number> {
  const chunk = Number.isFinite(opts.eventsPerSecond) ? Math.max(1, Math.round(opts.eventsPerSecond / 10)) : 2000;
  const started = Date.now();
  let produced = 0;
  let batch: OutgoingRecord[] = [];
  let last: InvoiceEvent | null = null;
  const flush = async () => {
    for (const gate of opts.lagGates ?? []) await gate.waitForRoom();
    await opts.producer.send(batch);
    produced += batch.length;
    batch = [];
    if (last) opts.onProgress?.(produced, last);
    if (Number.isFinite(opts.eventsPerSecond)) {
      const wait = started + (produced / opts.eventsPerSecond) * 1000 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  };
  for (const { feed, event } of opts.arrivals) {
    if (opts.signal?.aborted) break;
    batch.push({ topic: invoiceTopic(feed), key: event.invoice_no, value: opts.codecs[feed].encode(event) });
    last = event;
    if (batch.length >= chunk) await flush();
  }
  if (batch.length > 0 && !opts.signal?.aborted) await flush();
  return produced;
}
