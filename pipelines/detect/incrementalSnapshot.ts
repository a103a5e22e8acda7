import type { DayNumber } from '../../src/calendar/workingCalendar.ts';
import type { District } from '../../src/domain/district.ts';
import type { EnterpriseState } from './enterpriseState.ts';
import { leanClosedBefore, unpackLeanLeg, type LeanLeg } from './leanLeg.ts';
import type { AppliedLeg } from './enterpriseDetector.ts';
import { leanLegsOfBytes } from './legBytes.ts';
import { unpackLegs, type PackedLeg } from './packedLeg.ts';
import type { SerializedEnterpriseState } from './serializeState.ts';
import type { SerializedClock } from './watermarkClock.ts';

/**
 * An incremental snapshot of a leg partition (docs/performance.md, "Incremental detector snapshots"): a header
 * with what is partition-wide, plus one row per enterprise that a leg touched (or that was created or dropped as
 * dormant) since the previous snapshot. That row is usually not the enterprise's state but the legs applied to
 * it since its last row (a log row); every so many log rows the whole state is written again (a base row) and
 * the log starts over. Enterprises that only closed days are not written at all: closing days is a
 * deterministic function of the state, the calendar and the closed-through day, so a restore replays a base,
 * its log rows and the closes in between (see PartitionProcessor.restore).
 */
export interface SnapshotHeader {
  version: 1;
  clock: SerializedClock;
  /** Per home feed ('other' for firms outside the zone): the day through which the last close closed its firms. */
  closedThrough: Partial<Record<District | 'other', DayNumber>>;
  /**
   * How many times the partition has closed days (each time the clock moved a close-through day). An
   * enterprise whose newest row was written at a lower count was closed at least once more since, up to
   * `closedThrough`.
   */
  closes: number;
  /** Closed-through day the party strings last started a generation (StringInterner), null before any close. */
  stringsSince: DayNumber | null;
}

/** A leg as log rows stored it before legs were packed (still read): with the day its state had closed through just before. */
export interface LoggedLeg {
  leg: AppliedLeg;
  closedBefore: DayNumber | null;
}

/** One enterprise row: its whole state, or the legs applied since its previous row. */
export type EntryState =
  | {
      kind: 'base';
      /** The partition's close count (SnapshotHeader.closes) when the row was written. */
      closes: number;
      enterprise: SerializedEnterpriseState;
      /** Event time each of its open signals' episode opened, by signal_id. */
      openedAtMs: Record<string, number>;
    }
  | {
      kind: 'leg-bytes';
      closes: number;
      /** How many legs `legs` holds. */
      count: number;
      /** The legs as PendingLegBytes writes them, base64. */
      legs: string;
      /** The day the enterprise had closed through when the row was written. */
      closedThrough: DayNumber | null;
    }
  | {
      /** A log row as written before its legs were bytes: still read, no longer written. */
      kind: 'lean-legs';
      closes: number;
      legs: LeanLeg[];
      closedThrough: DayNumber | null;
    }
  | {
      /** A log row as written before its legs left out the names the state knew: still read, no longer written. */
      kind: 'packed-legs';
      closes: number;
      legs: PackedLeg[];
      closedThrough: DayNumber | null;
    }
  | {
      /** A log row as written before legs were packed: still read, no longer written. */
      kind: 'legs';
      closes: number;
      legs: LoggedLeg[];
      closedThrough: DayNumber | null;
    };

/** A stored row of an enterprise; it covers every leg of the partition before `coversOffset`. */
export interface SnapshotEntry {
  taxId: string;
  coversOffset: number;
  /** A log row's place after its base (0, 1, …); null for a base row or a tombstone. */
  slot: number | null;
  /** null: the enterprise was dropped as dormant (a tombstone). */
  state: EntryState | null;
}

/** What a snapshot writes: the header, and the rows of the enterprises that changed (all at `nextOffset`). */
export interface IncrementalSnapshot {
  nextOffset: number;
  header: SnapshotHeader;
  entries: SnapshotEntry[];
}

/**
 * The JSON text of a row's state, exactly `JSON.stringify(state)`. A log row's text is built by hand: its legs
 * are base64, which JSON writes as is, and the generic stringifier (Node 20) scans such a long string one
 * character at a time, ~0.7 µs a logged leg of a warm partition (docs/performance.md, "Session 23").
 */
export function entryStateJson(state: EntryState): string {
  if (state.kind === 'leg-bytes') {
    return `{"kind":"leg-bytes","closes":${state.closes},"count":${state.count},"legs":"${state.legs}","closedThrough":${state.closedThrough}}`;
  }
  return JSON.stringify(state);
}

/** What a snapshot writes, counted for the snapshot metrics (Metrics.detectSnapshot). */
export interface SnapshotRowCounts {
  base: number;
  log: number;
  tombstone: number;
  /** Legs the log rows carry. */
  loggedLegs: number;
}

export function snapshotRowCounts(snapshot: IncrementalSnapshot): SnapshotRowCounts {
  const counts: SnapshotRowCounts = { base: 0, log: 0, tombstone: 0, loggedLegs: 0 };
  for (const { state } of snapshot.entries) {
    if (state === null) counts.tombstone++;
    else if (state.kind === 'base') counts.base++;
    else {
      counts.log++;
      counts.loggedLegs += state.kind === 'leg-bytes' ? state.count : state.legs.length;
    }
  }
  return counts;
}

/** An enterprise's stored rows that still count: its base (or tombstone), then the log rows written after it. */
export interface EnterpriseChain {
  taxId: string;
  base: SnapshotEntry;
  logs: SnapshotEntry[];
  /** The offset the chain covers (its newest row's) and the close count of that row. */
  coversOffset: number;
  closes: number;
}

/**
 * Groups stored rows by enterprise. Log rows written before the enterprise's base are left over from an
 * earlier log (slots are reused, so they are overwritten in time) and ignored; so are log rows without a base,
 * which no writer produces (an enterprise's first row is always a base).
 */
export function chainsOf(entries: readonly SnapshotEntry[]): EnterpriseChain[] {
  const bases = new Map<string, SnapshotEntry>();
  const logs = new Map<string, SnapshotEntry[]>();
  for (const e of entries) {
    if (e.slot === null) bases.set(e.taxId, e);
    else {
      const list = logs.get(e.taxId);
      if (list === undefined) logs.set(e.taxId, [e]);
      else list.push(e);
    }
  }
  const chains: EnterpriseChain[] = [];
  for (const [taxId, base] of bases) {
    const after = base.state === null ? [] : (logs.get(taxId) ?? []).filter((l) => l.coversOffset > base.coversOffset).sort((a, b) => a.coversOffset - b.coversOffset);
    const newest = after.at(-1) ?? base;
    chains.push({ taxId, base, logs: after, coversOffset: newest.coversOffset, closes: newest.state?.closes ?? 0 });
  }
  return chains;
}

/** One leg of a log row, as a restore replays it: close the state through `closedBefore`, then apply `legOf(state)`. */
export interface ReplayedLeg {
  closedBefore: DayNumber | null;
  /** The leg, given the state replayed up to just before it (lean legs take the names they left out from it). */
  legOf(state: EnterpriseState): AppliedLeg;
}

/** The legs of a log row of `taxId`, in order, whichever format wrote it. */
export function* replayedLegs(taxId: string, row: Exclude<EntryState, { kind: 'base' }>): Generator<ReplayedLeg> {
  if (row.kind === 'leg-bytes' || row.kind === 'lean-legs') {
    const legs = row.kind === 'leg-bytes' ? leanLegsOfBytes(taxId, row.legs, row.count) : row.legs;
    for (const lean of legs) yield new ReplayedLeanLeg(taxId, lean);
    return;
  }
  if (row.kind !== 'packed-legs' && row.kind !== 'legs') {
    // A format of a later release: stop with its name rather than apply what this version cannot read.
    throw new RangeError(`log row of ${taxId} is of kind ${JSON.stringify((row as { kind: unknown }).kind)}, which this version does not read`);
  }
  const logged = row.kind === 'packed-legs' ? unpackLegs(taxId, row.legs) : row.legs;
  for (const { leg, closedBefore } of logged) yield { closedBefore, legOf: () => leg };
}

/** A lean leg as replayed. A class rather than a closure a leg: tsx names each closure it creates, at a defineProperty call each. */
class ReplayedLeanLeg implements ReplayedLeg {
  readonly closedBefore: DayNumber | null;

  constructor(
    private readonly taxId: string,
    private readonly lean: LeanLeg,
  ) {
    this.closedBefore = leanClosedBefore(taxId, lean);
  }

  legOf(state: EnterpriseState): AppliedLeg {
    return unpackLeanLeg(this.taxId, this.lean, state);
  }
}
