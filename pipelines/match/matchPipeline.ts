import { createHash } from 'node:crypto';
import type { DisruptionSignal } from '../../src/domain/signal.ts';
import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';
import type { MatchList } from '../../src/domain/matchList.ts';
import { GROUPS, TOPICS } from '../../src/kafka/topics.ts';
import { startBatchConsumer } from '../../src/kafka/batchConsumer.ts';
import { deadLetter } from '../../src/kafka/deadLetter.ts';
import type { ConsumedRecord, OutgoingRecord } from '../../src/kafka/record.ts';
import type { ValueCodec } from '../../src/kafka/valueCodec.ts';
import { PoisonRecordError } from '../../src/runtime/errors.ts';
import type { PipelineDeps, RunningPipeline } from '../../src/runtime/pipeline.ts';
import { insertRows } from '../../sinks/clickhouse/insertRows.ts';
import { MatchEngine, type MatchEngineOptions } from './matchEngine.ts';
import { readCurrentMatchLists } from './matchListStore.ts';
import { matchRows } from './matchRows.ts';
import { replayStoredLegs } from './rebuildIndex.ts';
import { readOpenSignals } from './storedSignals.ts';

export interface MatchCodecs {
  invoiceLeg: ValueCodec<InvoiceLeg>;
  disruptionSignal: ValueCodec<DisruptionSignal>;
  matchList: ValueCodec<MatchList>;
}

/** Dedup token of one set of revisions: derived from their identities, so a retried write is dropped. */
function revisionsToken(revisions: readonly MatchList[]): string {
  return createHash('sha1').update(`matches|${revisions.map((r) => `${r.match_id}:${r.version}`).join(',')}`).digest('hex');
}

async function decodeEach<T>(records: readonly ConsumedRecord[], codec: ValueCodec<T>, deadLetters: OutgoingRecord[], apply: (value: T) => void): Promise<void> {
  for (const record of records) {
    if (record.value === null || record.value.length === 0) {
      deadLetters.push(deadLetter(record, 'EMPTY_VALUE', 'record has no value'));
      continue;
    }
    let value: T;
    try {
      value = await codec.decode(record.value);
    } catch (error) {
      if (error instanceof PoisonRecordError) {
        deadLetters.push(deadLetter(record, error.code, error.message));
        continue;
      }
      throw error;
    }
    apply(value);
  }
}

/**
 * match: `yunlian.invoice-legs` + `yunlian.disruptions` → `yunlian.matches`
 * (key = enterprise tax ID) and ClickHouse `matches`.
 *
 * State survives restarts by rebuilding, not snapshotting: at start the goods
 * index is rebuilt from ClickHouse (`invoices` / `invoice_lines` FINAL, the
 * recent months), open signals come from `signals FINAL`, and the lists from
 * `matches` (newest revision each); every open list is then re-ranked once
 * and republished only if it changed. Legs from the topic that the rebuild
 * already saw are recognised by leg_id and ignored. Revisions are produced to
 * Kafka before ClickHouse and kept until both confirmed, so a retried batch
 * resends exactly the same revisions (same match_id, version, dedup token).
 *
 * The index is global (any firm can be any list's candidate), so this
 * pipeline runs as one consumer-group member; scaling out by partitions would
 * need a shared index (see the issue note).
 */
export async function startMatchPipeline(deps: PipelineDeps, codecs: MatchCodecs, options: MatchEngineOptions = {}): Promise<RunningPipeline> {
  const { clickhouse, producer, metrics, logger } = deps;
  const log = logger.child('match');
  const engine = new MatchEngine(options);

  const started = performance.now();
  for (const s of await readOpenSignals(clickhouse)) engine.signals.apply(s);
  for (const l of await readCurrentMatchLists(clickhouse)) engine.restoreList(l);
  const invoices = await replayStoredLegs(clickhouse, engine.index.options.windowMonths + 1, (leg) => engine.onLeg(leg));
  engine.refreshAll();
  /** Revisions computed but not yet confirmed by both Kafka and ClickHouse; survive a retried batch. */
  let pending: MatchList[] = engine.flush(deps.now());
  log.info('match state rebuilt', { invoices, firms: engine.index.firms.size, openLists: engine.openListCount(), openSignals: engine.signals.openCount(), republished: pending.length, seconds: (performance.now() - started) / 1000 });

  const publish = async (): Promise<void> => {
    if (pending.length === 0) return;
    const records: OutgoingRecord[] = pending.map((l) => ({ topic: TOPICS.matches, key: l.enterprise_tax_id, value: codecs.matchList.encode(l) }));
    await producer.send(records);
    metrics.recordsOut('match', TOPICS.matches, records.length);
    const rows = pending.flatMap(matchRows);
    const t = performance.now();
    await insertRows(clickhouse, { table: 'yunlian.matches', rows, dedupToken: revisionsToken(pending) });
    metrics.sinkWrite('match', 'matches', rows.length, (performance.now() - t) / 1000);
    pending = [];
  };
  await publish();

  const running = await startBatchConsumer({
    kafka: deps.kafka,
    pipeline: 'match',
    groupId: deps.groupIdPrefix + GROUPS.match,
    topics: [TOPICS.invoiceLegs, TOPICS.disruptions],
    logger: log,
    metrics,
    retry: deps.retry,
    onDataLoss: deps.onDataLoss,
    handler: async (batch) => {
      const deadLetters: OutgoingRecord[] = [];
      // Re-applying a batch after a retry is a no-op: legs are deduplicated by leg_id, signals by signal_id and status.
      if (batch.topic === TOPICS.invoiceLegs) await decodeEach(batch.records, codecs.invoiceLeg, deadLetters, (leg) => engine.onLeg(leg));
      else await decodeEach(batch.records, codecs.disruptionSignal, deadLetters, (signal) => engine.onSignal(signal));
      pending.push(...engine.flush(deps.now()));
      if (deadLetters.length > 0) {
        await producer.send(deadLetters);
        for (const d of deadLetters) metrics.deadLettered('match', d.headers?.['x-dlq.reason'] ?? 'UNKNOWN', 1);
        log.info('records dead-lettered', { topic: batch.topic, partition: batch.partition, count: deadLetters.length });
      }
      await publish();
    },
  });
  return { name: 'match', stop: running.stop, done: running.done };
}
