import type { DayNumber } from '../../src/calendar/workingCalendar.ts';
import type { EnterpriseState } from './enterpriseState.ts';
import type { TakenEntry, TakenEntryState } from './incrementalSnapshot.ts';
import { packLeg, type AppliedLeg, type LoggedProfile } from './packedLeg.ts';

/**
 * Log rows after a base before an enterprise's whole state is written again. Rows are keyed by slot, so this
 * also bounds the rows an enterprise keeps in the store (what a restore reads). A snapshot every 6,000 legs of
 * a partition gives a touched enterprise ~2.3 legs a row, so at 64 rows most bases came from this bound, every
 * ~150 legs, ~24 KB each; at 256, MAX_LOG_LEGS decides for most. Measured over the second half of seven months
 * of one 3,500-firm partition, snapshots every 6,000 legs (session 10): 427 → 364 bytes and 17.8 → 13.0 µs of
 * encoding per leg. What a restore replays stays bounded by MAX_LOG_LEGS.
 */
export const MAX_LOG_ROWS = 256;
/** Legs in an enterprise's log rows after which its whole state is written again: bounds what a restore replays. */
export const MAX_LOG_LEGS = 256;

const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
/** Room the legs' JSON starts with; it doubles as needed and is cut back to this after a snapshot larger than KEEP_LEG_BYTES. */
const INITIAL_LEG_BYTES = 256 * 1024;
const KEEP_LEG_BYTES = 8 * 1024 * 1024;

/** An enterprise's legs since its last row: where each one's JSON lies in the log's bytes, and its profile as the newest had it. */
interface PendingRow {
  /** Start and end of each leg's JSON in EnterpriseWriteLog.legBytes, in order of application. */
  spans: number[];
  profile: LoggedProfile;
}

/**
 * Which enterprise rows the next incremental snapshot of a partition writes (see incrementalSnapshot.ts):
 * for each enterprise a leg was applied to since the last snapshot, a log row with those legs, or a base row
 * with its whole state when it is new, its log is long, or its last rows may not have been stored.
 * Enterprises that only closed days are not written.
 */
export class EnterpriseWriteLog {
  /** Legs applied since the enterprise's last row. */
  private readonly pending = new Map<string, PendingRow>();
  /**
   * The JSON of every leg logged since the last snapshot, of all enterprises, back to back. Off the JS heap, so
   * legs waiting for a snapshot cost the young-generation collector nothing (see TakenLogRow).
   */
  private legBytes = Buffer.allocUnsafe(INITIAL_LEG_BYTES);
  private legBytesUsed = 0;
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

  /** The leg was applied to the enterprise, whose state had closed through `closedBefore` just before. */
  applied(taxId: string, leg: AppliedLeg, closedBefore: DayNumber | null): void {
    if (this.needsBase.has(taxId)) return;
    const row = this.pending.get(taxId);
    const start = this.legBytesUsed;
    this.appendLeg(JSON.stringify(packLeg(leg, closedBefore, row === undefined ? null : row.profile)));
    const profile = { enterprise_name: leg.enterprise_name, enterprise_district_code: leg.enterprise_district_code };
    if (row === undefined) this.pending.set(taxId, { spans: [start, this.legBytesUsed], profile });
    else {
      row.spans.push(start, this.legBytesUsed);
      row.profile = profile;
    }
  }

  private appendLeg(json: string): void {
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    const need = this.legBytesUsed + json.length * 3;
    if (need > this.legBytes.length) {
      let size = this.legBytes.length * 2;
      while (size < need) size *= 2;
      const grown = Buffer.allocUnsafe(size);
      this.legBytes.copy(grown, 0, 0, this.legBytesUsed);
      this.legBytes = grown;
    }
    this.legBytesUsed += this.legBytes.write(json, this.legBytesUsed, 'utf8');
  }

  /** The legs of `row` as one JSON array, in a buffer of their own. */
  private legsJsonOf(row: PendingRow): Buffer {
    const { spans } = row;
    let length = 1 + spans.length / 2;
    for (let i = 0; i < spans.length; i += 2) length += spans[i + 1]! - spans[i]!;
    const json = Buffer.allocUnsafe(length);
    json[0] = OPEN_BRACKET;
    let at = 1;
    for (let i = 0; i < spans.length; i += 2) {
      if (i > 0) json[at++] = COMMA;
      at += this.legBytes.copy(json, at, spans[i]!, spans[i + 1]!);
    }
    json[at] = CLOSE_BRACKET;
    return json;
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
   * The rows of every enterprise to write, as of `coversOffset`, sorted by tax ID; forgets them. `stateOf`
   * gives the live state (undefined once dropped); `baseOf` serialises one whole.
   */
  take(coversOffset: number, closes: number, stateOf: (taxId: string) => EnterpriseState | undefined, baseOf: (state: EnterpriseState) => TakenEntryState): TakenEntry[] {
    const taxIds = new Set([...this.needsBase, ...this.pending.keys()]);
    const entries: TakenEntry[] = [];
    for (const taxId of [...taxIds].sort()) {
      const state = stateOf(taxId);
      const row = this.pending.get(taxId);
      const legCount = row === undefined ? 0 : row.spans.length / 2;
      const log = this.logged.get(taxId);
      if (state === undefined) {
        entries.push({ taxId, coversOffset, slot: null, state: null });
        this.logged.delete(taxId);
      } else if (this.needsBase.has(taxId) || row === undefined || log === undefined || log.rows >= MAX_LOG_ROWS || log.legs + legCount > MAX_LOG_LEGS) {
        entries.push({ taxId, coversOffset, slot: null, state: baseOf(state) });
        this.logged.set(taxId, { rows: 0, legs: 0 });
      } else {
        entries.push({ taxId, coversOffset, slot: log.rows, state: { kind: 'packed-legs', closes, legsJson: this.legsJsonOf(row), closedThrough: state.lastClosedDay } });
        log.rows++;
        log.legs += legCount;
      }
    }
    this.pending.clear();
    this.needsBase.clear();
    this.legBytesUsed = 0;
    if (this.legBytes.length > KEEP_LEG_BYTES) this.legBytes = Buffer.allocUnsafe(INITIAL_LEG_BYTES);
    return entries;
  }
}
