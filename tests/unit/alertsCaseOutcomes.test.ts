import { describe, expect, it } from 'vitest';
import { outcomesBySignalType } from '../../pipelines/alerts/caseOutcomeCounts.ts';
import { groupMatchRows } from '../../pipelines/alerts/matchQueries.ts';

describe('false positives per signal type', () => {
  it('counts closed cases by outcome and the false-positive rate per type, worst first', () => {
    const summary = outcomesBySignalType([
      { signal_type: 'SALES_DROP', outcome: 'MATCHED', cases: 3 },
      { signal_type: 'SALES_DROP', outcome: 'NOT_A_DISRUPTION', cases: 1 },
      { signal_type: 'SILENCE', outcome: 'NOT_A_DISRUPTION', cases: 4 },
      { signal_type: 'SILENCE', outcome: 'RECOVERED_ON_ITS_OWN', cases: 4 },
    ]);
    expect(summary.map((s) => [s.signal_type, s.closed, s.false_positives, s.false_positive_rate])).toEqual([
      ['SILENCE', 8, 4, 0.5],
      ['SALES_DROP', 4, 1, 0.25],
    ]);
    expect(summary[1]!.outcomes).toEqual({ MATCHED: 3, RECOVERED_ON_ITS_OWN: 0, NOT_A_DISRUPTION: 1 });
  });
});

describe('match lists from the flattened matches table', () => {
  it('groups candidate rows into lists ordered by rank and reads reasons as arrays or JSON text', () => {
    const lists = groupMatchRows([
      { match_id: 'm1', signal_id: 's1', need: 'SUPPLIER', candidate_tax_id: 'B', rank: 2, score: 0.7, reasons: '["同类商品","同区"]' },
      { match_id: 'm1', signal_id: 's1', need: 'SUPPLIER', candidate_tax_id: 'A', rank: 1, score: 0.9, reasons: ['产能富余'] },
      { match_id: 'm2', candidate_tax_id: 'C', reasons: 'plain text' },
    ]);
    expect(lists).toHaveLength(2);
    expect(lists[0]!.candidates.map((c) => [c.tax_id, c.reasons])).toEqual([
      ['A', ['产能富余']],
      ['B', ['同类商品', '同区']],
    ]);
    expect(lists[1]).toMatchObject({ match_id: 'm2', need: null, status: null, candidates: [{ tax_id: 'C', rank: null, reasons: ['plain text'], converted_at: null }] });
  });

  it('keeps a list without candidates (its rank-0 placeholder row) as an empty list', () => {
    const lists = groupMatchRows([{ match_id: 'm3', version: 4, status: 'CLOSED', candidate_tax_id: '', rank: 0 }]);
    expect(lists).toEqual([expect.objectContaining({ match_id: 'm3', version: 4, status: 'CLOSED', candidates: [] })]);
  });
});
