import type { WorkingCalendar } from '../../src/calendar/workingCalendar.ts';
import { dayToIso } from '../../src/calendar/workingCalendar.ts';
import { DISTRICTS, invoiceTopic } from '../../src/domain/district.ts';
import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';
import { DISRUPTION_TYPES, type DisruptionSignal } from '../../src/domain/signal.ts';
import { commitOrDefer, startBatchConsumer, type AssignmentChange, type CommitDecision } from '../../src/kafka/batchConsumer.ts';
import { deadLetter } from '../../src/kafka/deadLetter.ts';
import type { OutgoingRecord } from '../../src/kafka/record.ts';
import { GROUPS, TOPICS } from '../../src/kafka/topics.ts';
import type { ValueCodec } from '../../src/kafka/valueCodec.ts';
import { PoisonRecordError } from '../../src/runtime/errors.ts';
import { withRetry } from '../../src/runtime/retry.ts';
import { settleAll } from '../../src/runtime/settleAll.ts';
import type { PipelineDeps, RunningPipeline } from '../../src/runtime/pipeline.ts';
import { insertRows, isoInstant } from '../../sinks/clickhouse/insertRows.ts';
import { DEFAULT_DETECTOR_CONFIG, type DetectorConfig } from './detectorConfig.ts';
import type { DetectorContext } from './detectorContext.ts';
import { emptyOutput, PartitionProcessor, legDay, type PartitionOutput } from './runtimePartition.ts';
import { SnapshotStore } from './runtimeSnapshotStore.ts';
import { DEFAULT_WATERMARK_CONFIG, feedSourceKeys, type WatermarkConfig } from './watermarkClock.ts';

export interface DetectCodecs {
  invoiceLeg: ValueCodec<InvoiceLeg>;
  disruptionSignal: ValueCodec<DisruptionSignal>;
}

export interface DetectOptions {
  calendar: WorkingCalendar;
  config?: DetectorConfig;
  watermark?: WatermarkConfig;
  /** How often state is snapshotted (and offsets committed with it). */
  snapshotIntervalMs?: number;
}

interface OwnedPartition {
  processor: PartitionProcessor;
  /** The state covers every record before this offset. */
  nextOffset: bigint;
  snapshotOffset: bigint;
  /** Last offset the group accepted; a commit refused during a rebalance is retried with the next snapshot. */
  committedOffset: bigint;
}

/** Row of `yunlian.signals`: one per signal state; the version orders OPEN before RESOLVED. */
export function signalRow(s: DisruptionSignal, openedAtMs: number): Record<string, unknown> {
  return {
    signal_id: s.signal_id,
    version: s.status === 'OPEN' ? 1 : 2,
    enterprise_tax_id: s.enterprise_tax_id,
    enterprise_name: s.enterprise_name,
    district: s.district,
    signal_type: s.signal_type,
    partner_tax_id: s.partner_tax_id,
    severity: s.severity,
    status: s.status,
    resolution: s.resolution,
    window_start: s.window_start,
    window_end: s.window_end,
    event_time: isoInstant(s.event_time_ms),
    opened_at: isoInstant(openedAtMs),
    baseline_fen: s.baseline_fen,
    current_fen: s.current_fen,
    explanation_zh: s.explanation_zh,
    explanation_en: s.explanation_en,
    detected_at: isoInstant(s.detected_at_ms),
  };
}

/**
 * detect: `yunlian.invoice-legs` (keyed by enterprise) → disruption signals on
 * `yunlian.disruptions` and in ClickHouse (`signals`, `enterprise_daily`,
 * `links_daily`, `late_events`). State lives per leg partition
 * (PartitionProcessor), is snapshotted to ClickHouse every few seconds, and
 * offsets are committed only up to the latest snapshot; on assignment a
 * partition resumes from its snapshot's offset. Outputs are written before
 * the snapshot, so a crash replays some legs and re-emits the same signals
 * (same ids, idempotent sinks) but never loses one.
 */
export async function startDetectPipeline(deps: PipelineDeps, codecs: DetectCodecs, opts: DetectOptions): Promise<RunningPipeline> {
  const { clickhouse, producer, metrics } = deps;
  const log = deps.logger.child('detect');
  const groupId = deps.groupIdPrefix + GROUPS.detect;
  const ctx: DetectorContext = { calendar: opts.calendar, config: opts.config ?? DEFAULT_DETECTOR_CONFIG, now: deps.now };
  const watermark = opts.watermark ?? DEFAULT_WATERMARK_CONFIG;
  const snapshotIntervalMs = opts.snapshotIntervalMs ?? 2_000;
  const store = new SnapshotStore(clickhouse);
  const admin = deps.kafka.admin();
  await admin.connect();
  const { clusterId } = await admin.describeCluster();
  // Every feed partition is a watermark source; the clock waits for each (up to the idle timeout) before advancing.
  const feedTopics = await admin.fetchTopicMetadata({ topics: DISTRICTS.map(invoiceTopic) });
  const expectedSources = feedSourceKeys(Object.fromEntries(feedTopics.topics.map((t) => [t.name.slice('yunlian.invoices.'.length), t.partitions.length])));
  await admin.disconnect();
  const owned = new Map<number, OwnedPartition>();
  let lastSnapshotAt = Date.now();

  /** Batches and the idle snapshot timer must not interleave: both read and move the partition states. */
  let lock: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const result = lock.then(work);
    lock = result.catch(() => undefined);
    return result;
  };

  const keyOf = (partition: number) => ({ groupId, clusterId, topic: TOPICS.invoiceLegs, partition });

  const onAssignment = async ({ assigned, committedOffset: committedOf, seek }: AssignmentChange) => {
    const mine = new Set(assigned.filter((a) => a.topic === TOPICS.invoiceLegs).map((a) => a.partition));
    for (const p of [...owned.keys()]) if (!mine.has(p)) owned.delete(p);
    for (const partition of mine) {
      if (owned.has(partition)) continue;
      const snapshot = await store.load(keyOf(partition));
      const committedOffset = committedOf(TOPICS.invoiceLegs, partition)?.toString() ?? '-1';
      const processor = new PartitionProcessor(ctx, watermark, snapshot?.state, expectedSources);
      const start = snapshot ? BigInt(snapshot.nextOffset) : 0n;
      owned.set(partition, { processor, nextOffset: start, snapshotOffset: start, committedOffset: committedOffset === '-1' ? -1n : BigInt(committedOffset) });
      // Records between the committed offset and the snapshot's end are skipped by the handler (already in the
      // state). Only when the state is gone but offsets were committed must the partition be re-read from 0.
      if (snapshot === null && committedOffset !== '-1') {
        log.warn('no state snapshot for a committed partition; rebuilding its state from the beginning', { partition, committedOffset });
        seek(TOPICS.invoiceLegs, partition, '0');
      } else if (snapshot !== null && committedOffset !== '-1' && BigInt(committedOffset) > start) {
        // Cannot happen while commits follow snapshots; if it does, re-read what the state lacks.
        seek(TOPICS.invoiceLegs, partition, start.toString());
      }
      log.info('partition state restored', { partition, enterprises: processor.size, from: start.toString() });
    }
  };

  const snapshotAll = async (): Promise<CommitDecision['commit']> => {
    const commits: CommitDecision['commit'] = [];
    for (const [partition, p] of owned) {
      if (p.nextOffset !== p.snapshotOffset) {
        await store.save(keyOf(partition), { nextOffset: p.nextOffset.toString(), state: p.processor.serialize() }, deps.now());
        p.snapshotOffset = p.nextOffset;
      }
      if (p.snapshotOffset > p.committedOffset) commits.push({ topic: TOPICS.invoiceLegs, partition, offset: p.snapshotOffset.toString() });
    }
    const open = new Map<string, number>();
    for (const p of owned.values()) p.processor.countOpenSignals(open);
    for (const type of DISRUPTION_TYPES) metrics.openSignals(type, open.get(type) ?? 0);
    lastSnapshotAt = Date.now();
    return commits;
  };

  const markCommitted = (commits: CommitDecision['commit']) => {
    for (const c of commits) {
      const p = owned.get(c.partition);
      if (p && BigInt(c.offset) > p.committedOffset) p.committedOffset = BigInt(c.offset);
    }
  };

  const writeOutputs = async (out: PartitionOutput, dlq: OutgoingRecord[]) => {
    const now = deps.now();
    const records: OutgoingRecord[] = out.signals.map((s) => ({ topic: TOPICS.disruptions, key: s.enterprise_tax_id, value: codecs.disruptionSignal.encode(s) }));
    // Independent writes, all confirmed before the snapshot that covers them.
    await settleAll([
      insertRows(clickhouse, { table: 'yunlian.signals', rows: out.signals.map((s) => signalRow(s, out.openedAtMs.get(s.signal_id) ?? s.event_time_ms)) }),
      insertRows(clickhouse, { table: 'yunlian.enterprise_daily', rows: out.enterpriseDaily }),
      insertRows(clickhouse, { table: 'yunlian.links_daily', rows: out.linksDaily }),
      insertRows(clickhouse, {
        table: 'yunlian.late_events',
        rows: out.late.map(({ leg, closedThrough }) => ({
          leg_id: leg.leg_id,
          enterprise_tax_id: leg.enterprise_tax_id,
          feed_district: leg.feed_district,
          issued_at: isoInstant(leg.issued_at_ms),
          closed_through: dayToIso(closedThrough),
          amount_fen: leg.amount_fen,
          recorded_at: isoInstant(now),
        })),
      }),
      producer.send([...records, ...dlq]),
    ]);
    metrics.recordsOut('detect', TOPICS.disruptions, records.length);
    for (const s of out.signals) metrics.signalsEmitted(s.signal_type, s.status, 1);
    for (const { leg } of out.late) metrics.lateEvents(leg.feed_district, 1);
    if (out.late.length > 0) log.warn('late legs recorded, not applied', { count: out.late.length, oldestDay: dayToIso(Math.min(...out.late.map((l) => legDay(l.leg)))) });
  };

  let idleSnapshots: NodeJS.Timeout | undefined;
  const running = await startBatchConsumer({
    kafka: deps.kafka,
    pipeline: 'detect',
    groupId,
    topics: [TOPICS.invoiceLegs],
    logger: log,
    metrics,
    retry: deps.retry,
    onDataLoss: deps.onDataLoss,
    onAssignment,
    onCommitted: (commits) => markCommitted(commits),
    onStopped: async () => {
      clearInterval(idleSnapshots);
      const commits = await exclusive(snapshotAll);
      if (commits.length > 0 && (await commitOrDefer(running.consumer, commits, log).catch(() => false))) markCommitted(commits);
    },
    handler: (batch, batchCtx) => exclusive(async () => {
      const state = owned.get(batch.partition);
      if (!state) return { commit: [] };
      // 1. Decode everything first: a registry outage throws here, before any state changed, and the batch is retried.
      const dlq: OutgoingRecord[] = [];
      const legs: InvoiceLeg[] = [];
      let next = state.nextOffset;
      for (const record of batch.records) {
        const offset = BigInt(record.offset);
        if (offset < next) continue; // already in the restored state
        next = offset + 1n;
        if (!record.value) {
          dlq.push(deadLetter(record, 'EMPTY_VALUE', 'leg record has no value'));
          continue;
        }
        try {
          legs.push(await codecs.invoiceLeg.decode(record.value));
        } catch (error) {
          if (!(error instanceof PoisonRecordError)) throw error;
          dlq.push(deadLetter(record, error.code, error.message));
        }
      }
      // 2. Pure state transitions, in partition order.
      const out = emptyOutput();
      for (const leg of legs) state.processor.process(leg, out);
      state.nextOffset = next;
      // 3. Outputs are retried here, not by reprocessing: the state has already moved on.
      await withRetry(() => writeOutputs(out, dlq), {
        ...deps.retry,
        onRetry: ({ error, attempt, delayMs }) => {
          metrics.retried('detect', 'sink');
          log.warn('writing detect outputs failed, retrying', { attempt, delayMs, error });
          void batchCtx.heartbeat().catch(() => undefined);
        },
      });
      for (const d of DISTRICTS) {
        const delay = state.processor.feedDelayMs(d);
        if (delay !== null) metrics.watermarkDelay(d, delay / 1000);
      }
      if (Date.now() - lastSnapshotAt < snapshotIntervalMs) return { commit: [] };
      return { commit: await withRetry(snapshotAll, deps.retry) };
    }),
  });
  // When the stream pauses, no batch arrives to trigger the snapshot that commits the last offsets.
  idleSnapshots = setInterval(() => {
    if (Date.now() - lastSnapshotAt < snapshotIntervalMs) return;
    // Snapshot under the lock, commit outside it: a commit can wait on a rebalance, which waits for the
    // in-flight batch, which would wait for the lock.
    void exclusive(snapshotAll)
      .then(async (commits) => {
        if (commits.length > 0 && (await commitOrDefer(running.consumer, commits, log))) markCommitted(commits);
      })
      .catch((error: unknown) => log.warn('idle snapshot failed; the next one retries', { error }));
  }, Math.max(250, Math.floor(snapshotIntervalMs / 2)));
  idleSnapshots.unref();
  return { name: 'detect', stop: running.stop, done: running.done };
}
