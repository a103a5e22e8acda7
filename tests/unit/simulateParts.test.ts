import { describe, expect, it } from 'vitest';
import { dayToIso, isoToDay } from '../../src/calendar/workingCalendar.ts';
import { buildActivityProfile } from '../../src/simulate/activityProfile.ts';
import { ArrivalQueue } from '../../src/simulate/arrivalQueue.ts';
import { linkFactor } from '../../src/simulate/disruptionPlan.ts';
import { mergeIntervals } from '../../src/simulate/groundTruth.ts';
import { formatQuantity, IdSource, lineTaxFen, priceLine, redLetterLine, smallScaleRateBp } from '../../src/simulate/invoiceFactory.ts';
import { goodsItem } from '../../src/simulate/goodsCatalog.ts';
import { organisationCode } from '../../src/simulate/organisationCode.ts';
import { createPrng, hashUnit, hashUnit4 } from '../../src/simulate/prng.ts';
import { fakeCalendar } from '../helpers/fakeCalendar.ts';

describe('seeded randomness', () => {
  it('repeats the same stream for the same seed and differs for another', () => {
    const a = createPrng(42);
    const b = createPrng(42);
    const c = createPrng(43);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  it('draws integers within bounds and roughly uniformly', () => {
    const prng = createPrng(1);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[prng.int(0, 3)]!++;
    for (const c of counts) expect(c).toBeGreaterThan(850);
  });

  it('hashes the same integers to the same unit value', () => {
    expect(hashUnit(1, 2, 3)).toBe(hashUnit(1, 2, 3));
    expect(hashUnit(1, 2, 3)).not.toBe(hashUnit(1, 2, 4));
    expect(hashUnit(2 ** 40 + 1, 5)).not.toBe(hashUnit(1, 5));
  });

  it('hashes four integers without an array exactly as hashUnit does', () => {
    const prng = createPrng(7);
    for (let k = 0; k < 200; k++) {
      const parts = [prng.int(0, 2 ** 31), prng.int(0, 200_000), prng.int(-5, 400), prng.int(0, 9)] as const;
      // Seeds may exceed 32 bits: their high word is mixed in too.
      const seed = k % 4 === 0 ? parts[0] + 2 ** 40 : parts[0];
      expect(hashUnit4(seed, parts[1], parts[2], parts[3])).toBe(hashUnit(seed, parts[1], parts[2], parts[3]));
    }
  });

  it('draws from weights given by a function as weightedIndex draws from the list of the non-zero ones', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const shape = createPrng(seed);
      const weights = Array.from({ length: shape.int(1, 30) }, () => (shape.chance(0.4) ? 0 : shape.int(1, 3) * 0.6));
      const admitted = weights.flatMap((w, i) => (w > 0 ? [i] : []));
      const drawn = createPrng(seed * 31).weightedIndexOf(weights.length, (i) => weights[i]!);
      if (admitted.length === 0) {
        expect(drawn).toBe(-1);
        continue;
      }
      const expected = admitted[createPrng(seed * 31).weightedIndex(admitted.map((i) => weights[i]!))]!;
      expect(drawn, `seed ${seed}`).toBe(expected);
    }
  });

  it('draws nothing when every weight is 0, so the stream goes on as if it had not been asked', () => {
    const asked = createPrng(5);
    expect(asked.weightedIndexOf(4, () => 0)).toBe(-1);
    expect(asked.next()).toBe(createPrng(5).next());
    expect(() => createPrng(5).weightedIndex([0, 0])).toThrow(RangeError);
  });
});

describe('invoice building blocks', () => {
  it('computes the GB 11714 organisation code check character', () => {
    // Body 12345678 with weights 3,7,9,10,5,8,4,2: sum 201, 11 − 201 mod 11 = 8.
    expect(organisationCode('12345678')).toBe('123456788');
    // Sum 0 gives 11, written '0'; sum 12 (6 × 2) leaves 1, giving 10, written 'X'.
    expect(organisationCode('00000000')).toBe('000000000');
    expect(organisationCode('00000006')).toBe('00000006X');
    expect(() => organisationCode('1234567A')).toThrow(RangeError);
  });

  it('rounds line tax on the magnitude so red-letter tax mirrors the original', () => {
    expect(lineTaxFen(123400, 1300)).toBe(16042);
    expect(lineTaxFen(50, 1300)).toBe(7); // 6.5 rounds up
    expect(lineTaxFen(-50, 1300)).toBe(-7);
  });

  it('formats quantities without trailing zeros and with a sign', () => {
    expect(formatQuantity(6250, 3)).toBe('6.25');
    expect(formatQuantity(-6250, 3)).toBe('-6.25');
    expect(formatQuantity(1000, 0)).toBe('1000');
    expect(formatQuantity(5, 3)).toBe('0.005');
  });

  it('prices a line from a target amount and negates it fully or partly for a red-letter invoice', () => {
    const zipper = goodsItem('zipper');
    const line = priceLine(zipper, 150, 1300, 1_000_000);
    expect(line.line.quantity).toBe('6667');
    expect(line.line.amount_fen).toBe(6667 * 150);
    const full = redLetterLine(line, line.quantity_units);
    expect(full.line.amount_fen).toBe(-line.line.amount_fen);
    expect(full.line.tax_fen).toBe(-line.line.tax_fen);
    const part = redLetterLine(line, 1000);
    expect(part.line.quantity).toBe('-1000');
    expect(part.line.amount_fen).toBe(-150_000);
  });

  it('cuts the small-scale rate from 3 % to 1 % on 2020-03-01', () => {
    expect(smallScaleRateBp(isoToDay('2020-02-29'))).toBe(300);
    expect(smallScaleRateBp(isoToDay('2020-03-01'))).toBe(100);
  });

  it('issues unique UUID-shaped event ids and 20-digit invoice numbers', () => {
    const ids = new IdSource(9);
    const events = new Set(Array.from({ length: 1000 }, () => ids.nextEventId()));
    expect(events.size).toBe(1000);
    const no = ids.nextInvoiceNo('330421', isoToDay('2020-05-06'));
    expect(no).toMatch(/^2033\d{16}$/);
  });
});

describe('arrival queue', () => {
  it('releases entries in arrival order, ties in insertion order, only before the limit', () => {
    const q = new ArrivalQueue<string>();
    q.push({ arrival_ms: 30, seq: 0, item: 'c' });
    q.push({ arrival_ms: 10, seq: 1, item: 'a' });
    q.push({ arrival_ms: 10, seq: 2, item: 'b' });
    q.push({ arrival_ms: 50, seq: 3, item: 'd' });
    const out: string[] = [];
    for (let e = q.popBefore(40); e; e = q.popBefore(40)) out.push(e.item);
    expect(out).toEqual(['a', 'b', 'c']);
    expect(q.size).toBe(1);
  });
});

describe('disruption effects', () => {
  it('stops a link inside a stop interval and multiplies scalings elsewhere', () => {
    const effects = [
      { kind: 'SCALE' as const, from: 10, until: 20, factor: 0.5 },
      { kind: 'STOP' as const, from: 15, until: null },
    ];
    expect(linkFactor(effects, 9)).toBe(1);
    expect(linkFactor(effects, 12)).toBe(0.5);
    expect(linkFactor(effects, 15)).toBe(0);
    expect(linkFactor(effects, 100)).toBe(0);
  });

  it('merges overlapping and touching intervals, an open end absorbing the rest', () => {
    expect(mergeIntervals([{ from: 5, until: 8 }, { from: 1, until: 5 }, { from: 10, until: null }, { from: 12, until: 14 }])).toEqual([
      { from: 1, until: 8 },
      { from: 10, until: null },
    ]);
  });
});

describe('activity profile', () => {
  const calendar = fakeCalendar([['2020-01-24', '2020-02-09']]);
  const profile = buildActivityProfile(calendar, isoToDay('2020-01-02'), isoToDay('2020-04-30'));

  it('finds the resumption after the long closure and ramps activity up from it', () => {
    expect(dayToIso(profile.resumption!)).toBe('2020-02-10');
    const first = profile.at(isoToDay('2020-02-10')).amount_factor;
    const later = profile.at(isoToDay('2020-02-20')).amount_factor;
    const normal = profile.at(isoToDay('2020-04-15')).amount_factor;
    expect(first).toBeLessThan(0.4);
    expect(later).toBeGreaterThan(first);
    expect(normal).toBe(1);
  });

  it('spikes at month end, dips before a holiday and is closed on non-working days', () => {
    expect(profile.at(isoToDay('2020-03-31')).amount_factor).toBeGreaterThan(1.3);
    expect(profile.at(isoToDay('2020-03-31')).extra_occasion).toBeGreaterThan(0);
    const midMonth = buildActivityProfile(fakeCalendar([['2020-03-12', '2020-03-16']]), isoToDay('2020-03-02'), isoToDay('2020-03-20'));
    expect(midMonth.at(isoToDay('2020-03-11')).amount_factor).toBeLessThan(1);
    expect(midMonth.at(isoToDay('2020-03-17')).amount_factor).toBeLessThan(midMonth.at(isoToDay('2020-03-11')).amount_factor);
    expect(midMonth.at(isoToDay('2020-03-19')).amount_factor).toBe(1);
    expect(profile.at(isoToDay('2020-02-01')).working).toBe(false);
    expect(() => profile.at(isoToDay('2020-05-01'))).toThrow(RangeError);
  });
});
