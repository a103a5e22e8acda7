import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isoToDay, startOfDay } from '../../src/calendar/workingCalendar.ts';
import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';
import { emptyOutput, PartitionProcessor, type SerializedPartition } from '../../pipelines/detect/runtimePartition.ts';
import { DEFAULT_WATERMARK_CONFIG } from '../../pipelines/detect/watermarkClock.ts';
import { legRank } from '../../pipelines/detect/enterpriseState.ts';
import { stringHash52 } from '../../pipelines/detect/stringHash52.ts';
import { detectorContext } from '../helpers/detectFixtures.ts';
import { SNAPSHOT_V1_CUT, snapshotCalendar, snapshotScenarioLegs } from '../helpers/snapshotScenario.ts';

const ctx = detectorContext(snapshotCalendar);
const legs = snapshotScenarioLegs();
const cutMs = startOfDay(isoToDay(SNAPSHOT_V1_CUT));
const before = legs.filter((l) => l.issued_at_ms < cutMs);
const after = legs.filter((l) => l.issued_at_ms >= cutMs);
/** Written by serializeState before version 2 (commit 0f33483), from the legs before the cut. */
const v1 = JSON.parse(readFileSync(new URL('../fixtures/detectSnapshotV1.json', import.meta.url), 'utf8')) as SerializedPartition;

function run(processor: PartitionProcessor, input: readonly InvoiceLeg[]): string[] {
  const out = emptyOutput();
  for (const l of input) processor.process(l, out);
  return out.signals.map((s) => JSON.stringify(s));
}

const roundTrip = (p: SerializedPartition): SerializedPartition => JSON.parse(JSON.stringify(p)) as SerializedPartition;

type OldOpenDay = { legIds?: string[]; issuedOut?: [string, { invoiceNo: string; issuedAtMs: number }[]][] };

/** An open day as written since session 22: leg ids and issued sales as 52-bit hashes, sorted. */
function hashedOpenDay({ legIds, issuedOut, ...day }: OldOpenDay): object {
  const sales = (issuedOut ?? []).flatMap(([key, issues]) => {
    const [buyer, fen] = key.split('|');
    return issues.map((i) => [stringHash52(buyer!), Number(fen), stringHash52(i.invoiceNo), i.issuedAtMs]);
  });
  sales.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]! || a[3]! - b[3]!);
  return { ...day, legHashes: (legIds ?? []).map(stringHash52).sort((a, b) => a - b), issuedSales: sales.flat() };
}

/**
 * What a version-1 snapshot says in version 2, translated independently of the reader: every party profile's
 * leg id becomes its leg rank, every 52-bit invoice hash keeps its top 45 bits, an open day's leg ids and issued
 * sales become their hashes. The fixture's content was
 * computed by the detector logic of its day (which has changed since), so the restored state is compared with
 * the fixture itself, not with today's run.
 */
function asVersion2(old: SerializedPartition): SerializedPartition {
  const profiles = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(profiles);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value).map(([k, v]) => [k, profiles(v)] as const);
    const obj = Object.fromEntries(entries) as Record<string, unknown>;
    if (typeof obj.legId === 'string' && typeof obj.asOfMs === 'number') {
      const { legId, ...rest } = obj;
      return { ...rest, legRank: legRank(legId as string) };
    }
    return obj;
  };
  return {
    ...old,
    enterprises: old.enterprises.map(({ issuedInvoiceDays, ...e }) => ({
      ...(profiles(e) as typeof e),
      openDays: (profiles(e.openDays) as OldOpenDay[]).map(hashedOpenDay),
      version: 2,
      issuedInvoiceKeys: (issuedInvoiceDays ?? []).map(([day, hashes]) => [day, hashes.map((h) => Math.floor(h / 2 ** 7))]),
    })),
  } as SerializedPartition;
}

describe('detector snapshot formats', () => {
  const uninterrupted = run(new PartitionProcessor(ctx, DEFAULT_WATERMARK_CONFIG), legs);
  const first = new PartitionProcessor(ctx, DEFAULT_WATERMARK_CONFIG);
  const signalsBeforeCut = run(first, before);
  const v2 = roundTrip(first.serialize());

  it('the version-1 fixture holds links, open days, open signals and invoice days', () => {
    expect(v1.enterprises.map((e) => e.version)).toEqual([1, 1]);
    expect(v1.enterprises.some((e) => e.links.length > 0 && e.openSignals.length > 0 && e.openDays.length > 0)).toBe(true);
    expect(v1.enterprises.every((e) => (e.issuedInvoiceDays ?? []).length > 0 && typeof e.profile.legId === 'string')).toBe(true);
    expect(uninterrupted.length).toBeGreaterThan(signalsBeforeCut.length);
  });

  // The fixture's content was computed by the detector logic of its day (which has changed since), so the
  // restored state is compared with the fixture itself, translated field by field, not with today's run.
  it('restores every fact of a version-1 snapshot: leg ids become leg ranks, 52-bit invoice hashes 45-bit keys', () => {
    const restored = roundTrip(new PartitionProcessor(ctx, DEFAULT_WATERMARK_CONFIG, roundTrip(v1)).serialize());
    expect(restored).toEqual(asVersion2(v1));
  });

  it('continues from a version-1 snapshot exactly as from the same state written in version 2', () => {
    const fromV1 = new PartitionProcessor(ctx, DEFAULT_WATERMARK_CONFIG, roundTrip(v1));
    const translated = roundTrip(new PartitionProcessor(ctx, DEFAULT_WATERMARK_CONFIG, roundTrip(v1)).serialize());
    const fromV2 = new PartitionProcessor(ctx, DEFAULT_WATERMARK_CONFIG, translated);
    const signals = run(fromV1, after);
    expect(signals.length).toBeGreaterThan(0);
    expect(signals).toEqual(run(fromV2, after));
  });

  it('round-trips a version-2 snapshot and continues exactly as an uninterrupted run', () => {
    const restored = new PartitionProcessor(ctx, DEFAULT_WATERMARK_CONFIG, v2);
    expect(roundTrip(restored.serialize())).toEqual(v2);
    expect([...signalsBeforeCut, ...run(restored, after)]).toEqual(uninterrupted);
  });

  it('writes version 2: leg ranks instead of leg ids, 45-bit invoice keys instead of 52-bit hashes', () => {
    for (const e of v2.enterprises) {
      expect(e.version).toBe(2);
      expect(e.profile.legId).toBeUndefined();
      expect(Number.isInteger(e.profile.legRank)).toBe(true);
      expect(e.issuedInvoiceDays).toBeUndefined();
      expect((e.issuedInvoiceKeys ?? []).flatMap(([, keys]) => keys).every((k) => Number.isInteger(k) && k < 2 ** 45)).toBe(true);
    }
  });
});
