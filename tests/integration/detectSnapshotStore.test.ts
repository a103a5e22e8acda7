import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { openClickHouse } from '../../sinks/clickhouse/clickhouseClient.ts';
import { migrate } from '../../sinks/clickhouse/migrate.ts';
import { insertRows, isoInstant } from '../../sinks/clickhouse/insertRows.ts';
import { encodeSnapshot, ClickHouseSnapshotStore } from '../../pipelines/detect/runtimeSnapshotStore.ts';
import type { SnapshotKey } from '../../pipelines/detect/snapshotStore.ts';
import { scenarioSnapshots as snapshots } from '../helpers/snapshotScenario.ts';

let dir: string;
let client: ClickHouseClient;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'yunlian-snapstore-'));
  client = await openClickHouse({ kind: 'embedded', path: dir });
  await migrate(client);
});

afterAll(async () => {
  await client?.close();
  rmSync(dir, { recursive: true, force: true });
});

const key = (partition: number): SnapshotKey => ({ groupId: 'yunlian-detect', clusterId: 'snapstore-test', topic: 'yunlian.invoice-legs', partition });

describe('detector snapshot store on chDB', () => {
  it('loads back exactly the header and entries it wrote, Chinese names and tombstones included', async () => {
    const store = new ClickHouseSnapshotStore(client);
    const taken = snapshots();
    expect(taken[1]!.entries.some((e) => e.slot !== null)).toBe(true);
    for (const s of taken) await store.write(encodeSnapshot(s, key(1), 1_764_000_000_000));
    const loaded = await store.load(key(1));
    const last = taken.at(-1)!;
    expect(loaded.header).toEqual({ nextOffset: last.nextOffset, header: last.header });
    const newest = new Map(taken.flatMap((s) => s.entries).map((e) => [`${e.taxId}#${e.slot}`, e]));
    const byKey = (a: { taxId: string; slot: number | null }, b: { taxId: string; slot: number | null }) => (`${a.taxId}#${a.slot}` < `${b.taxId}#${b.slot}` ? -1 : 1);
    expect([...loaded.entries].sort(byKey)).toEqual([...newest.values()].sort(byKey));
    expect(JSON.stringify(loaded.entries)).toContain('嘉善');
  });

  it('still loads rows written with the state as an escaped JSON string, as before single encoding', async () => {
    const s = snapshots()[0]!;
    const common = { group_id: 'yunlian-detect', cluster_id: 'snapstore-test', topic: 'yunlian.invoice-legs', partition: 2, taken_at: isoInstant(1_764_000_000_000) };
    const version = String(s.nextOffset);
    await insertRows(client, {
      table: 'yunlian.detect_snapshot_entries',
      rows: [...s.entries.map((e) => ({ ...common, entry_key: e.taxId, version, deleted: 0, state: JSON.stringify(e.state) })), { ...common, entry_key: '', version, deleted: 0, state: JSON.stringify(s.header) }],
    });
    const loaded = await new ClickHouseSnapshotStore(client).load(key(2));
    expect(loaded.header).toEqual({ nextOffset: s.nextOffset, header: s.header });
    expect(loaded.entries).toEqual(s.entries.filter((e) => e.slot === null));
  });

  it('passes its insert settings per query: an object row refused with objects-as-strings off, then taken by the next insert', async () => {
    const row = { group_id: 'g', cluster_id: 'settings-test', topic: 't', partition: 0, taken_at: isoInstant(0), entry_key: '', version: '1', deleted: 0, state: { a: 1 } };
    const off = insertRows(client, { table: 'yunlian.detect_snapshot_entries', rows: [row], settings: { input_format_json_read_objects_as_strings: '0' } });
    await expect(off).rejects.toMatchObject({ code: 'CLICKHOUSE_QUERY_FAILED' });
    await insertRows(client, { table: 'yunlian.detect_snapshot_entries', rows: [row], settings: { input_format_json_read_objects_as_strings: '1' } });
    const stored = await (await client.query({ query: "SELECT state FROM yunlian.detect_snapshot_entries WHERE cluster_id = 'settings-test'", format: 'JSONEachRow' })).json<{ state: string }>();
    expect(stored).toEqual([{ state: '{"a":1}' }]);
  });
});
