import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { readTopic, startTestStack, type TestStack } from '../helpers/embeddedStack.ts';
import { issuedInvoice } from '../helpers/invoiceFixtures.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { produceInvoiceLines } from '../../src/produce/produceInvoices.ts';
import { TOPICS, GROUPS } from '../../src/kafka/topics.ts';
import { encodeWireFormat } from '../../schemas/serde/wireFormat.ts';
import type { InvoiceEvent } from '../../src/domain/invoiceEvent.ts';
import { fetchTopicOffsets } from '../../src/kafka/topicOffsets.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack(['ingest']);
});
afterAll(async () => {
  await stack?.teardown();
});

const count = async (table: string, district: string) =>
  Number((await stack.query<{ n: string }>(`SELECT count() AS n FROM yunlian.${table} FINAL WHERE district = {d:String}`, { d: district }))[0]!.n);

describe('ingest on the embedded stack', () => {
  // 20 valid invoices (2 lines each), 1 duplicate, 3 invalid (bad USCC, wrong total, red letter without reference).
  const valid = Array.from({ length: 20 }, (_, i) => issuedInvoice({ district: 'jiashan', amounts: [10_000 + i, 500], seller: 1 + (i % 4), buyer: 10 + (i % 3), n: 1000 + i }));
  const badUscc = { ...issuedInvoice({ district: 'jiashan', n: 2001 }), seller: { ...valid[0]!.seller, tax_id: valid[0]!.seller.tax_id.slice(0, 17) + (valid[0]!.seller.tax_id[17] === 'A' ? 'B' : 'A') } };
  const badTotal = { ...issuedInvoice({ district: 'jiashan', n: 2002 }), total_amount_fen: 1 };
  const redBase = issuedInvoice({ district: 'jiashan', n: 2003, amounts: [-700] });
  const badRed = { ...redBase, event_type: 'RED_LETTER' as const, original_invoice_no: null };
  const events: InvoiceEvent[] = [...valid.slice(0, 10), badUscc, valid[3]!, ...valid.slice(10), badTotal, badRed];

  it('writes each valid invoice and line once, dead-letters the invalid ones with reasons, and emits legs keyed by party', async () => {
    const lines = events.map((e) => JSON.stringify(e));
    lines.splice(5, 0, '{not json', '{"event_id": 1}');
    const report = await produceInvoiceLines(lines, { producer: stack.services.producer, codec: stack.services.codecs.invoiceEvents.jiashan, district: 'jiashan', batchSize: 7 });
    expect(report).toMatchObject({ produced: 24, skipped: 2 });
    expect(report.skippedLines.map((s) => [s.line, s.reason])).toEqual([
      [6, 'INVALID_JSON'],
      [7, 'INVALID_SHAPE'],
    ]);

    await waitFor(async () => (await count('invoices', 'jiashan')) === 20, { what: '20 invoices' });
    expect(await count('invoice_lines', 'jiashan')).toBe(40);
    const totals = await stack.query<{ amount: string }>(`SELECT sum(total_amount_fen) AS amount FROM yunlian.invoices FINAL`);
    expect(Number(totals[0]!.amount)).toBe(valid.reduce((s, e) => s + e.total_amount_fen, 0));

    const dlq = await readTopic(stack.services.kafka, TOPICS.dlq, 3);
    expect(dlq.map((r) => r.headers['x-dlq.reason']).sort()).toEqual(['RED_LETTER_NO_REFERENCE', 'SELLER_USCC_INVALID', 'TOTAL_AMOUNT_MISMATCH']);
    for (const r of dlq) {
      expect(r.headers['x-dlq.topic']).toBe('yunlian.invoices.jiashan');
      expect(r.headers['x-dlq.offset']).toMatch(/^\d+$/);
      expect(r.value!.length).toBeGreaterThan(5); // the original wire-format bytes
      expect(r.value![0]).toBe(0);
    }

    const legs = await readTopic(stack.services.kafka, TOPICS.invoiceLegs, 42);
    const decoded = await Promise.all(legs.map(async (r) => ({ key: r.key!.toString(), leg: await stack.services.codecs.invoiceLeg.decode(r.value!) })));
    for (const { key, leg } of decoded) expect(key).toBe(leg.enterprise_tax_id);
    const uniqueLegs = new Set(decoded.map((d) => d.leg.leg_id));
    expect(uniqueLegs.size).toBe(40);
  });

  it('dead-letters records that are not Avro or whose schema id is unknown, and moves on', async () => {
    await stack.services.producer.send([
      { topic: 'yunlian.invoices.qingpu', key: 'x', value: Buffer.from('hello, not avro') },
      { topic: 'yunlian.invoices.qingpu', key: 'y', value: encodeWireFormat(999_999, Buffer.from([2, 4, 6])) },
      { topic: 'yunlian.invoices.qingpu', key: 'z', value: stack.services.codecs.invoiceEvents.qingpu.encode(issuedInvoice({ district: 'qingpu', n: 3001 })) },
    ]);
    await waitFor(async () => (await count('invoices', 'qingpu')) === 1, { what: 'the valid qingpu invoice after two poison records' });
    const dlq = await readTopic(stack.services.kafka, TOPICS.dlq, 5);
    const reasons = dlq.map((r) => r.headers['x-dlq.reason']);
    expect(reasons).toContain('WIRE_FORMAT_BAD_MAGIC');
    expect(reasons).toContain('SCHEMA_ID_NOT_FOUND');
  });

  it('does not duplicate rows when the whole topic is redelivered from offset 0', async () => {
    // A second ingest group starts from offset 0: every batch is delivered again, as after a crash before commit.
    const { startPipelines } = await import('../../src/runtime/services.ts');
    const [again] = await startPipelines({ services: stack.services, names: ['ingest'], dataDir: stack.dataDir, groupIdPrefix: 'redelivery-' });
    stack.pipelines.push(again!);
    const group = 'redelivery-' + GROUPS.ingest;
    // Wait until the group has consumed the jiashan topic again, then check nothing doubled.
    await waitFor(
      async () => {
        const a = stack.services.kafka.admin();
        await a.connect();
        const [offsets] = await a.fetchOffsets({ groupId: group, topics: ['yunlian.invoices.jiashan'] });
        const high = await fetchTopicOffsets(a, 'yunlian.invoices.jiashan');
        await a.disconnect();
        return offsets!.partitions.every((p) => p.offset === high.find((h) => h.partition === p.partition)!.high);
      },
      { what: 'redelivery consumed', timeoutMs: 45_000 },
    );
    expect(await count('invoices', 'jiashan')).toBe(20);
    expect(await count('invoice_lines', 'jiashan')).toBe(40);
    // Redelivered batches with other boundaries than the first time carry other dedup tokens: the
    // ReplacingMergeTree key collapses them once merged (FINAL does the same at query time).
    await stack.services.clickhouse.command({ query: 'OPTIMIZE TABLE yunlian.invoices FINAL' });
    const raw = await stack.query<{ n: string; u: string }>(`SELECT count() AS n, uniqExact(event_id) AS u FROM yunlian.invoices WHERE district = 'jiashan'`);
    expect(Number(raw[0]!.n)).toBe(20);
    expect(Number(raw[0]!.u)).toBe(20);
  });

  it('the CLI reports a malformed line by number and publishes the rest', async () => {
    const file = path.join(stack.dataDir, 'cli.jsonl');
    writeFileSync(file, [JSON.stringify(issuedInvoice({ district: 'wujiang', n: 4001, buyerDistrict: 'qingpu' })), 'garbage', JSON.stringify(issuedInvoice({ district: 'wujiang', n: 4002, buyerDistrict: 'qingpu' }))].join('\n') + '\n');
    // Async spawn: the registry and brokers this CLI talks to live in this test process.
    const result = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['bin/yunlian.js', 'produce', '--district', 'wujiang', '--file', file], {
        env: { ...process.env, KAFKA_BROKERS: stack.brokers.join(','), SCHEMA_REGISTRY_URL: stack.registryUrl, YUNLIAN_DATA_DIR: stack.dataDir },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    expect(result.stderr).toContain('line 2: INVALID_JSON');
    expect(result.stdout).toContain('produced 2 events to yunlian.invoices.wujiang');
    expect(result.status).toBe(0);
    await waitFor(async () => (await count('invoices', 'wujiang')) === 2, { what: 'CLI-produced invoices' });
  });
});
