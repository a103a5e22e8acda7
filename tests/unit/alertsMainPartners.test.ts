import { describe, expect, it } from 'vitest';
import { mainPartners } from '../../pipelines/alerts/mainPartners.ts';

const link = (id: string, amount: number, last = '2020-03-01') => ({ partner_tax_id: id, amount_fen: amount, active_days: 10, last_day: last });

describe('main suppliers and buyers of an enterprise', () => {
  it('ranks partners by amount with their share of the flow and their names', () => {
    const partners = mainPartners([link('B', 300), link('A', 600), link('C', 100)], [], new Map([['A', '吴江某铜箔有限公司']]));
    expect(partners.map((p) => [p.partner_tax_id, p.share, p.name])).toEqual([
      ['A', 0.6, '吴江某铜箔有限公司'],
      ['B', 0.3, null],
      ['C', 0.1, null],
    ]);
  });

  it('marks the partner of an open broken-link signal as broken since the window start', () => {
    const partners = mainPartners([link('A', 600), link('B', 400)], [{ partner_tax_id: 'A', signal_id: 's1', status: 'OPEN', window_start: '2020-02-20' }], new Map());
    expect(partners[0]!.broken).toEqual({ signal_id: 's1', status: 'OPEN', since: '2020-02-20' });
    expect(partners[1]!.broken).toBeNull();
  });

  it('prefers an open break over a resolved one of the same partner', () => {
    const partners = mainPartners(
      [link('A', 1)],
      [
        { partner_tax_id: 'A', signal_id: 'old', status: 'RESOLVED', window_start: '2020-05-01' },
        { partner_tax_id: 'A', signal_id: 'now', status: 'OPEN', window_start: '2020-02-01' },
      ],
      new Map(),
    );
    expect(partners[0]!.broken?.signal_id).toBe('now');
  });

  it('keeps a broken partner in the list even outside the top N', () => {
    const links = Array.from({ length: 12 }, (_, i) => link(`P${String(i).padStart(2, '0')}`, 1000 - i));
    const partners = mainPartners(links, [{ partner_tax_id: 'P11', signal_id: 's', status: 'OPEN', window_start: '2020-02-20' }], new Map(), 3);
    expect(partners.map((p) => p.partner_tax_id)).toEqual(['P00', 'P01', 'P02', 'P11']);
    expect(partners[3]!.broken).not.toBeNull();
  });

  it('gives zero shares when all flow was corrected away', () => {
    expect(mainPartners([link('A', 0), link('B', -50)], [], new Map()).map((p) => p.share)).toEqual([0, 0]);
  });
});
