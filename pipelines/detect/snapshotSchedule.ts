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
 *
 * A partition that has caught up with its log is snapshotted sooner, after
 * `caughtUpIntervalMs`: the interval protects a busy consumer's time, and a
 * caught-up one has time to spare, while everything upstream waits on its
 * committed lag. Waiting out the full interval there made the stages take
 * turns: ingest held its legs until detect committed, detect sat idle until
 * its next snapshot (docs/performance.md, "Session 13").
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
  /** Shortest time between two snapshots of a partition whose last batch reached the end of its log. */
  caughtUpIntervalMs: number;
}

export interface SnapshotHistory {
  /** Wall clock of the partition's last snapshot (or of its assignment). */
  lastSnapshotAtMs: number;
  /** How long the last snapshot took (serialise + write), 0 before the first. */
  lastSnapshotCostMs: number;
  /** The partition's last batch reached the end of its log (its high watermark). */
  caughtUp: boolean;
}

/** The wait after a snapshot before the next one is due: shorter for a partition that has caught up, never below what the cost share allows. */
export function snapshotWaitMs(history: SnapshotHistory, schedule: SnapshotSchedule): number {
  const byCost = schedule.maxShareOfTime > 0 ? history.lastSnapshotCostMs / schedule.maxShareOfTime : 0;
  const interval = history.caughtUp ? Math.min(schedule.caughtUpIntervalMs, schedule.intervalMs) : schedule.intervalMs;
  return Math.min(schedule.maxIntervalMs, Math.max(interval, byCost));
}

export function snapshotDue(history: SnapshotHistory, schedule: SnapshotSchedule, nowMs: number, pendingLegs: number): boolean {
  return pendingLegs >= schedule.maxPendingLegs || nowMs - history.lastSnapshotAtMs >= snapshotWaitMs(history, schedule);
}
