import type { DayNumber } from '../../src/calendar/workingCalendar.ts';
import type { District } from '../../src/domain/district.ts';
import type { SerializedEnterpriseState } from './serializeState.ts';
import type { SerializedClock } from './watermarkClock.ts';

/**
 * An incremental snapshot of a leg partition (docs/performance.md, "Incremental detector snapshots"): a header
 * with what is partition-wide, plus one entry per enterprise touched by a leg (or created, or dropped as dormant)
 * since the previous snapshot. Enterprises only closed days since then are not rewritten: closing days is a
 * deterministic function of the state, the calendar and the closed-through day, so the restore closes them
 * forward (see PartitionProcessor.restore).
 */
export interface SnapshotHeader {
  version: 1;
  clock: SerializedClock;
  /** Per home feed ('other' for firms outside the zone): the day through which the last close closed its firms. */
  closedThrough: Partial<Record<District | 'other', DayNumber>>;
  /**
   * How many times the partition has closed days (each time the clock moved a close-through day). An entry
   * written at a lower count was closed at least once more after it was written, up to `closedThrough`.
   */
  closes: number;
  /** Closed-through day the party strings last started a generation (StringInterner), null before any close. */
  stringsSince: DayNumber | null;
}

/** One enterprise's state as of a snapshot. */
export interface EnterpriseEntry {
  /** The partition's close count (SnapshotHeader.closes) when this state was taken. */
  closes: number;
  enterprise: SerializedEnterpriseState;
  /** Event time each of its open signals' episode opened, by signal_id. */
  openedAtMs: Record<string, number>;
}

/** A stored entry: the state covers every leg of the partition before `coversOffset`; null state: dropped (tombstone). */
export interface SnapshotEntry {
  taxId: string;
  coversOffset: number;
  state: EnterpriseEntry | null;
}

/** What a snapshot writes: the header, and the entries of the enterprises that changed (all at `nextOffset`). */
export interface IncrementalSnapshot {
  nextOffset: number;
  header: SnapshotHeader;
  entries: SnapshotEntry[];
}
