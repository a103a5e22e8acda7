import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { invoiceTopic } from '../../../src/domain/district.ts';
import { TOPICS, GROUPS } from '../../../src/kafka/topics.ts';
import { createLagGate } from '../../../src/kafka/lagGate.ts';
import { fixtureInvoices } from './registryScenario.ts';
import { invoiceLegs } from '../../../pipelines/ingest/invoiceLegs.ts';
import { startFaultCluster, type FaultCluster } from '../faultCluster.ts';
import { CheckList, faultResult, type FaultResult } from '../faultResult.ts';
import type { ConsumerTimeouts } from '../consumerTimeouts.ts';
import { hostileJsonLines, hostileRecords, type HostileLine } from '../fuzzCorpus.ts';
import { readWholeTopic, tallyInvoices, waitDrained } from '../scenarioWorkload.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MB = 1024 * 1024;

interface ProduceRun {
  exitCode: number | null;
  /** line number → reason code, from `line N: REASON: …` on stderr. */
  reported: Map<number, string>;
  stdout: string;
  peakRssBytes: number;
}

/** Runs the real CLI (`yunlian produce`) as a child process, sampling its peak resident memory. */
async function runProduceCli(cluster: FaultCluster, file: string, district: string): Promise<ProduceRun> {
  const emptyDataDir = mkdtempSync(path.join(tmpdir(), 'yunlian-faults-produce-'));
  const child = spawn(process.execPath, [path.join(REPO, 'bin/yunlian.js'), 'produce', '--district', district, '--file', file, '--max-lag', '0', '--batch', '200'], {
    cwd: REPO,
    env: { ...process.env, KAFKA_BROKERS: cluster.brokers.join(','), SCHEMA_REGISTRY_URL: cluster.registryUrl, YUNLIAN_DATA_DIR: emptyDataDir, YUNLIAN_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c.length > 100_000 ? c.slice(0, 100_000) : c));
  let peak = 0;
  const sample = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  };
  const timer = setInterval(sample, 100);
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  clearInterval(timer);
  rmSync(emptyDataDir, { recursive: true, force: true });
  const reported = new Map<number, string>();
  // Reason codes may contain digits (INVALID_UTF8): a letters-only pattern missed those lines.
  for (const m of stderr.matchAll(/^line (\d+): ([A-Z][A-Z0-9_]*):/gm)) reported.set(Number(m[1]), m[2]!);
  return { exitCode, reported, stdout, peakRssBytes: peak };
}

export interface HostileInputOptions {
  hostileRecords: number;
  hostileLines: number;
  /** Valid invoices mixed into the Kafka records, and valid lines among the produce file's. */
  validRecords: number;
  validLines: number;
  giantLineBytes: number;
  drainTimeoutMs: number;
  maxRssGrowthBytes: number;
  consumerTimeouts?: ConsumerTimeouts;
}

/**
 * Poison and hostile input, through Kafka and through `yunlian produce`:
 * every bad record ends in the DLQ with a reason code (or is refused by
 * produce with its line number), every good one is ingested once, the
 * pipeline keeps going and its memory stays bounded.
 */
/**
 * The row, the lines of the produce file (the corpus adds its giant lines to
 * the hostile ones asked for), and how many DLQ records came from those lines
 * (the rest are the hostile Kafka records).
 */
export type HostileInputResult = FaultResult & { linesIn: number; dlqFromLines: number };

export async function hostileInputScenario(opts: HostileInputOptions): Promise<HostileInputResult> {
  const checks = new CheckList();
  const cluster = await startFaultCluster('hostile-input', { consumerTimeouts: opts.consumerTimeouts });
  try {
    const worker = await cluster.startWorker({ pipelines: ['ingest'], retryMaxMs: 2000 });
    const baseline = (await worker.stats()).rssBytes;
    const topic = invoiceTopic('qingpu');
    const leg = cluster.codecs.invoiceLeg;
    const sample = fixtureInvoices(690_000, 1)[0]!;
    const foreignValue = leg.encode(invoiceLegs(sample, Date.parse(sample.issued_at), 0)[0]!);
    const hostile = hostileRecords({
      count: opts.hostileRecords,
      seed: 808,
      district: 'qingpu',
      firstInvoice: 600_000,
      encoders: { encode: (e) => cluster.codecs.invoiceEvents.qingpu.encode(e), invoiceSchemaId: cluster.codecs.invoiceEvents.qingpu.schemaId, foreignSchemaId: leg.schemaId, foreignValue },
    });
    const valid = fixtureInvoices(700_000, opts.validRecords);
    const gate = createLagGate({ admin: cluster.admin, groupId: GROUPS.ingest, topic, maxLagPerPartition: 300, logger: cluster.logger });
    const mixed = hostile.map((h) => ({ topic, key: h.key, value: h.value }));
    valid.forEach((e, i) => mixed.splice(Math.floor((i * mixed.length) / valid.length) + i, 0, { topic, key: e.invoice_no, value: cluster.codecs.invoiceEvents.qingpu.encode(e) }));
    for (let i = 0; i < mixed.length; i += 50) {
      await gate.waitForRoom();
      await cluster.producer.send(mixed.slice(i, i + 50));
    }

    const lines = hostileJsonLines({ hostile: opts.hostileLines, valid: opts.validLines, seed: 909, district: 'wujiang', firstInvoice: 800_000, giantLineBytes: opts.giantLineBytes });
    const file = path.join(cluster.dataDir, 'hostile.jsonl');
    writeFileSync(file, Buffer.concat(lines.flatMap((l) => [l.bytes, Buffer.from('\n')])));
    const produce = await runProduceCli(cluster, file, 'wujiang');
    checks.check(produce.exitCode === 0, `yunlian produce finished (exit ${produce.exitCode}): ${produce.stdout.trim()}`);
    await waitDrained(cluster, opts.drainTimeoutMs, false);

    const dlq = await readWholeTopic(cluster.kafka, TOPICS.dlq, 120_000);
    const reasonByKey = new Map(dlq.map((r) => [r.key?.toString() ?? '', r.headers['x-dlq.reason'] ?? '']));
    const byCategory = new Map<string, { n: number; dlq: number; reasons: Set<string> }>();
    for (const h of hostile) {
      const c = byCategory.get(h.category) ?? { n: 0, dlq: 0, reasons: new Set<string>() };
      c.n++;
      const reason = reasonByKey.get(h.key);
      if (reason) {
        c.dlq++;
        c.reasons.add(reason);
      }
      byCategory.set(h.category, c);
    }
    const missingFromDlq = hostile.filter((h) => !reasonByKey.get(h.key));
    checks.check(missingFromDlq.length === 0, `Kafka: ${hostile.length - missingFromDlq.length}/${hostile.length} hostile records in the DLQ with a reason`);
    for (const [category, c] of byCategory) checks.note(`${category}: ${c.dlq}/${c.n} → ${[...c.reasons].sort().join(', ')}`);
    for (const h of missingFromDlq.slice(0, 5)) checks.note(`not dead-lettered: ${h.key} ${h.category} (${h.variant})`);

    const judged = judgeLines(lines, produce.reported, reasonByKey);
    checks.check(judged.unaccounted.length === 0, `produce: ${judged.reported} hostile lines refused with their line number, ${judged.deadLettered} dead-lettered by ingest, ${judged.unaccounted.length} neither`);
    const unaccountedBy = new Map<string, number>();
    for (const l of judged.unaccounted) unaccountedBy.set(l.category, (unaccountedBy.get(l.category) ?? 0) + 1);
    for (const [category, n] of unaccountedBy) checks.note(`${n} '${category}' lines were neither refused nor dead-lettered (e.g. line ${judged.unaccounted.find((l) => l.category === category)!.line})`);
    checks.check(judged.validRefused === 0, `produce: no valid line refused (${judged.validRefused})`);
    checks.note(`produce reasons: ${[...new Set(produce.reported.values())].sort().join(', ')}`);

    const expected = new Set([...valid.map((e) => e.event_id), ...lines.filter((l) => !l.hostile).map((l) => l.eventId!)]);
    const tally = await tallyInvoices(worker, expected);
    checks.check(tally.lost === 0, `every valid invoice ingested (${tally.distinct - tally.unexpected}/${expected.size})`);
    checks.check(tally.unexpected === 0, `no hostile invoice reached ClickHouse (${tally.unexpected})`);
    checks.check(worker.fatalError() === null, 'the pipeline kept going (no fatal error)');
    const growth = worker.peakRssBytes() - baseline;
    checks.check(growth < opts.maxRssGrowthBytes, `pipeline memory bounded: peak RSS ${(worker.peakRssBytes() / MB).toFixed(0)} MB, +${(growth / MB).toFixed(0)} MB over idle (limit +${opts.maxRssGrowthBytes / MB} MB)`);
    checks.check(produce.peakRssBytes < 4 * opts.giantLineBytes + 300 * MB, `produce memory bounded with a ${(opts.giantLineBytes / MB).toFixed(0)} MB line: peak RSS ${(produce.peakRssBytes / MB).toFixed(0)} MB`);
    await worker.stop();
    const row = faultResult(`hostile input: ${hostile.length} records + ${lines.filter((l) => l.hostile).length} lines`, checks, { recordsIn: mixed.length + lines.length, invoices: tally, dlq: dlq.length });
    return { ...row, linesIn: lines.length, dlqFromLines: judged.deadLettered };
  } finally {
    await cluster.close();
  }
}

function judgeLines(lines: HostileLine[], reported: Map<number, string>, reasonByKey: Map<string, string>) {
  let reportedCount = 0;
  let deadLettered = 0;
  let validRefused = 0;
  const unaccounted: HostileLine[] = [];
  for (const l of lines) {
    if (!l.hostile) {
      if (reported.has(l.line)) validRefused++;
      continue;
    }
    if (reported.has(l.line)) reportedCount++;
    else if (l.invoiceNo && reasonByKey.get(l.invoiceNo)) deadLettered++;
    else unaccounted.push(l);
  }
  return { reported: reportedCount, deadLettered, validRefused, unaccounted };
}
