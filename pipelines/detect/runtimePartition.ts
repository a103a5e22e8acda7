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

  constructor(
    ctx: DetectorContext,
    watermark: WatermarkConfig,
    snapshot?: SerializedPartition,
    expectedSources: readonly string[] = [],
  ) {
    this.ctx = { ...ctx, strings: ctx.strings ?? new StringInterner() };
    this.clock = new WatermarkClock(watermark, snapshot?.clock, expectedSources);
    for (const [id, ms] of Object.entries(snapshot?.openedAtMs ?? {})) this.openedAtMs.set(id, ms);
    for (const s of snapshot?.enterprises ?? []) {
      const state = deserializeState(s, this.ctx.strings);
      this.enterprises.set(state.taxId, state);
    }
    this.refreshTargets();
  }

  get size(): number {
    return this.enterprises.size;
  }

  /** Applies one leg, then closes the days its event time finished. Legs must come in partition order. */
  process(leg: InvoiceLeg, out: PartitionOutput): void {
    let state = this.enterprises.get(leg.enterprise_tax_id);
    if (state === undefined) {
      state = createEnterpriseState(leg.enterprise_tax_id, leg.enterprise_name, leg.enterprise_district_code, ringSizeFor(this.ctx.config));
      this.enterprises.set(state.taxId, state);
    }
    const outcome = applyLeg(state, leg, this.ctx);
    if (outcome.kind === 'late') out.late.push({ leg, closedThrough: state.lastClosedDay! });
    else if (outcome.kind === 'duplicate') out.duplicates++;
    if (isDistrict(leg.feed_district) && this.clock.observe(leg.feed_district, leg.source_partition ?? -1, leg.issued_at_ms)) this.closeFinishedDays(out);
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
    this.rotateStrings();
    for (const [taxId, state] of this.enterprises) {
      const through = this.closedThrough.get(this.homeOf(state));
      if (through === undefined || (state.lastClosedDay !== null && through <= state.lastClosedDay)) continue;
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
      if (isDormant(state)) this.enterprises.delete(taxId);
    }
  }
}

/**
 * Calendar days of event time per generation of the party-string interner, about a quarter: a party still trading
 * is asked for again well within it and stays shared; one silent for one to two generations is dropped (a link it
 * may still have keeps its own copy).
 */
const STRING_GENERATION_DAYS = 91;

/** The day an instant falls on, for late-leg records. */
export function legDay(leg: InvoiceLeg): DayNumber {
  return dayOfInstant(leg.issued_at_ms);
}
