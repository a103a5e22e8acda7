import { describe, expect, it } from 'vitest';
import { codeSimilarity, goodsSimilarity } from '../../pipelines/match/goodsSimilarity.ts';
import { proximity } from '../../pipelines/match/proximity.ts';
import { capacitySignal, NEUTRAL_CAPACITY } from '../../pipelines/match/capacitySignal.ts';
import { reliability } from '../../pipelines/match/reliability.ts';
import { sizeFit } from '../../pipelines/match/sizeFit.ts';
import { familiarity } from '../../pipelines/match/familiarity.ts';
import { exclusionOf } from '../../pipelines/match/exclusionRules.ts';
import { indexKeysOf, sharedCategoryDigits, significantCode } from '../../pipelines/match/taxCodePrefixes.ts';
import { DEFAULT_RANKING_WEIGHTS } from '../../pipelines/match/rankingWeights.ts';
import { needOfSignal } from '../../pipelines/match/needOfSignal.ts';
import type { DisruptionType } from '../../src/domain/signal.ts';

const code = (prefix: string) => prefix.padEnd(19, '0');
const ZIPPER = code('1090511010');
const BUTTON = code('1090512010');
const CAPACITOR = code('1091001010');
const FREIGHT = code('3010102010');

describe('tax code prefixes', () => {
  it('strips the zero padding and indexes the full code plus its 7- and 5-digit categories', () => {
    expect(significantCode(ZIPPER)).toBe('109051101');
    expect(indexKeysOf(ZIPPER)).toEqual([ZIPPER, '1090511', '10905']);
    expect(sharedCategoryDigits(ZIPPER, BUTTON)).toBe(6);
    expect(sharedCategoryDigits(ZIPPER, ZIPPER)).toBe(19);
  });
});

describe('goods similarity', () => {
  it('scores the same code 1, a shared 5-digit category less, and another category 0', () => {
    expect(codeSimilarity(ZIPPER, ZIPPER)).toBe(1);
    expect(codeSimilarity(ZIPPER, BUTTON)).toBeCloseTo(0.35);
    expect(codeSimilarity(ZIPPER, CAPACITOR)).toBe(0);
    expect(codeSimilarity(ZIPPER, FREIGHT)).toBe(0);
  });

  it('weights each lost code by its share of the lost flow', () => {
    const lost = [{ tax_code: ZIPPER, amount_fen: 750 }, { tax_code: CAPACITOR, amount_fen: 250 }];
    const onlyZippers = goodsSimilarity(lost, new Map([[ZIPPER, 1000]]));
    const onlyCapacitors = goodsSimilarity(lost, new Map([[CAPACITOR, 1000]]));
    expect(onlyZippers.value).toBeCloseTo(0.75);
    expect(onlyCapacitors.value).toBeCloseTo(0.25);
    expect(onlyZippers.matched_tax_codes).toEqual([ZIPPER]);
    expect(onlyZippers.reason?.en).toContain('same goods');
    expect(onlyZippers.reason?.zh).toContain('相同商品');
  });

  it('finds nothing when the candidate trades unrelated goods', () => {
    const m = goodsSimilarity([{ tax_code: ZIPPER, amount_fen: 100 }], new Map([[FREIGHT, 5000]]));
    expect(m).toMatchObject({ value: 0, matched_tax_codes: [], reason: null });
  });
});

describe('proximity', () => {
  it('ranks the same district above the zone, the zone above the same city, and that above elsewhere', () => {
    const sameDistrict = proximity('320509', '320509').value;
    const zone = proximity('320509', '330421').value;
    const sameCity = proximity('320509', '320505').value;
    const elsewhere = proximity('320509', '310115').value;
    expect(sameDistrict).toBeGreaterThan(zone);
    expect(zone).toBeGreaterThan(sameCity);
    expect(sameCity).toBeGreaterThan(elsewhere);
    expect(proximity('320509', '330421').reason?.zh).toContain('示范区');
  });
});

describe('capacity signal', () => {
  it('favours a supplier whose own sales dropped and a buyer whose purchases dropped', () => {
    const salesDrop = new Set<DisruptionType>(['SALES_DROP']);
    const purchaseDrop = new Set<DisruptionType>(['PURCHASE_DROP']);
    expect(capacitySignal('SUPPLIER', salesDrop).value).toBe(1);
    expect(capacitySignal('BUYER', purchaseDrop).value).toBe(1);
    expect(capacitySignal('SUPPLIER', purchaseDrop).value).toBe(NEUTRAL_CAPACITY);
    expect(capacitySignal('BUYER', new Set()).value).toBe(NEUTRAL_CAPACITY);
    expect(capacitySignal('SUPPLIER', salesDrop).reason?.en).toContain('spare capacity');
  });
});

describe('reliability', () => {
  const base = { grossFen: 1_000_000, correctionsFen: 0, activeMonths: 3, windowMonths: 3, voidSpikeOpen: false };
  it('is highest for a steady firm without corrections and falls with the void rate', () => {
    expect(reliability(base).value).toBeCloseTo(1);
    expect(reliability({ ...base, correctionsFen: 100_000 }).value).toBeLessThan(reliability(base).value);
    expect(reliability({ ...base, correctionsFen: 500_000 }).value).toBeCloseTo(0.4);
  });
  it('falls for a firm that traded in fewer months and halves during a void spike', () => {
    expect(reliability({ ...base, activeMonths: 1 }).value).toBeLessThan(reliability(base).value);
    expect(reliability({ ...base, voidSpikeOpen: true }).value).toBeCloseTo(reliability(base).value / 2);
    expect(reliability({ ...base, correctionsFen: 12_000 }).reason?.en).toContain('1.2%');
  });
});

describe('size fit', () => {
  it('fits fully when the candidate can carry the lost flow and tapers for much smaller or much larger firms', () => {
    expect(sizeFit(1_000_000, 1_000_000).value).toBe(1);
    expect(sizeFit(250_000, 1_000_000).value).toBeCloseTo(0.5);
    expect(sizeFit(100_000_000, 1_000_000).value).toBeCloseTo(0.8);
    expect(sizeFit(100_000_000, 1_000_000).value).toBeLessThan(sizeFit(2_000_000, 1_000_000).value);
    expect(sizeFit(0, 1_000_000).value).toBe(0);
    expect(sizeFit(500_000, 1_000_000).reason?.en).toContain('50%');
  });
});

describe('familiarity', () => {
  it('scores a stranger 0 and an existing partner of these goods higher the more of the lost flow it already carries', () => {
    expect(familiarity('BUYER', 0, 1_000_000)).toEqual({ value: 0, reason: null });
    expect(familiarity('SUPPLIER', 2_000_000, 1_000_000).value).toBe(1);
    expect(familiarity('SUPPLIER', 250_000, 1_000_000).value).toBeCloseTo(0.7);
    expect(familiarity('SUPPLIER', 100_000, 1_000_000).value).toBeGreaterThanOrEqual(0.6);
    expect(familiarity('SUPPLIER', 123_400, 1_000_000).reason?.en).toContain('¥1,234.00');
  });
});

describe('exclusion rules', () => {
  const ctx = { enterpriseTaxId: 'E', brokenPartnerTaxId: 'P', need: 'SUPPLIER' as const };
  const none = new Set<DisruptionType>();
  it('excludes the enterprise itself and the broken partner', () => {
    expect(exclusionOf('E', none, ctx)).toEqual({ kind: 'SELF' });
    expect(exclusionOf('P', none, ctx)).toEqual({ kind: 'BROKEN_PARTNER' });
    expect(exclusionOf('C', none, ctx)).toBeNull();
  });
  it('excludes a candidate with an open disruption on the side the enterprise needs, and a silent one', () => {
    expect(exclusionOf('C', new Set<DisruptionType>(['UPSTREAM_BROKEN']), ctx)).toEqual({ kind: 'SAME_DIRECTION_DISRUPTION', signal_type: 'UPSTREAM_BROKEN' });
    expect(exclusionOf('C', new Set<DisruptionType>(['PURCHASE_DROP']), ctx)?.kind).toBe('SAME_DIRECTION_DISRUPTION');
    expect(exclusionOf('C', new Set<DisruptionType>(['SALES_DROP']), ctx)).toBeNull();
    expect(exclusionOf('C', new Set<DisruptionType>(['SALES_DROP']), { ...ctx, need: 'BUYER' })?.kind).toBe('SAME_DIRECTION_DISRUPTION');
    expect(exclusionOf('C', new Set<DisruptionType>(['SILENCE']), ctx)).toEqual({ kind: 'SILENT' });
  });
});

describe('needs and weights', () => {
  it('maps supplier-side signals to SUPPLIER, buyer-side to BUYER, and others to no list', () => {
    expect(needOfSignal('UPSTREAM_BROKEN')).toBe('SUPPLIER');
    expect(needOfSignal('PURCHASE_DROP')).toBe('SUPPLIER');
    expect(needOfSignal('DOWNSTREAM_BROKEN')).toBe('BUYER');
    expect(needOfSignal('SALES_DROP')).toBe('BUYER');
    expect(needOfSignal('SILENCE')).toBeNull();
    expect(needOfSignal('VOID_SPIKE')).toBeNull();
  });
  it('has weights that sum to 1 so scores stay within [0, 1]', () => {
    expect(Object.values(DEFAULT_RANKING_WEIGHTS).reduce((a, b) => a + b, 0)).toBeCloseTo(1);
  });
});
