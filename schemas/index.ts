/**
 * The Avro value schemas of yunlian's topics and the Schema Registry subjects
 * they are registered under (DESIGN.md section 2: `<topic>-value`).
 *
 * The `.avsc` files are the source of truth; this module only reads them, so a
 * schema change is a reviewed diff of one JSON file.
 */
import { readFileSync } from 'node:fs';
import { DISTRICTS, invoiceTopic } from '../src/domain/district.ts';

export const SCHEMA_FILES = {
  InvoiceEvent: 'InvoiceEvent.avsc',
  /** BACKWARD-compatible v2: adds optional `source_system`. */
  InvoiceEventV2: 'InvoiceEvent.v2.avsc',
  InvoiceLeg: 'InvoiceLeg.avsc',
  /** A reader schema only, never registered: the fields of a leg detect reads. */
  InvoiceLegDetect: 'InvoiceLeg.detect.avsc',
  DisruptionSignal: 'DisruptionSignal.avsc',
  MatchList: 'MatchList.avsc',
} as const;
export type SchemaName = keyof typeof SCHEMA_FILES;

export const INVOICE_LEGS_TOPIC = 'yunlian.invoice-legs';
export const DISRUPTIONS_TOPIC = 'yunlian.disruptions';
export const MATCHES_TOPIC = 'yunlian.matches';

/** Which schema each topic's values are written with today. */
export const TOPIC_VALUE_SCHEMAS: Readonly<Record<string, SchemaName>> = Object.freeze({
  ...Object.fromEntries(DISTRICTS.map((d) => [invoiceTopic(d), 'InvoiceEvent' as const])),
  [INVOICE_LEGS_TOPIC]: 'InvoiceLeg',
  [DISRUPTIONS_TOPIC]: 'DisruptionSignal',
  [MATCHES_TOPIC]: 'MatchList',
});

/** Confluent's TopicNameStrategy for record values. */
export function valueSubject(topic: string): string {
  return `${topic}-value`;
}

const textCache = new Map<SchemaName, string>();

/**
 * The schema as the JSON text of its `.avsc` file (what a registry stores).
 * Throws when the file is missing or is not JSON: a broken checkout, not bad input.
 */
export function loadSchemaText(name: SchemaName): string {
  const cached = textCache.get(name);
  if (cached !== undefined) return cached;
  const text = readFileSync(new URL(`./${SCHEMA_FILES[name]}`, import.meta.url), 'utf8');
  JSON.parse(text); // fail here, at load, rather than at the first registration
  textCache.set(name, text);
  return text;
}

/** The schema name for a topic's values, or undefined for a topic without an Avro value (e.g. the DLQ). */
export function valueSchemaForTopic(topic: string): SchemaName | undefined {
  return TOPIC_VALUE_SCHEMAS[topic];
}
