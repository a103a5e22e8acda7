import { describe, expect, it } from 'vitest';
import { legRank, legRankOfHash } from '../../pipelines/detect/enterpriseState.ts';
import { LegIdSet } from '../../pipelines/detect/legIdSet.ts';
import { stringHash52 } from '../../pipelines/detect/stringHash52.ts';

const legId = (n: number) => `91330421MA2B${String(n % 1000).padStart(6, '0')}-91310118MA1J000003-SELLER-ISSUED-${18_000 + n}-${n}:SELLER`;

describe('LegIdSet', () => {
  it('takes each leg id once, through many rounds of growth', () => {
    const set = new LegIdSet();
    for (let n = 0; n < 20_000; n++) expect(set.add(legId(n))).toBe(true);
    expect(set.size).toBe(20_000);
    let again = 0;
    for (let n = 0; n < 20_000; n++) if (set.add(legId(n))) again++;
    expect(again).toBe(0);
    expect(set.add(legId(20_000))).toBe(true);
    expect(set.size).toBe(20_001);
  });

  it('lists its hashes in ascending order, and a set built from them holds the same ids', () => {
    const set = new LegIdSet();
    const ids = [5, 1, 9, 3, 7].map(legId);
    for (const id of ids) set.add(id);
    const hashes = set.hashes();
    expect(hashes).toEqual(ids.map(stringHash52).sort((a, b) => a - b));
    const copy = new LegIdSet();
    for (const h of hashes) copy.addHash(h);
    for (const id of ids) expect(copy.add(id)).toBe(false);
    expect(copy.hashes()).toEqual(hashes);
  });

  it('keeps a hash of 0, which marks a free slot inside the table, as a member like any other', () => {
    const set = new LegIdSet(2);
    expect(set.addHash(0)).toBe(true);
    expect(set.addHash(0)).toBe(false);
    for (let h = 1; h <= 40; h++) set.addHash(h * 2 ** 32);
    expect(set.addHash(0)).toBe(false);
    expect(set.size).toBe(41);
    expect(set.hashes()[0]).toBe(0);
  });

  // Snapshots store legRank in every profile: taking it from the leg id's 52-bit hash must give the same numbers.
  it('ranks a leg from its hash exactly as the 31-bit FNV-1a of its id that snapshots hold', () => {
    const fnv31 = (s: string) => {
      let h = 0x811c9dc5;
      for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
      return h >>> 1;
    };
    for (let n = 0; n < 2_000; n++) {
      const id = legId(n * 7919);
      expect(legRankOfHash(stringHash52(id))).toBe(fnv31(id));
      expect(legRank(id)).toBe(fnv31(id));
    }
  });
});
