import { describe, expect, it } from 'vitest';
import { snapshotDue, snapshotWaitMs, type SnapshotSchedule } from '../../pipelines/detect/snapshotSchedule.ts';

const schedule: SnapshotSchedule = { intervalMs: 2_000, maxIntervalMs: 10_000, maxShareOfTime: 0.1, maxPendingLegs: 2_500, caughtUpIntervalMs: 250 };

describe('snapshot schedule', () => {
  it('snapshots a cheap state every interval', () => {
    expect(snapshotWaitMs({ lastSnapshotAtMs: 0, lastSnapshotCostMs: 50, caughtUp: false }, schedule)).toBe(2_000);
    expect(snapshotDue({ lastSnapshotAtMs: 1_000, lastSnapshotCostMs: 50, caughtUp: false }, schedule, 2_999, 0)).toBe(false);
    expect(snapshotDue({ lastSnapshotAtMs: 1_000, lastSnapshotCostMs: 50, caughtUp: false }, schedule, 3_000, 0)).toBe(true);
  });

  it('spaces snapshots of a costly state so they take at most a tenth of the time', () => {
    expect(snapshotWaitMs({ lastSnapshotAtMs: 0, lastSnapshotCostMs: 400, caughtUp: false }, schedule)).toBe(4_000);
    expect(snapshotDue({ lastSnapshotAtMs: 0, lastSnapshotCostMs: 400, caughtUp: false }, schedule, 3_000, 0)).toBe(false);
  });

  it('never waits longer than the maximum interval, however costly the snapshot', () => {
    expect(snapshotWaitMs({ lastSnapshotAtMs: 0, lastSnapshotCostMs: 60_000, caughtUp: false }, schedule)).toBe(10_000);
    expect(snapshotDue({ lastSnapshotAtMs: 0, lastSnapshotCostMs: 60_000, caughtUp: false }, schedule, 10_000, 0)).toBe(true);
  });

  it('is due at once when a partition has piled up the maximum of uncovered legs, however recent the last snapshot', () => {
    expect(snapshotDue({ lastSnapshotAtMs: 1_000, lastSnapshotCostMs: 50, caughtUp: false }, schedule, 1_200, 2_499)).toBe(false);
    expect(snapshotDue({ lastSnapshotAtMs: 1_000, lastSnapshotCostMs: 50, caughtUp: false }, schedule, 1_200, 2_500)).toBe(true);
  });

  it('snapshots a partition that has caught up with its log after the short interval, unless its snapshots are costly', () => {
    const caughtUp = { lastSnapshotAtMs: 1_000, lastSnapshotCostMs: 5, caughtUp: true };
    expect(snapshotDue(caughtUp, schedule, 1_249, 10)).toBe(false);
    expect(snapshotDue(caughtUp, schedule, 1_250, 10)).toBe(true);
    expect(snapshotDue({ ...caughtUp, caughtUp: false }, schedule, 1_250, 10)).toBe(false);
    // 100 ms of snapshot at most a tenth of the time: 1 s apart, caught up or not.
    expect(snapshotWaitMs({ ...caughtUp, lastSnapshotCostMs: 100 }, schedule)).toBe(1_000);
    expect(snapshotWaitMs({ ...caughtUp, lastSnapshotCostMs: 400 }, schedule)).toBe(4_000);
  });
});
