import { gunzipSync } from 'node:zlib';
import type { ClickHouseClient } from '@clickhouse/client';
import { encodeColumns, insertRows, isoInstant, tableColumns, type EncodedRows } from '../../sinks/clickhouse/insertRows.ts';
import { toClickHouseFailure } from '../../sinks/clickhouse/clickhouseErrors.ts';
import { utf8Lines } from '../../src/runtime/jsonUtf8.ts';
import { entryStateJson, type EntryState, type IncrementalSnapshot, type SnapshotEntry, type SnapshotHeader } from './incrementalSnapshot.ts';
import type { SerializedPartition, StoredPartition } from './runtimePartition.ts';
import { entryKeyOf, HEADER_KEY, parseEntryKey, type FrozenSnapshot, type SnapshotKey, type SnapshotStore } from './snapshotStore.ts';

/** An incremental snapshot frozen as the rows it writes, ready to be written (and rewritten on a retry) without touching the live state. */
export interface EncodedSnapshot extends FrozenSnapshot {
  /** The enterprise rows, then the header row, as JSON arrays of the partition's columns and an EntryRow's each. */
  entries: EncodedRows;
  header: EncodedRows;
}

/**
 * A row of `detect_snapshot_entries` as encoded: `state` is the header or entry itself, a JSON object that
 * ClickHouse stores as its text in the String column (`input_format_json_read_objects_as_strings`), or '' for
 * a tombstone. As a string it would be escaped a second time inside the row's JSON: a base row is ~20 KB of
 * quotes and all, and stringifying it, then escaping it, was a third of a snapshot's CPU.
 */
export interface EntryRow {
  entry_key: string;
  version: string;
  deleted: 0 | 1;
  state: EntryState | SnapshotHeader | '';
}

/** A row of `detect_snapshot_entries` as inserted: the partition's columns and an EntryRow. */
type SnapshotEntryRow = EntryRow & { group_id: string; cluster_id: string; topic: string; partition: number; taken_at: string };

const ENTRY_COLUMNS = tableColumns<SnapshotEntryRow>({ group_id: true, cluster_id: true, topic: true, partition: true, taken_at: true, entry_key: true, version: true, deleted: true, state: true });

/** The insert settings the encoded rows need: an object in `state` is read as its JSON text. */
const OBJECTS_AS_STRINGS = { input_format_json_read_objects_as_strings: '1' } as const;

/**
 * Freezes a snapshot of `key`'s partition, taken at `takenAtMs`, into its rows' bytes, synchronously (the
 * processor's snapshot is already a copy; the bytes keep a retry from re-serialising, and hold no JS objects
 * across the write for the GC to copy).
 */
export function encodeSnapshot(snapshot: IncrementalSnapshot, key: SnapshotKey, takenAtMs: number): EncodedSnapshot {
  const version = String(snapshot.nextOffset);
  const common = { group_id: key.groupId, cluster_id: key.clusterId, topic: key.topic, partition: key.partition, taken_at: isoInstant(takenAtMs) };
  const rows = snapshot.entries;
  // Each line is what encodeColumns writes for the row (ENTRY_COLUMNS' order), with the state's text from
  // entryStateJson, which writes a log row's long base64 legs without the generic stringifier's scan.
  const partitionColumns = JSON.stringify([common.group_id, common.cluster_id, common.topic, common.partition, common.taken_at]).slice(0, -1);
  const versionColumn = JSON.stringify(version);
  const entries: EncodedRows = {
    count: rows.length,
    columns: ENTRY_COLUMNS,
    bytes: utf8Lines(rows.length, (i) => {
      const e = rows[i]!;
      const keyAndVersion = `${partitionColumns},${JSON.stringify(entryKeyOf(e))},${versionColumn},`;
      return e.state === null ? [keyAndVersion, '1,""]'] : [keyAndVersion, '0,', entryStateJson(e.state), ']'];
    }),
  };
  const header = encodeColumns(ENTRY_COLUMNS, [{ ...common, entry_key: HEADER_KEY, version, deleted: 0, state: snapshot.header }]);
  return { nextOffset: version, taxIds: rows.map((e) => e.taxId), entries, header, byteLength: entries.bytes.length + header.bytes.length };
}

/**
 * Detector state per leg partition, stored in ClickHouse so any process of
 * the consumer group (embedded or on another host) can take a partition over
 * after a rebalance or crash. The embedded Kafka keeps only the newest 5 MiB
 * per partition, so state cannot be rebuilt from a changelog topic there.
 * A snapshot is written before the offsets it covers are committed.
 *
 * Incremental (`detect_snapshot_entries`): a snapshot writes the entries of
 * the enterprises that changed, then, once they are confirmed, the header;
 * the header's offset is the one the partition resumes from, so a snapshot
 * counts as taken only when its header landed (PartitionProcessor.restore
 * deals with entries of one that did not). Partitions last saved whole, in
 * `detect_snapshots`, still load from there.
 */
export class ClickHouseSnapshotStore implements SnapshotStore<EncodedSnapshot> {
  constructor(private readonly client: ClickHouseClient) {}

  freeze(snapshot: IncrementalSnapshot, key: SnapshotKey, takenAtMs: number): EncodedSnapshot {
    return encodeSnapshot(snapshot, key, takenAtMs);
  }

  async close(): Promise<void> {
    // The client is the pipeline's, closed with it.
  }

  async load(key: SnapshotKey): Promise<StoredPartition> {
    try {
      const params = { g: key.groupId, c: key.clusterId, t: key.topic, p: key.partition };
      const where = 'group_id = {g:String} AND cluster_id = {c:String} AND topic = {t:String} AND partition = {p:UInt16}';
      const rows = await (
        await this.client.query({
          query: `SELECT entry_key, toString(version) AS version, deleted, state FROM yunlian.detect_snapshot_entries FINAL WHERE ${where}`,
          query_params: params,
          format: 'JSONEachRow',
        })
      ).json<{ entry_key: string; version: string; deleted: number; state: string }>();
      let header: StoredPartition['header'] = null;
      const entries: SnapshotEntry[] = [];
      for (const row of rows) {
        const coversOffset = Number(row.version);
        if (row.entry_key === HEADER_KEY) header = { nextOffset: coversOffset, header: JSON.parse(row.state) as SnapshotHeader };
        else entries.push({ ...parseEntryKey(row.entry_key), coversOffset, state: Number(row.deleted) === 1 ? null : (JSON.parse(row.state) as EntryState) });
      }
      const old = await (
        await this.client.query({
          query: `SELECT toString(next_offset) AS next_offset, state FROM yunlian.detect_snapshots FINAL WHERE ${where}`,
          query_params: params,
          format: 'JSONEachRow',
        })
      ).json<{ next_offset: string; state: string }>();
      const row = old[0];
      // Older than the header: written before the partition switched to incremental snapshots, superseded.
      const full =
        row === undefined || (header !== null && Number(row.next_offset) <= header.nextOffset)
          ? null
          : { nextOffset: Number(row.next_offset), state: JSON.parse(gunzipSync(Buffer.from(row.state, 'base64')).toString('utf8')) as SerializedPartition };
      return { header, full, entries };
    } catch (error) {
      throw toClickHouseFailure(error, { operation: 'load snapshot', ...key });
    }
  }

  /**
   * Writes an encoded snapshot: the entries, then the header. A failure before the header leaves entries
   * ahead of the stored header, which a restore freezes (see PartitionProcessor.restore). The newest
   * version of each row wins, whatever the order of writes.
   */
  async write(encoded: EncodedSnapshot): Promise<void> {
    const table = 'yunlian.detect_snapshot_entries';
    await insertRows(this.client, { table, rows: encoded.entries, settings: OBJECTS_AS_STRINGS });
    await insertRows(this.client, { table, rows: encoded.header, settings: OBJECTS_AS_STRINGS });
  }
}
