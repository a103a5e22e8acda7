import { describe, expect, it } from 'vitest';
import { monthOfInstant } from '../../pipelines/match/eventMonth.ts';
import { emptyFlowLedger, type FlowLedger } from '../../pipelines/match/firmLedger.ts';
import { silentRegularPartner } from '../../pipelines/match/silentPartner.ts';
import { exclusionOf } from '../../pipelines/match/exclusionRules.ts';
import type { DisruptionType } from '../../src/domain/signal.ts';

const DYEING = '2010000000000000000';
const YARN = '1040201010000000000';
const month = (iso: string) => monthOfInstant(Date.parse(`${iso}-15T10:00:00+08:00`));

/** Purchases of one firm: partner → monthly fen per code. */
function purchases(flows: Array<[partner: string, code: string, monthIso: string, fen: number]>): FlowLedger {
  const ledger = emptyFlowLedger();
  for (const [partner, code, m, fen] of flows) {
    let byCode = ledger.partners.get(partner);
    if (!byCode) ledger.partners.set(partner, (byCode = new Map()));
    let volume = byCode.get(code);
    if (!volume) byCode.set(code, (volume = new Map()));
    volume.set(month(m), (volume.get(month(m)) ?? 0) + fen);
  }
  return ledger;
}

/** Partners silent since the given month (default: the month of the query). */
const query = (silent: string[], asOf = '2020-06', since = asOf) => ({ asOf: month(asOf), windowMonths: 3, silentSince: (id: string) => (silent.includes(id) ? month(since) : null) });

describe('silent regular partner', () => {
  const ledger = purchases([
    ['MAIN', YARN, '2020-05', 7_000_000],
    ['DYER', DYEING, '2020-05', 2_000_000],
    ['MINOR', DYEING, '2020-05', 500_000],
    ['OLD', YARN, '2019-12', 50_000_000],
  ]);

  it('names a silent partner that carried at least 10 % of the recent flow', () => {
    expect(silentRegularPartner(ledger, query(['DYER']))).toBe('DYER');
  });

  it('ignores a silent partner below 10 % and one that only traded before the recent window', () => {
    expect(silentRegularPartner(ledger, query(['MINOR']))).toBeNull();
    expect(silentRegularPartner(ledger, query(['OLD']))).toBeNull();
    expect(silentRegularPartner(ledger, query([]))).toBeNull();
  });

  it('still names a partner silent for longer than the recent window, by its share before the silence', () => {
    expect(silentRegularPartner(ledger, query(['DYER'], '2020-09', '2020-05'))).toBe('DYER');
    expect(silentRegularPartner(ledger, query(['MINOR'], '2020-09', '2020-05'))).toBeNull();
  });

  it('names the largest of several silent partners', () => {
    expect(silentRegularPartner(ledger, query(['DYER', 'MAIN']))).toBe('MAIN');
  });

  it('honours a configured share threshold', () => {
    expect(silentRegularPartner(ledger, { ...query(['MINOR']), minShare: 0.05 })).toBe('MINOR');
  });

  it('finds nothing for a firm without recent trade', () => {
    expect(silentRegularPartner(emptyFlowLedger(), query(['DYER']))).toBeNull();
  });
});

describe('partner-silent exclusion', () => {
  const ctx = { enterpriseTaxId: 'E', brokenPartnerTaxId: 'P', need: 'SUPPLIER' as const };
  const none = new Set<DisruptionType>();
  it('excludes a candidate whose regular partner on the needed side went silent', () => {
    expect(exclusionOf('C', none, ctx, 'DYER')).toEqual({ kind: 'PARTNER_SILENT', partner_tax_id: 'DYER' });
    expect(exclusionOf('C', none, ctx, null)).toBeNull();
  });
  it('reports the candidate\'s own reason first when it has one', () => {
    expect(exclusionOf('P', none, ctx, 'DYER')).toEqual({ kind: 'BROKEN_PARTNER' });
    expect(exclusionOf('C', new Set<DisruptionType>(['UPSTREAM_BROKEN']), ctx, 'DYER')?.kind).toBe('SAME_DIRECTION_DISRUPTION');
  });
});
