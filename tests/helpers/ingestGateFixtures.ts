import type { Consumer } from 'kafkajs';
import type { TestStack } from './embeddedStack.ts';
import { issuedInvoice } from './invoiceFixtures.ts';
import { produceInvoiceLines } from '../../src/produce/produceInvoices.ts';
import { TOPICS } from '../../src/kafka/topics.ts';

/** A stand-in for detect or match: a member of `groupId` that reads every leg and commits as it goes, so ingest's legs gate opens. */
export async function startFastLegsReader(stack: TestStack, groupId: string): Promise<Consumer> {
  const consumer = stack.services.kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPICS.invoiceLegs], fromBeginning: true });
  await consumer.run({ autoCommitInterval: 100, eachMessage: async () => undefined });
  return consumer;
}

/**
 * Produces `count` Jiashan invoices numbered from `from` in 10-record requests: the mock broker answers a fetch
 * with one record batch a partition, so ingest sees them in small batches.
 */
export async function produceJiashanInvoices(stack: TestStack, from: number, count: number): Promise<void> {
  const events = Array.from({ length: count }, (_, i) => issuedInvoice({ district: 'jiashan', n: from + i, seller: 1 + ((from + i) % 17), buyer: 30 + ((from + i) % 13) }));
  await produceInvoiceLines(events.map((e) => JSON.stringify(e)), { producer: stack.services.producer, codec: stack.services.codecs.invoiceEvents.jiashan, district: 'jiashan', batchSize: 10 });
}
