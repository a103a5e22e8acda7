import { dayOfInstant, type DayNumber } from '../../src/calendar/workingCalendar.ts';
import { districtOfCode, isDistrict, type District } from '../../src/domain/district.ts';
import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';
import type { DisruptionSignal } from '../../src/domain/signal.ts';
import type { DetectorContext } from './detectorContext.ts';
import { createEnterpriseState, type EnterpriseState } from './enterpriseState.ts';
import { applyLeg, closeDay, isDormant } from './enterpriseDetector.ts';
import { ringSizeFor } from './detectorConfig.ts';
import { deserializeState, serializeState, type SerializedEnterpriseState } from './serializeState.ts';
import { WatermarkClock, type SerializedClock, type WatermarkConfig } from './watermarkClock.ts';
import { rollupsBeforeClose, type DailyRollups } from './runtimeRollups.ts';
import { StringInterner } from './stringInterner.ts';
import type { EnterpriseEntry, IncrementalSnapshot, SnapshotEntry, SnapshotHeader } from './incrementalSnapshot.ts';

/** A leg that arrived after its enterprise had closed its day: counted and recorded, never applied. */
export interface LateLeg {
  leg: InvoiceLeg;
  closedThrough: DayNumber;
}

/** What processing some legs of a partition produced. */
export interface PartitionOutput extends DailyRollups {
  signals: DisruptionSignal[];
  /** Event time each emitted signal's episode opened (its OPEN state's event time), by signal_id. */
  openedAtMs: Map<string, number>;
  late: LateLeg[];
  duplicates: number;
}

export function emptyOutput(): PartitionOutput {
  return { signals: [], openedAtMs: new Map(), late: [], duplicates: 0, enterpriseDaily: [], linksDaily: [] };
}

/** What the snapshot store holds for a partition (see SnapshotStore.load). */
export interface StoredPartition {
  /** Header of the newest complete incremental snapshot, and the offset it covers. */
  header: { nextOffset: number; header: SnapshotHeader } | null;
  /** Whole-partition snapshot of the format before incremental snapshots, and its offset. */
  full: { nextOffset: number; state: SerializedPartition } | null;
  /** The newest entry of every enterprise ever written, whatever its offset (tombstones included). */
  entries: readonly SnapshotEntry[];
}

/** An enterprise held out of the partition until the stream reaches the offset its restored state covers. */
interface FrozenEnterprise {
  until: number;
  state: EnterpriseState | null;
  openedAtMs: Record<string, number>;
}

export interface SerializedPartition {
  version: 1;
  clock: SerializedClock;
  enterprises: SerializedEnterpriseState[];
  /** Open time of every open signal, so its RESOLVED state row still says when the episode began. */
  openedAtMs?: Record<string, number>;
}

/**
 * Keyed detector state of one `yunlian.invoice-legs` partition: the
 * enterprises whose legs it carries and its event-time clock. Pure (no I/O):
 * the Kafka runtime feeds it legs in partition order and persists what it
 * returns. After every leg that moves the clock past a day boundary, every
 * tracked enterprise closes its finished days — the "timers" that make
 * absence (SILENCE, broken links) fire without any event from the firm.
 */
export class PartitionProcessor {
  private readonly ctx: DetectorContext & { readonly strings: StringInterner };
  private readonly enterprises = new Map<string, EnterpriseState>();
  private readonly clock: WatermarkClock;
  /** Per home feed ('other' for firms outside the zone): the day through which its firms are closed. */
  private readonly closedThrough = new Map<District | 'other', DayNumber>();
  private readonly openedAtMs = new Map<string, number>();
  /** Closed-through day the party strings last started a generation (see StringInterner), or null before any close. */
  private stringsSince: DayNumber | null = null;
  /** Enterprises a leg was applied to, or that were created or dropped, since the last snapshot taken. */
  private readonly dirty = new Set<string>();
  /** How many times the partition closed its firms' days (SnapshotHeader.closes). */
  private closes = 0;
  /** See restore(): entries found ahead of the snapshot the partition resumes from, by tax ID. */
  private readonly frozen = new Map<string, FrozenEnterprise>();
  private frozenUntil = Infinity;

  constructor(
    ctx: DetectorContext,
    watermark: WatermarkConfig,
    snapshot?: SerializedPartition,
    expectedSources: readonly string[] = [],
    header?: SnapshotHeader,
  ) {
    this.ctx = { ...ctx, strings: ctx.strings ?? new StringInterner() };
    this.clock = new WatermarkClock(watermark, header?.clock ?? snapshot?.clock, expectedSources);
    if (header !== undefined) {
      // Exactly the live partition's close-through days and close count, not recomputed from the clock: the
      // catch-up of restored entries and the next close must see what the live partition saw.
      for (const [home, day] of Object.entries(header.closedThrough)) this.closedThrough.set(home as District | 'other', day);
      this.closes = header.closes;
      this.stringsSince = header.stringsSince;
      return;
    }
    for (const [id, ms] of Object.entries(snapshot?.openedAtMs ?? {})) this.openedAtMs.set(id, ms);
    for (const s of snapshot?.enterprises ?? []) {
      const state = deserializeState(s, this.ctx.strings);
      this.enterprises.set(state.taxId, state);
    }
    this.refreshTargets();
  }

  /**
   * A partition as stored: the newest of its incremental header and its whole-partition snapshot of the older
   * format (whichever covers more of the partition), plus the enterprise entries. The returned processor
   * resumes at `resumeOffset(stored)`; the caller passes each leg's offset to process().
   *
   * - An entry at or below an incremental header's offset whose close count is below the header's was
   *   closed again after it was written (only closed: a leg would have rewritten it). It is closed forward
   *   here to the header's closed-through day of its home, which is what the live closes did (closing
   *   through a day in one step or several gives the same state; detectCatchUpClosing.test.ts). The outputs
   *   of that catch-up (signals, rollups) are discarded: a snapshot is taken only once the outputs of every
   *   leg it covers are confirmed written, so they are already in the sinks.
   * - An entry above the resume offset was written by a snapshot whose header never landed (a crash, or a
   *   failed write, between the entries and the header, or an old owner still writing after a rebalance).
   *   Its enterprise is frozen: its legs below that offset are skipped (they are in its state; not late, not
   *   re-applied) and it takes no part in closing until the stream reaches the offset, from where its state
   *   is exactly the live one.
   * - Restored from an old-format snapshot, every enterprise is dirty: the next snapshot writes them all.
   */
  static restore(ctx: DetectorContext, watermark: WatermarkConfig, stored: StoredPartition, expectedSources: readonly string[] = []): PartitionProcessor {
    const fromFull = stored.full !== null && (stored.header === null || stored.full.nextOffset > stored.header.nextOffset);
    const processor = new PartitionProcessor(ctx, watermark, fromFull ? stored.full!.state : undefined, expectedSources, fromFull || stored.header === null ? undefined : stored.header.header);
    const base = resumeOffset(stored);
    if (fromFull) for (const taxId of processor.enterprises.keys()) processor.dirty.add(taxId);
    for (const entry of stored.entries) {
      if (entry.coversOffset > base) processor.freeze(entry);
      else if (!fromFull && entry.state !== null) processor.restoreEntry(entry.state);
    }
    return processor;
  }

  get size(): number {
    return this.enterprises.size;
  }

  /**
   * Applies one leg, then closes the days its event time finished. Legs must come in partition order;
   * `offset` (the leg's partition offset) is required after a restore that froze enterprises (see restore).
   */
  process(leg: InvoiceLeg, out: PartitionOutput, offset?: number): void {
    if (this.frozen.size > 0) {
      if (offset === undefined) throw new RangeError('a partition restored with frozen enterprises needs each leg\'s offset');
      if (offset >= this.frozenUntil) this.thaw(offset);
      // Still frozen: the leg is in the restored state already.
      if (this.frozen.has(leg.enterprise_tax_id)) {
        this.observe(leg, out);
        return;
      }
    }
    let state = this.enterprises.get(leg.enterprise_tax_id);
    if (state === undefined) {
      state = createEnterpriseState(leg.enterprise_tax_id, leg.enterprise_name, leg.enterprise_district_code, ringSizeFor(this.ctx.config));
      this.enterprises.set(state.taxId, state);
    }
    const outcome = applyLeg(state, leg, this.ctx);
    if (outcome.kind === 'applied') this.dirty.add(state.taxId);
    else if (outcome.kind === 'late') out.late.push({ leg, closedThrough: state.lastClosedDay! });
    else out.duplicates++;
    this.observe(leg, out);
  }

  /**
   * The header and the entries of the enterprises changed since the last snapshot taken, as of `nextOffset`
   * (the offset after the last leg processed). Serialised now: the result shares nothing with the live state.
   * Call markDirty with its tax IDs if writing it fails, so the next snapshot writes them again.
   */
  snapshot(nextOffset: number): IncrementalSnapshot {
    const entries: SnapshotEntry[] = [];
    for (const taxId of [...this.dirty].sort()) {
      const state = this.enterprises.get(taxId);
      entries.push({ taxId, coversOffset: nextOffset, state: state === undefined ? null : this.entryOf(state) });
    }
    this.dirty.clear();
    const closedThrough: SnapshotHeader['closedThrough'] = {};
    for (const [home, day] of this.closedThrough) closedThrough[home] = day;
    return { nextOffset, header: { version: 1, clock: this.clock.serialize(), closedThrough, closes: this.closes, stringsSince: this.stringsSince }, entries };
  }

  markDirty(taxIds: Iterable<string>): void {
    for (const taxId of taxIds) this.dirty.add(taxId);
  }

  /** Enterprises the next snapshot writes. */
  get dirtyCount(): number {
    return this.dirty.size;
  }

  private observe(leg: InvoiceLeg, out: PartitionOutput): void {
    if (isDistrict(leg.feed_district) && this.clock.observe(leg.feed_district, leg.source_partition ?? -1, leg.issued_at_ms)) this.closeFinishedDays(out);
  }

  private entryOf(state: EnterpriseState): EnterpriseEntry {
    const openedAtMs: Record<string, number> = {};
    for (const o of state.openSignals.values()) {
      const ms = this.openedAtMs.get(o.signalId);
      if (ms !== undefined) openedAtMs[o.signalId] = ms;
    }
    return { closes: this.closes, enterprise: serializeState(state), openedAtMs };
  }

  private restoreEntry(entry: EnterpriseEntry): void {
    const state = deserializeState(entry.enterprise, this.ctx.strings);
    this.enterprises.set(state.taxId, state);
    for (const [id, ms] of Object.entries(entry.openedAtMs)) this.openedAtMs.set(id, ms);
    if (entry.closes >= this.closes) return;
    const through = this.closedThrough.get(this.homeOf(state));
    if (through !== undefined) this.closeEnterprise(state, through, emptyOutput());
  }

  private freeze(entry: SnapshotEntry): void {
    this.enterprises.delete(entry.taxId);
    const state = entry.state === null ? null : deserializeState(entry.state.enterprise, this.ctx.strings);
    this.frozen.set(entry.taxId, { until: entry.coversOffset, state, openedAtMs: entry.state?.openedAtMs ?? {} });
    if (entry.coversOffset < this.frozenUntil) this.frozenUntil = entry.coversOffset;
  }

  /** Releases the frozen enterprises whose state covers the legs before `offset`. */
  private thaw(offset: number): void {
    this.frozenUntil = Infinity;
    for (const [taxId, held] of this.frozen) {
      if (held.until > offset) {
        if (held.until < this.frozenUntil) this.frozenUntil = held.until;
        continue;
      }
      this.frozen.delete(taxId);
      if (held.state !== null) this.enterprises.set(taxId, held.state);
      for (const [id, ms] of Object.entries(held.openedAtMs)) this.openedAtMs.set(id, ms);
    }
  }

  /** Watermark of a feed in this partition (for metrics). */
  feedDelayMs(feed: District): number | null {
    const newest = this.clock.newestEventMs(feed);
    return newest === undefined ? null : newest - this.clock.feedWatermark(feed);
  }

  serialize(): SerializedPartition {
    return {
      version: 1,
      clock: this.clock.serialize(),
      enterprises: [...this.enterprises.values()].map(serializeState),
      openedAtMs: Object.fromEntries([...this.openedAtMs].sort(([a], [b]) => (a < b ? -1 : 1))),
    };
  }

  /** Open signals per type, for the open-signals gauge. */
  countOpenSignals(into: Map<string, number>): void {
    for (const s of this.enterprises.values()) for (const o of s.openSignals.values()) into.set(o.type, (into.get(o.type) ?? 0) + 1);
  }

  private homeOf(state: EnterpriseState): District | 'other' {
    return districtOfCode(state.profile.districtCode) ?? 'other';
  }

  /** Starts a new generation of party strings once a quarter of event time has closed, so parties gone quiet are forgotten. */
  private rotateStrings(): void {
    let newest: DayNumber | null = null;
    for (const through of this.closedThrough.values()) if (newest === null || through > newest) newest = through;
    if (newest === null) return;
    if (this.stringsSince === null) this.stringsSince = newest;
    else if (newest - this.stringsSince >= STRING_GENERATION_DAYS) {
      this.ctx.strings.rotate();
      this.stringsSince = newest;
    }
  }

  /** Recomputes each home's close-through day from the clock; returns true when any moved. */
  private refreshTargets(): boolean {
    let moved = false;
    for (const home of ['qingpu', 'jiashan', 'wujiang', 'other'] as const) {
      const through = WatermarkClock.closedThrough(this.clock.enterpriseWatermark(home === 'other' ? null : home));
      if (through === null) continue;
      const previous = this.closedThrough.get(home);
      if (previous === undefined || through > previous) {
        this.closedThrough.set(home, through);
        moved = true;
      }
    }
    return moved;
  }

  private closeFinishedDays(out: PartitionOutput): void {
    if (!this.refreshTargets()) return;
    this.closes++;
    this.rotateStrings();
    for (const state of this.enterprises.values()) {
      const through = this.closedThrough.get(this.homeOf(state));
      if (through !== undefined) this.closeEnterprise(state, through, out);
    }
  }

  /** Closes one enterprise's days through `through`; drops it (a tombstone in the next snapshot) once dormant. */
  private closeEnterprise(state: EnterpriseState, through: DayNumber, out: PartitionOutput): void {
    if (state.lastClosedDay !== null && through <= state.lastClosedDay) return;
    rollupsBeforeClose(state, through, this.ctx.calendar, out);
    for (const signal of closeDay(state, through, this.ctx)) {
      out.signals.push(signal);
      if (signal.status === 'OPEN') {
        this.openedAtMs.set(signal.signal_id, signal.event_time_ms);
        out.openedAtMs.set(signal.signal_id, signal.event_time_ms);
      } else {
        out.openedAtMs.set(signal.signal_id, this.openedAtMs.get(signal.signal_id) ?? signal.event_time_ms);
        this.openedAtMs.delete(signal.signal_id);
      }
    }
    if (isDormant(state)) {
      this.enterprises.delete(state.taxId);
      this.dirty.add(state.taxId);
    }
  }
}

/**
 * Calendar days of event time per generation of the party-string interner, about a quarter: a party still trading
 * is asked for again well within it and stays shared; one silent for one to two generations is dropped (a link it
 * may still have keeps its own copy).
 */
const STRING_GENERATION_DAYS = 91;

/** The offset a stored partition resumes from: that of its newer base (incremental header or old full snapshot), else 0. */
export function resumeOffset(stored: StoredPartition): number {
  return Math.max(stored.header?.nextOffset ?? 0, stored.full?.nextOffset ?? 0);
}

/** The day an instant falls on, for late-leg records. */
export function legDay(leg: InvoiceLeg): DayNumber {
  return dayOfInstant(leg.issued_at_ms);
}
