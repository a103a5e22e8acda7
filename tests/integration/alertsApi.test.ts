import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/embeddedStack.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { firmTaxId } from '../helpers/invoiceFixtures.ts';
import { startAlertsPipeline } from '../../pipelines/alerts/alertsPipeline.ts';
import { insertRows, isoInstant } from '../../sinks/clickhouse/insertRows.ts';
import { migrate } from '../../sinks/clickhouse/migrate.ts';
import { MIGRATIONS } from '../../sinks/clickhouse/schema.ts';
import { CASES_MIGRATION } from '../../sinks/clickhouse/casesMigration.ts';
import { MATCHES_MIGRATION } from '../../sinks/clickhouse/matchesMigration.ts';
import { TOPICS } from '../../src/kafka/topics.ts';
import type { DisruptionSignal } from '../../src/domain/signal.ts';
import type { RunningPipeline } from '../../src/runtime/pipeline.ts';

const STEWARD = 'steward-token-for-tests-0001';
const READER = 'reader-token-for-tests-00001';
const ENTERPRISE = firmTaxId('330421', 7001);
const SUPPLIER = firmTaxId('320509', 7002);
const OTHER_SUPPLIER = firmTaxId('310118', 7003);

let stack: TestStack;
let alerts: RunningPipeline & { url: string };

/** A signal as detect emits it; ids are unique per test run so topics can be shared. */
function signal(n: number, over: Partial<DisruptionSignal> = {}): DisruptionSignal {
  return {
    signal_id: `sig${String(n).padStart(4, '0')}`,
    enterprise_tax_id: firmTaxId('310118', 100 + n),
    enterprise_name: `青浦某五金有限公司${n}`,
    district: 'qingpu',
    signal_type: 'SALES_DROP',
    partner_tax_id: null,
    severity: 'MEDIUM',
    status: 'OPEN',
    resolution: null,
    window_start: '2020-02-10',
    window_end: '2020-02-21',
    event_time_ms: Date.parse('2020-02-21T18:00:00+08:00') + n * 60_000,
    baseline_fen: 1_000_000,
    current_fen: 300_000,
    explanation_zh: `销售额较基线下降 70%（${n}）`,
    explanation_en: `sales down 70 % against baseline (${n})`,
    detected_at_ms: Date.now(),
    ...over,
  };
}

/** Writes the signal the way detect does: a `signals` row (version 1 open, 2 resolved), then the Kafka record. */
async function emitSignal(s: DisruptionSignal, publish = true): Promise<void> {
  await insertRows(stack.services.clickhouse, {
    table: 'yunlian.signals',
    rows: [{ ...s, version: s.status === 'OPEN' ? 1 : 2, event_time: isoInstant(s.event_time_ms), detected_at: isoInstant(s.detected_at_ms), event_time_ms: undefined, detected_at_ms: undefined }],
  });
  if (publish) await stack.services.producer.send([{ topic: TOPICS.disruptions, key: s.enterprise_tax_id, value: stack.services.codecs.disruptionSignal.encode(s) }]);
}

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const json = (token: string) => ({ ...auth(token), 'Content-Type': 'application/json' });
async function get(path: string, token: string | null = STEWARD): Promise<{ status: number; body: any }> {
  const r = await fetch(alerts.url + path, { headers: token ? auth(token) : {} });
  return { status: r.status, body: await r.json().catch(() => null) };
}
async function send(method: string, path: string, body: unknown, token: string | null = STEWARD): Promise<{ status: number; body: any }> {
  const r = await fetch(alerts.url + path, { method, headers: token ? json(token) : { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: await r.json().catch(() => null) };
}

interface SseEvent {
  id: string;
  event: string;
  data: any;
}
/** A minimal EventSource over fetch, so the test can send the Authorization header and Last-Event-ID. */
async function openStream(headers: Record<string, string>): Promise<{ events: SseEvent[]; close(): void }> {
  const abort = new AbortController();
  const response = await fetch(alerts.url + '/api/stream', { headers, signal: abort.signal });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const events: SseEvent[] = [];
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const field = (name: string) => frame.split('\n').find((l) => l.startsWith(name + ': '))?.slice(name.length + 2);
          if (field('event')) events.push({ id: field('id') ?? '', event: field('event')!, data: JSON.parse(field('data') ?? 'null') });
        }
      }
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error;
    }
  })();
  return { events, close: () => abort.abort() };
}

beforeAll(async () => {
  stack = await startTestStack([]);
  await migrate(stack.services.clickhouse, [...MIGRATIONS, CASES_MIGRATION]);
  const s = stack.services;
  alerts = await startAlertsPipeline(
    { kafka: s.kafka, producer: s.producer, clickhouse: s.clickhouse, logger: s.logger, metrics: s.metrics, now: Date.now, dataDir: stack.dataDir, groupIdPrefix: 'api-test-', retry: { initialDelayMs: 50, maxDelayMs: 500 } },
    { codecs: { disruptionSignal: s.codecs.disruptionSignal }, port: 0, apiToken: STEWARD, readOnlyToken: READER },
  );
  for (let n = 1; n <= 7; n++) await emitSignal(signal(n, n % 2 === 0 ? { district: 'wujiang', severity: 'HIGH', signal_type: 'SILENCE' } : {}), false);
});
afterAll(async () => {
  await alerts?.stop();
  await stack?.teardown();
});

describe('alerts API: authentication', () => {
  it('answers 401 without a token or with a wrong one, on the API and the stream', async () => {
    for (const path of ['/api/signals', '/api/stream', '/api/cases', `/api/enterprises/${ENTERPRISE}`]) {
      expect((await get(path, null)).status).toBe(401);
      expect((await get(path, 'wrong-token-wrong-token-1')).status).toBe(401);
    }
    expect((await send('POST', '/api/cases', { signal_id: 'sig0001' }, null)).status).toBe(401);
  });

  it('lets the read-only token read but answers 403 when it writes', async () => {
    expect((await get('/api/signals', READER)).status).toBe(200);
    expect((await send('POST', '/api/cases', { signal_id: 'sig0001' }, READER)).status).toBe(403);
    expect((await send('PATCH', '/api/cases/case-x', { version: 1, notes: 'x' }, READER)).status).toBe(403);
  });

  it('logs a browser in with a session cookie and refuses cookie writes from another site', async () => {
    const login = await fetch(alerts.url + '/api/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: STEWARD }) });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    expect(cookie).not.toContain(STEWARD);
    const me = await fetch(alerts.url + '/api/me', { headers: { cookie } });
    expect(await me.json()).toEqual({ role: 'steward', can_write: true });
    const forged = await fetch(alerts.url + '/api/cases', { method: 'POST', headers: { cookie, 'Content-Type': 'application/json', Origin: 'https://evil.example' }, body: JSON.stringify({ signal_id: 'sig0001' }) });
    expect(forged.status).toBe(403);
    const badLogin = await fetch(alerts.url + '/api/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: 'guess-guess-guess-guess' }) });
    expect(badLogin.status).toBe(401);
  });

  it('serves health, readiness and metrics without a token, and security headers everywhere', async () => {
    const health = await fetch(alerts.url + '/healthz');
    expect(health.status).toBe(200);
    expect((await fetch(alerts.url + '/readyz')).status).toBe(200);
    const metrics = await (await fetch(alerts.url + '/metrics')).text();
    expect(metrics).toContain('yunlian_sse_clients');
    expect(metrics).toContain('yunlian_event_to_alert_seconds');
    const page = await fetch(alerts.url + '/');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect((await get('/api/signals')).status).toBe(200);
    expect((await fetch(alerts.url + '/api/signals', { headers: auth(STEWARD) })).headers.get('cache-control')).toBe('no-store');
  });
});

describe('alerts API: validation', () => {
  it('answers 400 for invalid filters, ids and bodies, 415 for non-JSON, 404 and 405 where they belong', async () => {
    expect((await get('/api/signals?district=beijing')).body.error.code).toBe('INVALID_PARAMETER');
    expect((await get('/api/signals?limit=1000')).status).toBe(400);
    expect((await get('/api/signals?distrct=qingpu')).body.error.code).toBe('UNKNOWN_PARAMETER');
    expect((await get('/api/enterprises/not-a-tax-id')).status).toBe(400);
    expect((await send('POST', '/api/cases', { signal_id: 'sig0001', extra: 1 })).status).toBe(400);
    const badJson = await fetch(alerts.url + '/api/cases', { method: 'POST', headers: json(STEWARD), body: '{"signal_id":' });
    expect(badJson.status).toBe(400);
    const text = await fetch(alerts.url + '/api/cases', { method: 'POST', headers: { ...auth(STEWARD), 'Content-Type': 'text/plain' }, body: 'hi' });
    expect(text.status).toBe(415);
    expect((await send('POST', '/api/cases', { signal_id: 'no-such-signal' })).status).toBe(404);
    expect((await get('/api/nothing')).status).toBe(404);
    expect((await send('DELETE', '/api/signals', {})).status).toBe(405);
  });

  it('answers 413 for a body over 16 KiB', async () => {
    const r = await send('POST', '/api/cases', { signal_id: 'sig0001', notes: '备'.repeat(10_000) });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('BODY_TOO_LARGE');
  });
});

describe('alerts API: signals', () => {
  it('pages through signals newest first without overlap', async () => {
    const pages = [];
    for (let offset = 0; offset < 9; offset += 3) pages.push((await get(`/api/signals?limit=3&offset=${offset}`)).body);
    expect(pages.map((p) => p.signals.length)).toEqual([3, 3, 1]);
    expect(pages[0].total).toBe(7);
    const ids = pages.flatMap((p) => p.signals.map((s: DisruptionSignal) => s.signal_id));
    expect(ids).toEqual(['sig0007', 'sig0006', 'sig0005', 'sig0004', 'sig0003', 'sig0002', 'sig0001']);
    expect(pages[0].signals[0]).toMatchObject({ baseline_fen: 1_000_000, current_fen: 300_000, case: null });
  });

  it('filters by district, type, severity and text, and counts per district and type', async () => {
    const wujiang = (await get('/api/signals?district=wujiang&type=SILENCE&severity=HIGH&status=OPEN')).body;
    expect(wujiang.signals.map((s: DisruptionSignal) => s.signal_id)).toEqual(['sig0006', 'sig0004', 'sig0002']);
    expect((await get('/api/signals?q=' + encodeURIComponent('五金有限公司5'))).body.total).toBe(1);
    const counts = (await get('/api/signals/counts?status=OPEN')).body;
    expect(counts.byDistrict).toMatchObject({ qingpu: 4, wujiang: 3 });
    expect(counts.byType).toMatchObject({ SALES_DROP: 4, SILENCE: 3 });
  });
});

describe('alerts API: SQL injection attempts', () => {
  const attacks = ["' OR 1=1 --", "x'); DROP TABLE yunlian.signals; --", '1; DROP TABLE yunlian.cases', "qingpu' UNION SELECT * FROM system.users --", '{text:String}', '\\\' OR \\\'1\\\'=\\\'1'];

  it('answers 400 or an empty result through every parameter, and leaves the tables intact', async () => {
    for (const attack of attacks) {
      const e = encodeURIComponent(attack);
      for (const param of ['district', 'type', 'severity', 'status', 'enterprise', 'limit', 'offset']) {
        expect((await get(`/api/signals?${param}=${e}`)).status).toBe(400);
        expect((await get(`/api/signals/counts?${param}=${e}`)).status).toBe(400);
      }
      const text = await get(`/api/signals?q=${encodeURIComponent(attack.slice(0, 50))}`);
      expect(text.status).toBe(200);
      expect(text.body.total).toBe(0);
      for (const param of ['status', 'enterprise', 'signal_id', 'limit']) expect((await get(`/api/cases?${param}=${e}`)).status).toBe(400);
      const assignee = await get(`/api/cases?assignee=${encodeURIComponent(attack.slice(0, 50))}`);
      expect(assignee.status === 200 ? assignee.body.total : 400).toBe(assignee.status === 200 ? 0 : 400);
      for (const path of [`/api/signals/${e}`, `/api/enterprises/${e}`, `/api/enterprises/${e}/matches`, `/api/cases/${e}`]) expect([400, 404]).toContain((await get(path)).status);
      expect((await send('POST', '/api/cases', { signal_id: attack })).status).toBe(400);
      expect((await send('PATCH', `/api/cases/${e}`, { version: 1, notes: attack })).status).toBeGreaterThanOrEqual(400);
      expect((await send('PATCH', '/api/cases/case-0', { version: 1, outcome: attack })).status).toBe(400);
      const stream = await fetch(alerts.url + '/api/stream?lastEventId=' + e, { headers: auth(STEWARD) });
      expect([200, 400]).toContain(stream.status);
      await stream.body?.cancel();
    }
    const [signals] = await stack.query<{ n: string }>('SELECT count() AS n FROM yunlian.signals FINAL');
    expect(Number(signals!.n)).toBe(7);
    const tables = await stack.query<{ name: string }>("SELECT name FROM system.tables WHERE database = 'yunlian' ORDER BY name");
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['cases', 'signals', 'invoices', 'enterprise_daily', 'links_daily']));
  });
});

describe('alerts API: enterprise page', () => {
  beforeAll(async () => {
    const ch = stack.services.clickhouse;
    const days: string[] = [];
    for (let d = new Date('2019-11-01T00:00:00Z'); d <= new Date('2020-03-13T00:00:00Z'); d.setUTCDate(d.getUTCDate() + 1)) days.push(d.toISOString().slice(0, 10));
    const dropped = (day: string) => day >= '2020-02-24';
    await insertRows(ch, { table: 'yunlian.enterprise_daily', rows: days.flatMap((day) => [
      { day, enterprise_tax_id: ENTERPRISE, direction: 'SALES', district: 'jiashan', amount_fen: dropped(day) ? 40_000 : 100_000, gross_fen: 100_000, corrections_fen: 0, legs: 3 },
      { day, enterprise_tax_id: ENTERPRISE, direction: 'PURCHASES', district: 'jiashan', amount_fen: dropped(day) ? 10_000 : 60_000, gross_fen: 60_000, corrections_fen: 0, legs: 2 },
    ]) });
    await insertRows(ch, { table: 'yunlian.links_daily', rows: days.flatMap((day) => [
      { day, seller_tax_id: SUPPLIER, buyer_tax_id: ENTERPRISE, seller_district_code: '320509', buyer_district_code: '330421', gross_fen: dropped(day) ? 0 : 40_000 },
      { day, seller_tax_id: OTHER_SUPPLIER, buyer_tax_id: ENTERPRISE, seller_district_code: '310118', buyer_district_code: '330421', gross_fen: 20_000 },
    ]) });
    await insertRows(ch, { table: 'yunlian.invoices', rows: [{ event_id: 'name-1', event_type: 'ISSUED', invoice_no: '1', issued_at: '2020-02-03T10:00:00+08:00', district: 'wujiang', seller_tax_id: SUPPLIER, seller_name: '吴江某铜箔有限公司', buyer_tax_id: ENTERPRISE, buyer_name: '嘉善某电子有限公司', seller_district_code: '320509', buyer_district_code: '330421', line_count: 1, total_amount_fen: 1, total_tax_fen: 0, source_topic: 't', source_partition: 0, source_offset: 0, ingested_at: isoInstant(Date.now()) }] });
    await emitSignal(signal(50, { signal_id: 'sig-upstream', enterprise_tax_id: ENTERPRISE, enterprise_name: '嘉善某电子有限公司', district: 'jiashan', signal_type: 'UPSTREAM_BROKEN', partner_tax_id: SUPPLIER, severity: 'HIGH', window_start: '2020-02-24', window_end: '2020-03-13' }), false);
  });

  it('shows signals, daily flow against baseline and main suppliers with the broken link marked', async () => {
    const { status, body } = await get(`/api/enterprises/${ENTERPRISE}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ tax_id: ENTERPRISE, name: '嘉善某电子有限公司', district: 'jiashan' });
    expect(body.signals.map((s: DisruptionSignal) => s.signal_id)).toEqual(['sig-upstream']);
    expect(body.daily).toHaveLength(60);
    expect(body.daily.at(-1)).toMatchObject({ day: '2020-03-13', sales_fen: 40_000, sales_baseline_fen: 100_000, purchases_fen: 10_000, purchases_baseline_fen: 60_000 });
    expect(body.daily.some((p: { day: string }) => p.day >= '2020-01-24' && p.day <= '2020-02-09')).toBe(false);
    expect(body.suppliers.map((p: { partner_tax_id: string }) => p.partner_tax_id)).toEqual([SUPPLIER, OTHER_SUPPLIER]);
    expect(body.suppliers[0]).toMatchObject({ name: '吴江某铜箔有限公司', broken: { signal_id: 'sig-upstream', status: 'OPEN', since: '2020-02-24' } });
    expect(body.suppliers[1].broken).toBeNull();
    expect(body.buyers).toEqual([]);
    expect((await get(`/api/enterprises/${firmTaxId('330421', 9999)}`)).status).toBe(404);
  });

  it('reports matches as unavailable before the match service made its table, then shows the newest revision of each list', async () => {
    const ch = stack.services.clickhouse;
    // Simulate a system where the match pipeline has not run yet, whatever MIGRATIONS holds today.
    await ch.command({ query: 'DROP VIEW IF EXISTS yunlian.matches_current' });
    await ch.command({ query: 'DROP TABLE IF EXISTS yunlian.matches' });
    expect((await get(`/api/enterprises/${ENTERPRISE}/matches`)).body).toEqual({ available: false, lists: [] });
    for (const statement of MATCHES_MIGRATION.statements) await ch.command({ query: statement });
    const candidate = (version: number, rank: number, taxId: string, name: string) => ({
      match_id: 'm1', version, signal_id: 'sig-upstream', enterprise_tax_id: ENTERPRISE, enterprise_name: '嘉善某电子有限公司', district: 'jiashan', need: 'SUPPLIER', signal_type: 'UPSTREAM_BROKEN',
      broken_partner_tax_id: SUPPLIER, status: 'OPEN', opened_at: '2020-03-13T18:00:00+08:00', as_of: '2020-03-13T18:00:00+08:00', rank, candidate_tax_id: taxId, candidate_name: name,
      candidate_district: 'jiashan', score: 0.9 - rank / 10, reasons: ['same goods 1090101'], reasons_zh: ['同类商品 1090101'], converted_at: null, signal_detected_at: isoInstant(Date.now()), computed_at: isoInstant(Date.now()),
    });
    await insertRows(ch, { table: 'yunlian.matches', rows: [
      candidate(1, 1, firmTaxId('330421', 7005), '旧名单企业'),
      candidate(2, 2, OTHER_SUPPLIER, '青浦某铜材有限公司'),
      candidate(2, 1, firmTaxId('330421', 7004), '嘉善某铜箔有限公司'),
    ] });
    const { body } = await get(`/api/enterprises/${ENTERPRISE}/matches`);
    expect(body.available).toBe(true);
    expect(body.lists).toHaveLength(1);
    expect(body.lists[0]).toMatchObject({ match_id: 'm1', version: 2, need: 'SUPPLIER', status: 'OPEN' });
    expect(body.lists[0].candidates.map((c: { rank: number; name: string }) => [c.rank, c.name])).toEqual([[1, '嘉善某铜箔有限公司'], [2, '青浦某铜材有限公司']]);
    expect(body.lists[0].candidates[0].reasons_zh).toEqual(['同类商品 1090101']);
  });
});

describe('alerts API: cases', () => {
  it('opens a case once per signal, annotates it, refuses a stale version, and closes it with an outcome', async () => {
    const opened = await send('POST', '/api/cases', { signal_id: 'sig0002', assignee: '王管家' });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ version: 1, status: 'OPEN', signal_type: 'SILENCE', district: 'wujiang', assignee: '王管家' });
    const again = await send('POST', '/api/cases', { signal_id: 'sig0002' });
    expect(again.status).toBe(200);
    expect(again.body.case_id).toBe(opened.body.case_id);

    const id = opened.body.case_id as string;
    const noted = await send('PATCH', `/api/cases/${id}`, { version: 1, notes: '已联系企业财务，复工延迟' });
    expect(noted.body).toMatchObject({ version: 2, notes: '已联系企业财务，复工延迟' });
    const stale = await send('PATCH', `/api/cases/${id}`, { version: 1, notes: 'overwrite' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.current.version).toBe(2);
    expect((await send('PATCH', `/api/cases/${id}`, { version: 2, status: 'CLOSED' })).body.error.code).toBe('OUTCOME_REQUIRED');
    const closed = await send('PATCH', `/api/cases/${id}`, { version: 2, status: 'CLOSED', outcome: 'NOT_A_DISRUPTION' });
    expect(closed.body).toMatchObject({ version: 3, status: 'CLOSED', outcome: 'NOT_A_DISRUPTION', notes: '已联系企业财务，复工延迟' });
    expect(closed.body.closed_at_ms).toBeGreaterThan(0);

    expect((await get(`/api/cases/${id}`)).body.version).toBe(3);
    expect((await get('/api/cases?status=CLOSED')).body.cases.map((c: { case_id: string }) => c.case_id)).toEqual([id]);
    const listed = (await get('/api/signals?district=wujiang&limit=10')).body.signals.find((s: DisruptionSignal) => s.signal_id === 'sig0002');
    expect(listed.case).toMatchObject({ status: 'CLOSED', outcome: 'NOT_A_DISRUPTION' });
  });

  it('counts false positives per signal type in the API and the metrics', async () => {
    const outcomes = (await get('/api/cases/outcomes', READER)).body.by_signal_type;
    expect(outcomes).toEqual([expect.objectContaining({ signal_type: 'SILENCE', closed: 1, false_positives: 1, false_positive_rate: 1 })]);
    const metrics = await (await fetch(alerts.url + '/metrics')).text();
    expect(metrics).toMatch(/yunlian_case_outcomes_total\{signal_type="SILENCE",outcome="NOT_A_DISRUPTION"\} 1/);
  });
});

describe('alerts API: live stream', () => {
  it('pushes published signals and case changes, and replays what a client missed after reconnecting with Last-Event-ID', async () => {
    const first = await openStream(auth(STEWARD));
    const live = signal(60, { signal_id: 'sig-live-1' });
    await emitSignal(live);
    const pushed = (await waitFor(() => first.events.find((e) => e.event === 'signal' && e.data.signal_id === 'sig-live-1'), { what: 'live signal on the stream', timeoutMs: 20_000 }))!;
    expect(pushed.data).toMatchObject({ enterprise_tax_id: live.enterprise_tax_id, explanation_zh: live.explanation_zh });
    const metrics = await (await fetch(alerts.url + '/metrics')).text();
    expect(metrics).toMatch(/yunlian_sse_clients 1/);
    expect(metrics).toMatch(/yunlian_event_to_alert_seconds_count [1-9]/);
    first.close();

    // While this browser is away: a resolution, a new signal and a case opened elsewhere.
    await emitSignal({ ...live, status: 'RESOLVED', resolution: 'RECOVERED', window_end: '2020-03-06' });
    await emitSignal(signal(61, { signal_id: 'sig-live-2' }));
    await send('POST', '/api/cases', { signal_id: 'sig0003' });
    // The Kafka records reach the ring asynchronously: a probe stream tells when they are there, without touching the client under test.
    const probe = await openStream({ ...auth(READER), 'Last-Event-ID': pushed.id });
    await waitFor(() => probe.events.some((e) => e.data?.signal_id === 'sig-live-2'), { what: 'missed events reach the ring', timeoutMs: 20_000 });
    probe.close();

    const back = await openStream({ ...auth(STEWARD), 'Last-Event-ID': pushed.id });
    await waitFor(() => back.events.length >= 3, { what: 'replayed events' });
    const replayed = back.events.map((e) => `${e.event}:${e.data.signal_id}:${e.data.status}`);
    expect(replayed).toEqual(expect.arrayContaining(['signal:sig-live-1:RESOLVED', 'signal:sig-live-2:OPEN', 'case:sig0003:OPEN']));
    expect(back.events.every((e) => e.id !== pushed.id)).toBe(true);
    const seqs = back.events.map((e) => Number(e.id.split('-')[1]));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    back.close();

    const stranger = await openStream({ ...auth(STEWARD), 'Last-Event-ID': 'otherboot-5' });
    await waitFor(() => stranger.events.some((e) => e.event === 'reset'), { what: 'reset for an unknown boot' });
    stranger.close();
  });
});
