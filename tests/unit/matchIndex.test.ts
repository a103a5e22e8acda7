import { describe, expect, it } from 'vitest';
import { CandidateIndex } from '../../pipelines/match/candidateIndex.ts';
import { TopVolumeList } from '../../pipelines/match/topVolumeList.ts';
import { monthOfInstant } from '../../pipelines/match/eventMonth.ts';
import { lostFlow } from '../../pipelines/match/lostFlow.ts';
import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';

const FOIL = '1080207020'.padEnd(19, '0');
const ROD = '1080205010'.padEnd(19, '0');
const at = (iso: string) => Date.parse(`${iso}T10:00:00+08:00`);

function sale(seller: string, buyer: string, day: string, fen: number, opts: { id?: string; code?: string; district?: string; type?: InvoiceLeg['event_type'] } = {}): InvoiceLeg {
  const id = opts.id ?? `${seller}-${buyer}-${day}-${fen}`;
  return {
    leg_id: `${id}:SELLER`, event_id: id, event_type: opts.type ?? 'ISSUED', invoice_no: id, original_invoice_no: null, role: 'SELLER',
    enterprise_tax_id: seller, enterprise_name: seller, enterprise_district_code: opts.district ?? '330421',
    partner_tax_id: buyer, partner_name: buyer, partner_district_code: '320509', feed_district: 'jiashan',
    issued_at_ms: at(day), amount_fen: fen, tax_fen: 0, goods: [{ tax_code: opts.code ?? FOIL, amount_fen: fen }],
  };
}

describe('top-volume posting list', () => {
  it('keeps the largest members and evicts the smallest when a bigger one arrives', () => {
    const list = new TopVolumeList(2);
    list.offer('a', 100);
    list.offer('b', 300);
    expect(list.offer('c', 50)).toEqual({ entered: false, evicted: null });
    expect(list.offer('d', 200)).toEqual({ entered: true, evicted: 'a' });
    expect([...list.taxIds()].sort()).toEqual(['b', 'd']);
    list.refresh((id) => (id === 'b' ? 0 : 10));
    expect([...list.taxIds()]).toEqual(['d']);
  });
});

describe('candidate index', () => {
  it('counts a redelivered leg once', () => {
    const index = new CandidateIndex();
    const leg = sale('S1', 'B1', '2020-04-10', 1_000);
    expect(index.applyLeg(leg).kind).toBe('applied');
    expect(index.applyLeg({ ...leg }).kind).toBe('duplicate');
    expect(index.volumeUnder(index.firms.get('S1')!, 'SELLER', FOIL)).toBe(1_000);
  });

  it('nets voided and red-letter legs and records them as corrections', () => {
    const index = new CandidateIndex();
    index.applyLeg(sale('S1', 'B1', '2020-04-10', 1_000, { id: 'x' }));
    index.applyLeg(sale('S1', 'B1', '2020-04-11', -1_000, { id: 'y', type: 'VOIDED' }));
    const firm = index.firms.get('S1')!;
    expect(index.volumeUnder(firm, 'SELLER', FOIL)).toBe(0);
    expect(firm.sales.corrections.get(monthOfInstant(at('2020-04-11')))).toBe(1_000);
  });

  it('finds sellers by the exact code and by category prefix, bounded by the posting capacity', () => {
    const index = new CandidateIndex({ postingCapacity: 5 });
    for (let i = 0; i < 50; i++) index.applyLeg(sale(`S${String(i).padStart(2, '0')}`, 'B', '2020-04-10', 1_000 + i));
    index.applyLeg(sale('ROD1', 'B', '2020-04-10', 50_000, { code: ROD }));
    const found = index.candidatesFor('SELLER', [FOIL]);
    // 5 per district bucket and key: the biggest foil sellers, plus the rod seller through the shared 5-digit category.
    expect(found.size).toBeLessThanOrEqual(5 * 3);
    expect(found.has('S49')).toBe(true);
    expect(found.has('S00')).toBe(false);
    expect(found.has('ROD1')).toBe(true);
  });

  it('moves a firm that migrated to the postings of its new district', () => {
    const index = new CandidateIndex({ postingCapacity: 1 });
    index.applyLeg(sale('BIG', 'B', '2020-04-10', 9_000, { district: '320509' }));
    index.applyLeg(sale('M', 'B', '2020-04-10', 1_000, { district: '330421' }));
    index.applyLeg(sale('M', 'B', '2020-04-20', 1_000, { district: '320509' }));
    expect(index.firms.get('M')!.district_code).toBe('320509');
    // Jiashan's bucket no longer holds M; in Wujiang it is smaller than BIG, so only BIG remains there.
    expect(index.candidatesFor('SELLER', [FOIL])).toEqual(new Set(['BIG']));
  });

  it('forgets months older than the window and ignores legs that old', () => {
    const index = new CandidateIndex({ windowMonths: 2 });
    index.applyLeg(sale('S1', 'B', '2020-01-10', 1_000));
    index.applyLeg(sale('S1', 'B', '2020-06-10', 2_000));
    expect(index.applyLeg(sale('S1', 'B', '2020-02-10', 5_000)).kind).toBe('too_old');
    expect(index.volumeUnder(index.firms.get('S1')!, 'SELLER', FOIL)).toBe(2_000);
  });

  it('derives the lost flow from the broken partner, averaged over its active months', () => {
    const index = new CandidateIndex();
    index.applyLeg({ ...sale('P', 'E', '2020-03-10', 3_000), role: 'BUYER', leg_id: 'a:B', enterprise_tax_id: 'E', partner_tax_id: 'P' });
    index.applyLeg({ ...sale('P', 'E', '2020-04-10', 5_000), role: 'BUYER', leg_id: 'b:B', enterprise_tax_id: 'E', partner_tax_id: 'P' });
    index.applyLeg({ ...sale('Q', 'E', '2020-04-10', 7_000, { code: ROD }), role: 'BUYER', leg_id: 'c:B', enterprise_tax_id: 'E', partner_tax_id: 'Q' });
    const flow = lostFlow(index, 'E', 'SUPPLIER', 'P', monthOfInstant(at('2020-05-20')));
    expect(flow).toEqual({ goods: [{ tax_code: FOIL, amount_fen: 8_000 }], monthlyFen: 4_000 });
    const drop = lostFlow(index, 'E', 'SUPPLIER', null, monthOfInstant(at('2020-05-20')));
    expect(drop.goods.map((g) => g.tax_code)).toEqual([FOIL, ROD]);
  });
});
