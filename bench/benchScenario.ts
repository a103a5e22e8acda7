import type { WorkingCalendar } from '../src/calendar/workingCalendar.ts';
import { isoToDay } from '../src/calendar/workingCalendar.ts';
import { invoiceTopic, type District } from '../src/domain/district.ts';
import type { InvoiceEvent } from '../src/domain/invoiceEvent.ts';
import { parseIssuedAt } from '../src/domain/issuedAt.ts';
import type { ValueCodec } from '../src/kafka/valueCodec.ts';
import { createScenario } from '../src/simulate/simulateScenario.ts';

/** One scenario event ready to produce: encoded once, so producing costs the benchmark nothing but the send. */
export interface FeedRecord {
  feed: District;
  topic: string;
  key: string;
  value: Buffer;
  /** Event time (issued_at), epoch ms: the latency clock needs it per feed. */
  eventMs: number;
}

export interface BenchScenario {
  firms: number;
  from: string;
  to: string;
  /** All arrivals in arrival order, encoded (Avro, Confluent wire format). */
  records: FeedRecord[];
  /** The first `sampleSize` decoded events with their feed: the input of the in-process stage benchmarks. */
  sample: Array<{ feed: District; event: InvoiceEvent }>;
  generateSeconds: number;
}

export interface BenchScenarioOptions {
  seed: number;
  firms: number;
  from: string;
  to: string;
  calendar: WorkingCalendar;
  codecs: Record<District, ValueCodec<InvoiceEvent>>;
  /** Keep at most this many arrivals (the `--events` cap). */
  maxEvents: number;
  sampleSize: number;
}

/**
 * Generates a simulator scenario (three district feeds, duplicates, late
 * events, voids, red-letter corrections, planned disruptions) and encodes
 * every arrival as the producer would.
 */
export function buildBenchScenario(opts: BenchScenarioOptions): BenchScenario {
  const started = performance.now();
  const scenario = createScenario({ seed: opts.seed, firms: opts.firms, from: isoToDay(opts.from), to: isoToDay(opts.to), calendar: opts.calendar });
  const records: FeedRecord[] = [];
  const sample: BenchScenario['sample'] = [];
  for (const { feed, event } of scenario.arrivals()) {
    if (records.length >= opts.maxEvents) break;
    const issued = parseIssuedAt(event.issued_at);
    if (issued.kind === 'error') throw new RangeError(`simulator produced an invalid issued_at: ${event.issued_at}`);
    records.push({ feed, topic: invoiceTopic(feed), key: event.invoice_no, value: opts.codecs[feed].encode(event), eventMs: issued.epochMs });
    if (sample.length < opts.sampleSize) sample.push({ feed, event });
  }
  return { firms: opts.firms, from: opts.from, to: opts.to, records, sample, generateSeconds: (performance.now() - started) / 1000 };
}
