import type { WorkingCalendar } from '../src/calendar/workingCalendar.ts';
import { isoToDay } from '../src/calendar/workingCalendar.ts';
import { DEFAULT_DETECTOR_CONFIG } from '../pipelines/detect/detectorConfig.ts';
import { emptyOutput, PartitionProcessor } from '../pipelines/detect/runtimePartition.ts';
import { DEFAULT_WATERMARK_CONFIG } from '../pipelines/detect/watermarkClock.ts';
import { advantageOf, type BenchFigure } from './benchFigure.ts';
import { settledHeapBytes } from './heapProbe.ts';
import { NaiveDetector, type NaiveSignal } from './naiveDetector.ts';
import { syntheticLegs } from './syntheticLegs.ts';

interface MemoryRun {
  enterprises: number;
  links: number;
  legs: number;
  heapBytes: number;
  seconds: number;
}

function runYunlian(calendar: WorkingCalendar, firms: number, buyersPerFirm: number, workingDays: number): MemoryRun {
  const before = settledHeapBytes();
  const t = performance.now();
  const processor = new PartitionProcessor({ calendar, config: DEFAULT_DETECTOR_CONFIG, now: Date.now }, DEFAULT_WATERMARK_CONFIG);
  const out = emptyOutput();
  let legs = 0;
  for (const leg of syntheticLegs({ firms, buyersPerFirm, workingDays, firstDay: isoToDay('2020-03-02'), calendar })) {
    processor.process(leg, out);
    legs++;
    if (out.signals.length + out.enterpriseDaily.length + out.linksDaily.length > 10_000) {
      out.signals.length = 0;
      out.enterpriseDaily.length = 0;
      out.linksDaily.length = 0;
    }
  }
  out.signals.length = 0;
  out.enterpriseDaily.length = 0;
  out.linksDaily.length = 0;
  const seconds = (performance.now() - t) / 1000;
  const heapBytes = settledHeapBytes() - before;
  const serialized = processor.serialize();
  const links = serialized.enterprises.reduce((s, e) => s + e.links.length, 0);
  return { enterprises: processor.size, links, legs, heapBytes, seconds };
}

function runNaive(calendar: WorkingCalendar, firms: number, buyersPerFirm: number, workingDays: number): MemoryRun {
  const before = settledHeapBytes();
  const t = performance.now();
  const detector = new NaiveDetector(calendar, DEFAULT_DETECTOR_CONFIG);
  const out: NaiveSignal[] = [];
  let legs = 0;
  for (const leg of syntheticLegs({ firms, buyersPerFirm, workingDays, firstDay: isoToDay('2020-03-02'), calendar })) {
    detector.apply(leg, out);
    legs++;
  }
  const seconds = (performance.now() - t) / 1000;
  const heapBytes = settledHeapBytes() - before;
  // The same trade network, so the same pairs are tracked (one history per side of each pair).
  return { enterprises: detector.size, links: 0, legs, heapBytes, seconds };
}

/** Bytes per enterprise and per link from two runs that differ only in links per firm: heap = a·E + b·L. */
function perUnit(small: MemoryRun, large: MemoryRun, links: [number, number]): { perLink: number; perEnterprise: number } {
  const perLink = (large.heapBytes - small.heapBytes) / (links[1] - links[0]);
  const perEnterprise = (small.heapBytes - perLink * links[0]) / small.enterprises;
  return { perLink, perEnterprise };
}

/**
 * Detector memory after a large synthetic network: retained heap (after full
 * GC) of one PartitionProcessor fed `firms` firms, run twice with 2 and 6
 * buyers per firm so the cost splits into per-enterprise and per-link bytes.
 * The naive detector runs on the same legs; its state grows with time (full
 * history, every leg id), so its figures depend on the days run.
 */
export function stateMemory(calendar: WorkingCalendar, firms: number, workingDays: number, say: (line: string) => void): BenchFigure[] {
  const [lo, hi] = [2, 6];
  // Warm-up runs, discarded: the first run of each detector also pays for compiling its code, which lands in the
  // heap and, on a small network, outweighs the state (the smoke run's 60 firms came out at -263 B per link).
  runYunlian(calendar, Math.min(firms, 20), hi, workingDays);
  runNaive(calendar, Math.min(firms, 20), hi, workingDays);
  const y1 = runYunlian(calendar, firms, lo, workingDays);
  say(`  memory: yunlian ${firms} firms × ${lo} buyers: ${y1.legs} legs in ${y1.seconds.toFixed(1)} s`);
  const y2 = runYunlian(calendar, firms, hi, workingDays);
  say(`  memory: yunlian ${firms} firms × ${hi} buyers: ${y2.legs} legs in ${y2.seconds.toFixed(1)} s`);
  const n1 = runNaive(calendar, firms, lo, workingDays);
  const n2 = runNaive(calendar, firms, hi, workingDays);
  say(`  memory: naive runs ${n1.seconds.toFixed(1)} s + ${n2.seconds.toFixed(1)} s`);
  const y = perUnit(y1, y2, [y1.links, y2.links]);
  const n = perUnit(n1, n2, [y1.links, y2.links]);
  const input = { firms, working_days: workingDays, links_small: y1.links, links_large: y2.links, legs_small: y1.legs, legs_large: y2.legs, heap_bytes_large: y2.heapBytes };
  const how = `two runs (${lo} and ${hi} buyers per firm), heap = a·enterprises + b·links solved for a and b`;
  return [
    {
      id: 'memory.per_link',
      label: 'state per tracked link (bytes)',
      unit: 'bytes',
      yunlian: y.perLink,
      naive: n.perLink,
      advantage: advantageOf(y.perLink, n.perLink, 'lower'),
      input,
      extrapolated: { yunlian: false, naive: false, how },
      notes: `retained heap (V8 heap + ArrayBuffer stores) after full GC, PartitionProcessor vs NaiveDetector on the same synthetic legs; ${how}. Naive keeps every invoice per link and every leg id, so its figure grows with the days run.`,
      target: { text: '≤ 1 KiB per tracked link', met: y.perLink <= 1024 },
    },
    {
      id: 'memory.per_enterprise',
      label: 'state per active enterprise (bytes)',
      unit: 'bytes',
      yunlian: y.perEnterprise,
      naive: n.perEnterprise,
      advantage: advantageOf(y.perEnterprise, n.perEnterprise, 'lower'),
      input,
      extrapolated: { yunlian: false, naive: false, how },
      notes: 'fixed part per enterprise (rings, sums, open days, profile), links excluded.',
    },
    {
      id: 'memory.total_per_link',
      label: 'total heap / tracked link (bytes)',
      unit: 'bytes',
      yunlian: y2.heapBytes / y2.links,
      naive: n2.heapBytes / y2.links,
      advantage: advantageOf(y2.heapBytes / y2.links, n2.heapBytes / y2.links, 'lower'),
      input: { firms, enterprises: y2.enterprises, links: y2.links, legs: y2.legs, yunlian_heap_mib: Math.round(y2.heapBytes / 2 ** 20), naive_heap_mib: Math.round(n2.heapBytes / 2 ** 20) },
      extrapolated: { yunlian: false, naive: false },
      notes: `all detector state divided by tracked links at ${hi} buyers per firm (enterprise cost included).`,
    },
  ];
}
