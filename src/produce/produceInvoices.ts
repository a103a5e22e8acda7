import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { District } from '../domain/district.ts';
import { invoiceTopic } from '../domain/district.ts';
import type { InvoiceEvent } from '../domain/invoiceEvent.ts';
import { parseInvoiceEvent } from '../domain/parseInvoiceEvent.ts';
import type { RecordProducer } from '../kafka/recordProducer.ts';
import type { OutgoingRecord } from '../kafka/record.ts';
import type { ValueCodec } from '../kafka/valueCodec.ts';
import type { LagGate } from '../kafka/lagGate.ts';
import { PoisonRecordError } from '../runtime/errors.ts';

/** A line of the input that was not published, and why. */
export interface SkippedLine {
  line: number;
  reason: 'LINE_TOO_LONG' | 'INVALID_UTF8' | 'INVALID_JSON' | 'INVALID_SHAPE' | 'DISTRICT_MISMATCH' | 'AVRO_ENCODE_FAILED';
  detail: string;
}

export interface ProduceProgress {
  lines: number;
  produced: number;
  skipped: number;
}

export interface ProduceReport extends ProduceProgress {
  skippedLines: SkippedLine[];
  seconds: number;
}

export interface ProduceOptions {
  producer: RecordProducer;
  codec: ValueCodec<InvoiceEvent>;
  district: District;
  lagGate?: LagGate;
  batchSize?: number;
  /** Lines longer than this are rejected with their line number (default 1 MiB). */
  maxLineBytes?: number;
  onProgress?: (p: ProduceProgress) => void;
  onSkipped?: (s: SkippedLine) => void;
}

/**
 * Publishes InvoiceEvent JSON lines to the district topic, keyed by
 * invoice_no. Malformed lines are reported with their number and skipped,
 * never silently dropped; the rest is published in batches, each waiting for
 * consumer lag to allow it (backpressure).
 */
export async function produceInvoiceLines(lines: AsyncIterable<string> | Iterable<string>, opts: ProduceOptions): Promise<ProduceReport> {
  const started = performance.now();
  const topic = invoiceTopic(opts.district);
  const batchSize = opts.batchSize ?? 1000;
  const maxLine = opts.maxLineBytes ?? 1024 * 1024;
  const report: ProduceReport = { lines: 0, produced: 0, skipped: 0, skippedLines: [], seconds: 0 };
  let pending: OutgoingRecord[] = [];
  const skip = (s: SkippedLine) => {
    report.skipped++;
    if (report.skippedLines.length < 10_000) report.skippedLines.push(s);
    opts.onSkipped?.(s);
  };
  const flush = async () => {
    if (pending.length === 0) return;
    await opts.lagGate?.waitForRoom();
    await opts.producer.send(pending);
    report.produced += pending.length;
    pending = [];
    opts.onProgress?.({ lines: report.lines, produced: report.produced, skipped: report.skipped });
  };
  for await (const raw of lines) {
    report.lines++;
    const n = report.lines;
    if (raw.trim() === '') {
      report.lines--;
      continue;
    }
    if (Buffer.byteLength(raw, 'utf8') > maxLine) {
      skip({ line: n, reason: 'LINE_TOO_LONG', detail: `line is longer than ${maxLine} bytes` });
      continue;
    }
    // readline decodes bytes that are not UTF-8 as U+FFFD: the line's text is already lost.
    if (raw.includes('\uFFFD')) {
      skip({ line: n, reason: 'INVALID_UTF8', detail: 'line is not valid UTF-8' });
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      skip({ line: n, reason: 'INVALID_JSON', detail: (error as Error).message });
      continue;
    }
    const parsed = parseInvoiceEvent(json);
    if (parsed.kind === 'error') {
      skip({ line: n, reason: 'INVALID_SHAPE', detail: parsed.detail });
      continue;
    }
    if (parsed.event.district !== opts.district) {
      skip({ line: n, reason: 'DISTRICT_MISMATCH', detail: `event is for the ${String(parsed.event.district).slice(0, 40)} feed, not ${opts.district}` });
      continue;
    }
    let value: Buffer;
    try {
      value = opts.codec.encode(parsed.event);
    } catch (error) {
      if (!(error instanceof PoisonRecordError)) throw error;
      skip({ line: n, reason: 'AVRO_ENCODE_FAILED', detail: error.message });
      continue;
    }
    pending.push({ topic, key: parsed.event.invoice_no, value });
    if (pending.length >= batchSize) await flush();
  }
  await flush();
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

/** The lines of a file, streamed. */
export function fileLines(file: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
}
