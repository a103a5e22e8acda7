import { describe, expect, it } from 'vitest';
import { snapshotDue, snapshotWaitMs, type SnapshotSchedule } from '../../pipelines/detect/snapshotSchedule.ts';

const schedule: SnapshotSchedule = { intervalMs: 2_000, maxIntervalMs: 10_000, maxShareOfTime: 0.1, maxPendingLegs: 2_500 };

describe('snapshot schedule', () => {
  it('snapshots a cheap state every interval', () => {
    expect(snapshotWaitMs({ lastSnapshotAtMs: 0, lastSnapshotCostMs: 50 }, schedule)).toBe(2_000);
    expect(snapshotDue({ lastSnapshotAtMs: 1_000, lastSnapshotCostMs: 50 }, schedule, 2_999, 0)).toBe(false);
    expect(snapshotDue({ lastSnapshotAtMs: 1_000, lastSnapshotCostMs: 50 }, schedule, 3_000, 0)).toBe(true);
  });

  it('spaces snapshots of a costly state so they take at most a tenth of the time', () => {
    expect(snapshotWaitMs({ lastSnapshotAtMs: 0, lastSnapshotCostMs: 400 }, schedule)).toBe(4_000);
    expect(snapshotDue({ lastSnapshotAtMs: 0, lastSnapshotCostMs: 400 }, schedule, 3_000, 0)).toBe(false);
  });

  it('never waits longer than the maximum interval, however costly the snapshot', () => {
    expect(snapshotWaitMs({ lastSnapshotAtMs: 0, lastSnapshotCostMs: 60_000 }, schedule)).toBe(10_000);
    expect(snapshotDue({ lastSnapshotAtMs: 0, lastSnapshotCostMs: 60_000 }, schedule, 10_000, 0)).toBe(true);
  });

  it('is due at once when a partition has piled up the maximum of uncovered legs, however recent the last snapshot', () => {
    expect(snapshotDue({ lastSnapshotAtMs: 1_000, lastSnapshotCostMs: 50 }, schedule, 1_200, 2_499)).toBe(false);
    expect(snapshotDue({ lastSnapshotAtMs: 1_000, lastSnapshotCostMs: 50 }, schedule, 1_200, 2_500)).toBe(true);
  });
});
