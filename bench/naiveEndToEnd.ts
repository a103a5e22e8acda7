import type { ClickHouseClient } from '@clickhouse/client';
import type { WorkingCalendar } from '../src/calendar/workingCalendar.ts';
import type { District } from '../src/domain/district.ts';
import type { InvoiceEvent } from '../src/domain/invoiceEvent.ts';
import { parseIssuedAt } from '../src/domain/issuedAt.ts';
import type { EmbeddedSystem } from '../src/embedded/embeddedSystem.ts';
import { ensureTopics } from '../src/kafka/ensureTopics.ts';
import { insertRows, isoInstant } from '../sinks/clickhouse/insertRows.ts';
import { validateInvoice } from '../pipelines/ingest/validateInvoice.ts';
import { invoiceLegs } from '../pipelines/ingest/invoiceLegs.ts';
import { invoiceRow } from '../pipelines/ingest/invoiceRows.ts';
import { DEFAULT_DETECTOR_CONFIG } from '../pipelines/detect/detectorConfig.ts';
import { NaiveDetector, type NaiveSignal } from './naiveDetector.ts';

const TOPIC = 'bench.naive-invoices';
const INVOICES = 'yunlian_bench.naive_e2e_invoices';
const SIGNALS = 'yunlian_bench.naive_e2e_signals';

export interface NaiveEndToEndResult {
  events: number;
  seconds: number;
  signals: number;
}

async function prepareTables(clickhouse: ClickHouseClient): Promise<void> {
  await clickhouse.command({ query: 'CREATE DATABASE IF NOT EXISTS yunlian_bench' });
  await clickhouse.command({ query: `DROP TABLE IF EXISTS ${INVOICES}` });
  await clickhouse.command({ query: `CREATE TABLE ${INVOICES} AS yunlian.invoices` });
  await clickhouse.command({ query: `DROP TABLE IF EXISTS ${SIGNALS}` });
  await clickhouse.command({ query: `CREATE TABLE ${SIGNALS} (enterprise_tax_id String, signal_type String, status String, ordinal Int32) ENGINE = MergeTree ORDER BY tuple()` });
}

/**
 * The naive pipeline end to end on the same embedded Kafka and chDB: JSON
 * invoices on one topic, an eachMessage consumer that per message parses
 * JSON, validates, INSERTs the invoice row, updates NaiveDetector with both
 * legs in-process (no legs topic: cheaper than yunlian's repartition) and
 * INSERTs any signal. Run on `events.length` events; the rate extrapolates.
 */
export async function naiveEndToEnd(system: EmbeddedSystem, events: ReadonlyArray<{ feed: District; event: InvoiceEvent }>, calendar: WorkingCalendar): Promise<NaiveEndToEndResult> {
  const { kafka, producer, clickhouse } = system.services;
  await prepareTables(clickhouse);
  await ensureTopics(kafka, [TOPIC]);
  const detector = new NaiveDetector(calendar, DEFAULT_DETECTOR_CONFIG);
  const consumer = kafka.consumer({ groupId: `bench-naive-${Date.now()}`, maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
  let processed = 0;
  let signals = 0;
  let finish: () => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const now = Date.now();
  await consumer.run({
    eachMessage: async ({ message }) => {
      try {
        const event = JSON.parse(message.value?.toString('utf8') ?? 'null') as InvoiceEvent;
        const issued = parseIssuedAt(event.issued_at);
        if (validateInvoice(event, { now }).kind === 'valid' && issued.kind === 'ok') {
          await insertRows(clickhouse, { table: INVOICES, rows: [invoiceRow(event, isoInstant(issued.epochMs), { topic: TOPIC, partition: 0, offset: message.offset }, isoInstant(now))] });
          const out: NaiveSignal[] = [];
          for (const leg of invoiceLegs(event, issued.epochMs, 0)) detector.apply(leg, out);
          if (out.length > 0) {
            await insertRows(clickhouse, { table: SIGNALS, rows: out.map((s) => ({ enterprise_tax_id: s.enterpriseTaxId, signal_type: s.type, status: s.status, ordinal: s.ordinal })) });
            signals += out.length;
          }
        }
        if (++processed === events.length) finish();
      } catch (error) {
        fail(error);
      }
    },
  });
  const started = Date.now();
  try {
    await producer.send(events.map(({ event }) => ({ topic: TOPIC, key: event.invoice_no, value: Buffer.from(JSON.stringify(event)) })));
    await done;
    return { events: events.length, seconds: (Date.now() - started) / 1000, signals };
  } finally {
    await consumer.disconnect();
  }
}
