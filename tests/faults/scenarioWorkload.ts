import type { Kafka } from 'kafkajs';
import { createWorkingCalendar } from '../../src/calendar/chineseWorkingCalendar.ts';
import { loadClosures } from '../../src/calendar/loadClosures.ts';
import { isoToDay } from '../../src/calendar/workingCalendar.ts';
import { DISTRICTS, invoiceTopic } from '../../src/domain/district.ts';
import { createScenario, type FeedArrival } from '../../src/simulate/simulateScenario.ts';
import { streamScenario } from '../../src/embedded/scenarioStreamer.ts';
import { pipelineLagGates } from '../../src/embedded/pipelineBackpressure.ts';
import { waitForConsumersDone } from '../../src/eval/waitForConsumers.ts';
import { GROUPS, TOPICS } from '../../src/kafka/topics.ts';
import { consumedRecord, type ConsumedRecord } from '../../src/kafka/record.ts';
import type { FaultCluster } from './faultCluster.ts';
import type { PipelineWorker } from './workerProcess.ts';
import { fetchTopicOffsets } from '../../src/kafka/topicOffsets.ts';

export const calendar = createWorkingCalendar({ closures: loadClosures() });

/** A labelled 2020 scenario held in memory: the load of the crash, outage, rebalance and skew scenarios. */
export interface Workload {
  arrivals: FeedArrival[];
  /** Every distinct event_id produced; each must be in ClickHouse exactly once. */
  eventIds: Set<string>;
}

export interface WorkloadSize {
  seed: number;
  firms: number;
  from: string;
  to: string;
}

export const SHORT_WORKLOAD: WorkloadSize = { seed: 11, firms: 30, from: '2020-01-02', to: '2020-05-15' };
export const FULL_WORKLOAD: WorkloadSize = { seed: 11, firms: 60, from: '2020-01-02', to: '2020-07-31' };

export function buildWorkload(size: WorkloadSize): Workload {
  const scenario = createScenario({ seed: size.seed, firms: size.firms, from: isoToDay(size.from), to: isoToDay(size.to), calendar });
  const arrivals = [...scenario.arrivals()];
  return { arrivals, eventIds: new Set(arrivals.map((a) => a.event.event_id)) };
}

/** Streams arrivals into the district topics with the pipelines' backpressure; returns records produced. */
export async function produceArrivals(cluster: FaultCluster, arrivals: Iterable<FeedArrival>, opts: { eventsPerSecond?: number; signal?: AbortSignal } = {}): Promise<number> {
  return streamScenario({
    arrivals,
    producer: cluster.producer,
    codecs: cluster.codecs.invoiceEvents,
    eventsPerSecond: opts.eventsPerSecond ?? Infinity,
    lagGates: pipelineLagGates(cluster.admin, ['ingest', 'detect'], cluster.logger),
    signal: opts.signal,
  });
}

/** Waits until ingest and detect have committed everything produced so far. */
export async function waitDrained(cluster: FaultCluster, timeoutMs: number, withDetect = true): Promise<void> {
  const pairs: Array<{ groupId: string; topic: string }> = DISTRICTS.map((d) => ({ groupId: GROUPS.ingest, topic: invoiceTopic(d) }));
  if (withDetect) pairs.push({ groupId: GROUPS.detect, topic: TOPICS.invoiceLegs });
  await waitForConsumersDone(cluster.admin, pairs, { timeoutMs, stableMs: 2500 });
}

export interface InvoiceTally {
  /** Distinct event_ids in ClickHouse. */
  distinct: number;
  /** Rows of invoices FINAL beyond one per event_id. */
  duplicates: number;
  /** Expected event_ids missing from ClickHouse. */
  lost: number;
  /** event_ids in ClickHouse that were never produced as valid invoices. */
  unexpected: number;
}

export async function tallyInvoices(worker: PipelineWorker, expected: ReadonlySet<string>): Promise<InvoiceTally> {
  const [totals] = await worker.query<{ n: string; u: string }>('SELECT count() AS n, uniqExact(event_id) AS u FROM yunlian.invoices FINAL');
  const ids = await worker.query<{ event_id: string }>('SELECT DISTINCT event_id FROM yunlian.invoices FINAL');
  const seen = new Set(ids.map((r) => r.event_id));
  let lost = 0;
  for (const id of expected) if (!seen.has(id)) lost++;
  let unexpected = 0;
  for (const id of seen) if (!expected.has(id)) unexpected++;
  return { distinct: Number(totals!.u), duplicates: Number(totals!.n) - Number(totals!.u), lost, unexpected };
}

export interface SignalTally {
  /** `signal_id type status`, sorted: the set compared across runs. */
  states: string[];
  /** Rows of signals FINAL beyond one per signal_id. */
  duplicates: number;
  /** signal_id → enterprise, partner, window and event time, to explain a difference between runs. */
  details: Map<string, string>;
}

export async function tallySignals(worker: PipelineWorker): Promise<SignalTally> {
  const rows = await worker.query<{ k: string }>(`SELECT concat(signal_id, ' ', signal_type, ' ', status) AS k FROM yunlian.signals FINAL ORDER BY k`);
  const [totals] = await worker.query<{ n: string; u: string }>('SELECT count() AS n, uniqExact(signal_id) AS u FROM yunlian.signals FINAL');
  const detailRows = await worker.query<{ signal_id: string; d: string }>(
    `SELECT signal_id, concat(enterprise_tax_id, ' partner ', ifNull(partner_tax_id, '-'), ' window ', toString(window_start), '..', toString(window_end), ' at ', toString(event_time), ' baseline ', toString(baseline_fen), ' current ', toString(current_fen)) AS d FROM yunlian.signals FINAL`,
  );
  return { states: rows.map((r) => r.k), duplicates: Number(totals!.n) - Number(totals!.u), details: new Map(detailRows.map((r) => [r.signal_id, r.d])) };
}

/** Records in a topic (sum of high watermarks; the mock cluster keeps them all at these sizes). */
export async function topicRecords(cluster: FaultCluster, topic: string): Promise<number> {
  const offsets = await fetchTopicOffsets(cluster.admin, topic);
  return offsets.reduce((s, p) => s + Number(p.high) - Number(p.low), 0);
}

/** Reads a whole topic as it stands now (up to each partition's high watermark). */
export async function readWholeTopic(kafka: Kafka, topic: string, timeoutMs = 60_000): Promise<ConsumedRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await fetchTopicOffsets(admin, topic);
  await admin.disconnect();
  const remaining = new Map(offsets.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high) - 1n]));
  const records: ConsumedRecord[] = [];
  if (remaining.size === 0) return records;
  const consumer = kafka.consumer({ groupId: `fault-reader-${topic}-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${records.length} records of ${topic}; partitions ${[...remaining.keys()].join(',')} unfinished after ${timeoutMs} ms`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          records.push(consumedRecord(topic, partition, message));
          const last = remaining.get(partition);
          if (last !== undefined && BigInt(message.offset) >= last) remaining.delete(partition);
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
