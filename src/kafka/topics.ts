import { DISTRICTS, invoiceTopic } from '../domain/district.ts';

/** Topic names are contracts (DESIGN.md section 2). */
export const TOPICS = {
  invoices: DISTRICTS.map(invoiceTopic),
  invoiceLegs: 'yunlian.invoice-legs',
  disruptions: 'yunlian.disruptions',
  matches: 'yunlian.matches',
  dlq: 'yunlian.dlq',
} as const;

/** Consumer group ids, one per pipeline. */
export const GROUPS = {
  ingest: 'yunlian-ingest',
  detect: 'yunlian-detect',
  match: 'yunlian-match',
  alerts: 'yunlian-alerts',
} as const;

export type PipelineName = keyof typeof GROUPS;

/** The pipelines that read the legs topic, each in its own consumer group: backpressure must watch every one. */
export const LEGS_READERS = ['detect', 'match'] as const satisfies readonly PipelineName[];
export type LegsReader = (typeof LEGS_READERS)[number];

export function subjectOf(topic: string): string {
  return `${topic}-value`;
}
