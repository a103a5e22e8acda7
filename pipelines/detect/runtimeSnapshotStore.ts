import { promisify } from 'node:util';
import { gunzipSync, gzip } from 'node:zlib';
import type { ClickHouseClient } from '@clickhouse/client';
import { insertRows, isoInstant } from '../../sinks/clickhouse/insertRows.ts';
import { toClickHouseFailure } from '../../sinks/clickhouse/clickhouseErrors.ts';
import { jsonUtf8 } from '../../src/runtime/jsonUtf8.ts';
import type { SerializedPartition } from './runtimePartition.ts';

const gzipAsync = promisify(gzip);

export interface PartitionSnapshot {
  nextOffset: string;
  state: SerializedPartition;
}

/** A snapshot frozen as JSON text (UTF-8), ready to be written (and rewritten on a retry) without touching the live state. */
export interface EncodedSnapshot {
  nextOffset: string;
  json: Buffer;
}

export interface SnapshotKey {
  groupId: string;
  clusterId: string;
  topic: string;
  partition: number;
}

/**
 * Detector state per leg partition, stored in ClickHouse so any process of
 * the consumer group (embedded or on another host) can take a partition over
 * after a rebalance or crash. The embedded Kafka keeps only the newest 5 MiB
 * per partition, so state cannot be rebuilt from a changelog topic there.
 * A snapshot is written before the offsets it covers are committed.
 */
export class SnapshotStore {
  constructor(private readonly client: ClickHouseClient) {}

  async load(key: SnapshotKey): Promise<PartitionSnapshot | null> {
    try {
      const rs = await this.client.query({
        query: `SELECT toString(next_offset) AS next_offset, state FROM yunlian.detect_snapshots FINAL
                WHERE group_id = {g:String} AND cluster_id = {c:String} AND topic = {t:String} AND partition = {p:UInt16}`,
        query_params: { g: key.groupId, c: key.clusterId, t: key.topic, p: key.partition },
        format: 'JSONEachRow',
      });
      const rows = await rs.json<{ next_offset: string; state: string }>();
      const row = rows[0];
      if (!row) return null;
      const state = JSON.parse(gunzipSync(Buffer.from(row.state, 'base64')).toString('utf8')) as SerializedPartition;
      return { nextOffset: row.next_offset, state };
    } catch (error) {
      throw toClickHouseFailure(error, { operation: 'load snapshot', ...key });
    }
  }

  /**
   * Freezes a snapshot into its stored text, synchronously: the processor's
   * serialised form may share arrays with the live state, so a snapshot
   * written (or retried) later must be encoded before the state moves on.
   */
  encode(snapshot: PartitionSnapshot): EncodedSnapshot {
    // Straight to UTF-8 (jsonUtf8): gzip would otherwise convert the state's one large two-byte string in one call.
    return { nextOffset: snapshot.nextOffset, json: jsonUtf8(snapshot.state) };
  }

  /** Writes an encoded snapshot; the newest next_offset of a partition wins, whatever the order of writes. */
  async write(key: SnapshotKey, encoded: EncodedSnapshot, takenAtMs: number): Promise<void> {
    // Level 1: snapshots are taken every few seconds; the default level 6 costs several times the CPU for a
    // few percent less size. Compressed on libuv's thread pool, off the consumer's thread.
    const state = (await gzipAsync(encoded.json, { level: 1 })).toString('base64');
    await insertRows(this.client, {
      table: 'yunlian.detect_snapshots',
      rows: [{ group_id: key.groupId, cluster_id: key.clusterId, topic: key.topic, partition: key.partition, next_offset: encoded.nextOffset, taken_at: isoInstant(takenAtMs), state }],
    });
  }
}
