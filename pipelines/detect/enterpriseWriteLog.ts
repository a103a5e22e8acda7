import type { DayNumber } from '../../src/calendar/workingCalendar.ts';
import type { EnterpriseState } from './enterpriseState.ts';
import type { EntryState, SnapshotEntry } from './incrementalSnapshot.ts';
import type { AppliedLeg } from './enterpriseDetector.ts';
import { PendingLegBytes } from './legBytes.ts';

/**
 * Log rows after a base before the whole state of a firm of few links is written again (see logBudget). Rows
 * are keyed by slot, so this also bounds the rows such a firm keeps in the store (what a restore reads). A
 * snapshot every 6,000 legs of a partition gives a touched enterprise ~2.3 legs a row, so at 64 rows most bases
 * came from this bound, every ~150 legs, ~24 KB each; at 256, MAX_LOG_LEGS decides for most. Measured over the
 * second half of seven months of one 3,500-firm partition, snapshots every 6,000 legs (session 10): 427 → 364
 * bytes and 17.8 → 13.0 µs of encoding per leg.
 */
export const MAX_LOG_ROWS = 256;
/** Legs in an enterprise's log rows after which its whole state is written again, for a firm of few links (see logBudget). */
export const MAX_LOG_LEGS = 256;
/**
 * A base grows by ~1.3 KB of JSON a link (its history, profile and regularity) and a logged leg takes ~85 B:
 * about 16 logged legs weigh what one link adds to the base. Measured on the seed-2020 scenario, June 2020
 * (docs/performance.md, "Session 16").
 */
export const LOG_LEGS_PER_LINK = 16;

/**
 * How long an enterprise's log may grow before its whole state is written again: MAX_LOG_ROWS rows and
 * MAX_LOG_LEGS legs, or, when its base weighs more than that many logged legs, as many rows and legs as the
 * base weighs. The log then stays about the size of the base, so what is written for a firm is about its legs'
 * worth plus one base per base's worth of legs, however many partners it has; fixed bounds rewrote a firm of
 * 60 links (a ~80 KB base) after every 256 legs, and one of 5,000 links (~6.5 MB) as often. What a restore
 * reads and replays for an enterprise stays bounded by its state's size: about one base's worth of legs.
 */
export function logBudget(state: EnterpriseState): { rows: number; legs: number } {
  const byBase = LOG_LEGS_PER_LINK * state.links.size;
  return { rows: Math.max(MAX_LOG_ROWS, byBase), legs: Math.max(MAX_LOG_LEGS, byBase) };
}

/**
 * Which enterprise rows the next incremental snapshot of a partition writes (see incrementalSnapshot.ts):
 * for each enterprise a leg was applied to since the last snapshot, a log row with those legs, or a base row
 * with its whole state when it is new, its log is long, or its last rows may not have been stored.
 * Enterprises that only closed days are not written.
 */
export class EnterpriseWriteLog {
  /** Legs applied since the enterprise's last row, in order. */
  private readonly pending = new PendingLegBytes();
  /** Enterprises whose next row must be a base (or a tombstone when the enterprise is gone). */
  private readonly needsBase = new Set<string>();
  /** Per enterprise with a stored base: log rows and legs written since. */
  private readonly logged = new Map<string, { rows: number; legs: number }>();

  /** Enterprises the next snapshot writes. */
  get size(): number {
    let n = this.needsBase.size;
    for (const taxId of this.pending.keys()) if (!this.needsBase.has(taxId)) n++;
    return n;
  }

  /** A new enterprise, or one recreated after it was dropped: its first row is a base. */
  created(taxId: string): void {
    this.needsBase.add(taxId);
    this.pending.delete(taxId);
  }

  /**
   * The leg was applied to the enterprise, whose state had closed through `closedBefore` and already named
   * `known` (knownParties) of the leg's parties just before.
   */
  applied(taxId: string, leg: AppliedLeg, closedBefore: DayNumber | null, known: number): void {
    if (this.needsBase.has(taxId)) return;
    this.pending.append(taxId, leg, closedBefore, known);
  }

  /** The enterprise was dropped as dormant: a tombstone, unless it comes back before the next snapshot. */
  dropped(taxId: string): void {
    this.needsBase.add(taxId);
    this.pending.delete(taxId);
  }

  /** Rows whose write may not have landed: the next snapshot writes these enterprises whole. */
  forceBase(taxIds: Iterable<string>): void {
    for (const taxId of taxIds) {
      this.needsBase.add(taxId);
      this.pending.delete(taxId);
    }
  }

  /** An enterprise restored from a base and `rows` log rows holding `legs` legs. */
  restored(taxId: string, rows: number, legs: number): void {
    this.logged.set(taxId, { rows, legs });
  }

  /**
   * The rows of every enterprise to write, as of `coversOffset`: those written whole first, then the others in
   * the order of their first leg since the last snapshot; forgets them. `stateOf` gives the live state
   * (undefined once dropped); `baseOf` serialises one whole. Not sorted: a restore groups rows by tax ID, and
   * sorting ~5,000 tax IDs a snapshot cost ~1 µs a leg (docs/performance.md, "Session 23").
   */
  take(coversOffset: number, closes: number, stateOf: (taxId: string) => EnterpriseState | undefined, baseOf: (state: EnterpriseState) => EntryState): SnapshotEntry[] {
    const entries: SnapshotEntry[] = [];
    for (const taxId of this.needsBase) entries.push(this.entryOf(taxId, coversOffset, closes, stateOf(taxId), baseOf));
    for (const taxId of this.pending.keys()) if (!this.needsBase.has(taxId)) entries.push(this.entryOf(taxId, coversOffset, closes, stateOf(taxId), baseOf));
    this.pending.clear();
    this.needsBase.clear();
    return entries;
  }

  private entryOf(taxId: string, coversOffset: number, closes: number, state: EnterpriseState | undefined, baseOf: (state: EnterpriseState) => EntryState): SnapshotEntry {
    if (state === undefined) {
      this.logged.delete(taxId);
      return { taxId, coversOffset, slot: null, state: null };
    }
    const count = this.pending.count(taxId);
    const log = this.logged.get(taxId);
    if (this.needsBase.has(taxId) || log === undefined || exceeds(log, count, logBudget(state))) {
      this.logged.set(taxId, { rows: 0, legs: 0 });
      return { taxId, coversOffset, slot: null, state: baseOf(state) };
    }
    const entry: SnapshotEntry = { taxId, coversOffset, slot: log.rows, state: { kind: 'leg-bytes', closes, count, legs: this.pending.base64Of(taxId), closedThrough: state.lastClosedDay } };
    log.rows++;
    log.legs += count;
    return entry;
  }
}

/** True when a log of `log.rows` rows and `log.legs` legs cannot take a row of `legs` more within `budget`. */
function exceeds(log: { rows: number; legs: number }, legs: number, budget: { rows: number; legs: number }): boolean {
  return log.rows >= budget.rows || log.legs + legs > budget.legs;
}
