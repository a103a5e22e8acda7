import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/embeddedStack.ts';
import { firmTaxId } from '../helpers/invoiceFixtures.ts';
import { migrate } from '../../sinks/clickhouse/migrate.ts';
import { MIGRATIONS } from '../../sinks/clickhouse/schema.ts';
import { insertRows } from '../../sinks/clickhouse/insertRows.ts';
import { VIEWS_MIGRATION } from '../../sinks/clickhouse/viewsMigration.ts';
import { fillWorkingDays, workingDayRows } from '../../sinks/clickhouse/workingDaysTable.ts';
import { createWorkingCalendar } from '../../src/calendar/chineseWorkingCalendar.ts';
import { loadClosures } from '../../src/calendar/loadClosures.ts';
import { dayToIso, isoToDay } from '../../src/calendar/workingCalendar.ts';
import { DISTRICT_CODES } from '../../src/domain/district.ts';
import { generateClusterDdl } from '../../deploy/clickhouse/generateClusterDdl.ts';

/**
 * The analyst views (sinks/clickhouse/viewsMigration.ts) on the real embedded
 * stack, over a small hand-built June 2020 input written straight into the
 * tables detect and match write, so every expected number below can be
 * derived by hand from the zone calendar:
 *
 *   June 2020 working days: 1–5, 8–12, 15–19, 22–24, Sun 28 (make-up day for
 *   the Dragon Boat holiday 25–27), 29–30. As of Tue 30 June (the latest
 *   enterprise_daily day).
 *
 *   A (qingpu)  SALES_DROP         1 Jun → resolved 8 Jun        5 working days
 *   A (qingpu)  DOWNSTREAM_BROKEN  2 Jun → restored 11 Jun       7 (buyer E outside the zone)
 *   B (jiashan) SILENCE            22 Jun, open, HIGH            6 (22,23,24,28,29,30)
 *   C (jiashan) UPSTREAM_BROKEN    15 Jun, open (supplier D)    11
 *   D (wujiang) DOWNSTREAM_BROKEN  15 Jun, open (buyer C)       11: the same break seen from the other side
 */
let stack: TestStack;
const calendar = createWorkingCalendar({ closures: loadClosures() });

const A = firmTaxId(DISTRICT_CODES.qingpu, 101);
const B = firmTaxId(DISTRICT_CODES.jiashan, 102);
const C = firmTaxId(DISTRICT_CODES.jiashan, 103);
const D = firmTaxId(DISTRICT_CODES.wujiang, 104);
/** Kunshan: outside the zone. */
const E = firmTaxId('320583', 105);

const ELECTRONICS = '1091001010000000000';
const BRASS = '1080203010000000000';

interface SignalSpec {
  id: string;
  version: 1 | 2;
  taxId: string;
  district: string;
  type: string;
  partner?: string;
  severity?: string;
  windowStart: string;
  windowEnd: string;
  baselineFen?: number;
}

function signalRow(s: SignalSpec): Record<string, unknown> {
  const resolved = s.version === 2;
  return {
    signal_id: s.id,
    version: s.version,
    enterprise_tax_id: s.taxId,
    enterprise_name: `firm ${s.taxId.slice(-4)}`,
    district: s.district,
    signal_type: s.type,
    partner_tax_id: s.partner ?? null,
    severity: s.severity ?? 'LOW',
    status: resolved ? 'RESOLVED' : 'OPEN',
    resolution: resolved ? (s.partner ? 'LINK_RESTORED' : 'RECOVERED') : null,
    window_start: s.windowStart,
    window_end: s.windowEnd,
    event_time: `${s.windowEnd}T16:00:00.000Z`,
    baseline_fen: s.baselineFen ?? 0,
    current_fen: 0,
    explanation_zh: '测试',
    explanation_en: 'test',
    detected_at: '2026-01-01T00:00:00.000Z',
  };
}

const SIGNALS: SignalSpec[] = [
  { id: 's1', version: 1, taxId: A, district: 'qingpu', type: 'SALES_DROP', windowStart: '2020-06-01', windowEnd: '2020-06-03' },
  // A redelivered OPEN row: FINAL must count it once.
  { id: 's1', version: 1, taxId: A, district: 'qingpu', type: 'SALES_DROP', windowStart: '2020-06-01', windowEnd: '2020-06-03' },
  { id: 's1', version: 2, taxId: A, district: 'qingpu', type: 'SALES_DROP', windowStart: '2020-06-01', windowEnd: '2020-06-08' },
  { id: 's2', version: 1, taxId: B, district: 'jiashan', type: 'SILENCE', severity: 'HIGH', windowStart: '2020-06-22', windowEnd: '2020-06-29' },
  { id: 's3', version: 1, taxId: C, district: 'jiashan', type: 'UPSTREAM_BROKEN', partner: D, windowStart: '2020-06-15', windowEnd: '2020-06-29', baselineFen: 170_000 },
  { id: 's4', version: 1, taxId: D, district: 'wujiang', type: 'DOWNSTREAM_BROKEN', partner: C, severity: 'MEDIUM', windowStart: '2020-06-15', windowEnd: '2020-06-29', baselineFen: 170_000 },
  { id: 's5', version: 1, taxId: A, district: 'qingpu', type: 'DOWNSTREAM_BROKEN', partner: E, windowStart: '2020-06-02', windowEnd: '2020-06-30', baselineFen: 350_000 },
  { id: 's5', version: 2, taxId: A, district: 'qingpu', type: 'DOWNSTREAM_BROKEN', partner: E, windowStart: '2020-06-02', windowEnd: '2020-06-11', baselineFen: 350_000 },
];

function line(n: number, seller: string, buyer: string, day: string, taxCode: string, amountFen: number, eventType = 'ISSUED'): Record<string, unknown> {
  return {
    event_id: `evt-${n}`,
    line_no: 0,
    invoice_no: String(20_200_000_000_000_000_000n + BigInt(n)),
    event_type: eventType,
    issued_at: `${day}T10:00:00+08:00`,
    district: 'wujiang',
    seller_tax_id: seller,
    buyer_tax_id: buyer,
    tax_code: taxCode,
    item_name: taxCode === ELECTRONICS ? '*电子元件*连接器' : '*有色金属*黄铜带',
    quantity: '1',
    unit: '个',
    amount_fen: amountFen,
    tax_rate_bp: 1300,
    tax_fen: Math.round(amountFen * 0.13),
  };
}

/** The first working day inside (n = 60) and the last one outside (n = 61) the 60 working days before `iso`. */
const workingDaysBefore = (iso: string, n: number): string => dayToIso(calendar.addWorkingDays(isoToDay(iso), -n));

const LINES = [
  // D → C, break on 15 Jun: the window is the 60 working days before it.
  line(1, D, C, '2020-06-12', ELECTRONICS, 100_000),
  line(2, D, C, workingDaysBefore('2020-06-15', 60), ELECTRONICS, 70_000),
  line(3, D, C, workingDaysBefore('2020-06-15', 61), ELECTRONICS, 40_000), // before the window
  line(4, D, C, '2020-06-13', ELECTRONICS, 25_000), // Saturday: credited to 15 Jun, the first silent day
  line(5, D, C, '2020-06-10', ELECTRONICS, 11_000, 'VOIDED'), // a correction, not issued flow
  line(6, C, D, '2020-06-12', ELECTRONICS, 9_000), // the other direction: not this link
  // A → E, break on 2 Jun.
  line(7, A, E, '2020-05-29', BRASS, 300_000),
  line(8, A, E, '2020-05-31', BRASS, 50_000), // Sunday: credited to Mon 1 Jun, inside the window
];

function invoice(n: number, seller: { taxId: string; name: string; code: string }, buyer: { taxId: string; name: string; code: string }, day: string): Record<string, unknown> {
  return {
    event_id: `inv-${n}`,
    event_type: 'ISSUED',
    invoice_no: String(20_200_000_000_000_100_000n + BigInt(n)),
    original_invoice_no: null,
    invoice_kind: 'DIGITAL_SPECIAL',
    issued_at: `${day}T10:00:00+08:00`,
    district: 'wujiang',
    seller_tax_id: seller.taxId,
    seller_name: seller.name,
    seller_district_code: seller.code,
    buyer_tax_id: buyer.taxId,
    buyer_name: buyer.name,
    buyer_district_code: buyer.code,
    line_count: 1,
    total_amount_fen: 1,
    total_tax_fen: 0,
    source_topic: 'yunlian.invoices.wujiang',
    source_partition: 0,
    source_offset: n,
    ingested_at: '2026-01-01T00:00:00.000Z',
  };
}

const firmD = { taxId: D, name: '吴江某光缆有限公司', code: DISTRICT_CODES.wujiang };
const firmC = { taxId: C, name: '嘉善某电子有限公司', code: DISTRICT_CODES.jiashan };
/** Invoices name the parties of a link; the latest invoice of a pair wins (D renamed itself in June). */
const INVOICES = [
  invoice(1, { ...firmD, name: '吴江某光缆厂' }, firmC, '2020-05-06'),
  invoice(2, firmD, firmC, '2020-06-12'),
  invoice(3, { taxId: A, name: '青浦某五金有限公司', code: DISTRICT_CODES.qingpu }, { taxId: E, name: '昆山某贸易有限公司', code: '320583' }, '2020-05-29'),
];

function matchRow(m: { id: string; version: number; signal: string; taxId: string; district: string; need: string; type: string; status?: string; convertedAt?: string | null }, rank: number, candidateConvertedAt: string | null = null): Record<string, unknown> {
  return {
    match_id: m.id,
    version: m.version,
    signal_id: m.signal,
    enterprise_tax_id: m.taxId,
    enterprise_name: 'firm',
    district: m.district,
    need: m.need,
    signal_type: m.type,
    status: m.status ?? 'OPEN',
    opened_at: '2020-06-16T00:00:00+08:00',
    as_of: '2020-06-20T00:00:00+08:00',
    list_converted_at: m.convertedAt ?? null,
    rank,
    candidate_tax_id: rank === 0 ? '' : firmTaxId(DISTRICT_CODES.wujiang, 200 + rank),
    score: rank === 0 ? 0 : 1 / rank,
    converted_at: candidateConvertedAt,
    signal_detected_at: '2026-01-01T00:00:00.000Z',
    computed_at: '2026-01-01T00:00:00.000Z',
  };
}

const M1v1 = { id: 'm1', version: 1, signal: 's3', taxId: C, district: 'jiashan', need: 'SUPPLIER', type: 'UPSTREAM_BROKEN' };
const M1v2 = { ...M1v1, version: 2, convertedAt: '2020-06-19' };
const M2 = { id: 'm2', version: 1, signal: 's5', taxId: A, district: 'qingpu', need: 'BUYER', type: 'DOWNSTREAM_BROKEN', status: 'CLOSED' };
const M3 = { id: 'm3', version: 1, signal: 's4', taxId: D, district: 'wujiang', need: 'BUYER', type: 'DOWNSTREAM_BROKEN' };
const MATCHES = [
  matchRow(M1v1, 1),
  matchRow(M1v1, 2),
  matchRow(M1v2, 1),
  matchRow(M1v2, 2, '2020-06-19'),
  matchRow(M1v2, 2, '2020-06-19'), // redelivered
  matchRow(M2, 0),
  matchRow(M3, 1),
  matchRow(M3, 2),
  matchRow(M3, 3),
];


beforeAll(async () => {
  stack = await startTestStack([]);
  const client = stack.services.clickhouse;
  // The stack's start-up already ran every migration and filled the calendar (2019 to next year).
  await insertRows(client, { table: 'yunlian.signals', rows: SIGNALS.map(signalRow) });
  await insertRows(client, {
    table: 'yunlian.enterprise_daily',
    rows: [
      { day: '2020-06-01', enterprise_tax_id: A, direction: 'SALES', district: 'qingpu', amount_fen: 1, gross_fen: 1, corrections_fen: 0, legs: 1 },
      { day: '2020-06-30', enterprise_tax_id: C, direction: 'PURCHASES', district: 'jiashan', amount_fen: 1, gross_fen: 1, corrections_fen: 0, legs: 1 },
    ],
  });
  await insertRows(client, { table: 'yunlian.invoices', rows: INVOICES });
  await insertRows(client, { table: 'yunlian.invoice_lines', rows: LINES });
  await insertRows(client, { table: 'yunlian.matches', rows: MATCHES });
}, 120_000);

afterAll(async () => {
  await stack?.teardown();
});

const num = (v: unknown): number | null => (v === null ? null : Number(v));

describe('the working_days table', () => {
  it('holds the zone calendar of the detectors, with make-up days, closures and where weekend invoices are credited', async () => {
    const [year] = await stack.query<{ n: string }>(`SELECT count() AS n FROM yunlian.working_days FINAL WHERE toYear(day) = 2020`);
    expect(Number(year!.n)).toBe(366);
    const rows = await stack.query<{ day: string; is_working_day: boolean; working_ordinal: number; rollup_day: string; closure_reason: string }>(
      `SELECT day, is_working_day, working_ordinal, rollup_day, closure_reason FROM yunlian.working_days FINAL WHERE day IN ('2020-01-23', '2020-02-05', '2020-02-10', '2020-06-27', '2020-06-28') ORDER BY day`,
    );
    expect(rows.map((r) => [r.day, r.is_working_day, r.rollup_day])).toEqual([
      ['2020-01-23', true, '2020-01-23'],
      ['2020-02-05', false, '2020-02-10'],
      ['2020-02-10', true, '2020-02-10'],
      ['2020-06-27', false, '2020-06-28'],
      ['2020-06-28', true, '2020-06-28'],
    ]);
    // The Spring Festival and the regional closure between 23 Jan and 10 Feb are not worked: ordinals advance by one.
    expect(Number(rows[2]!.working_ordinal) - Number(rows[0]!.working_ordinal)).toBe(1);
    expect(rows[1]!.closure_reason).toContain('regional closure');
    const [june] = await stack.query<{ n: string }>(`SELECT countIf(is_working_day) AS n FROM yunlian.working_days FINAL WHERE toYYYYMM(day) = 202006`);
    expect(Number(june!.n)).toBe(21);
  });

  it('rejects a year range the calendar cannot cover', () => {
    expect(() => workingDayRows(calendar, 2021, 2020)).toThrow(RangeError);
    expect(() => workingDayRows(calendar, 2020.5, 2021)).toThrow(RangeError);
  });
});

describe('analyst views on a known input', () => {
  it('v_signal_durations counts working days, skipping the Dragon Boat holiday and counting its make-up Sunday', async () => {
    const rows = await stack.query<{ signal_id: string; status: string; disrupted_working_days: number | null; resolved_day: string | null; as_of: string }>(
      'SELECT signal_id, status, disrupted_working_days, resolved_day, as_of FROM yunlian.v_signal_durations ORDER BY signal_id',
    );
    expect(rows.map((r) => [r.signal_id, r.status, num(r.disrupted_working_days), r.resolved_day])).toEqual([
      ['s1', 'RESOLVED', 5, '2020-06-08'],
      ['s2', 'OPEN', 6, null],
      ['s3', 'OPEN', 11, null],
      ['s4', 'OPEN', 11, null],
      ['s5', 'RESOLVED', 7, '2020-06-11'],
    ]);
    expect(new Set(rows.map((r) => r.as_of))).toEqual(new Set(['2020-06-30']));
  });

  it('v_open_signals lists the open disruptions with their working days so far', async () => {
    const rows = await stack.query<{ signal_id: string; open_working_days: number; severity: string }>('SELECT signal_id, open_working_days, severity FROM yunlian.v_open_signals ORDER BY signal_id');
    expect(rows.map((r) => [r.signal_id, num(r.open_working_days), r.severity])).toEqual([
      ['s2', 6, 'HIGH'],
      ['s3', 11, 'LOW'],
      ['s4', 11, 'MEDIUM'],
    ]);
  });

  it('v_recovery_time gives working days to recovery per signal type and keeps open signals apart', async () => {
    const rows = await stack.query<Record<string, unknown>>(
      'SELECT signal_type, resolved_signals, avg_working_days, median_working_days, max_working_days, open_signals, longest_open_working_days FROM yunlian.v_recovery_time ORDER BY signal_type',
    );
    const byType = Object.fromEntries(rows.map((r) => [r.signal_type as string, r]));
    expect(Object.keys(byType)).toEqual(['DOWNSTREAM_BROKEN', 'SALES_DROP', 'SILENCE', 'UPSTREAM_BROKEN']);
    expect([num(byType.SALES_DROP!.resolved_signals), num(byType.SALES_DROP!.avg_working_days), num(byType.SALES_DROP!.median_working_days), num(byType.SALES_DROP!.open_signals)]).toEqual([1, 5, 5, 0]);
    expect([num(byType.DOWNSTREAM_BROKEN!.resolved_signals), num(byType.DOWNSTREAM_BROKEN!.max_working_days), num(byType.DOWNSTREAM_BROKEN!.open_signals), num(byType.DOWNSTREAM_BROKEN!.longest_open_working_days)]).toEqual([1, 7, 1, 11]);
    expect([num(byType.SILENCE!.resolved_signals), num(byType.SILENCE!.open_signals), num(byType.SILENCE!.longest_open_working_days)]).toEqual([0, 1, 6]);
    expect([num(byType.UPSTREAM_BROKEN!.open_signals), num(byType.UPSTREAM_BROKEN!.longest_open_working_days)]).toEqual([1, 11]);
  });

  it('v_disrupted_firms_daily counts disrupted firms per district on every working day, zeros included', async () => {
    const [grid] = await stack.query<{ rows: string; days: string; total: string; first: string; last: string }>(
      'SELECT count() AS rows, uniqExact(day) AS days, sum(disrupted_firms) AS total, min(day) AS first, max(day) AS last FROM yunlian.v_disrupted_firms_daily',
    );
    // 21 working days in June × (3 zone districts + other); firm-days: A 8 (1–10 Jun), B 6, C 11, D 11.
    expect([num(grid!.rows), num(grid!.days), num(grid!.total), grid!.first, grid!.last]).toEqual([84, 21, 36, '2020-06-01', '2020-06-30']);
    const rows = await stack.query<Record<string, unknown>>(
      `SELECT day, district, disrupted_firms, open_signals, high_severity_firms, firms_short_of_supply, firms_short_of_demand, new_disruptions
       FROM yunlian.v_disrupted_firms_daily WHERE (day, district) IN (('2020-06-02', 'qingpu'), ('2020-06-11', 'qingpu'), ('2020-06-15', 'jiashan'), ('2020-06-28', 'jiashan'), ('2020-06-28', 'wujiang'))
       ORDER BY day, district`,
    );
    expect(rows.map((r) => [r.day, r.district, num(r.disrupted_firms), num(r.open_signals), num(r.high_severity_firms), num(r.firms_short_of_supply), num(r.firms_short_of_demand), num(r.new_disruptions)])).toEqual([
      // A has two signals open (the sales drop and the broken buyer): one firm, two signals, both on the demand side.
      ['2020-06-02', 'qingpu', 1, 2, 0, 0, 1, 1],
      // Both of A's signals resolved by 11 Jun.
      ['2020-06-11', 'qingpu', 0, 0, 0, 0, 0, 0],
      ['2020-06-15', 'jiashan', 1, 1, 0, 1, 0, 1],
      ['2020-06-28', 'jiashan', 2, 2, 1, 1, 0, 0],
      ['2020-06-28', 'wujiang', 1, 1, 0, 0, 1, 0],
    ]);
    const [holiday] = await stack.query<{ n: string }>(`SELECT count() AS n FROM yunlian.v_disrupted_firms_daily WHERE day IN ('2020-06-25', '2020-06-27')`);
    expect(num(holiday!.n)).toBe(0);
  });

  it('v_broken_links merges the two sides of one break and names and places both firms as on their latest invoice', async () => {
    const rows = await stack.query<Record<string, unknown>>(
      'SELECT supplier_tax_id, supplier_name, supplier_district, buyer_tax_id, buyer_name, buyer_district, first_silent_day, status, restored_day, severity, reported_by, lost_baseline_fen, signal_ids FROM yunlian.v_broken_links ORDER BY first_silent_day',
    );
    expect(rows.map((r) => ({ ...r, lost_baseline_fen: num(r.lost_baseline_fen) }))).toEqual([
      { supplier_tax_id: A, supplier_name: '青浦某五金有限公司', supplier_district: 'qingpu', buyer_tax_id: E, buyer_name: '昆山某贸易有限公司', buyer_district: 'other', first_silent_day: '2020-06-02', status: 'RESOLVED', restored_day: '2020-06-11', severity: 'LOW', reported_by: 'SUPPLIER', lost_baseline_fen: 350_000, signal_ids: ['s5'] },
      { supplier_tax_id: D, supplier_name: '吴江某光缆有限公司', supplier_district: 'wujiang', buyer_tax_id: C, buyer_name: '嘉善某电子有限公司', buyer_district: 'jiashan', first_silent_day: '2020-06-15', status: 'OPEN', restored_day: null, severity: 'MEDIUM', reported_by: 'BUYER+SUPPLIER', lost_baseline_fen: 170_000, signal_ids: ['s3', 's4'] },
    ]);
  });

  it('v_broken_links_matrix is a full supplier-district × buyer-district matrix', async () => {
    const rows = await stack.query<Record<string, unknown>>('SELECT * FROM yunlian.v_broken_links_matrix');
    const matrix = Object.fromEntries(
      rows.map((r) => [r.supplier_district as string, [r.to_qingpu, r.to_jiashan, r.to_wujiang, r.to_other, r.broken_links, r.open_links, r.lost_baseline_fen].map(num)]),
    );
    expect(matrix).toEqual({
      qingpu: [0, 0, 0, 1, 1, 0, 350_000],
      jiashan: [0, 0, 0, 0, 0, 0, 0],
      wujiang: [0, 1, 0, 0, 1, 1, 170_000],
      other: [0, 0, 0, 0, 0, 0, 0],
    });
  });

  it('v_lost_flow takes the issued flow of the 60 working days before the break, crediting weekend invoices like detect', async () => {
    const rows = await stack.query<Record<string, unknown>>(
      'SELECT supplier_tax_id, first_silent_day, tax_code, tax_code_prefix3, tax_code_prefix5, category, lost_fen, invoice_lines FROM yunlian.v_lost_flow ORDER BY first_silent_day',
    );
    expect(rows.map((r) => [r.supplier_tax_id, r.first_silent_day, r.tax_code, r.tax_code_prefix3, r.tax_code_prefix5, r.category, num(r.lost_fen), num(r.invoice_lines)])).toEqual([
      // 300 000 on Fri 29 May + 50 000 on Sun 31 May (credited to Mon 1 Jun, the last day before the break).
      [A, '2020-06-02', BRASS, '108', '10802', '有色金属', 350_000, 2],
      // 100 000 on 12 Jun + 70 000 on the first day of the window; not the day before it, the Saturday credited to the
      // break day itself, the voided invoice or the reverse direction.
      [D, '2020-06-15', ELECTRONICS, '109', '10910', '电子元件', 170_000, 2],
    ]);
  });

  it('v_lost_flow_by_goods ranks goods categories by lost flow, all and still open', async () => {
    const rows = await stack.query<Record<string, unknown>>('SELECT * FROM yunlian.v_lost_flow_by_goods ORDER BY lost_flow_fen DESC');
    expect(rows.map((r) => [r.tax_code_prefix5, r.tax_code_prefix3, r.goods_category, num(r.broken_links), num(r.open_broken_links), num(r.lost_flow_fen), num(r.open_lost_flow_fen), r.latest_break])).toEqual([
      ['10802', '108', '有色金属', 1, 0, 350_000, 0, '2020-06-02'],
      ['10910', '109', '电子元件', 1, 1, 170_000, 170_000, '2020-06-15'],
    ]);
  });

  it('v_match_conversion reads the newest revision of each list and counts a redelivered row once', async () => {
    const rows = await stack.query<Record<string, unknown>>('SELECT * FROM yunlian.v_match_conversion ORDER BY district');
    expect(
      rows.map((r) => [r.district, r.signal_type, r.need, ...[r.lists, r.lists_with_candidates, r.converted_lists, r.conversion_rate, r.candidates, r.converted_candidates, r.candidate_conversion_rate, r.closed_lists].map(num)]),
    ).toEqual([
      ['jiashan', 'UPSTREAM_BROKEN', 'SUPPLIER', 1, 1, 1, 1, 2, 1, 0.5, 0],
      ['qingpu', 'DOWNSTREAM_BROKEN', 'BUYER', 1, 0, 0, null, 0, 0, null, 1],
      ['wujiang', 'DOWNSTREAM_BROKEN', 'BUYER', 1, 1, 0, 0, 3, 0, 0, 0],
    ]);
  });
});

describe('the views migration', () => {
  const definitions = async (): Promise<string[]> =>
    (await stack.query<{ d: string }>(`SELECT concat(name, ' ', engine, ' ', create_table_query, ' ', comment) AS d FROM system.tables WHERE database = 'yunlian' ORDER BY name`)).map((r) => r.d);

  it('was applied once, as version 5, and every view has a comment', async () => {
    const applied = await stack.query<{ version: number }>('SELECT version FROM yunlian.schema_migrations FINAL WHERE version = {v:UInt32}', { v: VIEWS_MIGRATION.version });
    expect(applied).toHaveLength(1);
    expect(VIEWS_MIGRATION.version).toBe(5);
    const views = await stack.query<{ name: string; comment: string }>(`SELECT name, comment FROM system.tables WHERE database = 'yunlian' AND engine = 'View' AND startsWith(name, 'v_') ORDER BY name`);
    expect(views.map((v) => v.name)).toEqual([
      'v_broken_links',
      'v_broken_links_matrix',
      'v_disrupted_firms_daily',
      'v_lost_flow',
      'v_lost_flow_by_goods',
      'v_match_conversion',
      'v_open_signals',
      'v_recovery_time',
      'v_signal_durations',
    ]);
    for (const v of views) expect(v.comment.length, v.name).toBeGreaterThan(40);
  });

  it('is idempotent: migrating and filling the calendar again changes nothing, and re-running its statements is harmless', async () => {
    const client = stack.services.clickhouse;
    const before = await definitions();
    const [calendarBefore] = await stack.query<{ n: string }>('SELECT count() AS n FROM yunlian.working_days');
    expect(await migrate(client, MIGRATIONS)).toEqual([]);
    expect(await fillWorkingDays(client, calendar, 2020, 2020)).toBe(0);
    // A crash between the statements and their record in schema_migrations re-runs them.
    for (const statement of VIEWS_MIGRATION.statements) await client.command({ query: statement });
    expect(await definitions()).toEqual(before);
    const [calendarAfter] = await stack.query<{ n: string }>('SELECT count() AS n FROM yunlian.working_days');
    expect(num(calendarAfter!.n)).toBe(num(calendarBefore!.n));
    const [recovery] = await stack.query<{ n: string }>(`SELECT resolved_signals AS n FROM yunlian.v_recovery_time WHERE signal_type = 'SALES_DROP'`);
    expect(num(recovery!.n)).toBe(1);
  });

  it('translates into cluster DDL: the table becomes replicated, the views pass through ON CLUSTER', () => {
    const sql = generateClusterDdl([...MIGRATIONS, VIEWS_MIGRATION]);
    expect(sql).toContain('CREATE TABLE IF NOT EXISTS yunlian.working_days_local ON CLUSTER yunlian');
    expect(sql).toMatch(/CREATE TABLE IF NOT EXISTS yunlian\.working_days ON CLUSTER yunlian AS yunlian\.working_days_local\nENGINE = Distributed/);
    for (const name of ['v_signal_durations', 'v_recovery_time', 'v_disrupted_firms_daily', 'v_broken_links_matrix', 'v_lost_flow_by_goods', 'v_match_conversion']) {
      expect(sql).toContain(`CREATE OR REPLACE VIEW yunlian.${name} ON CLUSTER yunlian AS`);
    }
  });
});
