import { describe, expect, it } from 'vitest';
import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';
import { chainsOf, type IncrementalSnapshot, type SnapshotEntry, type SnapshotHeader } from '../../pipelines/detect/incrementalSnapshot.ts';
import { createEnterpriseState } from '../../pipelines/detect/enterpriseState.ts';
import { applyLeg, closeDay } from '../../pipelines/detect/enterpriseDetector.ts';
import { deserializeState, serializeState } from '../../pipelines/detect/serializeState.ts';
import { dayOfInstant } from '../../src/calendar/workingCalendar.ts';
import { emptyOutput, PartitionProcessor, resumeOffset, type StoredPartition } from '../../pipelines/detect/runtimePartition.ts';
import { DEFAULT_WATERMARK_CONFIG } from '../../pipelines/detect/watermarkClock.ts';
import type { PackedLeg } from '../../pipelines/detect/packedLeg.ts';
import { leanLegsOfBytes } from '../../pipelines/detect/legBytes.ts';
import type { LeanLeg } from '../../pipelines/detect/leanLeg.ts';
import { BUYER, FIRM, OTHER_BUYER, detectorContext, everyNthWorkingDay, leg, type Firm } from '../helpers/detectFixtures.ts';
import { snapshotCalendar, snapshotScenarioLegs } from '../helpers/snapshotScenario.ts';

const ctx = detectorContext(snapshotCalendar);
const FIRM_TAX_ID = FIRM.taxId;
/** Trades three weeks in July 2019, then never again: dropped as dormant months later. */
const SHORT_LIVED: Firm = { taxId: '91330421MA2B000077', name: '嘉善短期贸易有限公司', districtCode: '330421' };

/** Renames itself from 16 December, when its buyer renames too (log rows must carry the new names). */
const RENAMING: Firm = { taxId: '91330421MA2B000066', name: '嘉善旧名纺织有限公司', districtCode: '330421' };

function scenario(): InvoiceLeg[] {
  const brief = everyNthWorkingDay(snapshotCalendar, '2019-07-01', '2019-07-19', 1).map((day) => leg({ firm: SHORT_LIVED, partner: BUYER, role: 'SELLER', day, amountFen: 500_000 }));
  const before = everyNthWorkingDay(snapshotCalendar, '2019-07-01', '2019-11-29', 2).map((day) => leg({ firm: RENAMING, partner: OTHER_BUYER, role: 'SELLER', day, amountFen: 400_000 }));
  const after = everyNthWorkingDay(snapshotCalendar, '2019-12-16', '2020-01-31', 2).map((day) => ({
    ...leg({ firm: RENAMING, partner: OTHER_BUYER, role: 'SELLER', day, amountFen: 400_000 }),
    enterprise_name: '嘉善新名纺织有限公司',
    partner_name: '苏州华瑞国际贸易有限公司',
  }));
  return [...snapshotScenarioLegs(), ...brief, ...before, ...after].sort((a, b) => a.issued_at_ms - b.issued_at_ms || (a.leg_id < b.leg_id ? -1 : a.leg_id > b.leg_id ? 1 : 0));
}
const legs = scenario();
/** Not in the scenario: its first legs arrive in the middle of it. */
const NEWCOMER: Firm = { taxId: '91330421MA2B000088', name: '嘉善新开电子有限公司', districtCode: '330421' };

const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
/** The legs of a log row as tuples (none for other rows). */
const leanLegsOf = (e: SnapshotEntry): LeanLeg[] => (e.state?.kind === 'leg-bytes' ? leanLegsOfBytes(e.taxId, e.state.legs, e.state.count) : []);

/** What ClickHouse keeps of the snapshots written: per row key, the newest version (ReplacingMergeTree). */
class MemorySnapshotTable {
  header: { nextOffset: number; header: SnapshotHeader } | null = null;
  readonly entries = new Map<string, SnapshotEntry>();

  /** `headerLands: false` is a write that failed (or a process that died) between the entries and the header. */
  write(snapshot: IncrementalSnapshot, headerLands = true): void {
    for (const e of roundTrip(snapshot.entries)) {
      const key = e.slot === null ? e.taxId : `${e.taxId}#${e.slot}`;
      const stored = this.entries.get(key);
      if (stored === undefined || stored.coversOffset <= e.coversOffset) this.entries.set(key, e);
    }
    if (headerLands && (this.header === null || this.header.nextOffset <= snapshot.nextOffset)) this.header = { nextOffset: snapshot.nextOffset, header: roundTrip(snapshot.header) };
  }

  stored(): StoredPartition {
    return { header: this.header === null ? null : roundTrip(this.header), full: null, entries: roundTrip([...this.entries.values()]) };
  }
}

/** Each leg's outputs (signals and their episode open times), by offset, so runs resumed anywhere compare leg by leg. */
function outputsFrom(processor: PartitionProcessor, from: number, input: readonly InvoiceLeg[] = legs): string[] {
  const outputs: string[] = [];
  for (let offset = from; offset < input.length; offset++) {
    const out = emptyOutput();
    processor.process(input[offset]!, out, offset);
    outputs.push(JSON.stringify({ signals: out.signals, openedAtMs: [...out.openedAtMs], late: out.late.length }));
  }
  return outputs;
}

/** Processes the legs before `until`, snapshotting every `every` legs into `table`; returns the snapshots taken. */
function runWithSnapshots(processor: PartitionProcessor, table: MemorySnapshotTable, until: number, every: number, input: readonly InvoiceLeg[] = legs): IncrementalSnapshot[] {
  const taken: IncrementalSnapshot[] = [];
  for (let offset = 0; offset < until; offset++) {
    processor.process(input[offset]!, emptyOutput(), offset);
    if ((offset + 1) % every === 0) {
      const snapshot = processor.snapshot(offset + 1);
      table.write(snapshot);
      taken.push(snapshot);
    }
  }
  return taken;
}

describe('incremental detector snapshots', () => {
  const uninterrupted = new PartitionProcessor(ctx, DEFAULT_WATERMARK_CONFIG);
  const expected = outputsFrom(uninterrupted, 0);

  it('a snapshot writes only the enterprises a leg touched since the previous one, not those that only closed days', () => {
    const processor = new PartitionProcessor(ctx, DEFAULT_WATERMARK_CONFIG);
    const first = legs.findIndex((l) => l.issued_at_ms >= Date.UTC(2019, 11, 2));
    for (let offset = 0; offset < first; offset++) processor.process(legs[offset]!, emptyOutput(), offset);
    expect(processor.snapshot(first).entries.map((e) => e.taxId)).toContain(FIRM_TAX_ID);
    // 2 to 13 December: the first firm invoices nothing, the second every working day (so days close for both).
    const quiet = legs.findIndex((l) => l.issued_at_ms >= Date.UTC(2019, 11, 13));
    const out = emptyOutput();
    for (let offset = first; offset < quiet; offset++) processor.process(legs[offset]!, out, offset);
    expect(legs.slice(first, quiet).some((l) => l.enterprise_tax_id === FIRM_TAX_ID)).toBe(false);
    expect(out.signals.some((s) => s.enterprise_tax_id === FIRM_TAX_ID)).toBe(true);
    const snapshot = processor.snapshot(quiet);
    expect(snapshot.entries.map((e) => e.taxId)).toEqual(['91330421MA2B000099']);
    expect(processor.snapshot(quiet).entries).toEqual([]);
  });

  it('closing an enterprise through a day in one step leaves the state and signals of closing it day by day', () => {
    const firstDay = dayOfInstant(legs[0]!.issued_at_ms);
    let fired = 0;
    for (const [from, to] of [[40, 75], [110, 160], [150, 175], [160, 214]] as const) {
      const state = createEnterpriseState(FIRM_TAX_ID, 'firm', '330421');
      for (const l of legs) if (l.enterprise_tax_id === FIRM_TAX_ID && dayOfInstant(l.issued_at_ms) <= firstDay + to) applyLeg(state, l, ctx);
      closeDay(state, firstDay + from, ctx);
      const stepwise = deserializeState(roundTrip(serializeState(state)));
      const stepSignals = [];
      for (let d = firstDay + from + 1; d <= firstDay + to; d++) stepSignals.push(...closeDay(stepwise, d, ctx));
      const oneStepSignals = closeDay(state, firstDay + to, ctx);
      fired += stepSignals.length;
      expect(oneStepSignals).toEqual(stepSignals);
      expect(serializeState(state)).toEqual(serializeState(stepwise));
    }
    expect(fired).toBeGreaterThan(0);
  });

  it('writes a tombstone for an enterprise dropped as dormant, once', () => {
    const processor = new PartitionProcessor(ctx, DEFAULT_WATERMARK_CONFIG);
    const table = new MemorySnapshotTable();
    const taken = runWithSnapshots(processor, table, legs.length, 40);
    const tombstones = taken.flatMap((s) => s.entries.filter((e) => e.state === null).map((e) => e.taxId));
    expect(tombstones).toEqual([SHORT_LIVED.taxId]);
    expect(table.entries.get(SHORT_LIVED.taxId)?.state).toBeNull();
  });

  it('restored from incremental snapshots (untouched enterprises closed forward on load), continues exactly as an uninterrupted run', () => {
    let caughtUp = 0;
    let replayedRows = 0;
    for (const every of [3, 17, 101]) {
      for (const cut of [150, 280, 340, 400]) {
        const table = new MemorySnapshotTable();
        const live = new PartitionProcessor(ctx, DEFAULT_WATERMARK_CONFIG);
        runWithSnapshots(live, table, cut, every);
        const stored = table.stored();
        const from = resumeOffset(stored);
        expect(from).toBe(Math.floor(cut / every) * every);
        const restored = PartitionProcessor.restore(ctx, DEFAULT_WATERMARK_CONFIG, stored);
        // Some entries are older than the header: their enterprises only closed days since.
        replayedRows += chainsOf(stored.entries).reduce((n, c) => n + c.logs.length, 0);
        caughtUp += chainsOf(stored.entries).filter((c) => c.coversOffset < from && c.base.state !== null && c.closes < stored.header!.header.closes).length;
        expect(outputsFrom(restored, from), `every ${every}, cut ${cut}`).toEqual(expected.slice(from));
        expect(roundTrip(restored.serialize())).toEqual(roundTrip(uninterrupted.serialize()));
      }
    }
    expect(caughtUp).toBeGreaterThan(0);
    // Most enterprises restored from a base plus log rows of the legs applied since.
    expect(replayedRows).toBeGreaterThan(50);
  });

  it('restores log rows of the earlier formats (whole legs as objects; packed legs with names; lean tuples) exactly as leg bytes', () => {
    const table = new MemorySnapshotTable();
    const live = new PartitionProcessor(ctx, DEFAULT_WATERMARK_CONFIG);
    runWithSnapshots(live, table, 340, 17);
    const stored = table.stored();
    const byLegId = new Map(legs.map((l) => [l.leg_id, l]));
    const rows = stored.entries.filter((e) => e.state?.kind === 'leg-bytes');
    expect(rows.length).toBeGreaterThan(20);
    // Each logged leg as the earlier writers had it, names and all: from the scenario's leg of the same ID.
    const logged = (e: SnapshotEntry) => leanLegsOf(e).map((t) => ({ leg: byLegId.get(t[0])!, closedBefore: t[8] }));
    const asObjects = stored.entries.map((e): SnapshotEntry => {
      if (e.state?.kind !== 'leg-bytes') return e;
      return { ...e, state: { kind: 'legs', closes: e.state.closes, legs: logged(e), closedThrough: e.state.closedThrough } };
    });
    const asPacked = stored.entries.map((e): SnapshotEntry => {
      if (e.state?.kind !== 'leg-bytes') return e;
      const legs = logged(e).map(({ leg: l, closedBefore }): PackedLeg => [l.leg_id, l.event_type, l.invoice_no, l.original_invoice_no, l.role, l.partner_tax_id, l.partner_name, l.partner_district_code, l.issued_at_ms, l.amount_fen, closedBefore, l.enterprise_name, l.enterprise_district_code]);
      return { ...e, state: { kind: 'packed-legs', closes: e.state.closes, legs, closedThrough: e.state.closedThrough } };
    });
    const asLean = stored.entries.map((e): SnapshotEntry => {
      if (e.state?.kind !== 'leg-bytes') return e;
      return { ...e, state: { kind: 'lean-legs', closes: e.state.closes, legs: leanLegsOf(e), closedThrough: e.state.closedThrough } };
    });
    const from = resumeOffset(stored);
    for (const entries of [asObjects, asPacked, asLean]) {
      const restored = PartitionProcessor.restore(ctx, DEFAULT_WATERMARK_CONFIG, roundTrip({ ...stored, entries }));
      expect(outputsFrom(restored, from)).toEqual(expected.slice(from));
      expect(roundTrip(restored.serialize())).toEqual(roundTrip(uninterrupted.serialize()));
    }
  });

  it('refuses to restore a log row of a format it does not read, naming its kind', () => {
    const table = new MemorySnapshotTable();
    runWithSnapshots(new PartitionProcessor(ctx, DEFAULT_WATERMARK_CONFIG), table, 340, 17);
    const stored = table.stored();
    const entries = stored.entries.map((e) => (e.state?.kind === 'leg-bytes' ? { ...e, state: { ...e.state, kind: 'columnar-legs' } } : e));
    expect(entries.some((e) => e.state?.kind === ('columnar-legs' as string))).toBe(true);
    expect(() => PartitionProcessor.restore(ctx, DEFAULT_WATERMARK_CONFIG, roundTrip({ ...stored, entries } as StoredPartition))).toThrow(/is of kind "columnar-legs", which this version does not read/);
  });

  it("lean log rows leave out the names the state knows (mostly ASCII), and keep a renamed firm's and partner's new names", () => {
    const table = new MemorySnapshotTable();
    const live = new PartitionProcessor(ctx, DEFAULT_WATERMARK_CONFIG);
    const taken = runWithSnapshots(live, table, legs.length, 17);
    const rows = taken.flatMap((s) => s.entries).flatMap((e) => (e.state?.kind === 'leg-bytes' ? [leanLegsOf(e)] : []));
    const ascii = rows.filter((r) => /^[\x20-\x7e]*$/.test(JSON.stringify(r)));
    expect(rows.length).toBeGreaterThan(50);
    expect(ascii.length / rows.length).toBeGreaterThan(0.9);
    const renamedLegs = rows.flat().filter((t) => t[0].startsWith(RENAMING.taxId) && t[6] >= Date.UTC(2019, 11, 16));
    expect(renamedLegs.length).toBeGreaterThan(0);
    // The first leg under the new names carries them; later ones find them in the state.
    expect(renamedLegs[0]!.slice(9)).toEqual(['苏州华瑞国际贸易有限公司', OTHER_BUYER.districtCode, '嘉善新名纺织有限公司', RENAMING.districtCode]);
    expect(renamedLegs.at(-1)).toHaveLength(9);
    // Restored from the rows written through the renaming, it continues exactly as the uninterrupted run.
    const cut = legs.findIndex((l) => l.issued_at_ms >= Date.UTC(2020, 0, 10));
    const partial = new MemorySnapshotTable();
    runWithSnapshots(new PartitionProcessor(ctx, DEFAULT_WATERMARK_CONFIG), partial, cut, 17);
    const stored = partial.stored();
    const restored = PartitionProcessor.restore(ctx, DEFAULT_WATERMARK_CONFIG, stored);
    const from = resumeOffset(stored);
    const liveAtCut = new PartitionProcessor(ctx, DEFAULT_WATERMARK_CONFIG);
    outputsFrom(liveAtCut, 0, legs.slice(0, from));
    expect(roundTrip(restored.serialize())).toEqual(roundTrip(liveAtCut.serialize()));
    expect(outputsFrom(restored, from)).toEqual(expected.slice(from));
    expect(roundTrip(restored.serialize())).toEqual(roundTrip(uninterrupted.serialize()));
  });

  it('closes forward on load an enterprise untouched since its entry, without emitting again what its closing emitted', () => {
    const table = new MemorySnapshotTable();
    const live = new PartitionProcessor(ctx, DEFAULT_WATERMARK_CONFIG);
    const first = legs.findIndex((l) => l.issued_at_ms >= Date.UTC(2019, 11, 2));
    // The first leg of the quiet fortnight whose closing fires a signal of the firm that invoices nothing then.
    const fired = expected.findIndex((o, offset) => offset >= first && o.includes(FIRM_TAX_ID));
    expect(legs.slice(first, fired + 1).some((l) => l.enterprise_tax_id === FIRM_TAX_ID)).toBe(false);
    runWithSnapshots(live, table, first, first);
    for (let offset = first; offset <= fired; offset++) live.process(legs[offset]!, emptyOutput(), offset);
    const snapshot = live.snapshot(fired + 1);
    expect(snapshot.entries.map((e) => e.taxId)).not.toContain(FIRM_TAX_ID);
    table.write(snapshot);
    const restored = PartitionProcessor.restore(ctx, DEFAULT_WATERMARK_CONFIG, table.stored());
    expect(outputsFrom(restored, fired + 1)).toEqual(expected.slice(fired + 1));
  });

  it('does not close on load an enterprise that the live partition had not closed yet (created after the last close)', () => {
    // A new firm whose first legs are for a day the partition has closed for the others: it is not late for
    // the new firm, whose days close at the next close. A snapshot falls between its two legs.
    const at = legs.findIndex((l) => l.issued_at_ms >= Date.UTC(2019, 10, 14));
    const day = Math.floor(legs[at - 1]!.issued_at_ms / 86_400_000) - 5;
    const newcomer = [0, 1].map((seq) => leg({ firm: NEWCOMER, partner: BUYER, role: 'SELLER', day, amountFen: 800_000, seq }));
    const input = [...legs.slice(0, at), ...newcomer, ...legs.slice(at)];
    const uninterruptedRun = outputsFrom(new PartitionProcessor(ctx, DEFAULT_WATERMARK_CONFIG), 0, input);
    expect(uninterruptedRun.slice(at, at + 2).every((o) => o.endsWith('"late":0}'))).toBe(true);
    const table = new MemorySnapshotTable();
    runWithSnapshots(new PartitionProcessor(ctx, DEFAULT_WATERMARK_CONFIG), table, at + 1, at + 1, input);
    const restored = PartitionProcessor.restore(ctx, DEFAULT_WATERMARK_CONFIG, table.stored());
    expect(outputsFrom(restored, at + 1, input)).toEqual(uninterruptedRun.slice(at + 1));
  });

  it('skips the legs already in an entry a half-written snapshot left ahead of its header, then continues exactly', () => {
    for (const every of [3, 17, 101]) {
      const table = new MemorySnapshotTable();
      const live = new PartitionProcessor(ctx, DEFAULT_WATERMARK_CONFIG);
      runWithSnapshots(live, table, 300, every);
      // The next snapshot's entries land, its header does not; the process dies after a few more legs.
      for (let offset = 300; offset < 330; offset++) live.process(legs[offset]!, emptyOutput(), offset);
      const halfWritten = live.snapshot(330);
      expect(halfWritten.entries.length).toBeGreaterThan(0);
      table.write(halfWritten, false);
      const stored = table.stored();
      const from = resumeOffset(stored);
      expect(from).toBeLessThanOrEqual(300);
      const restored = PartitionProcessor.restore(ctx, DEFAULT_WATERMARK_CONFIG, stored);
      const resumed = outputsFrom(restored, from);
      // From the half-written snapshot's offset on, every leg's outputs are the live ones; before it, the
      // frozen enterprises emit nothing (their outputs were written before their entries were).
      expect(resumed.slice(330 - from), `every ${every}`).toEqual(expected.slice(330));
      for (let offset = from; offset < 330; offset++) {
        const replayed = JSON.parse(resumed[offset - from]!) as { signals: unknown[]; late: number };
        const original = JSON.parse(expected[offset]!) as { signals: unknown[] };
        for (const s of replayed.signals) expect(original.signals).toContainEqual(s);
        expect(replayed.late).toBe(0);
      }
      expect(roundTrip(restored.serialize())).toEqual(roundTrip(uninterrupted.serialize()));
    }
  });

  it('restores a partition saved whole in the old format, then writes every enterprise in the first incremental snapshot', () => {
    const old = new PartitionProcessor(ctx, DEFAULT_WATERMARK_CONFIG);
    for (let offset = 0; offset < 250; offset++) old.process(legs[offset]!, emptyOutput(), offset);
    const full = roundTrip(old.serialize());
    const restored = PartitionProcessor.restore(ctx, DEFAULT_WATERMARK_CONFIG, { header: null, full: { nextOffset: 250, state: full }, entries: [] });
    expect(restored.snapshot(250).entries.map((e) => e.taxId).sort()).toEqual(full.enterprises.map((e) => e.taxId).sort());
    const again = PartitionProcessor.restore(ctx, DEFAULT_WATERMARK_CONFIG, { header: null, full: { nextOffset: 250, state: full }, entries: [] });
    expect(outputsFrom(again, 250)).toEqual(expected.slice(250));
  });
});
