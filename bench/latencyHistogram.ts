/** Summary of a latency sample, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
  /** Upper bucket bounds (ms, the last is Infinity as "+inf") with the count in each bucket. */
  histogram: Array<{ le_ms: number | '+inf'; count: number }>;
}

export const LATENCY_BUCKETS_MS: readonly number[] = [50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10_000, 30_000];

/** Nearest-rank percentile of an ascending array; null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

export function summarizeLatencies(samples: readonly number[], buckets: readonly number[] = LATENCY_BUCKETS_MS): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const histogram: LatencySummary['histogram'] = [...buckets.map((le) => ({ le_ms: le as number | '+inf', count: 0 })), { le_ms: '+inf', count: 0 }];
  for (const s of sorted) {
    const i = buckets.findIndex((le) => s <= le);
    histogram[i === -1 ? buckets.length : i]!.count++;
  }
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted.length === 0 ? null : sorted[sorted.length - 1]!,
    mean: sorted.length === 0 ? null : sorted.reduce((s, x) => s + x, 0) / sorted.length,
    histogram,
  };
}

/** One line per non-empty bucket with a bar, for the console. */
export function formatHistogram(summary: LatencySummary, width = 40): string[] {
  const peak = Math.max(1, ...summary.histogram.map((b) => b.count));
  return summary.histogram
    .filter((b) => b.count > 0)
    .map((b) => `    ≤ ${String(b.le_ms).padStart(6)} ms  ${String(b.count).padStart(6)}  ${'█'.repeat(Math.max(1, Math.round((b.count / peak) * width)))}`);
}
