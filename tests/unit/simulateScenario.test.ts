import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayToIso, isoToDay, type DayNumber } from '../../src/calendar/workingCalendar.ts';
import { DISTRICTS, districtOfCode, type District } from '../../src/domain/district.ts';
import type { InvoiceEvent } from '../../src/domain/invoiceEvent.ts';
import { isValidUscc } from '../../src/domain/uscc.ts';
import { ConfigError } from '../../src/runtime/errors.ts';
import { createScenario, simulateScenario, type FeedArrival, type ScenarioResult } from '../../src/simulate/simulateScenario.ts';
import { presetOptions } from '../../src/simulate/scenarioPresets.ts';
import { resolveSimulateOptions } from '../../src/simulate/simulateOptions.ts';
import { writeScenario } from '../../src/simulate/writeScenario.ts';
import { fakeCalendar } from '../helpers/fakeCalendar.ts';

/** Weekends off plus New Year's Day, the 2020 Spring Festival and zone shutdown, Qingming and May Day. */
const CALENDAR = fakeCalendar([
  ['2020-01-01', '2020-01-01'],
  ['2020-01-24', '2020-02-09'],
  ['2020-04-04', '2020-04-06'],
  ['2020-05-01', '2020-05-05'],
]);
const OPTIONS = { seed: 7, firms: 90, from: isoToDay('2020-01-02'), to: isoToDay('2020-08-31'), calendar: CALENDAR };

let scenario: ScenarioResult;
let arrivals: FeedArrival[];
const progress: { day: number; events: number }[] = [];

beforeAll(() => {
  const stream = createScenario({ ...OPTIONS, onProgress: (p) => progress.push(p) });
  arrivals = [...stream.arrivals()];
  scenario = simulateScenario(OPTIONS);
});

let cachedEvents: InvoiceEvent[] | null = null;
const allEvents = (): InvoiceEvent[] => (cachedEvents ??= DISTRICTS.flatMap((d) => scenario.events[d]));
const dayOf = (e: InvoiceEvent): DayNumber => isoToDay(e.issued_at.slice(0, 10));
const ordinal = (e: InvoiceEvent): number => CALENDAR.workingOrdinal(dayOf(e));

describe('simulateScenario determinism', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('writes byte-identical feed, truth and firm files for the same seed', async () => {
    const a = await mkdtemp(join(tmpdir(), 'yunlian-sim-a-'));
    const b = await mkdtemp(join(tmpdir(), 'yunlian-sim-b-'));
    dirs.push(a, b);
    const filesA = await writeScenario(a, createScenario(OPTIONS));
    const filesB = await writeScenario(b, simulateScenario(OPTIONS));
    for (const name of [...Object.values(filesA.feeds), filesA.truth, filesA.firms]) {
      const other = name.replace(a, b);
      const [x, y] = [await readFile(name), await readFile(other)];
      expect(x.length).toBeGreaterThan(100);
      expect(x.equals(y)).toBe(true);
    }
    const firstLine = (await readFile(filesA.feeds.qingpu, 'utf8')).split('\n')[0]!;
    expect(JSON.parse(firstLine)).toEqual(scenario.events.qingpu[0]);
    expect(filesB.truth).toBe(join(b, 'truth.json'));
  });

  it('gives different firms and events for a different seed', () => {
    const other = simulateScenario({ ...OPTIONS, seed: 8 });
    expect(other.firms.map((f) => f.tax_id)).not.toEqual(scenario.firms.map((f) => f.tax_id));
    expect(other.events.wujiang.slice(0, 20).map((e) => e.invoice_no)).not.toEqual(scenario.events.wujiang.slice(0, 20).map((e) => e.invoice_no));
  });
});

describe('simulated InvoiceEvents', () => {
  it('all satisfy the InvoiceEvent contract', () => {
    const events = allEvents();
    expect(events.length).toBeGreaterThan(10_000);
    // Collected rather than asserted one by one: tens of thousands of expect calls make the test slow.
    const problems: string[] = [];
    const check = (ok: boolean, what: string, e: InvoiceEvent): void => {
      if (!ok && problems.length < 20) problems.push(`${what}: ${JSON.stringify(e)}`);
    };
    for (const e of events) {
      check(isValidUscc(e.seller.tax_id) && isValidUscc(e.buyer.tax_id), 'USCC check character', e);
      check(/^\d{20}$/.test(e.invoice_no), '20-digit invoice number', e);
      check(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(e.event_id), 'UUID-shaped event_id', e);
      check(/^\d{4}-\d{2}-\d{2}T(0[89]|1\d):[0-5]\d:[0-5]\d\+08:00$/.test(e.issued_at), 'business-hours +08:00 timestamp', e);
      check(['VAT_SPECIAL', 'VAT_GENERAL'].includes(e.invoice_kind), 'invoice kind', e);
      check(e.lines.length > 0, 'has lines', e);
      check(e.total_amount_fen === e.lines.reduce((s, l) => s + l.amount_fen, 0), 'total amount = sum of lines', e);
      check(e.total_tax_fen === e.lines.reduce((s, l) => s + l.tax_fen, 0), 'total tax = sum of lines', e);
      check((e.original_invoice_no === null) === (e.event_type === 'ISSUED'), 'original_invoice_no only on corrections', e);
      for (const l of e.lines) {
        check(/^[1-6]\d{18}$/.test(l.tax_code), '19-digit tax code', e);
        check(/^\*[^*]+\*[^*]+$/.test(l.item_name), '*类别*品名 item name', e);
        check(Number.isSafeInteger(l.amount_fen) && Number.isSafeInteger(l.tax_fen), 'integer fen', e);
        check(Math.abs(l.tax_fen - (l.amount_fen * l.tax_rate_bp) / 10_000) <= 1, 'tax within 1 fen of amount × rate', e);
        const negative = e.event_type === 'RED_LETTER';
        check(l.amount_fen < 0 === negative && l.quantity.startsWith('-') === negative, 'negative only on red-letter', e);
      }
    }
    expect(problems).toEqual([]);
  });

  it('puts each event on the feed of its seller, or of its buyer when the seller is outside the zone', () => {
    for (const d of DISTRICTS) {
      const elsewhere = scenario.events[d].filter(
        (e) => e.district !== d || (districtOfCode(e.seller.district_code) ?? districtOfCode(e.buyer.district_code)) !== d,
      );
      expect(scenario.events[d].length).toBeGreaterThan(1000);
      expect(elsewhere).toHaveLength(0);
    }
  });

  it('charges small-scale taxpayers 3 % before 2020-03-01 and 1 % after', () => {
    const smallScale = new Set(scenario.firms.filter((f) => f.taxpayer === 'SMALL_SCALE').map((f) => f.tax_id));
    const rates = allEvents()
      .filter((e) => e.event_type === 'ISSUED' && smallScale.has(e.seller.tax_id))
      .map((e) => [e.issued_at < '2020-03-01', e.lines[0]!.tax_rate_bp] as const);
    expect(rates.length).toBeGreaterThan(0);
    for (const [before, rate] of rates) expect(rate).toBe(before ? 300 : 100);
  });

  it('never reuses an invoice number or an event_id except for redelivered duplicates', () => {
    const numbers = new Set<string>();
    const ids = new Map<string, string>();
    for (const e of allEvents()) {
      const json = JSON.stringify(e);
      const seen = ids.get(e.event_id);
      if (seen !== undefined) {
        expect(json).toBe(seen);
        continue;
      }
      ids.set(e.event_id, json);
      if (e.event_type !== 'VOIDED') {
        expect(numbers.has(e.invoice_no)).toBe(false);
        numbers.add(e.invoice_no);
      }
    }
  });

  it('voids repeat an issued invoice of the same feed later in the same month', () => {
    const issued = new Map(allEvents().filter((e) => e.event_type === 'ISSUED').map((e) => [e.invoice_no, e]));
    const voids = allEvents().filter((e) => e.event_type === 'VOIDED');
    expect(voids.length).toBeGreaterThan(50);
    for (const v of voids) {
      const original = issued.get(v.invoice_no)!;
      expect(original).toBeDefined();
      expect(v.original_invoice_no).toBe(v.invoice_no);
      expect(v.lines).toEqual(original.lines);
      expect(v.district).toBe(original.district);
      expect(v.issued_at.slice(0, 7)).toBe(original.issued_at.slice(0, 7));
      expect(v.issued_at > original.issued_at).toBe(true);
    }
  });

  it('red-letter invoices correct an earlier invoice of the same seller and buyer, at most in full', () => {
    const issued = new Map(allEvents().filter((e) => e.event_type === 'ISSUED').map((e) => [e.invoice_no, e]));
    const reds = allEvents().filter((e) => e.event_type === 'RED_LETTER');
    expect(reds.length).toBeGreaterThan(20);
    let partial = 0;
    for (const r of reds) {
      const original = issued.get(r.original_invoice_no!)!;
      expect(original).toBeDefined();
      expect(r.seller.tax_id).toBe(original.seller.tax_id);
      expect(r.buyer.tax_id).toBe(original.buyer.tax_id);
      expect(dayOf(r)).toBeGreaterThan(dayOf(original));
      expect(-r.total_amount_fen).toBeLessThanOrEqual(original.total_amount_fen);
      if (-r.total_amount_fen < original.total_amount_fen) partial++;
    }
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(reds.length);
  });

  it('issues nothing on non-working days of the injected calendar', () => {
    expect(allEvents().filter((e) => !CALENDAR.isWorkingDay(dayOf(e)))).toHaveLength(0);
    const shutdown = allEvents().filter((e) => e.issued_at >= '2020-01-24' && e.issued_at < '2020-02-10');
    expect(shutdown).toHaveLength(0);
  });
});

describe('feed delivery', () => {
  it('delivers some events twice with the same event_id, later in the same feed', () => {
    for (const d of DISTRICTS) {
      const firstIndex = new Map<string, number>();
      scenario.events[d].forEach((e, i) => {
        if (!firstIndex.has(e.event_id)) firstIndex.set(e.event_id, i);
      });
      const duplicates = scenario.events[d].filter((e, i) => firstIndex.get(e.event_id)! < i);
      expect(duplicates.length).toBeGreaterThan(0);
    }
    expect(scenario.stats.duplicates).toBe(allEvents().length - new Set(allEvents().map((e) => e.event_id)).size);
  });

  it('orders each feed by arrival, with late events up to the configured bound', () => {
    const bound = 12;
    const stream = createScenario({ ...OPTIONS, to: isoToDay('2020-03-31'), maxLatenessHours: bound, lateRate: 0.05 });
    const last: Partial<Record<District, number>> = {};
    let late = 0;
    const problems: string[] = [];
    for (const a of stream.arrivals()) {
      const delay = a.arrival_ms - Date.parse(a.event.issued_at);
      if (delay < 0 || delay > bound * 3_600_000 + 1000) problems.push(`delay ${delay} ms for ${a.event.event_id}`);
      if (delay > 3_600_000) late++;
      if (a.arrival_ms < (last[a.feed] ?? 0)) problems.push(`out of arrival order: ${a.event.event_id}`);
      last[a.feed] = a.arrival_ms;
    }
    expect(problems).toEqual([]);
    expect(late).toBeGreaterThan(0);
    expect(stream.stats.max_lateness_hours).toBeLessThanOrEqual(bound);
    expect(stream.truth.delivery.max_lateness_hours).toBe(bound);
  });

  it('reports progress once per simulated day with a growing event count', () => {
    expect(progress).toHaveLength(OPTIONS.to - OPTIONS.from + 1);
    expect(progress[0]!.day).toBe(OPTIONS.from);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.events).toBeGreaterThanOrEqual(progress[i - 1]!.events);
    expect(progress.at(-1)!.events).toBeLessThanOrEqual(arrivals.length);
    expect(arrivals.length).toBe(allEvents().length);
  });
});

describe('ground truth', () => {
  const primaries = () => scenario.truth.labels.filter((l) => !l.implied);

  it('labels every disruption type as injected, observable after it starts and before the scenario ends', () => {
    const types = new Set(primaries().map((l) => l.type));
    for (const t of ['SALES_DROP', 'PURCHASE_DROP', 'SILENCE', 'UPSTREAM_BROKEN', 'DOWNSTREAM_BROKEN', 'VOID_SPIKE']) expect(types).toContain(t);
    for (const l of scenario.truth.labels) {
      expect(l.observable_from > l.start_day).toBe(true);
      expect(l.observable_from <= scenario.truth.to).toBe(true);
      if (l.end_day !== null) expect(l.end_day > l.start_day).toBe(true);
      expect(CALENDAR.isWorkingDay(isoToDay(l.start_day))).toBe(true);
      expect((l.partner_tax_id === null) === !l.type.endsWith('_BROKEN')).toBe(true);
    }
  });

  it('starts drops and void spikes only after 70 working days of history', () => {
    const firstWorking = CALENDAR.workingOrdinal(OPTIONS.from - 1);
    for (const l of primaries().filter((x) => x.type.endsWith('_DROP') || x.type === 'VOID_SPIKE')) {
      expect(CALENDAR.workingOrdinal(isoToDay(l.start_day)) - firstWorking).toBeGreaterThanOrEqual(70);
    }
  });

  it('derives implied labels from a silence: the firm drops and its regular partners lose a link', () => {
    const silence = primaries().find((l) => l.type === 'SILENCE')!;
    const implied = scenario.truth.labels.filter((l) => l.implied && l.cause === `SILENCE of ${silence.enterprise_tax_id}`);
    expect(implied.map((l) => l.type)).toEqual(expect.arrayContaining(['SALES_DROP', 'UPSTREAM_BROKEN']));
    for (const l of implied) expect(l.start_day).toBe(silence.start_day);
    const firm = scenario.firms.find((f) => f.tax_id === silence.enterprise_tax_id)!;
    const regularBuyers = firm.buyers.filter((b) => b.pattern === 'REGULAR');
    for (const b of regularBuyers) {
      const partnerProfile = scenario.firms.find((f) => f.tax_id === b.tax_id)!;
      const share = partnerProfile.suppliers.find((s) => s.tax_id === firm.tax_id)!.share_bp;
      const labelled = implied.some((l) => l.type === 'UPSTREAM_BROKEN' && l.enterprise_tax_id === b.tax_id && l.partner_tax_id === firm.tax_id);
      expect(labelled).toBe(share >= 1000);
    }
  });

  it('a silenced firm issues nothing from its start until its end', () => {
    for (const l of primaries().filter((x) => x.type === 'SILENCE')) {
      const during = allEvents().filter(
        (e) => e.seller.tax_id === l.enterprise_tax_id && e.issued_at >= l.start_day && (l.end_day === null || e.issued_at < l.end_day),
      );
      expect(during).toHaveLength(0);
      const before = allEvents().filter((e) => e.seller.tax_id === l.enterprise_tax_id && e.issued_at < l.start_day);
      expect(before.length).toBeGreaterThan(10);
    }
  });

  it('an upstream break stops the main supplier while an existing supplier of the same goods takes over', () => {
    for (const l of primaries().filter((x) => x.type === 'UPSTREAM_BROKEN')) {
      const inWindow = (e: InvoiceEvent): boolean => e.issued_at >= l.start_day && (l.end_day === null || e.issued_at < l.end_day);
      const bought = allEvents().filter((e) => e.event_type === 'ISSUED' && e.buyer.tax_id === l.enterprise_tax_id && inWindow(e));
      expect(bought.filter((e) => e.seller.tax_id === l.partner_tax_id)).toHaveLength(0);
      expect(bought.some((e) => e.seller.tax_id === l.details.replacement_tax_id)).toBe(true);
      const firm = scenario.firms.find((f) => f.tax_id === l.enterprise_tax_id)!;
      const main = firm.suppliers.find((s) => s.tax_id === l.partner_tax_id)!;
      const replacement = firm.suppliers.find((s) => s.tax_id === l.details.replacement_tax_id)!;
      expect(main.main).toBe(true);
      expect(main.share_bp).toBeGreaterThanOrEqual(1000);
      expect(replacement.tax_codes.some((c) => main.tax_codes.includes(c))).toBe(true);
    }
  });

  it('an injected sales drop takes net sales below 40 % of the prior level', () => {
    for (const l of primaries().filter((x) => x.type === 'SALES_DROP')) {
      const start = isoToDay(l.start_day);
      const sales = (from: DayNumber, to: DayNumber): number =>
        allEvents()
          .filter((e, i, all) => e.seller.tax_id === l.enterprise_tax_id && dayOf(e) >= from && dayOf(e) < to && all.indexOf(e) === i)
          .reduce((s, e) => s + (e.event_type === 'VOIDED' ? -e.total_amount_fen : e.total_amount_fen), 0);
      const before = sales(CALENDAR.addWorkingDays(start, -30), start) / 30;
      const during = sales(start, CALENDAR.addWorkingDays(start, 15)) / 15;
      expect(during).toBeLessThan(0.4 * before);
    }
  });

  it('never labels a sporadic partner as a broken link', () => {
    const sporadic = scenario.truth.non_disruptions.filter((n) => n.kind === 'SPORADIC_LINK');
    expect(sporadic.length).toBeGreaterThan(0);
    for (const s of sporadic) {
      if (s.kind !== 'SPORADIC_LINK') continue;
      const broken = scenario.truth.labels.filter(
        (l) =>
          (l.type === 'UPSTREAM_BROKEN' && l.enterprise_tax_id === s.enterprise_tax_id && l.partner_tax_id === s.partner_tax_id) ||
          (l.type === 'DOWNSTREAM_BROKEN' && l.enterprise_tax_id === s.partner_tax_id && l.partner_tax_id === s.enterprise_tax_id),
      );
      expect(broken).toHaveLength(0);
    }
  });

  it('healthy regular links never pause longer than their usual gap plus one working day', () => {
    const touched = new Set<string>();
    for (const l of scenario.truth.labels) {
      touched.add(l.enterprise_tax_id);
      if (l.partner_tax_id) touched.add(l.partner_tax_id);
    }
    const invoiceDays = new Map<string, number[]>();
    for (const e of allEvents()) {
      if (e.event_type !== 'ISSUED') continue;
      const key = `${e.seller.tax_id}>${e.buyer.tax_id}`;
      const list = invoiceDays.get(key) ?? invoiceDays.set(key, []).get(key)!;
      list.push(ordinal(e));
    }
    let checked = 0;
    for (const firm of scenario.firms) {
      for (const s of firm.suppliers) {
        if (s.pattern !== 'REGULAR' || touched.has(firm.tax_id) || touched.has(s.tax_id)) continue;
        const days = [...new Set(invoiceDays.get(`${s.tax_id}>${firm.tax_id}`) ?? [])].sort((a, b) => a - b);
        expect(days.length).toBeGreaterThan(5);
        const longest = Math.max(...days.slice(1).map((d, i) => d - days[i]!));
        expect(longest).toBeLessThanOrEqual(s.gap_working_days! + 1);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('a void spike makes voided and red-letter invoices ≥ 30 % of the firm’s output', () => {
    let cancelled = 0;
    let output = 0;
    for (const l of primaries().filter((x) => x.type === 'VOID_SPIKE')) {
      const unique = new Map(allEvents().map((e) => [e.event_id, e]));
      for (const e of unique.values()) {
        if (e.seller.tax_id !== l.enterprise_tax_id || e.issued_at < l.start_day || (l.end_day !== null && e.issued_at >= l.end_day)) continue;
        if (e.event_type === 'ISSUED') output++;
        else {
          cancelled++;
          if (e.event_type === 'RED_LETTER') output++;
        }
      }
    }
    expect(output).toBeGreaterThan(10);
    expect(cancelled / output).toBeGreaterThanOrEqual(0.3);
  });

  it('migration changes the district code and the feed but keeps the tax ID and the volume', () => {
    const migrations = scenario.truth.non_disruptions.filter((n) => n.kind === 'MIGRATION');
    expect(migrations.length).toBeGreaterThan(0);
    for (const m of migrations) {
      if (m.kind !== 'MIGRATION') continue;
      const sold = allEvents().filter((e) => e.seller.tax_id === m.enterprise_tax_id && e.event_type === 'ISSUED');
      const before = sold.filter((e) => e.issued_at < m.start_day);
      const after = sold.filter((e) => e.issued_at >= m.start_day);
      expect(after.length).toBeGreaterThan(0);
      for (const e of before) {
        expect(e.seller.district_code).toBe(m.from_district_code);
        expect(e.district).toBe(districtOfCode(m.from_district_code));
      }
      for (const e of after) {
        expect(e.seller.district_code).toBe(m.to_district_code);
        expect(e.district).toBe(districtOfCode(m.to_district_code));
      }
      expect(scenario.truth.labels.some((l) => l.enterprise_tax_id === m.enterprise_tax_id && l.start_day === m.start_day)).toBe(false);
    }
  });
});

describe('firms', () => {
  it('are zone firms with their district division code plus partners outside the zone', () => {
    const codes = new Set(scenario.firms.map((f) => f.tax_id.slice(2, 8)));
    for (const c of ['310118', '330421', '320509']) expect(codes).toContain(c);
    expect(scenario.firms.some((f) => f.district === null && districtOfCode(f.district_code) === null)).toBe(true);
    for (const f of scenario.firms) {
      expect(isValidUscc(f.tax_id)).toBe(true);
      expect(f.tax_id.slice(2, 8)).toBe(f.district_code);
      expect(f.name).toMatch(/(有限公司|经营部)$/);
    }
    expect(new Set(scenario.firms.map((f) => f.name)).size).toBe(scenario.firms.length);
  });

  it('each zone firm has 2–6 regular suppliers, a main one with ≥ 10 % of its inputs', () => {
    for (const f of scenario.firms.filter((x) => x.district !== null && x.buys.length > 0)) {
      const regular = f.suppliers.filter((s) => s.pattern === 'REGULAR');
      expect(regular.length).toBeGreaterThanOrEqual(2);
      expect(regular.length).toBeLessThanOrEqual(6);
      const main = regular.filter((s) => s.main);
      expect(main).toHaveLength(1);
      expect(main[0]!.share_bp).toBeGreaterThanOrEqual(1000);
      expect(main[0]!.gap_working_days).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('options and presets', () => {
  it('rejects options the simulator cannot honour with a ConfigError', () => {
    expect(() => resolveSimulateOptions({ ...OPTIONS, firms: 5 })).toThrow(ConfigError);
    expect(() => resolveSimulateOptions({ ...OPTIONS, to: OPTIONS.from - 1 })).toThrow(ConfigError);
    expect(() => resolveSimulateOptions({ ...OPTIONS, lateRate: 2 })).toThrow(ConfigError);
    expect(() => resolveSimulateOptions({ ...OPTIONS, disruptions: { SILENCE: -1 } })).toThrow(ConfigError);
    expect(resolveSimulateOptions({ ...OPTIONS, disruptions: { SILENCE: 0 } }).disruptions.SILENCE).toBe(0);
  });

  it('honours explicit disruption counts', () => {
    const none = createScenario({ ...OPTIONS, disruptions: { SALES_DROP: 0, PURCHASE_DROP: 0, SILENCE: 0, UPSTREAM_BROKEN: 0, DOWNSTREAM_BROKEN: 0, VOID_SPIKE: 0, MIGRATION: 0 } });
    expect(none.truth.labels).toHaveLength(0);
  });

  it('offers a live preset for yunlian up and a full-year eval preset', () => {
    const live = presetOptions('live', CALENDAR);
    expect([live.seed, live.firms, dayToIso(live.from), dayToIso(live.to)]).toEqual([2020, 120, '2020-01-02', '2020-06-30']);
    const evaluation = presetOptions('eval', CALENDAR, { seed: 1 });
    expect([evaluation.seed, evaluation.firms, dayToIso(evaluation.to)]).toEqual([1, 600, '2020-12-31']);
  });
});
