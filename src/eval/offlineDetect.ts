import { parseIssuedAt } from '../domain/issuedAt.ts';
import type { DisruptionSignal } from '../domain/signal.ts';
import type { FeedArrival } from '../simulate/simulateScenario.ts';
import { invoiceLegs } from '../../pipelines/ingest/invoiceLegs.ts';
import { validateInvoice } from '../../pipelines/ingest/validateInvoice.ts';
import type { DetectorContext } from '../../pipelines/detect/detectorContext.ts';
import { emptyOutput, PartitionProcessor } from '../../pipelines/detect/runtimePartition.ts';
import { DEFAULT_WATERMARK_CONFIG, type WatermarkConfig } from '../../pipelines/detect/watermarkClock.ts';

export interface OfflineDetectResult {
  signals: DisruptionSignal[];
  lateLegs: number;
  duplicateLegs: number;
  invalidEvents: number;
  /** Event time of the newest event (epoch ms). */
  maxEventMs: number;
}

/**
 * The detect pipeline's logic without Kafka or ClickHouse: every valid event
 * of the scenario, in arrival order, becomes its legs, which one
 * PartitionProcessor consumes — the same code the runtime runs per partition.
 * For fast tuning loops; `npm run eval` scores the real pipeline.
 */
export function detectOffline(arrivals: Iterable<FeedArrival>, ctx: DetectorContext, watermark: WatermarkConfig = DEFAULT_WATERMARK_CONFIG): OfflineDetectResult {
  const processor = new PartitionProcessor(ctx, watermark);
  const out = emptyOutput();
  let invalidEvents = 0;
  let maxEventMs = -Infinity;
  for (const { event } of arrivals) {
    if (validateInvoice(event, { now: Date.now() }).kind !== 'valid') {
      invalidEvents++;
      continue;
    }
    const issued = parseIssuedAt(event.issued_at);
    if (issued.kind !== 'ok') continue;
    maxEventMs = Math.max(maxEventMs, issued.epochMs);
    for (const leg of invoiceLegs(event, issued.epochMs)) processor.process(leg, out);
  }
  return { signals: out.signals, lateLegs: out.late.length, duplicateLegs: out.duplicates, invalidEvents, maxEventMs };
}
