import type { WorkingCalendar } from '../src/calendar/workingCalendar.ts';
import { isoToDay } from '../src/calendar/workingCalendar.ts';
import { invoiceTopic, type District } from '../src/domain/district.ts';
import type { InvoiceEvent } from '../src/domain/invoiceEvent.ts';
import { parseIssuedAt } from '../src/domain/issuedAt.ts';
import type { ValueCodec } from '../src/kafka/valueCodec.ts';
import { createScenario } from '../src/simulate/simulateScenario.ts';
import { createSpoolWriter, type ScenarioSpool } from './scenarioSpool.ts';

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
  /** All arrivals in arrival order, encoded (Avro, Confluent wire format), on disk: 10M records do not fit a heap. */
  spool: ScenarioSpool;
  /** The first `sampleSize` decoded events with their feed: the input of the in-process stage benchmarks. */
  sample: Array<{ feed: District; event: InvoiceEvent }>;
  /** The encoded values of `sample`, same order (the decode stage's input). */
  sampleAvro: Buffer[];
  /** Wall time of the whole generation, planning included. */
  generateSeconds: number;
  /** Of which planning the firms, network, disruptions and ground truth, before the first event. */
  planSeconds: number;
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
  /** File the encoded arrivals are written to (created or truncated); the caller deletes it. */
  spoolPath: string;
  /** Called once the scenario is planned, before the first event is generated. */
  onPlanned?: (seconds: number) => void;
  /** Called about every 10 s of a long generation, with the seconds since planning ended. */
  onProgress?: (events: number, seconds: number) => void;
}

const PROGRESS_EVERY_MS = 10_000;

/**
 * Generates a simulator scenario (three district feeds, duplicates, late
 * events, voids, red-letter corrections, planned disruptions) and encodes
 * every arrival as the producer would, streaming them to a spool file.
 */
export function buildBenchScenario(opts: BenchScenarioOptions): BenchScenario {
  const started = performance.now();
  const scenario = createScenario({ seed: opts.seed, firms: opts.firms, from: isoToDay(opts.from), to: isoToDay(opts.to), calendar: opts.calendar });
  const planned = performance.now();
  opts.onPlanned?.((planned - started) / 1000);
  const writer = createSpoolWriter(opts.spoolPath);
  const sample: BenchScenario['sample'] = [];
  const sampleAvro: Buffer[] = [];
  let events = 0;
  let lastProgress = planned;
  for (const { feed, event } of scenario.arrivals()) {
    if (events >= opts.maxEvents) break;
    const issued = parseIssuedAt(event.issued_at);
    if (issued.kind === 'error') throw new RangeError(`simulator produced an invalid issued_at: ${event.issued_at}`);
    const value = opts.codecs[feed].encode(event);
    writer.append({ feed, topic: invoiceTopic(feed), key: event.invoice_no, value, eventMs: issued.epochMs });
    events++;
    if (sample.length < opts.sampleSize) {
      sample.push({ feed, event });
      sampleAvro.push(value);
    }
    if ((events & 0xfff) === 0 && opts.onProgress && performance.now() - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = performance.now();
      opts.onProgress(events, (lastProgress - planned) / 1000);
    }
  }
  const spool = writer.finish();
  return { firms: opts.firms, from: opts.from, to: opts.to, spool, sample, sampleAvro, generateSeconds: (performance.now() - started) / 1000, planSeconds: (planned - started) / 1000 };
}
