/**
 * When a partition's detector state is snapshotted (and its offsets
 * committed with it). Snapshots are incremental (incrementalSnapshot.ts), so
 * their cost follows the legs since the last one, except when many
 * enterprises are written whole at once (the first snapshot after a restore
 * from the old whole-partition format, or after a failed write); on a busy
 * stream a fixed short interval could then spend a large share of the
 * consumer's time on snapshots. The interval therefore
 * stretches so that snapshots take at most `maxShareOfTime` of the wall
 * clock, but never beyond `maxIntervalMs`: that bounds the uncommitted
 * window (what a crash replays) in time. `maxPendingLegs` bounds it in legs
 * as well, whatever the time: the embedded Kafka keeps ~16,000 legs a
 * partition, producers and ingest wait on detect's committed lag, and on a
 * fast stream the time bounds alone let thousands of legs a second pile up.
 */
export interface SnapshotSchedule {
  /** Shortest time between two snapshots of a partition. */
  intervalMs: number;
  /** Longest time between two snapshots of a partition that has new legs. */
  maxIntervalMs: number;
  /** Share of wall-clock time a partition's snapshots may take (0..1). */
  maxShareOfTime: number;
  /** A partition with this many legs since its last snapshot is due at once (Infinity: time alone decides). */
  maxPendingLegs: number;
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

export function snapshotDue(history: SnapshotHistory, schedule: SnapshotSchedule, nowMs: number, pendingLegs: number): boolean {
  return pendingLegs >= schedule.maxPendingLegs || nowMs - history.lastSnapshotAtMs >= snapshotWaitMs(history, schedule);
}
