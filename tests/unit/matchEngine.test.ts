import { describe, expect, it } from 'vitest';
import { MatchEngine } from '../../pipelines/match/matchEngine.ts';
import { matchIdOf } from '../../pipelines/match/matchId.ts';
import { matchListFromRows, matchRows, type StoredMatchRow } from '../../pipelines/match/matchRows.ts';
import type { InvoiceLeg, LegRole } from '../../src/domain/invoiceLeg.ts';
import type { DisruptionSignal, SignalType } from '../../src/domain/signal.ts';
import { firmTaxId } from '../helpers/invoiceFixtures.ts';

const code = (prefix: string) => prefix.padEnd(19, '0');
const FOIL = code('1080207020');
const ROD = code('1080205010');
const ZIPPER = code('1090511010');
const CAPACITOR = code('1091001010');

const JIASHAN = '330421';
const WUJIANG = '320509';
const OUTSIDE = '310115';
const firm = (division: string, n: number, name: string) => ({ tax_id: firmTaxId(division, n), name, district_code: division });
const E = firm(JIASHAN, 1, '嘉善恒达电子有限公司');
const P = firm(WUJIANG, 2, '吴江铜箔有限公司（断供）');
const S2 = firm(OUTSIDE, 3, '上海金属材料有限公司（现有第二供应商）');
const S3 = firm(JIASHAN, 4, '嘉善铜业有限公司');
const S4 = firm(OUTSIDE, 5, '上海铜材有限公司');
const S5 = firm(WUJIANG, 6, '吴江缺料铜箔有限公司');
const S6 = firm(JIASHAN, 7, '嘉善五金有限公司');
const B1 = firm(WUJIANG, 8, '吴江服饰有限公司');
const Z = firm(OUTSIDE, 9, '苏州拉链采购商');

type Firm = typeof E;
let seq = 0;
const at = (iso: string) => Date.parse(`${iso}T10:00:00+08:00`);

/** Both legs of one invoice from seller to buyer. */
function invoice(seller: Firm, buyer: Firm, day: string, goods: [string, number][], eventType: 'ISSUED' | 'VOIDED' = 'ISSUED'): InvoiceLeg[] {
  const eventId = `evt-${++seq}`;
  const sign = eventType === 'VOIDED' ? -1 : 1;
  const total = goods.reduce((s, [, a]) => s + a, 0) * sign;
  const leg = (role: LegRole): InvoiceLeg => {
    const [self, other] = role === 'SELLER' ? [seller, buyer] : [buyer, seller];
    return {
      leg_id: `${eventId}:${role}`, event_id: eventId, event_type: eventType, invoice_no: `no-${eventId}`, original_invoice_no: null, role,
      enterprise_tax_id: self.tax_id, enterprise_name: self.name, enterprise_district_code: self.district_code,
      partner_tax_id: other.tax_id, partner_name: other.name, partner_district_code: other.district_code,
      feed_district: 'jiashan', issued_at_ms: at(day), amount_fen: total, tax_fen: Math.round(total * 0.13),
      goods: goods.map(([tax_code, amount_fen]) => ({ tax_code, amount_fen: amount_fen * sign })),
    };
  };
  return [leg('SELLER'), leg('BUYER')];
}

function signal(enterprise: Firm, type: SignalType, partner: Firm | null, status: 'OPEN' | 'RESOLVED' = 'OPEN', day = '2020-05-20'): DisruptionSignal {
  return {
    signal_id: `sig-${enterprise.tax_id}-${type}-${partner?.tax_id ?? ''}`,
    enterprise_tax_id: enterprise.tax_id, enterprise_name: enterprise.name, district: 'jiashan', signal_type: type,
    partner_tax_id: partner?.tax_id ?? null, severity: 'HIGH', status, resolution: status === 'RESOLVED' ? 'LINK_RESTORED' : null,
    window_start: '2020-05-06', window_end: day, event_time_ms: at(day), baseline_fen: 1_000_000, current_fen: 0,
    explanation_zh: '', explanation_en: '', detected_at_ms: at(day) + 60_000,
  };
}

/** Three months of trade: E buys foil from P (main) and S2; S3..S5 sell foil to others; S6 sells zippers. */
function history(): InvoiceLeg[] {
  const legs: InvoiceLeg[] = [];
  for (const month of ['2020-03', '2020-04', '2020-05']) {
    for (const d of ['05', '12', '19']) {
      if (month === '2020-05' && d === '19') continue; // P stopped supplying in May
      legs.push(...invoice(P, E, `${month}-${d}`, [[FOIL, 3_000_000]]));
    }
    legs.push(...invoice(S2, E, `${month}-08`, [[FOIL, 1_500_000]]));
    legs.push(...invoice(S3, B1, `${month}-09`, [[FOIL, 4_000_000]]));
    legs.push(...invoice(S4, B1, `${month}-10`, [[FOIL, 9_000_000], [ROD, 1_000_000]]));
    legs.push(...invoice(S5, B1, `${month}-11`, [[FOIL, 5_000_000]]));
    legs.push(...invoice(S6, Z, `${month}-12`, [[ZIPPER, 2_000_000]]));
    legs.push(...invoice(E, B1, `${month}-15`, [[CAPACITOR, 8_000_000]]));
  }
  return legs;
}

function engineWithHistory(): MatchEngine {
  seq = 0;
  const engine = new MatchEngine();
  for (const leg of history()) engine.onLeg(leg);
  engine.onSignal(signal(S5, 'PURCHASE_DROP', null));
  engine.flush(0);
  return engine;
}

describe('match engine', () => {
  it('opens a SUPPLIER list on UPSTREAM_BROKEN with sellers of the lost goods, never the firm, the broken partner or a firm short of inputs', () => {
    const engine = engineWithHistory();
    engine.onSignal(signal(E, 'UPSTREAM_BROKEN', P));
    const [list] = engine.flush(1_000);
    expect(list).toBeDefined();
    expect(list!.match_id).toBe(matchIdOf(`sig-${E.tax_id}-UPSTREAM_BROKEN-${P.tax_id}`, 'SUPPLIER'));
    expect(list!).toMatchObject({ version: 1, need: 'SUPPLIER', status: 'OPEN', broken_partner_tax_id: P.tax_id, computed_at_ms: 1_000 });
    expect(list!.lost_goods).toEqual([{ tax_code: FOIL, amount_fen: 24_000_000 }]); // 3 + 3 + 2 invoices of ¥30,000
    expect(list!.lost_monthly_fen).toBe(8_000_000);
    const ids = list!.candidates.map((c) => c.tax_id);
    expect(ids).not.toContain(E.tax_id);
    expect(ids).not.toContain(P.tax_id);
    expect(ids).not.toContain(S5.tax_id);
    expect(ids).not.toContain(S6.tax_id);
    expect(new Set(ids)).toEqual(new Set([S2.tax_id, S3.tax_id, S4.tax_id]));
    expect(list!.candidates.map((c) => c.rank)).toEqual([1, 2, 3]);
    for (const c of list!.candidates) {
      expect(c.score).toBeGreaterThan(0);
      expect(c.score).toBeLessThanOrEqual(1);
      expect(c.reasons.length).toBeGreaterThan(0);
      for (const r of c.reasons) {
        expect(r.zh.length).toBeGreaterThan(0);
        expect(r.en.length).toBeGreaterThan(0);
      }
    }
  });

  it('ranks the existing second supplier first, then the same-district seller above the one elsewhere', () => {
    const engine = engineWithHistory();
    engine.onSignal(signal(E, 'UPSTREAM_BROKEN', P));
    const [list] = engine.flush(1_000);
    expect(list!.candidates.map((c) => c.tax_id)).toEqual([S2.tax_id, S3.tax_id, S4.tax_id]);
    expect(list!.candidates[0]!.existing_partner).toBe(true);
    expect(list!.candidates[0]!.reasons.map((r) => r.component)).toContain('familiarity');
    expect(list!.candidates[1]!.components.proximity).toBe(1);
  });

  it('gives the same lists and match ids for the same input', () => {
    const run = () => {
      const engine = engineWithHistory();
      engine.onSignal(signal(E, 'UPSTREAM_BROKEN', P));
      engine.onSignal(signal(E, 'SALES_DROP', null));
      return engine.flush(5);
    };
    const a = run();
    expect(a).toHaveLength(2);
    expect(run()).toEqual(a);
  });

  it('opens a BUYER list on SALES_DROP with buyers of the firm\'s goods', () => {
    const engine = engineWithHistory();
    for (const leg of invoice(S3, Z, '2020-05-06', [[CAPACITOR, 6_000_000]])) engine.onLeg(leg);
    engine.onSignal(signal(E, 'SALES_DROP', null));
    const [list] = engine.flush(1);
    expect(list!.need).toBe('BUYER');
    expect(list!.candidates.map((c) => c.tax_id)).toContain(Z.tax_id);
    expect(list!.candidates.map((c) => c.tax_id)).not.toContain(E.tax_id);
  });

  it('re-ranks only the lists whose goods new invoices touch, and publishes only changed lists', () => {
    const engine = engineWithHistory();
    engine.onSignal(signal(E, 'UPSTREAM_BROKEN', P));
    engine.onSignal(signal(S6, 'DOWNSTREAM_BROKEN', Z));
    expect(engine.flush(1)).toHaveLength(2);

    // A new, big copper-foil seller in Jiashan appears: only the foil list changes.
    const S7 = firm(JIASHAN, 10, '嘉善新铜箔有限公司');
    for (const leg of invoice(S7, B1, '2020-05-25', [[FOIL, 30_000_000]])) engine.onLeg(leg);
    const revisions = engine.flush(2);
    expect(engine.lastFlush.reranked).toBe(1);
    expect(revisions).toHaveLength(1);
    expect(revisions[0]!.version).toBe(2);
    expect(revisions[0]!.candidates.map((c) => c.tax_id)).toContain(S7.tax_id);

    // Trade in unrelated goods touches no list.
    for (const leg of invoice(B1, Z, '2020-05-26', [[code('1040501030'), 1_000]])) engine.onLeg(leg);
    expect(engine.flush(3)).toEqual([]);
    expect(engine.lastFlush.reranked).toBe(0);
  });

  it('drops a candidate when it opens its own same-direction disruption and takes it back when that resolves', () => {
    const engine = engineWithHistory();
    engine.onSignal(signal(E, 'UPSTREAM_BROKEN', P));
    engine.flush(1);
    engine.onSignal(signal(S3, 'SILENCE', null));
    const [without] = engine.flush(2);
    expect(without!.candidates.map((c) => c.tax_id)).not.toContain(S3.tax_id);
    engine.onSignal(signal(S3, 'SILENCE', null, 'RESOLVED'));
    const [back] = engine.flush(3);
    expect(back!.candidates.map((c) => c.tax_id)).toContain(S3.tax_id);
    expect(back!.version).toBe(3);
  });

  it('drops a supplier whose own main supplier went silent, even without a signal of its own, and takes it back when that supplier resumes', () => {
    const engine = engineWithHistory();
    const DYEING = code('2010000000');
    const dyer = firm(WUJIANG, 10, '吴江印染有限公司');
    for (const month of ['2020-03', '2020-04', '2020-05']) for (const leg of invoice(dyer, S3, `${month}-06`, [[DYEING, 1_000_000]])) engine.onLeg(leg);
    engine.onSignal(signal(E, 'UPSTREAM_BROKEN', P));
    const [opened] = engine.flush(1);
    expect(opened!.candidates.map((c) => c.tax_id)).toContain(S3.tax_id);
    // The dyer sells nothing the list watches: only the silence of S3's supplier can change the list.
    engine.onSignal(signal(dyer, 'SILENCE', null));
    const [without] = engine.flush(2);
    expect(without!.candidates.map((c) => c.tax_id)).not.toContain(S3.tax_id);
    expect(engine.lastFlush.reranked).toBe(1);
    engine.onSignal(signal(dyer, 'SILENCE', null, 'RESOLVED'));
    const [back] = engine.flush(3);
    expect(back!.candidates.map((c) => c.tax_id)).toContain(S3.tax_id);
  });

  it('keeps a supplier whose silent partner is a buyer of its goods, not a supplier', () => {
    const engine = engineWithHistory();
    engine.onSignal(signal(E, 'UPSTREAM_BROKEN', P));
    engine.flush(1);
    // B1 buys foil from S3: its silence costs S3 a customer, not inputs; S3 still can supply.
    engine.onSignal(signal(B1, 'SILENCE', null));
    const revisions = engine.flush(2);
    const current = revisions[0] ?? engine.list(matchIdOf(signal(E, 'UPSTREAM_BROKEN', P).signal_id, 'SUPPLIER'))!;
    expect(current.candidates.map((c) => c.tax_id)).toContain(S3.tax_id);
  });

  it('marks a candidate converted with the date of the first invoice after the list opened', () => {
    const engine = engineWithHistory();
    engine.onSignal(signal(E, 'UPSTREAM_BROKEN', P));
    engine.flush(1);
    // An invoice before the list opened (arriving late) is not a conversion.
    for (const leg of invoice(S3, E, '2020-05-18', [[FOIL, 100_000]])) engine.onLeg(leg);
    const before = engine.flush(2);
    expect(before.flatMap((l) => l.candidates).every((c) => c.converted_at === null)).toBe(true);
    for (const leg of invoice(S3, E, '2020-05-27', [[FOIL, 2_000_000]])) engine.onLeg(leg);
    const [converted] = engine.flush(3);
    expect(converted!.converted_at).toBe('2020-05-27');
    expect(converted!.candidates.find((c) => c.tax_id === S3.tax_id)!.converted_at).toBe('2020-05-27');
    // A later invoice keeps the first date.
    for (const leg of invoice(S3, E, '2020-06-03', [[FOIL, 2_000_000]])) engine.onLeg(leg);
    engine.flush(4);
    expect(engine.listsOf(E.tax_id)[0]!.candidates.find((c) => c.tax_id === S3.tax_id)!.converted_at).toBe('2020-05-27');
  });

  it('closes the list when the signal is RESOLVED and ignores a redelivered OPEN afterwards', () => {
    const engine = engineWithHistory();
    engine.onSignal(signal(E, 'UPSTREAM_BROKEN', P));
    const [opened] = engine.flush(1);
    engine.onSignal(signal(E, 'UPSTREAM_BROKEN', P, 'RESOLVED', '2020-06-15'));
    const [closed] = engine.flush(2);
    expect(closed).toMatchObject({ match_id: opened!.match_id, status: 'CLOSED', version: 2, closed_at_ms: at('2020-06-15') });
    engine.onSignal(signal(E, 'UPSTREAM_BROKEN', P));
    expect(engine.flush(3)).toEqual([]);
    // A closed list is not re-ranked by new trade.
    for (const leg of invoice(firm(JIASHAN, 11, '嘉善后来者'), B1, '2020-06-20', [[FOIL, 50_000_000]])) engine.onLeg(leg);
    expect(engine.flush(4)).toEqual([]);
  });

  it('restores stored lists without republishing them, and round-trips them through ClickHouse rows', () => {
    const engine = engineWithHistory();
    engine.onSignal(signal(E, 'UPSTREAM_BROKEN', P));
    const [list] = engine.flush(1);
    const rows = matchRows(list!);
    expect(rows).toHaveLength(list!.candidates.length);
    const stored = rows.map(({ opened_at: _o, as_of: _a, closed_at: _c, signal_detected_at: _s, computed_at: _t, ...rest }): StoredMatchRow => ({
      ...rest,
      opened_at_ms: list!.opened_at_ms,
      as_of_ms: list!.as_of_ms,
      closed_at_ms: null,
      signal_detected_at_ms: list!.signal_detected_at_ms,
      computed_at_ms: list!.computed_at_ms,
    }));
    const back = matchListFromRows(stored);
    expect(back).toEqual(list);

    const restarted = engineWithHistory();
    restarted.restoreList(back);
    restarted.refreshAll();
    expect(restarted.flush(9)).toEqual([]);
    restarted.onSignal(signal(E, 'UPSTREAM_BROKEN', P));
    expect(restarted.flush(10)).toEqual([]);
  });

  it('records a list without candidates as one placeholder row', () => {
    const engine = new MatchEngine();
    engine.onSignal(signal(E, 'UPSTREAM_BROKEN', P));
    const [list] = engine.flush(1);
    expect(list!.candidates).toEqual([]);
    expect(matchRows(list!)).toMatchObject([{ rank: 0, candidate_tax_id: '', match_id: list!.match_id }]);
  });
});
