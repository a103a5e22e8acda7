import { DISTRICTS, type District } from '../src/domain/district.ts';
import type { LagGate } from '../src/kafka/lagGate.ts';
import type { RecordProducer } from '../src/kafka/recordProducer.ts';
import type { FeedRecordSource } from './scenarioSpool.ts';

/** One produce request: when it started and how far every feed's event time had got once it was sent. */
export interface ProducedChunk {
  /** Wall clock when the request was handed to the producer (its records' produce time). */
  sentAtMs: number;
  /** Records produced including this chunk. */
  produced: number;
  /** min over feeds of the newest event time produced on that feed so far; -Infinity until every feed has one. */
  slowestFeedEventMs: number;
}

export interface ProduceResult {
  produced: number;
  seconds: number;
  chunks: ProducedChunk[];
  /** Time spent waiting on the lag gates (backpressure from the pipelines). */
  gatedSeconds: number;
}

export interface PacedProduceOptions {
  /** Read one produce request's worth at a time, so the scenario need not fit in memory. */
  source: FeedRecordSource;
  producer: RecordProducer;
  /** Offered load; Infinity = as fast as the lag gates allow. */
  eventsPerSecond: number;
  lagGates: readonly LagGate[];
  /** Records per produce request (default: a 20th of a second's worth, at most 2000). */
  chunkEvents?: number;
  onProgress?: (produced: number) => void;
}

/**
 * Produces pre-encoded scenario records in arrival order at a fixed rate (or
 * flat out), held back by the pipelines' lag gates, and logs each request's
 * send time with the event-time frontier it reached, so an alert can be
 * traced back to the produce that let the watermark close its day.
 */
export async function producePaced(opts: PacedProduceOptions): Promise<ProduceResult> {
  const chunk = opts.chunkEvents ?? (Number.isFinite(opts.eventsPerSecond) ? Math.max(1, Math.min(2000, Math.round(opts.eventsPerSecond / 20))) : 2000);
  const newest = new Map<District, number>();
  const chunks: ProducedChunk[] = [];
  const started = Date.now();
  let gated = 0;
  let produced = 0;
  for await (const slice of opts.source.chunks(chunk)) {
    const g = Date.now();
    for (const gate of opts.lagGates) await gate.waitForRoom();
    gated += Date.now() - g;
    for (const r of slice) if ((newest.get(r.feed) ?? -Infinity) < r.eventMs) newest.set(r.feed, r.eventMs);
    const slowest = Math.min(...DISTRICTS.map((d) => newest.get(d) ?? -Infinity));
    const sentAtMs = Date.now();
    await opts.producer.send(slice.map((r) => ({ topic: r.topic, key: r.key, value: r.value })));
    produced += slice.length;
    chunks.push({ sentAtMs, produced, slowestFeedEventMs: slowest });
    opts.onProgress?.(produced);
    if (Number.isFinite(opts.eventsPerSecond)) {
      const wait = started + (produced / opts.eventsPerSecond) * 1000 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }
  return { produced, seconds: (Date.now() - started) / 1000, chunks, gatedSeconds: gated / 1000 };
}
