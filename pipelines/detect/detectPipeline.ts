import path from 'node:path';
import type { WorkingCalendar } from '../../src/calendar/workingCalendar.ts';
import { dayToIso } from '../../src/calendar/workingCalendar.ts';
import { DISTRICTS, invoiceTopic } from '../../src/domain/district.ts';
import type { DetectLeg } from '../../src/domain/invoiceLeg.ts';
import { DISRUPTION_TYPES, type DisruptionSignal } from '../../src/domain/signal.ts';
import { commitOrDefer, startBatchConsumer, type AssignmentChange, type CommitDecision } from '../../src/kafka/batchConsumer.ts';
import { deadLetter } from '../../src/kafka/deadLetter.ts';
import { PartitionLocks } from '../../src/kafka/partitionLocks.ts';
import type { OutgoingRecord } from '../../src/kafka/record.ts';
import { GROUPS, TOPICS } from '../../src/kafka/topics.ts';
import type { ValueCodec } from '../../src/kafka/valueCodec.ts';
import { GroupCommitWriter } from '../../src/kafka/groupCommitWriter.ts';
import { isRetriable, PoisonRecordError } from '../../src/runtime/errors.ts';
import { withRetry } from '../../src/runtime/retry.ts';
import type { PipelineDeps, RunningPipeline } from '../../src/runtime/pipeline.ts';
import { DEFAULT_DETECTOR_CONFIG, type DetectorConfig } from './detectorConfig.ts';
import type { DetectorContext } from './detectorContext.ts';
import { encodeDetectOutput, hasDetectOutputs, writeDetectOutputs, type DetectBatchOutput, type DetectWriteCounts } from './detectOutputWriter.ts';
import { emptyOutput, PartitionProcessor, legDay, resumeOffset } from './runtimePartition.ts';
import { ClickHouseSnapshotStore } from './runtimeSnapshotStore.ts';
import { DETECT_STATE_DIR, FileSnapshotStore } from './fileSnapshotStore.ts';
import type { SnapshotStore } from './snapshotStore.ts';
import { snapshotRowCounts } from './incrementalSnapshot.ts';
import type { DetectSnapshotStore } from '../../src/runtime/config.ts';
import { snapshotAfterOutputs } from './snapshotAfterOutputs.ts';
import { snapshotDue, type SnapshotSchedule } from './snapshotSchedule.ts';
import { DEFAULT_WATERMARK_CONFIG, feedSourceKeys, type WatermarkConfig } from './watermarkClock.ts';

export interface DetectCodecs {
  /** Legs are only read here, into the fields detect uses. */
  detectLeg: Omit<ValueCodec<DetectLeg>, 'encode'>;
  disruptionSignal: ValueCodec<DisruptionSignal>;
}

export interface DetectOptions {
  calendar: WorkingCalendar;
  config?: DetectorConfig;
  watermark?: WatermarkConfig;
  /** Shortest time between two snapshots of a partition's state (offsets are committed with them); default 2 s. */
  snapshotIntervalMs?: number;
  /**
   * Longest time between two snapshots of a partition with new legs, i.e. the bound on what a crash
   * replays (default 5 s, at least snapshotIntervalMs). Between the two, snapshots are spaced so that
   * serialising them takes at most a tenth of the consumer's time (see snapshotSchedule.ts). Producers'
   * lag gates count committed offsets, so this also bounds how far detect's committed lag can sawtooth.
   */
  maxSnapshotIntervalMs?: number;
  /**
   * A partition is snapshotted (and committed) once this many legs arrived since its last snapshot, however
   * recent (default 6,000: well below LEGS_MAX_LAG, the committed lag at which ingest and producers wait).
   */
  maxPendingLegs?: number;
  /**
   * Where partition state is snapshotted (snapshotStore.ts): 'clickhouse' (default; any process on any host can
   * take a partition over) or 'files' under the data dir's `detect-state/` (one machine; the embedded stack).
   */
  snapshotStore?: DetectSnapshotStore;
  /** Leg partitions handled at once (default 12); their outputs share writes. */
  partitionsConsumedConcurrently?: number;
  /** Most legs whose outputs one write carries; also what may gather while a write is in flight (default 20000). */
  maxLegsPerWrite?: number;
  /** Longest a batch's output waits for company when no write is in flight (default 10 ms). */
  lingerMs?: number;
}

/**
 * A partition that has read everything there is gets its snapshot (and commit) after this long, not after the
 * full interval: the stages upstream wait on detect's committed lag. Also the idle timer's period.
 */
const CAUGHT_UP_SNAPSHOT_MS = 250;

/** Legs of a partition its stored snapshot does not cover yet. */
const pendingLegs = (p: OwnedPartition): number => Number(p.nextOffset - p.snapshotOffset);

interface OwnedPartition {
  processor: PartitionProcessor;
  /** The state covers every record before this offset. */
  nextOffset: bigint;
  /**
   * Confirmation of the partition's latest output handed to the writer; the writer writes in order and stops
   * at its first failure, so this settles after every earlier output of the partition.
   */
  outputsWritten: Promise<void>;
  snapshotOffset: bigint;
  /** Last offset the group accepted; a commit refused during a rebalance is retried with the next snapshot. */
  committedOffset: bigint;
  lastSnapshotAtMs: number;
  /** Time the last snapshot took on the consumer's thread (serialising the state). */
  lastSnapshotCostMs: number;
  /** The last batch reached the partition's high watermark: its next snapshot is due sooner (snapshotSchedule.ts). */
  caughtUp: boolean;
  /** The snapshot in flight (waiting for its outputs, or being written), if any: at most one per partition. Never rejects. */
  saving: Promise<void> | null;
}

/**
 * detect: `yunlian.invoice-legs` (keyed by enterprise) → disruption signals on
 * `yunlian.disruptions` and in ClickHouse (`signals`, `enterprise_daily`,
 * `links_daily`, `late_events`). State lives per leg partition
 * (PartitionProcessor), is snapshotted to its SnapshotStore (the ClickHouse
 * table, or segment files in the embedded stack) every few seconds, and
 * offsets are committed only up to the latest snapshot; on assignment a
 * partition resumes from its snapshot's offset. Outputs are written before
 * the snapshot, so a crash replays some legs and re-emits the same signals
 * (same ids, idempotent sinks) but never loses one.
 *
 * Several partitions are handled at once, each under its own lock (its
 * batches, snapshots and bookkeeping never interleave). A handler encodes its
 * outputs and hands them to a GroupCommitWriter without waiting for the write:
 * the batches of every partition handled while a write is in flight share the
 * next one (a write's fixed cost dominated small per-partition batches). A
 * snapshot is encoded when it is due, on the consumer's thread, so it is frozen
 * at the batch's end; it is written only once every output it covers is
 * confirmed (snapshotAfterOutputs), and the batch that took it returns a
 * DeferredCommit that settles when the snapshot is stored, so the consumer
 * commits its offset only then. Other batches return a DeferredCommit that
 * commits nothing but stops the consumer when their write fails, which is final:
 * nothing later is written or committed, and a restart replays from the last
 * stored snapshot.
 */
export async function startDetectPipeline(deps: PipelineDeps, codecs: DetectCodecs, opts: DetectOptions): Promise<RunningPipeline> {
  const { clickhouse, producer, metrics } = deps;
  const log = deps.logger.child('detect');
  const groupId = deps.groupIdPrefix + GROUPS.detect;
  const ctx: DetectorContext = { calendar: opts.calendar, config: opts.config ?? DEFAULT_DETECTOR_CONFIG, now: deps.now };
  const watermark = opts.watermark ?? DEFAULT_WATERMARK_CONFIG;
  const intervalMs = opts.snapshotIntervalMs ?? 2_000;
  const schedule: SnapshotSchedule = { intervalMs, maxIntervalMs: Math.max(intervalMs, opts.maxSnapshotIntervalMs ?? 5_000), maxShareOfTime: 0.1, maxPendingLegs: opts.maxPendingLegs ?? 6_000, caughtUpIntervalMs: CAUGHT_UP_SNAPSHOT_MS };
  const store: SnapshotStore = opts.snapshotStore === 'files' ? new FileSnapshotStore(path.join(deps.dataDir, DETECT_STATE_DIR), { logger: log }) : new ClickHouseSnapshotStore(clickhouse);
  const admin = deps.kafka.admin();
  await admin.connect();
  const { clusterId } = await admin.describeCluster();
  // Every feed partition is a watermark source; the clock waits for each (up to the idle timeout) before advancing.
  const feedTopics = await admin.fetchTopicMetadata({ topics: DISTRICTS.map(invoiceTopic) });
  const expectedSources = feedSourceKeys(Object.fromEntries(feedTopics.topics.map((t) => [t.name.slice('yunlian.invoices.'.length), t.partitions.length])));
  await admin.disconnect();
  const owned = new Map<number, OwnedPartition>();
  /** Aborted on stop: writes and snapshots then give up instead of retrying (their batches are read again). */
  const stopping = new AbortController();
  const retryUntilStopped = (what: string) => ({
    ...deps.retry,
    shouldRetry: (error: unknown) => !stopping.signal.aborted && isRetriable(error),
    signal: stopping.signal,
    onRetry: ({ error, attempt, delayMs }: { error: unknown; attempt: number; delayMs: number }) => {
      metrics.retried('detect', what);
      log.warn(`detect ${what} write failed, retrying`, { attempt, delayMs, error });
    },
  });
  /** A partition's batches, snapshots and the idle timer must not interleave: all read and move its state. */
  const locks = new PartitionLocks();

  const keyOf = (partition: number) => ({ groupId, clusterId, topic: TOPICS.invoiceLegs, partition });

  const onAssignment = async ({ assigned, committedOffset: committedOf, seek }: AssignmentChange) => {
    const mine = new Set(assigned.filter((a) => a.topic === TOPICS.invoiceLegs).map((a) => a.partition));
    for (const p of [...owned.keys()]) if (!mine.has(p)) owned.delete(p);
    for (const partition of mine) {
      if (owned.has(partition)) continue;
      const stored = await store.load(keyOf(partition));
      const snapshot = stored.header ?? stored.full;
      const committedOffset = committedOf(TOPICS.invoiceLegs, partition)?.toString() ?? '-1';
      const processor = PartitionProcessor.restore(ctx, watermark, stored, expectedSources);
      const start = BigInt(resumeOffset(stored));
      owned.set(partition, {
        processor,
        nextOffset: start,
        outputsWritten: Promise.resolve(),
        snapshotOffset: start,
        committedOffset: committedOffset === '-1' ? -1n : BigInt(committedOffset),
        lastSnapshotAtMs: Date.now(),
        lastSnapshotCostMs: 0,
        caughtUp: false,
        saving: null,
      });
      // Records between the committed offset and the snapshot's end are skipped by the handler (already in the
      // state). Only when the state is gone but offsets were committed must the partition be re-read from 0.
      if (snapshot === null && committedOffset !== '-1') {
        // A member that stops commits 0 for a partition it never snapshotted: it had read nothing, nothing is lost.
        if (committedOffset !== '0') log.warn('no state snapshot for a committed partition; rebuilding its state from the beginning', { partition, committedOffset });
        seek(TOPICS.invoiceLegs, partition, '0');
      } else if (snapshot !== null && committedOffset !== '-1' && BigInt(committedOffset) > start) {
        // Cannot happen while commits follow snapshots; if it does, re-read what the state lacks.
        seek(TOPICS.invoiceLegs, partition, start.toString());
      }
      log.info('partition state restored', { partition, enterprises: processor.size, from: start.toString() });
    }
    // The gauge counts the owned partitions: otherwise it would keep counting revoked ones until the next snapshot.
    reportOpenSignals();
  };

  /** The commit a partition's stored snapshot allows (offsets are next offsets to read). */
  const commitOf = (partition: number, p: OwnedPartition): CommitDecision['commit'] =>
    p.snapshotOffset > p.committedOffset ? [{ topic: TOPICS.invoiceLegs, partition, offset: p.snapshotOffset.toString() }] : [];

  /**
   * Starts a snapshot of one partition (call under its lock) when it has legs the last one lacks and none
   * is in flight; returns the promise that resolves once it is stored, or null when none was started. The
   * state is encoded here, on the consumer's thread, so it is frozen at `nextOffset`; the write waits for
   * every output the state covers (snapshotAfterOutputs) and runs in the background while the partition
   * goes on. It rejects when an output write failed (final) or the snapshot write gave up its retries.
   */
  const startSnapshot = (partition: number, p: OwnedPartition): Promise<void> | null => {
    if (p.saving !== null || p.nextOffset === p.snapshotOffset) return null;
    const started = performance.now();
    const through = p.nextOffset;
    // The header and the enterprises changed since the last snapshot: its cost follows the legs, not the state's size.
    const takenAtMs = deps.now();
    const snapshot = p.processor.snapshot(Number(through));
    const encoded = store.freeze(snapshot, keyOf(partition), takenAtMs);
    p.lastSnapshotAtMs = Date.now();
    p.lastSnapshotCostMs = performance.now() - started;
    const { loggedLegs, ...rows } = snapshotRowCounts(snapshot);
    metrics.detectSnapshot({ rows, loggedLegs, bytes: encoded.byteLength, encodeSeconds: p.lastSnapshotCostMs / 1000 });
    const stored = snapshotAfterOutputs(p.outputsWritten, () => withRetry(() => store.write(encoded), retryUntilStopped('snapshot'))).then(() => {
      if (through > p.snapshotOffset) p.snapshotOffset = through;
    });
    p.saving = stored
      .catch((error: unknown) => {
        // Its rows may not have landed: a later snapshot (after a restart, the restored state's) writes those enterprises whole.
        p.processor.forceBase(encoded.taxIds);
        log.warn('a state snapshot was not stored', { partition, error });
      })
      .finally(() => {
        p.saving = null;
      });
    reportOpenSignals();
    return stored;
  };

  const reportOpenSignals = () => {
    const open = new Map<string, number>();
    for (const p of owned.values()) p.processor.countOpenSignals(open);
    for (const type of DISRUPTION_TYPES) metrics.openSignals(type, open.get(type) ?? 0);
  };

  /**
   * The commits every owned partition's stored snapshot allows, after starting the snapshots that are
   * due; with `final` (on stop), snapshots every partition with new legs and waits for the writes.
   */
  const snapshotOwned = async (final: boolean): Promise<CommitDecision['commit']> => {
    const commits = await Promise.all(
      [...owned].map(([partition, p]) =>
        locks.run(partition, async () => {
          if (owned.get(partition) !== p) return [];
          if (final) {
            await p.saving;
            startSnapshot(partition, p);
            await p.saving;
          } else if (snapshotDue(p, schedule, Date.now(), pendingLegs(p))) {
            // No batch's commit waits for this snapshot (the stream may be idle): a failed output or snapshot write
            // must stop the consumer as it would through a batch, or detect would run on, committing nothing.
            const stored = startSnapshot(partition, p);
            if (stored) running.stopIfWriteFails(TOPICS.invoiceLegs, partition, stored, 'a snapshot taken while the stream is idle was not stored (its outputs or its own write failed); stopping the consumer');
          }
          return commitOf(partition, p);
        }),
      ),
    );
    return commits.flat();
  };

  const markCommitted = (commits: CommitDecision['commit']) => {
    for (const c of commits) {
      const p = owned.get(c.partition);
      if (p && BigInt(c.offset) > p.committedOffset) p.committedOffset = BigInt(c.offset);
    }
  };

  const timedWrite = async (batches: readonly DetectBatchOutput[]): Promise<void> => {
    const started = performance.now();
    const counts: DetectWriteCounts = await writeDetectOutputs({ clickhouse, producer }, batches);
    const seconds = (performance.now() - started) / 1000;
    // Only tables that got an insert: the latency histogram's count is then the number of inserts (rows per insert).
    const tables = [['signals', counts.signals], ['enterprise_daily', counts.enterpriseDaily], ['links_daily', counts.linksDaily], ['late_events', counts.late]] as const;
    for (const [table, rows] of tables) if (rows > 0) metrics.sinkWrite('detect', table, rows, seconds);
    log.debug('outputs written', { batches: batches.length, ...counts, ms: Math.round(seconds * 1000) });
  };
  // Handlers have returned by the time a write runs, so the write retries itself with the same outputs (the
  // sinks are idempotent); a failure that is not retried, or a stop, ends the writer and the consumer.
  const writer = new GroupCommitWriter<DetectBatchOutput>((batches) => withRetry(() => timedWrite(batches), retryUntilStopped('sink')), {
    maxWeight: opts.maxLegsPerWrite ?? 20_000,
    weightOf: (b) => Math.max(1, b.legs),
    lingerMs: opts.lingerMs ?? 10,
  });
  const encoding = { signalCodec: codecs.disruptionSignal, now: deps.now };

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
    partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 12,
    onCommitted: (commits) => markCommitted(commits),
    onQuiesced: async () => {
      clearInterval(idleSnapshots);
      const commits = await snapshotOwned(true);
      if (commits.length > 0 && (await commitOrDefer(running.consumer, commits, log).catch(() => false))) markCommitted(commits);
    },
    handler: (batch) =>
      locks.run(batch.partition, async () => {
        const state = owned.get(batch.partition);
        if (!state) return { commit: [] };
        // 1. Decode everything first: a registry outage throws here, before any state changed, and the batch is retried.
        const deadLetters: OutgoingRecord[] = [];
        const legs: DetectLeg[] = [];
        const offsets: number[] = [];
        let next = state.nextOffset;
        for (const record of batch.records) {
          const offset = BigInt(record.offset);
          if (offset < next) continue; // already in the restored state
          next = offset + 1n;
          if (!record.value) {
            deadLetters.push(deadLetter(record, 'EMPTY_VALUE', 'leg record has no value'));
            continue;
          }
          try {
            legs.push(codecs.detectLeg.decodeNow?.(record.value) ?? (await codecs.detectLeg.decode(record.value)));
            offsets.push(Number(offset));
          } catch (error) {
            if (!(error instanceof PoisonRecordError)) throw error;
            deadLetters.push(deadLetter(record, error.code, error.message));
          }
        }
        // 2. Pure state transitions, in partition order.
        const out = emptyOutput();
        for (let i = 0; i < legs.length; i++) state.processor.process(legs[i]!, out, offsets[i]);
        state.nextOffset = next;
        state.caughtUp = BigInt(batch.highWatermark) <= next;
        // 3. Outputs, encoded now (bytes wait for the write, not objects), shared with other partitions' batches.
        const output = encodeDetectOutput(encoding, out, deadLetters, legs.length);
        let written: Promise<void> | null = null;
        if (hasDetectOutputs(output)) {
          // Waits only while the next write is full and another is in flight.
          ({ written } = await writer.add(output));
          state.outputsWritten = written;
          const emitted = out.signals.map((s) => [s.signal_type, s.status] as const);
          const lateDistricts = out.late.map(({ leg }) => leg.feed_district);
          void written.then(
            () => {
              metrics.recordsOut('detect', TOPICS.disruptions, emitted.length);
              for (const [type, status] of emitted) metrics.signalsEmitted(type, status, 1);
              for (const district of lateDistricts) metrics.lateEvents(district, 1);
            },
            // The consumer learns of the failure through the DeferredCommit below.
            () => undefined,
          );
          if (out.late.length > 0) log.warn('late legs recorded, not applied', { count: out.late.length, oldestDay: dayToIso(Math.min(...out.late.map((l) => legDay(l.leg)))) });
        }
        for (const d of DISTRICTS) {
          const delay = state.processor.feedDelayMs(d);
          if (delay !== null) metrics.watermarkDelay(d, delay / 1000);
        }
        // The batch that takes a snapshot commits its end (the snapshot's offset) once the snapshot is stored.
        const stored = snapshotDue(state, schedule, Date.now(), pendingLegs(state)) ? startSnapshot(batch.partition, state) : null;
        if (stored) return { written: stored };
        return written ? { written, commitsOffset: false } : { commit: [] };
      }),
  });
  // When the stream pauses, no batch arrives to trigger the snapshot that commits the last offsets.
  idleSnapshots = setInterval(() => {
    // Snapshot under the partition locks, commit outside them: a commit can wait on a rebalance, which waits
    // for the in-flight batches, which would wait for the locks.
    void snapshotOwned(false)
      .then(async (commits) => {
        if (commits.length > 0 && (await commitOrDefer(running.consumer, commits, log))) markCommitted(commits);
      })
      .catch((error: unknown) => log.warn('idle snapshot failed; the next one retries', { error }));
  }, Math.max(100, Math.min(CAUGHT_UP_SNAPSHOT_MS, Math.floor(intervalMs / 2))));
  idleSnapshots.unref();
  // A consumer stopped by a fatal error has no use for snapshots (they would wait on the failed writes, and log each
  // tick), and its store's open segments are closed without waiting for a stop() that a supervisor may never call.
  const stopIdleSnapshots = () => clearInterval(idleSnapshots);
  running.done.then(stopIdleSnapshots, () => {
    stopIdleSnapshots();
    void store.close().catch((error: unknown) => log.warn('closing the snapshot store failed', { error }));
  });
  return {
    name: 'detect',
    // Writes keep retrying while quiescing: what lands now is committed before the group is left.
    quiesce: () => running.quiesce(),
    stop: async () => {
      // The consumer stops first (no batch is retried from here on), then writes stop retrying.
      const stopped = running.stop();
      stopping.abort();
      await stopped;
      await store.close();
    },
    done: running.done,
  };
}
