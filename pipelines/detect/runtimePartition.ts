import { dayOfInstant, type DayNumber } from '../../src/calendar/workingCalendar.ts';
import { districtOfCode, isDistrict, type District } from '../../src/domain/district.ts';
import type { DetectLeg } from '../../src/domain/invoiceLeg.ts';
import type { DisruptionSignal } from '../../src/domain/signal.ts';
import type { DetectorContext } from './detectorContext.ts';
import { createEnterpriseState, legLinkKey, type EnterpriseState } from './enterpriseState.ts';
import { applyLeg, closeDay, isDormant } from './enterpriseDetector.ts';
import { ringSizeFor } from './detectorConfig.ts';
import { deserializeState, serializeState, type SerializedEnterpriseState } from './serializeState.ts';
import { WatermarkClock, type SerializedClock, type WatermarkConfig } from './watermarkClock.ts';
import { rollupsBeforeClose, type DailyRollups } from './runtimeRollups.ts';
import { StringInterner } from './stringInterner.ts';
import { chainsOf, replayedLegs, type EnterpriseChain, type EntryState, type IncrementalSnapshot, type SnapshotEntry, type SnapshotHeader } from './incrementalSnapshot.ts';
import { EnterpriseWriteLog } from './enterpriseWriteLog.ts';
import { knownParties } from './leanLeg.ts';

/** A leg that arrived after its enterprise had closed its day: counted and recorded, never applied. */
export interface LateLeg {
  leg: DetectLeg;
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
  /** The newest row of every enterprise row key ever written, whatever its offset (tombstones included). */
  entries: readonly SnapshotEntry[];
}

/** An enterprise held out of the partition until the stream reaches the offset its restored state covers. */
interface FrozenEnterprise {
  until: number;
  state: EnterpriseState | null;
}

/** A whole partition in one piece: the snapshot format before incremental snapshots (still read; serialize() for tests and benches). */
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
  /** What the next snapshot writes of the enterprises changed since the last one. */
  private readonly writeLog = new EnterpriseWriteLog();
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
   * A partition as stored: the newer of its incremental header and its whole-partition snapshot of the older
   * format, plus the enterprise rows. The returned processor resumes at `resumeOffset(stored)`; the caller
   * passes each leg's offset to process().
   *
   * - An enterprise is rebuilt from its base row and the log rows after it: each logged leg is applied after
   *   closing the state through the day it had closed through when the leg came (closing through a day in
   *   one step or several gives the same state; detectIncrementalSnapshots.test.ts), then it is closed
   *   through the day the last row records.
   * - An enterprise whose newest row is at or below an incremental header's offset but has a lower close
   *   count was closed again after it was written (only closed: a leg would have written a row). It is
   *   closed forward here to the header's closed-through day of its home, which is what the live closes did.
   *   The outputs of all this replaying (signals, rollups) are discarded: a snapshot is taken only once the
   *   outputs of every leg it covers are confirmed written, so they are already in the sinks.
   * - An enterprise whose newest row is above the resume offset was written by a snapshot whose header never
   *   landed (a crash, or a failed write, between the rows and the header, or an old owner still writing
   *   after a rebalance). It is frozen: its legs below that offset are skipped (they are in its state; not
   *   late, not re-applied) and it takes no part in closing until the stream reaches the offset, from where
   *   its state is exactly the live one.
   * - Restored from an old-format snapshot, every enterprise's next row is a base.
   */
  static restore(ctx: DetectorContext, watermark: WatermarkConfig, stored: StoredPartition, expectedSources: readonly string[] = []): PartitionProcessor {
    const fromFull = stored.full !== null && (stored.header === null || stored.full.nextOffset > stored.header.nextOffset);
    const processor = new PartitionProcessor(ctx, watermark, fromFull ? stored.full!.state : undefined, expectedSources, fromFull || stored.header === null ? undefined : stored.header.header);
    const base = resumeOffset(stored);
    if (fromFull) processor.writeLog.forceBase(processor.enterprises.keys());
    for (const chain of chainsOf(stored.entries)) {
      // Rows at or below an old-format snapshot's offset predate it: it holds everything they say.
      if (chain.coversOffset <= base && fromFull) continue;
      const state = processor.rebuild(chain);
      if (chain.coversOffset > base) processor.freeze(chain, state);
      else if (state !== null) processor.restoreChain(chain, state);
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
  process(leg: DetectLeg, out: PartitionOutput, offset?: number): void {
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
      this.writeLog.created(state.taxId);
    }
    const key = legLinkKey(leg);
    const known = knownParties(state, leg, key);
    const outcome = applyLeg(state, leg, this.ctx, key);
    if (outcome.kind === 'applied') this.writeLog.applied(state.taxId, leg, state.lastClosedDay, known);
    else if (outcome.kind === 'late') out.late.push({ leg, closedThrough: state.lastClosedDay! });
    else out.duplicates++;
    this.observe(leg, out);
  }

  /**
   * The header and the rows of the enterprises changed since the last snapshot taken, as of `nextOffset`
   * (the offset after the last leg processed). Copied now: the result shares nothing that the live state
   * will change. Call forceBase with its entries' tax IDs if writing it fails, so the next snapshot writes
   * them whole.
   */
  snapshot(nextOffset: number): IncrementalSnapshot {
    const entries = this.writeLog.take(nextOffset, this.closes, (taxId) => this.enterprises.get(taxId), (state) => this.baseOf(state));
    const closedThrough: SnapshotHeader['closedThrough'] = {};
    for (const [home, day] of this.closedThrough) closedThrough[home] = day;
    return { nextOffset, header: { version: 1, clock: this.clock.serialize(), closedThrough, closes: this.closes, stringsSince: this.stringsSince }, entries };
  }

  forceBase(taxIds: Iterable<string>): void {
    this.writeLog.forceBase(taxIds);
  }

  /** Enterprises the next snapshot writes. */
  get dirtyCount(): number {
    return this.writeLog.size;
  }

  private observe(leg: DetectLeg, out: PartitionOutput): void {
    if (isDistrict(leg.feed_district) && this.clock.observe(leg.feed_district, leg.source_partition ?? -1, leg.issued_at_ms)) this.closeFinishedDays(out);
  }

  private baseOf(state: EnterpriseState): EntryState {
    const openedAtMs: Record<string, number> = {};
    for (const o of state.openSignals.values()) {
      const ms = this.openedAtMs.get(o.signalId);
      if (ms !== undefined) openedAtMs[o.signalId] = ms;
    }
    return { kind: 'base', closes: this.closes, enterprise: serializeState(state), openedAtMs };
  }

  /** An enterprise's state as of its newest row (null: dropped), replaying its logged legs and the closes between them. */
  private rebuild(chain: EnterpriseChain): EnterpriseState | null {
    const base = chain.base.state;
    if (base === null) return null;
    if (base.kind !== 'base') throw new RangeError(`row of ${chain.taxId} without a slot is not a base`);
    const state = deserializeState(base.enterprise, this.ctx.strings);
    for (const [id, ms] of Object.entries(base.openedAtMs)) this.openedAtMs.set(id, ms);
    const discarded = emptyOutput();
    let legs = 0;
    for (const row of chain.logs) {
      if (row.state === null || row.state.kind === 'base') throw new RangeError(`log row ${row.slot ?? ''} of ${chain.taxId} holds no legs`);
      for (const logged of replayedLegs(chain.taxId, row.state)) {
        if (logged.closedBefore !== null) this.closeState(state, logged.closedBefore, discarded);
        applyLeg(state, logged.legOf(state), this.ctx);
        legs++;
      }
      if (row.state.closedThrough !== null) this.closeState(state, row.state.closedThrough, discarded);
    }
    this.writeLog.restored(chain.taxId, chain.logs.length, legs);
    return state;
  }

  private restoreChain(chain: EnterpriseChain, state: EnterpriseState): void {
    this.enterprises.set(state.taxId, state);
    if (chain.closes >= this.closes) return;
    const through = this.closedThrough.get(this.homeOf(state));
    if (through !== undefined) this.closeEnterprise(state, through, emptyOutput());
  }

  private freeze(chain: EnterpriseChain, state: EnterpriseState | null): void {
    this.enterprises.delete(chain.taxId);
    this.frozen.set(chain.taxId, { until: chain.coversOffset, state });
    if (chain.coversOffset < this.frozenUntil) this.frozenUntil = chain.coversOffset;
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
    this.closeState(state, through, out);
    if (isDormant(state)) {
      this.enterprises.delete(state.taxId);
      this.writeLog.dropped(state.taxId);
    }
  }

  private closeState(state: EnterpriseState, through: DayNumber, out: PartitionOutput): void {
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
export function legDay(leg: DetectLeg): DayNumber {
  return dayOfInstant(leg.issued_at_ms);
}
