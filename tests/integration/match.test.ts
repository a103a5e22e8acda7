import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTopic, startTestStack, type TestStack } from '../helpers/embeddedStack.ts';
import { firmTaxId, line } from '../helpers/invoiceFixtures.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { startMatchPipeline } from '../../pipelines/match/matchPipeline.ts';
import { readCurrentMatchLists } from '../../pipelines/match/matchListStore.ts';
import { migrate } from '../../sinks/clickhouse/migrate.ts';
import { MIGRATIONS } from '../../sinks/clickhouse/schema.ts';
import { MATCHES_MIGRATION } from '../../sinks/clickhouse/matchesMigration.ts';
import { topicCodec } from '../../src/kafka/topicCodecs.ts';
import { TOPICS } from '../../src/kafka/topics.ts';
import { districtOfCode, type District } from '../../src/domain/district.ts';
import type { InvoiceEvent } from '../../src/domain/invoiceEvent.ts';
import type { MatchList } from '../../src/domain/matchList.ts';
import type { DisruptionSignal } from '../../src/domain/signal.ts';
import type { ValueCodec } from '../../src/kafka/valueCodec.ts';
import type { PipelineDeps, RunningPipeline } from '../../src/runtime/pipeline.ts';
import { fetchTopicOffsets } from '../../src/kafka/topicOffsets.ts';

const FOIL = '1080207020'.padEnd(19, '0');
const CAPACITOR = '1091001010'.padEnd(19, '0');
const firm = (division: string, n: number, name: string) => ({ tax_id: firmTaxId(division, n), name, district_code: division });
const E = firm('330421', 101, '嘉善恒达电子有限公司');
const P = firm('320509', 102, '吴江铜箔有限公司');
const S2 = firm('320509', 103, '吴江金属材料有限公司');
const S3 = firm('330421', 104, '嘉善铜业有限公司');
const B1 = firm('320509', 105, '吴江线缆有限公司');
const S7 = firm('330421', 106, '嘉善新铜箔有限公司');
type Firm = typeof E;

let n = 0;
function invoice(seller: Firm, buyer: Firm, day: string, taxCode: string, amountFen: number): InvoiceEvent {
  n++;
  const l = line(amountFen, 1300, taxCode);
  return {
    event_id: `match-it-${n}`,
    event_type: 'ISSUED',
    invoice_no: String(20_330_000_000_000_000_000n + BigInt(n)),
    original_invoice_no: null,
    invoice_kind: 'DIGITAL_SPECIAL',
    issued_at: `${day}T10:00:00+08:00`,
    district: (districtOfCode(seller.district_code) ?? districtOfCode(buyer.district_code))!,
    seller,
    buyer,
    lines: [l],
    total_amount_fen: l.amount_fen,
    total_tax_fen: l.tax_fen,
  };
}

const at = (day: string) => Date.parse(`${day}T18:00:00+08:00`);
function signal(status: 'OPEN' | 'RESOLVED', day: string): DisruptionSignal {
  return {
    signal_id: 'it-upstream-broken-1', enterprise_tax_id: E.tax_id, enterprise_name: E.name, district: 'jiashan', signal_type: 'UPSTREAM_BROKEN',
    partner_tax_id: P.tax_id, severity: 'HIGH', status, resolution: status === 'RESOLVED' ? 'LINK_RESTORED' : null,
    window_start: '2020-05-11', window_end: day, event_time_ms: at(day), baseline_fen: 3_000_000, current_fen: 0,
    explanation_zh: '主要供应商停止开票', explanation_en: 'main supplier stopped invoicing', detected_at_ms: Date.now(),
  };
}

let stack: TestStack;
let matchCodec: ValueCodec<MatchList>;
let pipeline: RunningPipeline;
let deps: PipelineDeps;

async function produceInvoices(events: InvoiceEvent[]): Promise<void> {
  await stack.services.producer.send(events.map((e) => ({ topic: `yunlian.invoices.${e.district}`, key: e.invoice_no, value: stack.services.codecs.invoiceEvents[e.district as District].encode(e) })));
}
const invoiceCount = async () => Number((await stack.query<{ n: string }>('SELECT count() AS n FROM yunlian.invoices FINAL'))[0]!.n);
const currentList = async () => (await readCurrentMatchLists(stack.services.clickhouse, { enterpriseTaxId: E.tax_id }))[0];
/** Whether the group has committed up to the end of every partition of the topics. */
async function caughtUp(groupId: string, topics: string[]): Promise<boolean> {
  const admin = stack.services.kafka.admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const high = await fetchTopicOffsets(admin, topic);
      for (const h of high) {
        const c = committed!.partitions.find((p) => p.partition === h.partition);
        if (h.high !== '0' && c?.offset !== h.high) return false;
      }
    }
    return true;
  } finally {
    await admin.disconnect();
  }
}
const startMatch = async () => startMatchPipeline(deps, { invoiceLeg: stack.services.codecs.invoiceLeg, disruptionSignal: stack.services.codecs.disruptionSignal, matchList: matchCodec });

beforeAll(async () => {
  stack = await startTestStack(['ingest']);
  // Idempotent either way: until MATCHES_MIGRATION is wired into MIGRATIONS, the test adds it.
  await migrate(stack.services.clickhouse, MIGRATIONS.some((m) => m.version === MATCHES_MIGRATION.version) ? MIGRATIONS : [...MIGRATIONS, MATCHES_MIGRATION]);
  matchCodec = await topicCodec<MatchList>(stack.services.serde, TOPICS.matches, 'MatchList');
  deps = {
    kafka: stack.services.kafka, producer: stack.services.producer, clickhouse: stack.services.clickhouse, logger: stack.services.logger,
    metrics: stack.services.metrics, now: Date.now, dataDir: stack.dataDir, groupIdPrefix: 'match-it-', retry: { initialDelayMs: 50, maxDelayMs: 500 },
  };
});
afterAll(async () => {
  await pipeline?.stop();
  await stack?.teardown();
});

describe('match on the embedded stack', () => {
  it('publishes a ranked match list to yunlian.matches and ClickHouse when a supplier link breaks', async () => {
    // Three months of trade, ingested before the match pipeline starts: its index is rebuilt from ClickHouse.
    const history: InvoiceEvent[] = [];
    for (const m of ['03', '04', '05']) {
      history.push(invoice(P, E, `2020-${m}-05`, FOIL, 3_000_000), invoice(P, E, `2020-${m}-${m === '05' ? '06' : '19'}`, FOIL, 3_000_000));
      history.push(invoice(S2, E, `2020-${m}-08`, FOIL, 1_000_000));
      history.push(invoice(S3, B1, `2020-${m}-09`, FOIL, 4_000_000));
      history.push(invoice(E, B1, `2020-${m}-15`, CAPACITOR, 8_000_000));
    }
    await produceInvoices(history);
    await waitFor(async () => (await invoiceCount()) === history.length, { what: 'history ingested' });

    pipeline = await startMatch();
    await stack.services.producer.send([{ topic: TOPICS.disruptions, key: E.tax_id, value: stack.services.codecs.disruptionSignal.encode(signal('OPEN', '2020-05-28')) }]);

    const list = (await waitFor(currentList, { what: 'match list in ClickHouse', timeoutMs: 45_000 }))!;
    expect(list).toMatchObject({ version: 1, need: 'SUPPLIER', status: 'OPEN', signal_id: 'it-upstream-broken-1', broken_partner_tax_id: P.tax_id });
    expect(list.candidates.map((c) => c.tax_id)).toEqual([S2.tax_id, S3.tax_id]);
    expect(list.candidates[0]!.existing_partner).toBe(true);
    expect(list.candidates[1]!.reasons.map((r) => r.component)).toContain('proximity');
    expect(list.candidates[1]!.reasons.find((r) => r.component === 'proximity')!.zh).toBe('同在嘉善');

    const [record] = await readTopic(stack.services.kafka, TOPICS.matches, 1);
    expect(record!.key!.toString()).toBe(E.tax_id);
    const published = await matchCodec.decode(record!.value!);
    expect(published.match_id).toBe(list.match_id);
    expect(published.candidates.map((c) => c.tax_id)).toEqual(list.candidates.map((c) => c.tax_id));
  });

  it('changes the list incrementally when a new seller of the lost goods starts invoicing', async () => {
    await produceInvoices([invoice(S7, B1, '2020-05-29', FOIL, 20_000_000)]);
    const list = (await waitFor(async () => {
      const l = await currentList();
      return l && l.version >= 2 ? l : undefined;
    }, { what: 'revision 2', timeoutMs: 45_000 }))!;
    expect(list.candidates.map((c) => c.tax_id)).toContain(S7.tax_id);
    expect(list.as_of_ms).toBe(Date.parse('2020-05-29T10:00:00+08:00'));
    // A new revision of the same list, not a new list: revision 1 stays queryable as history, without the newcomer.
    const revisions = await stack.query<{ version: number; candidates: string[] }>(
      `SELECT version, groupArray(candidate_tax_id) AS candidates FROM (SELECT * FROM yunlian.matches FINAL WHERE match_id = '${list.match_id}' ORDER BY rank) GROUP BY version ORDER BY version`,
    );
    expect(revisions.map((r) => Number(r.version))).toEqual([1, 2]);
    expect(revisions[0]!.candidates).not.toContain(S7.tax_id);
    expect((await readCurrentMatchLists(stack.services.clickhouse)).map((l) => l.match_id)).toEqual([list.match_id]);
    const published = await Promise.all((await readTopic(stack.services.kafka, TOPICS.matches, 2)).map((r) => matchCodec.decode(r.value!)));
    expect(published.map((l) => [l.match_id, l.version])).toEqual([[list.match_id, 1], [list.match_id, 2]]);
  });

  it('marks the candidate the firm starts buying from as converted, and closes the list when the signal resolves', async () => {
    await produceInvoices([invoice(S3, E, '2020-06-02', FOIL, 2_500_000)]);
    const converted = (await waitFor(async () => {
      const l = await currentList();
      return l?.converted_at ? l : undefined;
    }, { what: 'conversion', timeoutMs: 45_000 }))!;
    expect(converted.converted_at).toBe('2020-06-02');
    expect(converted.candidates.find((c) => c.tax_id === S3.tax_id)!.converted_at).toBe('2020-06-02');

    await stack.services.producer.send([{ topic: TOPICS.disruptions, key: E.tax_id, value: stack.services.codecs.disruptionSignal.encode(signal('RESOLVED', '2020-06-20')) }]);
    const closed = (await waitFor(async () => {
      const l = await currentList();
      return l?.status === 'CLOSED' ? l : undefined;
    }, { what: 'closed list', timeoutMs: 45_000 }))!;
    expect(closed.closed_at_ms).toBe(at('2020-06-20'));
    expect(closed.converted_at).toBe('2020-06-02');
  });

  it('restarts from ClickHouse without republishing or duplicating anything', async () => {
    const before = await currentList();
    const ingestedBefore = await invoiceCount();
    const rowsBefore = Number((await stack.query<{ n: string }>('SELECT count() AS n FROM yunlian.matches FINAL'))[0]!.n);
    await pipeline.stop();
    pipeline = await startMatch();
    // A redelivered OPEN must not reopen the closed list.
    await stack.services.producer.send([{ topic: TOPICS.disruptions, key: E.tax_id, value: stack.services.codecs.disruptionSignal.encode(signal('OPEN', '2020-05-28')) }]);
    await produceInvoices([invoice(B1, S3, '2020-06-22', CAPACITOR, 1_000)]);
    await waitFor(async () => (await invoiceCount()) === ingestedBefore + 1, { what: 'last invoice' });
    await waitFor(() => caughtUp('match-it-yunlian-match', [TOPICS.invoiceLegs, TOPICS.disruptions]), { what: 'match consumed everything', timeoutMs: 45_000 });
    const after = await currentList();
    expect(after).toEqual(before);
    expect(Number((await stack.query<{ n: string }>('SELECT count() AS n FROM yunlian.matches FINAL'))[0]!.n)).toBe(rowsBefore);
  }, 120_000);
});
