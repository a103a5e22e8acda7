import { describe, expect, it } from 'vitest';
import { snapshotDue, snapshotWaitMs, type SnapshotSchedule } from '../../pipelines/detect/snapshotSchedule.ts';

const schedule: SnapshotSchedule = { intervalMs: 2_000, maxIntervalMs: 10_000, maxShareOfTime: 0.1 };

describe('snapshot schedule', () => {
  it('snapshots a cheap state every interval', () => {
    expect(snapshotWaitMs({ lastSnapshotAtMs: 0, lastSnapshotCostMs: 50 }, schedule)).toBe(2_000);
    expect(snapshotDue({ lastSnapshotAtMs: 1_000, lastSnapshotCostMs: 50 }, schedule, 2_999)).toBe(false);
    expect(snapshotDue({ lastSnapshotAtMs: 1_000, lastSnapshotCostMs: 50 }, schedule, 3_000)).toBe(true);
  });

  it('spaces snapshots of a costly state so they take at most a tenth of the time', () => {
    expect(snapshotWaitMs({ lastSnapshotAtMs: 0, lastSnapshotCostMs: 400 }, schedule)).toBe(4_000);
    expect(snapshotDue({ lastSnapshotAtMs: 0, lastSnapshotCostMs: 400 }, schedule, 3_000)).toBe(false);
  });

  it('never waits longer than the maximum interval, however costly the snapshot', () => {
    expect(snapshotWaitMs({ lastSnapshotAtMs: 0, lastSnapshotCostMs: 60_000 }, schedule)).toBe(10_000);
    expect(snapshotDue({ lastSnapshotAtMs: 0, lastSnapshotCostMs: 60_000 }, schedule, 10_000)).toBe(true);
  });
});
