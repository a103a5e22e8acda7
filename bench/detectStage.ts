import type { WorkingCalendar } from '../src/calendar/workingCalendar.ts';
import type { InvoiceLeg } from '../src/domain/invoiceLeg.ts';
import type { DisruptionSignal } from '../src/domain/signal.ts';
import { DEFAULT_DETECTOR_CONFIG } from '../pipelines/detect/detectorConfig.ts';
import { emptyOutput, PartitionProcessor } from '../pipelines/detect/runtimePartition.ts';
import { DEFAULT_WATERMARK_CONFIG } from '../pipelines/detect/watermarkClock.ts';
import { advantageOf, ratePerSecond, type BenchFigure } from './benchFigure.ts';
import { NaiveDetector, type NaiveSignal } from './naiveDetector.ts';

export interface DetectStageResult {
  figures: BenchFigure[];
  /** Signals in emission order with the index of the leg after which each fired (the match stage replays them). */
  signals: Array<{ afterLeg: number; signal: DisruptionSignal }>;
}

/**
 * Detector updates/s: every leg through PartitionProcessor.process (apply,
 * watermark, closing finished days for every tracked enterprise, all six
 * detectors, daily rollups) against NaiveDetector's per-leg recomputation of
 * the window sums from the full per-day history.
 */
export function detectStage(legs: readonly InvoiceLeg[], calendar: WorkingCalendar): DetectStageResult {
  const ctx = { calendar, config: DEFAULT_DETECTOR_CONFIG, now: Date.now };
  const processor = new PartitionProcessor(ctx, DEFAULT_WATERMARK_CONFIG);
  const signals: DetectStageResult['signals'] = [];
  let t = performance.now();
  let late = 0;
  // One output per leg, as a batch of one: the rollup rows and signals are built but not written anywhere.
  const out = emptyOutput();
  for (let i = 0; i < legs.length; i++) {
    processor.process(legs[i]!, out);
    if (out.signals.length > 0) {
      for (const signal of out.signals) signals.push({ afterLeg: i, signal });
      out.signals.length = 0;
    }
    late += out.late.length;
    out.late.length = 0;
    out.enterpriseDaily.length = 0;
    out.linksDaily.length = 0;
  }
  const yunlianSeconds = (performance.now() - t) / 1000;

  const naive = new NaiveDetector(calendar, DEFAULT_DETECTOR_CONFIG);
  const naiveSignals: NaiveSignal[] = [];
  t = performance.now();
  for (const leg of legs) naive.apply(leg, naiveSignals);
  const naiveSeconds = (performance.now() - t) / 1000;

  const yunlian = ratePerSecond(legs.length, yunlianSeconds);
  const naiveRate = ratePerSecond(legs.length, naiveSeconds);
  return {
    signals,
    figures: [
      {
        id: 'stage.detect',
        label: 'detector updates (legs/s)',
        unit: 'legs/s',
        yunlian,
        naive: naiveRate,
        advantage: advantageOf(yunlian, naiveRate, 'higher'),
        input: { legs: legs.length, enterprises: processor.size, yunlian_signals: signals.length, naive_signals: naiveSignals.length, late_legs: late },
        extrapolated: { yunlian: false, naive: false },
        notes: 'yunlian: PartitionProcessor.process per leg (one partition, all six detectors, day closing for every tracked firm, rollups built). naive: per leg, recompute the 10-day window and the 60-day baseline median of rolling sums from the full per-day history (drops only).',
      },
    ],
  };
}
