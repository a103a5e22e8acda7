import type { Consumer, ConsumerRunConfig, Kafka, EachBatchPayload } from 'kafkajs';
import { isRetriable } from '../runtime/errors.ts';
import { withRetry, type RetryOptions } from '../runtime/retry.ts';
import type { Logger } from '../runtime/log.ts';
import type { Metrics } from '../runtime/metrics.ts';
import { consumedRecord, type ConsumedRecord } from './record.ts';
import { classifyOffsetGap } from './offsetGap.ts';
import { ContiguousCommits } from './contiguousCommits.ts';
import { fetchTopicOffsets } from './topicOffsets.ts';
import { unhurriedRoundRobin } from './unhurriedAssigner.ts';

/** One partition's slice of records, handed to a pipeline; offsets commit after the handler resolves (or, for a DeferredCommit, once the batch is written). */
export interface RecordBatch {
  topic: string;
  partition: number;
  records: ConsumedRecord[];
  highWatermark: string;
}

export interface BatchContext {
  /** Keeps the group membership alive during long sink writes. */
  heartbeat(): Promise<void>;
  isRunning(): boolean;
}

/**
 * Processes a batch completely (sinks confirmed, outputs produced) or throws.
 * Retriable errors are retried with backoff, forever, without skipping data;
 * non-retriable errors stop the consumer: poison records must be dead-lettered
 * inside the handler, so a throw here is a bug or a fatal fault.
 */
export type BatchHandler = (batch: RecordBatch, ctx: BatchContext) => Promise<void | CommitDecision | DeferredCommit>;

/**
 * A handler that hands its batch to a pipelined writer (GroupCommitWriter)
 * returns before the batch is written: the consumer reads on, and commits the
 * batch once `written` resolves and every earlier batch of its partition is
 * written (ContiguousCommits). A rejection is fatal while the consumer runs
 * (the writer retries what can be retried) and leaves the batch uncommitted.
 */
export interface DeferredCommit {
  written: Promise<void>;
  /**
   * Whether the batch's end offset is committed once written (default true).
   * A handler whose commits follow its state snapshots says false for a batch
   * that only adds outputs: a failed write still stops the consumer, and the
   * batch whose `written` covers a stored snapshot commits.
   */
  commitsOffset?: boolean;
}

function isDeferred(decision: void | CommitDecision | DeferredCommit): decision is DeferredCommit {
  return decision !== undefined && 'written' in decision;
}

/**
 * A handler that keeps state may commit less than it processed: only offsets
 * its latest state snapshot covers (so a restart resumes exactly where the
 * restored state ends). Offsets are the next offsets to read.
 */
export interface CommitDecision {
  commit: Array<{ topic: string; partition: number; offset: string }>;
}

export interface AssignmentChange {
  assigned: Array<{ topic: string; partition: number }>;
  /** The group's committed offset of a partition (next offset to read), or null when it has none. */
  committedOffset(topic: string, partition: number): bigint | null;
  /** Moves a partition's position (e.g. to where a restored state snapshot ends) without it counting as a gap. */
  seek(topic: string, partition: number, offset: string): void;
}

export interface BatchConsumerOptions {
  kafka: Kafka;
  pipeline: string;
  groupId: string;
  topics: string[];
  handler: BatchHandler;
  logger: Logger;
  metrics: Metrics;
  fromBeginning?: boolean;
  retry?: Partial<RetryOptions>;
  /** Called after each group join with the full new assignment, before its first batch is handled. */
  onAssignment?: (change: AssignmentChange, consumer: Consumer) => Promise<void>;
  /** Called when a gap between committed/seen offsets and the next fetched offset proves records were lost. */
  onDataLoss?: (info: { topic: string; partition: number; expected: string; got: string; lost: number }) => void;
  maxBytesPerPartition?: number;
  /**
   * Batches of different partitions handled at once (default 1). A stateless
   * pipeline overlaps one partition's sink writes with the next one's decoding;
   * records of one partition stay in order either way.
   */
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  /**
   * Longest a fetch waits for data (default 100 ms). kafkajs defaults to 5 s and librdkafka's mock cluster
   * does not answer early when data arrives, so a consumer that has caught up adds up to this much latency to
   * every hop. Shorter costs idle fetches: `yunlian up --scenario none` used 6.9 % of a core at 200 ms, 9.5 %
   * at 100 and 11.1 % at 50 (docs/performance.md, "Session 29"). A real broker answers as soon as data arrives.
   */
  maxWaitTimeMs?: number;
  /** Told which offsets the group accepted (a commit refused during a rebalance is not reported). */
  onCommitted?: (commits: CommitDecision['commit']) => void;
  /**
   * Runs once the consumer is quiet (see RunningConsumer.quiesce), while it is still a member of the group, so
   * what it commits is accepted (e.g. a final state snapshot).
   */
  onQuiesced?: () => Promise<void>;
}

export interface RunningConsumer {
  consumer: Consumer;
  /** Resolves when the consumer stops; rejects with the fatal error that stopped it. */
  done: Promise<void>;
  /**
   * The first half of stop(): no new batch is handled; the batches in flight, their writes and commits finish,
   * then onQuiesced runs, all while the consumer stays in its group. Idempotent. Members of one group that stop
   * together quiesce first and leave after: a member that leaves while another is still draining makes the
   * coordinator rebalance the other, which kafkajs rejoins even while stopping (librdkafka's mock cluster then
   * holds that join ~29 s).
   */
  quiesce(): Promise<void>;
  /** Quiesces (unless done already), then leaves the group and disconnects. */
  stop(): Promise<void>;
  /**
   * Stops the consumer with the error if `written` rejects while it runs, as a failed DeferredCommit does: for a
   * write a pipeline starts outside any batch (detect's snapshots while the stream is idle), which no batch's
   * commit waits for. stop() waits for it too. `message` is the error log line.
   */
  stopIfWriteFails(topic: string, partition: number, written: Promise<void>, message: string): void;
}

/** Rejoins after crashes kafkajs does not restart on: at most this many within the window, each after the delay. */
const MAX_REJOINS = 5;
const REJOIN_WINDOW_MS = 5 * 60_000;
const REJOIN_DELAY_MS = 1_000;

/** How often a batch in flight asks kafkajs to heartbeat (kafkajs itself sends one per heartbeatInterval). */
const HANDLER_HEARTBEAT_MS = 1000;

/**
 * Commits offsets; a commit refused because the group is rebalancing is
 * logged and dropped — the records are redelivered to the partition's next
 * owner and the idempotent sinks absorb them (at-least-once).
 */
export async function commitOrDefer(consumer: Consumer, commits: CommitDecision['commit'], logger: Logger): Promise<boolean> {
  try {
    await consumer.commitOffsets(commits);
    return true;
  } catch (error) {
    const e = error as { type?: string; message?: string; originalError?: { type?: string } };
    // kafkajs wraps a broker error that is not retriable in KafkaJSNonRetriableError and keeps it as `cause`.
    const cause = (error as { cause?: { type?: string; message?: string } }).cause;
    const type = e.type ?? e.originalError?.type ?? cause?.type ?? '';
    const message = `${e.message ?? ''} ${cause?.message ?? ''}`;
    if (/REBALANCE_IN_PROGRESS|ILLEGAL_GENERATION|UNKNOWN_MEMBER_ID|NOT_COORDINATOR/.test(type) || /rebalanc|rejoin|generation id|member id|not aware of this member/i.test(message)) {
      logger.warn('offset commit refused during a rebalance; it is retried with the next commit', { partitions: commits.length, type });
      return false;
    }
    throw error;
  }
}

export async function startBatchConsumer(opts: BatchConsumerOptions): Promise<RunningConsumer> {
  const { kafka, logger, metrics, pipeline } = opts;
  const consumer = kafka.consumer({
    groupId: opts.groupId,
    sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: 3_000,
    // The leader waits a moment before assigning, so followers' SyncGroup reaches the embedded mock cluster first.
    partitionAssigners: [unhurriedRoundRobin()],
    maxBytesPerPartition: opts.maxBytesPerPartition ?? 4 * 1024 * 1024,
    maxWaitTimeInMs: opts.maxWaitTimeMs ?? 100,
    retry: {
      retries: 10,
      // kafkajs consults this only for retriable crashes (retries exhausted); non-retriable ones are rejoined a
      // bounded number of times by the CRASH handler below. Fatal handler errors never reach kafkajs (the
      // handler path disconnects instead), so every retriable crash seen here is worth a restart.
      restartOnFailure: async (error: Error) => {
        logger.warn('consumer crashed; kafkajs restarts it', { pipeline, groupId: opts.groupId, error });
        return running;
      },
    },
  });
  const admin = kafka.admin();
  await admin.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: opts.topics, fromBeginning: opts.fromBeginning ?? true });

  /** Next offset we expect per topic-partition; a fetched batch starting beyond it means records were deleted unread. */
  const expected = new Map<string, bigint>();
  let pendingAssignment: Promise<void> = Promise.resolve();
  /** Partitions whose lag this consumer has reported, by `topic:partition`. */
  const lagReported = new Map<string, { topic: string; partition: number }>();
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    const assignment = event.payload.memberAssignment as Record<string, number[]>;
    const assigned = Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));
    logger.info('partitions assigned', { pipeline, groupId: opts.groupId, assigned: assigned.length });
    // A partition assigned away would keep its last lag in this consumer's gauge, which sums over threads (merged
    // metrics) and processes (alerts) add to its new owner's: from here on this consumer is behind on it by nothing.
    const kept = new Set(assigned.map(({ topic, partition }) => `${topic}:${partition}`));
    for (const [key, { topic, partition }] of lagReported) {
      if (kept.has(key)) continue;
      metrics.consumerLag(pipeline, topic, partition, 0);
      lagReported.delete(key);
    }
    pendingAssignment = withRetry(async () => {
      expected.clear();
      const committed = await admin.fetchOffsets({ groupId: opts.groupId, topics: opts.topics });
      for (const { topic, partitions } of committed) {
        for (const p of partitions) if (p.offset !== '-1' && p.offset !== '') expected.set(`${topic}:${p.partition}`, BigInt(p.offset));
      }
      const seek = (topic: string, partition: number, offset: string) => {
        expected.set(`${topic}:${partition}`, BigInt(offset));
        consumer.seek({ topic, partition, offset });
      };
      // Read before any seek below changes `expected`.
      const committedAt = new Map(expected);
      const committedOffset = (topic: string, partition: number) => committedAt.get(`${topic}:${partition}`) ?? null;
      await opts.onAssignment?.({ assigned, committedOffset, seek }, consumer);
    }, {
      ...opts.retry,
      shouldRetry: (error) => running && isRetriable(error),
      onRetry: ({ error, attempt, delayMs }) => logger.warn('preparing the new assignment failed, retrying', { pipeline, attempt, delayMs, error }),
    });
    // A non-retriable failure here is fatal; it must never surface as an unhandled rejection.
    pendingAssignment.catch((error: unknown) => {
      if (!running) return;
      logger.error('cannot prepare the assigned partitions; stopping the consumer', { pipeline, error });
      running = false;
      fatal?.(error);
      void consumer.disconnect().catch(() => undefined);
    });
  });

  let running = true;
  let recentCrashes: number[] = [];
  let rejoinTimer: NodeJS.Timeout | undefined;
  let fatal: ((error: unknown) => void) | null = null;
  const done = new Promise<void>((resolve, reject) => {
    fatal = reject;
    // kafkajs disconnects (emitting STOP) before it reports a crash, so STOP means done only when we asked for it;
    // otherwise the CRASH that follows decides: a restart, or the fatal error.
    consumer.on(consumer.events.STOP, () => {
      if (!running) resolve();
    });
    consumer.on(consumer.events.CRASH, (event) => {
      if (event.payload.restart || !running) return;
      // kafkajs gives up on errors it calls non-retriable, among them group errors a fresh join cures (an eviction
      // surfacing as a wrapped UNKNOWN_MEMBER_ID, the mock cluster's INVALID_REQUEST during a rebalance). Rejoin a
      // few times, as kafkajs's own restart does; a crash that keeps coming back is fatal and fails loudly.
      const now = Date.now();
      recentCrashes = [...recentCrashes.filter((at) => now - at < REJOIN_WINDOW_MS), now];
      if (recentCrashes.length <= MAX_REJOINS) {
        logger.warn('consumer crashed on an error kafkajs does not restart on; rejoining the group', { pipeline, groupId: opts.groupId, attempt: recentCrashes.length, error: event.payload.error });
        rejoinTimer = setTimeout(() => {
          if (running) consumer.run(runConfig).catch((error: unknown) => stopOnFatal(error));
        }, REJOIN_DELAY_MS);
        return;
      }
      stopOnFatal(event.payload.error);
    });
    const stopOnFatal = (error: unknown) => {
      logger.error('consumer keeps crashing; the pipeline stops', { pipeline, groupId: opts.groupId, crashes: recentCrashes.length, error });
      running = false;
      reject(error);
    };
  });
  done.catch(() => undefined);

  /**
   * Reports data loss when a batch starts beyond the expected offset and the
   * skipped offsets were really deleted (below the log start); any other gap
   * (compaction, transaction markers, a position kept across a rebalance) is
   * only logged. Never throws: a failed log-start lookup must not stop consumption.
   */
  const checkGap = async (topic: string, partition: number, firstOffset: string): Promise<void> => {
    const want = expected.get(`${topic}:${partition}`);
    const got = BigInt(firstOffset);
    if (want === undefined || got <= want) return;
    let low: string | undefined;
    try {
      low = (await fetchTopicOffsets(admin, topic)).find((o) => o.partition === partition)?.low;
    } catch (error) {
      logger.warn('offset gap not verified: the log start offset could not be read', { pipeline, topic, partition, expected: want.toString(), got: firstOffset, error });
      return;
    }
    if (low === undefined) {
      logger.warn('offset gap not verified: the partition has no log start offset', { pipeline, topic, partition, expected: want.toString(), got: firstOffset });
      return;
    }
    const logStart = BigInt(low);
    const gap = classifyOffsetGap({ expected: want, firstFetched: got, logStart });
    if (gap.kind === 'jump') {
      logger.info('position moved past the expected offset; the skipped offsets are still in the log (not loss)', { pipeline, topic, partition, expected: want.toString(), got: firstOffset, logStart: logStart.toString() });
    } else if (gap.kind === 'loss') {
      const lost = Number(gap.lost);
      metrics.dataLoss(pipeline, topic, partition, lost);
      logger.error('DATA LOSS: records were deleted before this consumer read them', { pipeline, topic, partition, expected: want.toString(), got: firstOffset, logStart: logStart.toString(), lost });
      opts.onDataLoss?.({ topic, partition, expected: want.toString(), got: firstOffset, lost });
    }
  };

  const stopOnFatalBatch = (message: string, error: unknown, topic: string, partition: number) => {
    if (!running) return;
    logger.error(message, { pipeline, topic, partition, error });
    running = false;
    fatal?.(error);
    // Disconnecting stops kafkajs from fetching on.
    void consumer.disconnect().catch(() => undefined);
  };

  /** Batches handed to a pipelined writer and not yet written; commits follow their writes (DeferredCommit). */
  const deferredCommits = new ContiguousCommits();
  const unsettledWrites = new Set<Promise<void>>();
  let committing: Promise<void> = Promise.resolve();
  let commitQueued = false;
  let commitRetryTimer: NodeJS.Timeout | undefined;
  /** One commit at a time, of every partition whose written prefix grew; confirmations of one write share it. */
  const commitWritten = () => {
    if (commitQueued) return;
    commitQueued = true;
    committing = committing.then(async () => {
      commitQueued = false;
      const ready = deferredCommits.ready();
      if (ready.length === 0) return;
      try {
        if (await commitOrDefer(consumer, ready, logger)) {
          deferredCommits.committed(ready);
          opts.onCommitted?.(ready);
        }
      } catch (error) {
        // Offsets not reported as committed are offered again; without a retry the last ones would wait for more input.
        logger.warn('offset commit failed; retrying', { pipeline, partitions: ready.length, error });
        if (running) commitRetryTimer = setTimeout(commitWritten, HANDLER_HEARTBEAT_MS);
      }
    });
  };
  /** A batch whose write must succeed but whose offset is committed by a later one (DeferredCommit.commitsOffset false). */
  const stopIfWriteFails = (topic: string, partition: number, written: Promise<void>, message = 'a batch write failed; stopping the consumer') => {
    const settled = written.then(
      () => undefined,
      (error: unknown) => stopOnFatalBatch(message, error, topic, partition),
    );
    unsettledWrites.add(settled);
    void settled.then(() => unsettledWrites.delete(settled));
  };
  const commitWhenWritten = (topic: string, partition: number, nextOffset: bigint, written: Promise<void>) => {
    const pending = deferredCommits.track(topic, partition, nextOffset);
    const settled = written.then(
      () => {
        deferredCommits.written(pending);
        commitWritten();
      },
      (error: unknown) => {
        // Blocks every later commit of the partition. On stop the write was abandoned: the batch is read again.
        deferredCommits.failed(pending);
        stopOnFatalBatch('a batch write failed; stopping the consumer', error, topic, partition);
      },
    );
    unsettledWrites.add(settled);
    void settled.then(() => unsettledWrites.delete(settled));
  };

  /** Batches being handled; stop() waits for them, because kafkajs's stop does not wait for a handler in flight. */
  const inFlight = new Set<Promise<void>>();
  const processBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch, heartbeat, isRunning, isStale } = payload;
    await pendingAssignment;
    if (!running || batch.messages.length === 0 || !isRunning() || isStale()) return;
    await checkGap(batch.topic, batch.partition, batch.messages[0]!.offset);
    const records: ConsumedRecord[] = batch.messages.map((m) => consumedRecord(batch.topic, batch.partition, m));
    metrics.recordsIn(pipeline, batch.topic, records.length);
    const lag = BigInt(batch.highWatermark) - BigInt(batch.lastOffset()) - 1n;
    metrics.consumerLag(pipeline, batch.topic, batch.partition, Number(lag < 0n ? 0n : lag));
    lagReported.set(`${batch.topic}:${batch.partition}`, { topic: batch.topic, partition: batch.partition });
    let decision: void | CommitDecision | DeferredCommit = undefined;
    // A handler may run far longer than the session timeout (its own retries through a ClickHouse outage, a
    // slow sink). Without heartbeats the coordinator evicts the member, and kafkajs then crashes on the
    // wrapped UNKNOWN_MEMBER_ID without restarting: the pipeline stopped for good after a 60 s outage
    // (tests/faults, ClickHouse outage scenario). kafkajs sends at most one heartbeat per heartbeatInterval.
    const keepAlive = setInterval(() => {
      heartbeat().catch((error: unknown) => logger.debug('heartbeat during a long batch refused', { pipeline, error }));
    }, HANDLER_HEARTBEAT_MS);
    try {
      await withRetry(
        async () => {
          decision = await opts.handler({ topic: batch.topic, partition: batch.partition, records, highWatermark: batch.highWatermark }, { heartbeat, isRunning: () => running && isRunning() });
        },
        {
          ...opts.retry,
          shouldRetry: (error) => running && isRetriable(error),
          onRetry: ({ error, attempt, delayMs }) => {
            metrics.retried(pipeline, 'batch');
            logger.warn('batch failed, retrying', { pipeline, topic: batch.topic, partition: batch.partition, attempt, delayMs, error });
            void heartbeat().catch(() => undefined);
          },
        },
      );
    } catch (error) {
      // Returning without resolving keeps the offset uncommitted.
      stopOnFatalBatch('batch failed with a non-retriable error; stopping the consumer', error, batch.topic, batch.partition);
      return;
    } finally {
      clearInterval(keepAlive);
    }
    const last = batch.lastOffset();
    const next = (BigInt(last) + 1n).toString();
    payload.resolveOffset(last);
    const outcome = decision as void | CommitDecision | DeferredCommit;
    if (isDeferred(outcome)) {
      if (outcome.commitsOffset === false) stopIfWriteFails(batch.topic, batch.partition, outcome.written);
      else commitWhenWritten(batch.topic, batch.partition, BigInt(next), outcome.written);
    } else {
      const commits = outcome?.commit ?? [{ topic: batch.topic, partition: batch.partition, offset: next }];
      if (commits.length > 0 && (await commitOrDefer(consumer, commits, logger))) opts.onCommitted?.(commits);
    }
    expected.set(`${batch.topic}:${batch.partition}`, BigInt(next));
    await heartbeat().catch((error: unknown) => logger.debug('heartbeat refused (rebalance under way)', { error }));
  };

  const runConfig: ConsumerRunConfig = {
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 1,
    eachBatch: (payload: EachBatchPayload) => {
      const work = processBatch(payload);
      const settled = work.catch(() => undefined);
      inFlight.add(settled);
      void settled.then(() => inFlight.delete(settled));
      return work;
    },
  };
  await consumer.run(runConfig);

  let quiesced: Promise<void> | null = null;
  const quiesce = (): Promise<void> =>
    (quiesced ??= (async () => {
      running = false;
      clearTimeout(rejoinTimer);
      try {
        // Batches fetched from here on would only be skipped, and fetched again, for as long as the wait lasts.
        consumer.pause(opts.topics.map((topic) => ({ topic })));
      } catch {
        // Not running (never started, or crashed): nothing is fetched anyway.
      }
      // Finish the batch in flight, its sink writes and its commit, while the group still accepts commits.
      await Promise.all(inFlight);
      // Then the pipelined writes: those that succeed are committed, those abandoned stay uncommitted.
      await Promise.all(unsettledWrites);
      commitWritten();
      await committing;
      clearTimeout(commitRetryTimer);
      await opts.onQuiesced?.();
    })());

  return {
    consumer,
    done,
    stopIfWriteFails,
    quiesce,
    stop: async () => {
      try {
        await quiesce();
      } finally {
        await consumer.stop();
        await consumer.disconnect();
        await admin.disconnect();
      }
    },
  };
}
