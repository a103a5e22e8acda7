import type { IncrementalSnapshot } from './incrementalSnapshot.ts';
import type { StoredPartition } from './runtimePartition.ts';

/** Which leg partition of which consumer group a snapshot belongs to. */
export interface SnapshotKey {
  groupId: string;
  clusterId: string;
  topic: string;
  partition: number;
}

/** A snapshot frozen into the bytes its store writes: a retry writes the same bytes, and the live state may move on. */
export interface FrozenSnapshot {
  nextOffset: string;
  /** Tax IDs of its entries, for PartitionProcessor.forceBase when the write fails. */
  taxIds: string[];
  /** Bytes the store writes for it (its insert bodies, or its lines). */
  byteLength: number;
}

/**
 * Where detect keeps each leg partition's state (see incrementalSnapshot.ts for what a snapshot holds). A
 * store keeps, per row key (the header, an enterprise's base, an enterprise's log slot), the row of the highest
 * version written, the later write on a tie, whatever order writes land in: a restore relies on exactly that.
 *
 * The kinds (DetectSnapshotStore, YUNLIAN_DETECT_SNAPSHOTS):
 * - 'clickhouse' (ClickHouseSnapshotStore): any process of the group, on any host, can take a partition over.
 * - 'files' (FileSnapshotStore): segment files under the data dir, for the embedded stack, where every detect
 *   thread runs in one process on one machine; chDB then neither parses the rows nor merges them.
 */
export interface SnapshotStore<F extends FrozenSnapshot = FrozenSnapshot> {
  /** Encodes `snapshot` synchronously, on the consumer's thread, so it is frozen at its offset. */
  freeze(snapshot: IncrementalSnapshot, key: SnapshotKey, takenAtMs: number): F;
  /** Writes the entries, then the header; a failure may leave entries without their header (a restore copes). */
  write(frozen: F): Promise<void>;
  load(key: SnapshotKey): Promise<StoredPartition>;
  /** Releases files and timers (the pipeline stops). */
  close(): Promise<void>;
}

/** The key of the header row; an enterprise's base row is keyed by its tax ID, its log rows by tax ID # slot. */
export const HEADER_KEY = '';
/** Not in the USCC alphabet, so no tax ID contains it. */
const SLOT_SEPARATOR = '#';

export function entryKeyOf(entry: { taxId: string; slot: number | null }): string {
  return entry.slot === null ? entry.taxId : `${entry.taxId}${SLOT_SEPARATOR}${entry.slot}`;
}

export function parseEntryKey(key: string): { taxId: string; slot: number | null } {
  const at = key.indexOf(SLOT_SEPARATOR);
  return at < 0 ? { taxId: key, slot: null } : { taxId: key.slice(0, at), slot: Number(key.slice(at + 1)) };
}

