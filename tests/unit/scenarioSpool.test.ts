import { mkdtempSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FeedRecord } from '../../bench/benchScenario.ts';
import { createSpoolWriter, readSpool, SpoolFormatError, type ScenarioSpool } from '../../bench/scenarioSpool.ts';
import { DISTRICTS, invoiceTopic } from '../../src/domain/district.ts';
import { seededRandom } from '../helpers/detectFixtures.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function spoolFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'yunlian-spool-test-'));
  dirs.push(dir);
  return path.join(dir, 'test.spool');
}

function randomRecords(n: number, seed: number): FeedRecord[] {
  const random = seededRandom(seed);
  const keys = ['', '发票-青浦-0001', 'INV-000042', '上海市嘉定区增值税专用发票', 'x'];
  return Array.from({ length: n }, (_, i) => {
    const feed = DISTRICTS[Math.floor(random() * DISTRICTS.length)]!;
    // Every 97th value is larger than the 8 MiB read buffer, so a frame must span reads.
    const size = i % 97 === 5 ? 9 * 1024 * 1024 + 3 : Math.floor(random() * 600);
    const value = Buffer.alloc(size);
    for (let b = 0; b < Math.min(size, 64); b++) value[b] = Math.floor(random() * 256);
    value[size - 1] = i & 0xff;
    return { feed, topic: invoiceTopic(feed), key: `${keys[i % keys.length]}${i % 3 === 0 ? '' : i}`, value, eventMs: 1_577_836_800_000 + Math.floor(random() * 3e10) };
  });
}

function writeAll(file: string, records: readonly FeedRecord[]): ScenarioSpool {
  const writer = createSpoolWriter(file);
  for (const r of records) writer.append(r);
  return writer.finish();
}

async function readAll(spool: ScenarioSpool, size: number): Promise<FeedRecord[][]> {
  const chunks: FeedRecord[][] = [];
  for await (const c of spool.chunks(size)) chunks.push([...c]);
  return chunks;
}

describe('scenario spool', () => {
  it('reads back every record in order, with Chinese and empty keys and values larger than the read buffer', async () => {
    const records = randomRecords(300, 11);
    const spool = writeAll(spoolFile(), records);
    expect(spool.events).toBe(300);
    expect(spool.newestEventMs).toBe(Math.max(...records.map((r) => r.eventMs)));
    const chunks = await readAll(spool, 7);
    expect(chunks.map((c) => c.length)).toEqual([...Array<number>(42).fill(7), 6]);
    const back = chunks.flat();
    expect(back.map(({ value: _, ...r }) => r)).toEqual(records.map(({ value: _, ...r }) => r));
    const differing = back.filter((r, i) => !r.value.equals(records[i]!.value)).length;
    expect(differing).toBe(0);
  });

  it('reads an empty spool as no chunks', async () => {
    const spool = writeAll(spoolFile(), []);
    expect(spool.newestEventMs).toBe(-Infinity);
    expect(await readAll(spool, 10)).toEqual([]);
  });

  it('rejects a spool cut inside a frame, naming the offset of that frame', async () => {
    const records = randomRecords(50, 3).map((r) => ({ ...r, value: r.value.subarray(0, 100) }));
    const file = spoolFile();
    const spool = writeAll(file, records);
    const size = statSync(file).size;
    truncateSync(file, size - 10);
    const lastFrameBytes = 4 + 1 + 8 + 4 + Buffer.byteLength(records[49]!.key) + records[49]!.value.length;
    await expect(readAll(spool, 8)).rejects.toThrow(new RegExp(`ends inside a frame at offset ${size - lastFrameBytes}\\b`));
    await expect(readAll(spool, 8)).rejects.toBeInstanceOf(SpoolFormatError);
  });

  it('rejects a spool cut at a frame boundary as holding fewer records than written', async () => {
    const records = randomRecords(20, 5).map((r) => ({ ...r, value: r.value.subarray(0, 50) }));
    const file = spoolFile();
    const spool = writeAll(file, records);
    const last = records[19]!;
    truncateSync(file, statSync(file).size - (4 + 1 + 8 + 4 + Buffer.byteLength(last.key) + last.value.length));
    await expect(readAll(spool, 100)).rejects.toThrow('holds 19 records, expected 20');
  });

  it('refuses a chunk size that is not a positive integer', async () => {
    const spool = writeAll(spoolFile(), randomRecords(3, 1));
    await expect(readSpool(spool.path, spool.events, 0).next()).rejects.toThrow(RangeError);
  });
});
