import { DEFAULT_WATERMARK_CONFIG } from '../pipelines/detect/watermarkClock.ts';
import type { DisruptionSignal } from '../src/domain/signal.ts';
import type { EmbeddedSystem } from '../src/embedded/embeddedSystem.ts';
import { pipelineLagGates } from '../src/embedded/pipelineBackpressure.ts';
import { TOPICS } from '../src/kafka/topics.ts';
import type { Logger } from '../src/runtime/log.ts';
import { waitUntilDrained } from './drainClock.ts';
import { PIPELINE_PAIRS } from './endToEnd.ts';
import { summarizeLatencies, type LatencySummary } from './latencyHistogram.ts';
import { producePaced, type ProducedChunk } from './pacedProducer.ts';
import type { FeedRecordSource } from './scenarioSpool.ts';

export interface AlertLatencyResult {
  offeredEventsPerSecond: number;
  achievedEventsPerSecond: number;
  events: number;
  produceSeconds: number;
  gatedSeconds: number;
  /** Signals of this run that arrived on yunlian.disruptions. */
  signals: number;
  /** Produce time of the event that let the watermark close the signal's day → the signal's arrival at a consumer of yunlian.disruptions. */
  toConsumer: LatencySummary;
  /** Same start → the signal record's Kafka timestamp (when detect produced it). */
  toTopic: LatencySummary;
  /** Signals whose closing event could not be found in the produce log (closed by an idle source or the end of the stream). */
  untraced: number;
}

/** First chunk whose slowest feed reached `eventMs` (chunks are non-decreasing in it); null when none did. */
function firstChunkReaching(chunks: readonly ProducedChunk[], eventMs: number): ProducedChunk | null {
  let lo = 0;
  let hi = chunks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (chunks[mid]!.slowestFeedEventMs >= eventMs) hi = mid;
    else lo = mid + 1;
  }
  return lo < chunks.length ? chunks[lo]! : null;
}

/**
 * Event → alert latency at a fixed offered load. Signals fire when the
 * event-time watermark (newest event − allowed lateness, slowest feed
 * source) passes the end of a day, so the honest start of the clock is the
 * produce time of the event that moved the watermark past it: the first
 * produce request after which every feed had an event at or after
 * `signal.event_time_ms + allowedLateness`. The watermark is per feed
 * partition, so the true trigger can come a few records later than this
 * per-feed estimate, which makes the figures slightly pessimistic. The
 * event-time part (window close + lateness) is by design and excluded; what
 * is measured is the processing delay the "+ 2 s" bounds.
 */
export async function alertLatency(
  system: EmbeddedSystem,
  source: FeedRecordSource,
  opts: { eventsPerSecond: number; firstEventMs: number; logger: Logger; say?: (line: string) => void },
): Promise<AlertLatencyResult> {
  const { kafka, codecs } = system.services;
  const arrivals: Array<{ signal: DisruptionSignal; arrivedAtMs: number; topicMs: number }> = [];
  const consumer = kafka.consumer({ groupId: `bench-latency-${Date.now()}`, maxWaitTimeInMs: 200 });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPICS.disruptions], fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const arrivedAtMs = Date.now();
      if (!message.value) return;
      const signal = await codecs.disruptionSignal.decode(message.value);
      arrivals.push({ signal, arrivedAtMs, topicMs: Number(message.timestamp) });
    },
  });
  await joined;
  // The join resolves before the first fetch; give the consumer its starting position before the clock runs.
  await new Promise((r) => setTimeout(r, 1000));
  const admin = kafka.admin();
  await admin.connect();
  try {
    // One produce request per second of load: with ingest's 16 KiB fetches and the mock broker answering a fetch only
    // after its full wait, 20-record requests cap ingest near 50 events/s (see the bench report), which would
    // measure queueing, not processing.
    const produced = await producePaced({
      source,
      producer: system.services.producer,
      eventsPerSecond: opts.eventsPerSecond,
      chunkEvents: Math.max(1, Math.round(opts.eventsPerSecond)),
      lagGates: pipelineLagGates(admin, ['ingest', 'detect'], opts.logger),
    });
    opts.say?.(`  latency: produced ${produced.produced} in ${produced.seconds.toFixed(1)} s (${produced.gatedSeconds.toFixed(1)} s held by lag gates); draining…`);
    await waitUntilDrained(admin, PIPELINE_PAIRS, { timeoutMs: 5 * 60_000, stableMs: 1500, onLag: (l) => opts.say?.(`  latency: still draining: ${l}`) });
    await new Promise((r) => setTimeout(r, 1000));
    const toConsumer: number[] = [];
    const toTopic: number[] = [];
    let untraced = 0;
    let signals = 0;
    for (const { signal, arrivedAtMs, topicMs } of arrivals) {
      if (signal.event_time_ms < opts.firstEventMs) continue;
      signals++;
      const trigger = firstChunkReaching(produced.chunks, signal.event_time_ms + DEFAULT_WATERMARK_CONFIG.allowedLatenessMs);
      if (trigger === null) {
        untraced++;
        continue;
      }
      toConsumer.push(arrivedAtMs - trigger.sentAtMs);
      toTopic.push(topicMs - trigger.sentAtMs);
    }
    return {
      offeredEventsPerSecond: opts.eventsPerSecond,
      achievedEventsPerSecond: produced.produced / produced.seconds,
      events: produced.produced,
      produceSeconds: produced.seconds,
      gatedSeconds: produced.gatedSeconds,
      signals,
      toConsumer: summarizeLatencies(toConsumer),
      toTopic: summarizeLatencies(toTopic),
      untraced,
    };
  } finally {
    await admin.disconnect();
    await consumer.disconnect();
  }
}
