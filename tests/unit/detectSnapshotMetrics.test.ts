import { describe, expect, it } from 'vitest';
import { createMetrics, includeOtherThreads, metricsSnapshot } from '../../src/runtime/metrics.ts';
import { detectSnapshotSpan, detectSnapshotsOf, formatDetectSnapshots } from '../../bench/snapshotReport.ts';

describe('detect snapshot metrics', () => {
  it('sums the snapshots of two detect threads by row kind, and the bench reads the span between two readings', async () => {
    const main = createMetrics();
    const detect1 = createMetrics({ thread: 'detect-1' });
    const detect2 = createMetrics({ thread: 'detect-2' });
    includeOtherThreads(main, async () => [await metricsSnapshot(detect1), await metricsSnapshot(detect2)]);
    detect1.detectSnapshot({ rows: { base: 3, log: 0, tombstone: 0 }, loggedLegs: 0, bytes: 60_000, encodeSeconds: 0.004 });
    const before = detectSnapshotsOf(await main.registry.metrics());
    expect(before).toEqual({ snapshots: 1, baseRows: 3, logRows: 0, tombstoneRows: 0, loggedLegs: 0, bytes: 60_000, encodeSeconds: 0.004 });
    detect1.detectSnapshot({ rows: { base: 1, log: 5, tombstone: 1 }, loggedLegs: 12, bytes: 22_000, encodeSeconds: 0.002 });
    detect2.detectSnapshot({ rows: { base: 0, log: 7, tombstone: 0 }, loggedLegs: 20, bytes: 3_000, encodeSeconds: 0.001 });
    const span = detectSnapshotSpan(before, detectSnapshotsOf(await main.registry.metrics()));
    expect({ ...span, encodeSeconds: Number(span.encodeSeconds.toFixed(6)) }).toEqual({ snapshots: 2, baseRows: 1, logRows: 12, tombstoneRows: 1, loggedLegs: 32, bytes: 25_000, encodeSeconds: 0.003 });
    expect(formatDetectSnapshots(span, 50)).toContain('12 log rows carrying 32 legs');
    expect(formatDetectSnapshots(span, 50)).toContain('(500 B a leg)');
    expect(formatDetectSnapshots(span, 50)).toContain('(60.0 µs a leg)');
  });

  it('reads zeros before any snapshot', async () => {
    expect(detectSnapshotsOf(await createMetrics().registry.metrics())).toEqual({ snapshots: 0, baseRows: 0, logRows: 0, tombstoneRows: 0, loggedLegs: 0, bytes: 0, encodeSeconds: 0 });
  });
});
