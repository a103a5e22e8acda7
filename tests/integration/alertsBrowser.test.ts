import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestStack, type TestStack } from '../helpers/embeddedStack.ts';
import { firmTaxId } from '../helpers/invoiceFixtures.ts';
import { startAlertsPipeline } from '../../pipelines/alerts/alertsPipeline.ts';
import { insertRows, isoInstant } from '../../sinks/clickhouse/insertRows.ts';
import { migrate } from '../../sinks/clickhouse/migrate.ts';
import { MIGRATIONS } from '../../sinks/clickhouse/schema.ts';
import { CASES_MIGRATION } from '../../sinks/clickhouse/casesMigration.ts';
import { TOPICS } from '../../src/kafka/topics.ts';
import type { DisruptionSignal } from '../../src/domain/signal.ts';
import type { RunningPipeline } from '../../src/runtime/pipeline.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve('tests/artifacts');
const STEWARD = 'browser-steward-token-000001';
const ENTERPRISE = firmTaxId('330421', 8001);
const SUPPLIER = firmTaxId('320509', 8002);
const BUYER = firmTaxId('310118', 8003);

if (!existsSync(CHROMIUM)) console.warn(`alertsBrowser: skipped, ${CHROMIUM} is missing (apt-get install -y chromium fonts-wqy-microhei)`);

let stack: TestStack;
let alerts: RunningPipeline & { url: string };
let browser: Browser;

/** The signal detect would emit when the copper-foil supplier of a Jiashan electronics maker stops invoicing. */
function upstreamBroken(over: Partial<DisruptionSignal> = {}): DisruptionSignal {
  return {
    signal_id: 'browser-upstream-1',
    enterprise_tax_id: ENTERPRISE,
    enterprise_name: '嘉善华宇电子有限公司',
    district: 'jiashan',
    signal_type: 'UPSTREAM_BROKEN',
    partner_tax_id: SUPPLIER,
    severity: 'HIGH',
    status: 'OPEN',
    resolution: null,
    window_start: '2020-02-24',
    window_end: '2020-03-11',
    event_time_ms: Date.parse('2020-03-11T17:00:00+08:00'),
    baseline_fen: 4_000_000,
    current_fen: 0,
    explanation_zh: '主要铜箔供应商（吴江恒通铜箔，占采购 38%，通常每 4 个工作日开票）已 12 个工作日未向其开票；销售较 60 日基线下降 55%。',
    explanation_en: 'Main copper-foil supplier (Wujiang Hengtong, 38 % of inputs, invoiced every 4 working days) stopped 12 working days ago; sales down 55 % against the 60-day baseline.',
    detected_at_ms: Date.now(),
    ...over,
  };
}

/** Writes the signal the way detect does: the `signals` row, then the record on yunlian.disruptions. */
async function emitSignal(s: DisruptionSignal): Promise<void> {
  await insertRows(stack.services.clickhouse, {
    table: 'yunlian.signals',
    rows: [{ ...s, version: s.status === 'OPEN' ? 1 : 2, event_time: isoInstant(s.event_time_ms), detected_at: isoInstant(s.detected_at_ms), event_time_ms: undefined, detected_at_ms: undefined }],
  });
  await stack.services.producer.send([{ topic: TOPICS.disruptions, key: s.enterprise_tax_id, value: stack.services.codecs.disruptionSignal.encode(s) }]);
}

/** Five months of daily flow: steady until the supplier stops on 24 Feb 2020, then purchases and sales collapse. */
async function seedHistory(): Promise<void> {
  const days: string[] = [];
  for (let d = new Date('2019-10-08T00:00:00Z'); d <= new Date('2020-03-11T00:00:00Z'); d.setUTCDate(d.getUTCDate() + 1)) days.push(d.toISOString().slice(0, 10));
  const wave = (day: string, base: number) => Math.round(base * (1 + 0.15 * Math.sin(Number(day.slice(8)) / 2)));
  const after = (day: string) => day >= '2020-02-24';
  await insertRows(stack.services.clickhouse, { table: 'yunlian.enterprise_daily', rows: days.flatMap((day) => [
    { day, enterprise_tax_id: ENTERPRISE, direction: 'SALES', district: 'jiashan', amount_fen: after(day) ? wave(day, 90_000) : wave(day, 200_000), gross_fen: 0, corrections_fen: 0, legs: 4 },
    { day, enterprise_tax_id: ENTERPRISE, direction: 'PURCHASES', district: 'jiashan', amount_fen: after(day) ? wave(day, 30_000) : wave(day, 120_000), gross_fen: 0, corrections_fen: 0, legs: 3 },
  ]) });
  await insertRows(stack.services.clickhouse, { table: 'yunlian.links_daily', rows: days.flatMap((day) => [
    { day, seller_tax_id: SUPPLIER, buyer_tax_id: ENTERPRISE, seller_district_code: '320509', buyer_district_code: '330421', gross_fen: after(day) ? 0 : 45_000 },
    { day, seller_tax_id: ENTERPRISE, buyer_tax_id: BUYER, seller_district_code: '330421', buyer_district_code: '310118', gross_fen: wave(day, 80_000) },
  ]) });
}

async function openDashboard(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, locale: 'zh-CN' });
  page.on('pageerror', (error) => {
    throw error;
  });
  // The login page reads the token from the fragment, which never reaches the server.
  await page.goto(`${alerts.url}/login#token=${STEWARD}`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.waitForSelector('#live-status.live');
  return page;
}

describe.skipIf(!existsSync(CHROMIUM))('the alerts dashboard in a real browser', () => {
  beforeAll(async () => {
    stack = await startTestStack([]);
    await migrate(stack.services.clickhouse, [...MIGRATIONS, CASES_MIGRATION]);
    const s = stack.services;
    alerts = await startAlertsPipeline(
      { kafka: s.kafka, producer: s.producer, clickhouse: s.clickhouse, logger: s.logger, metrics: s.metrics, now: Date.now, dataDir: stack.dataDir, groupIdPrefix: 'browser-test-' },
      { codecs: { disruptionSignal: s.codecs.disruptionSignal }, port: 0, apiToken: STEWARD },
    );
    await seedHistory();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await alerts?.stop();
    await stack?.teardown();
  });

  it('shows a published disruption live, opens the enterprise page, and opens and closes a case seen by every browser', async () => {
    const board = await openDashboard();
    const watcher = await openDashboard();
    await board.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    expect(await board.locator('td.empty').textContent()).toBe('暂无符合条件的预警');

    // A disruption appears on the board without a reload.
    const signal = upstreamBroken({ detected_at_ms: Date.now() });
    const publishedAt = Date.now();
    await emitSignal(signal);
    const row = board.locator(`tr[data-signal-id="${signal.signal_id}"]`);
    await row.waitFor({ timeout: 20_000 });
    const renderedAt = Number(await row.getAttribute('data-rendered-at'));
    const latencyMs = renderedAt - publishedAt;
    console.log(`event → alert latency (published to yunlian.disruptions → row rendered in the browser): ${latencyMs} ms`);
    expect(latencyMs).toBeGreaterThanOrEqual(0);
    expect(latencyMs).toBeLessThan(15_000);
    expect(await board.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    await expect.poll(() => row.textContent()).toContain('上游断链');
    expect(await row.textContent()).toContain('嘉善华宇电子有限公司');
    await expect.poll(() => board.locator('#counts').textContent()).toContain('嘉善1');
    await board.screenshot({ path: path.join(ARTIFACTS, 'alerts-board.png'), fullPage: true });

    // The enterprise page: explanation, chart against baseline, the broken supplier marked.
    await row.locator('a.enterprise-link').click();
    await board.waitForSelector('[data-testid="enterprise-name"]');
    expect(await board.locator('[data-testid="enterprise-name"]').textContent()).toBe('嘉善华宇电子有限公司');
    expect(await board.locator('svg.daily-chart path.line-sales:not(.baseline)').getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){50,}/);
    expect(await board.locator('svg.daily-chart path.line-purchases.baseline').getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){20,}/);
    expect(await board.locator('svg.daily-chart rect.window.open').count()).toBe(1);
    const supplierRow = board.locator('[data-testid="suppliers"] tr.broken');
    expect(await supplierRow.textContent()).toContain('断链');
    expect(await supplierRow.textContent()).toContain(SUPPLIER);
    expect(await board.locator('[data-testid="buyers"] tbody tr').count()).toBe(1);
    expect(await board.locator('[data-testid="matches"]').textContent()).toContain('暂无配对名单');

    // Open a case, annotate it, close it as a false positive; the other browser sees each change live.
    await board.click('[data-action="open-case"]');
    await board.waitForSelector('[data-testid="case-status"]');
    expect(await board.locator('[data-testid="case-status"]').textContent()).toBe('跟进中');
    await expect.poll(() => watcher.locator(`tr[data-signal-id="${signal.signal_id}"]`).textContent(), { timeout: 10_000 }).toContain('跟进中');
    await board.fill('[data-testid="case-card"] input[name="assignee"]', '王税务管家');
    await board.fill('[data-testid="case-card"] textarea[name="notes"]', '已电话联系企业：铜箔供应商春节后未复工，企业希望区内找替代供应商。');
    await board.click('[data-action="save-case"]');
    await expect.poll(() => board.locator('[data-testid="case-card"]').textContent()).toContain('版本 2');
    await board.selectOption('[data-testid="case-card"] select[name="outcome"]', 'MATCHED');
    await board.click('[data-action="close-case"]');
    await expect.poll(() => board.locator('[data-testid="case-status"]').textContent()).toBe('已结案 · 配对成功');
    await expect.poll(() => watcher.locator(`tr[data-signal-id="${signal.signal_id}"]`).textContent(), { timeout: 10_000 }).toContain('已结案 · 配对成功');
    await board.screenshot({ path: path.join(ARTIFACTS, 'alerts-enterprise.png'), fullPage: true });

    // English on toggle.
    await board.click('#lang-toggle');
    expect(await board.locator('h1').textContent()).toBe('yunlian · supply-chain disruption alerts');
    expect(await board.locator('[data-testid="case-status"]').textContent()).toBe('closed · Matched');
    await watcher.close();
    await board.close();
  });
});
