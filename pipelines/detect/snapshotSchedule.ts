/**
 * When a partition's detector state is snapshotted (and its offsets
 * committed with it). A snapshot re-serialises the partition's whole state,
 * so its cost grows with the number of tracked enterprises, not with the
 * legs since the last one; on a busy stream a fixed short interval spends a
 * large share of the consumer's time on snapshots. The interval therefore
 * stretches so that snapshots take at most `maxShareOfTime` of the wall
 * clock, but never beyond `maxIntervalMs`: that bounds the uncommitted
 * window (what a crash replays) in time.
 */
export interface SnapshotSchedule {
  /** Shortest time between two snapshots of a partition. */
  intervalMs: number;
  /** Longest time between two snapshots of a partition that has new legs. */
  maxIntervalMs: number;
  /** Share of wall-clock time a partition's snapshots may take (0..1). */
  maxShareOfTime: number;
}

export interface SnapshotHistory {
  /** Wall clock of the partition's last snapshot (or of its assignment). */
  lastSnapshotAtMs: number;
  /** How long the last snapshot took (serialise + write), 0 before the first. */
  lastSnapshotCostMs: number;
}

/** The wait after a snapshot before the next one is due. */
export function snapshotWaitMs(history: SnapshotHistory, schedule: SnapshotSchedule): number {
  const byCost = schedule.maxShareOfTime > 0 ? history.lastSnapshotCostMs / schedule.maxShareOfTime : 0;
  return Math.min(schedule.maxIntervalMs, Math.max(schedule.intervalMs, byCost));
}

export function snapshotDue(history: SnapshotHistory, schedule: SnapshotSchedule, nowMs: number): boolean {
  return nowMs - history.lastSnapshotAtMs >= snapshotWaitMs(history, schedule);
}
