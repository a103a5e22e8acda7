import { closeSync, mkdirSync, openSync, readdirSync, writeSync } from 'node:fs';
import { open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { InfrastructureError } from '../../src/runtime/errors.ts';
import { utf8Lines } from '../../src/runtime/jsonUtf8.ts';
import type { Logger } from '../../src/runtime/log.ts';
import { entryStateJson, type EntryState, type IncrementalSnapshot, type SnapshotEntry, type SnapshotHeader } from './incrementalSnapshot.ts';
import type { StoredPartition } from './runtimePartition.ts';
import { DEFAULT_READ_BUFFER_BYTES, foldSegments, readRows, SnapshotSegmentError, type Folded, type ReadBuffer } from './segmentFold.ts';
import { entryKeyOf, HEADER_KEY, parseEntryKey, type FrozenSnapshot, type SnapshotKey, type SnapshotStore } from './snapshotStore.ts';

/** The data dir's subdirectory detect's 'files' snapshot store writes to. */
export const DETECT_STATE_DIR = 'detect-state';

/** A snapshot as the lines it appends: `key TAB version TAB deleted TAB state-JSON`, entries first, the header last. */
export interface FileFrozenSnapshot extends FrozenSnapshot {
  dir: string;
  bytes: Buffer;
}

export interface FileSnapshotStoreOptions {
  /** A segment takes appends until it holds this many bytes (default 64 MiB). */
  segmentBytes?: number;
  /** A partition is compacted once this many bytes were appended since its last compaction, and at least as many as that kept (default 256 MiB). */
  compactAfterBytes?: number;
  /** Reads go through a buffer of this many bytes, grown for a longer line (default 8 MiB); a compaction's output through half that. */
  readBufferBytes?: number;
  logger?: Logger;
}

/** One partition's files as this store writes them. */
interface PartitionFiles {
  dir: string;
  /** The segment appends go to, opened on the first write after a roll. */
  active: { fd: number; bytes: number } | null;
  /** Sequence of this store's first segment in the directory: older segments of other writers are this store's to compact. */
  firstSeq: number | null;
  appendedSinceCompaction: number;
  keptByLastCompaction: number;
  compacting: boolean;
}

const SEGMENT = /^(\d{16})-[0-9a-f]+(~c)?\.seg$/;
const TEMPORARY = /^\d{16}-[0-9a-f]+~c\.seg\.tmp$/;
/**
 * A compaction's temporary file untouched for this long was left by a writer that died mid-compaction (a live
 * one writes it every 4 MiB); the next compaction deletes it. Younger ones may be another writer's in progress.
 */
const STALE_TEMPORARY_MS = 10 * 60_000;

/**
 * Detector snapshots as append-only segment files, one directory per leg partition (see SnapshotStore for
 * the contract). A snapshot is one append: its entry lines, then its header line. Reads fold the segments in
 * name order, keeping each key's line of the highest version (the later on a tie), like the ClickHouse table's
 * ReplacingMergeTree; a torn last line (a crash mid-append) is ignored, as a ClickHouse insert that never
 * landed would be. Compaction does the merge: once a partition has appended as much again as its last
 * compaction kept, its older segments are folded into one and deleted, so the files hold at most about
 * twice the live rows and each byte is rewritten about once.
 *
 * Appends are not fsynced: ClickHouse does not fsync inserts by default either, and the embedded Kafka these
 * snapshots commit against lives in memory. Segment names carry a sequence (increasing within the directory)
 * and the writer's ID, so a former owner still finishing a write after a rebalance appends to its own
 * segment; its rows are then newer rows the restore already copes with (PartitionProcessor.restore), or
 * lost with a segment the new owner compacted, which a restore copes with too.
 */
export class FileSnapshotStore implements SnapshotStore<FileFrozenSnapshot> {
  private readonly writerId = randomBytes(4).toString('hex');
  private readonly partitions = new Map<string, PartitionFiles>();
  private readonly segmentBytes: number;
  private readonly compactAfterBytes: number;
  private readonly readBufferBytes: number;
  /** One compaction at a time per store: they share its buffers. */
  private compactions: Promise<void> = Promise.resolve();
  /** Allocated by the first compaction and kept, so later ones read and write through pages already mapped. */
  private compactionBuffers: { reads: ReadBuffer; writes: Buffer } | null = null;
  /** Set by close(): compactions give up (their inputs stay; nothing is lost) rather than hold a stopping pipeline. */
  private closing = false;

  constructor(
    private readonly root: string,
    private readonly opts: FileSnapshotStoreOptions = {},
  ) {
    this.segmentBytes = opts.segmentBytes ?? 64 * 1024 * 1024;
    this.compactAfterBytes = opts.compactAfterBytes ?? 256 * 1024 * 1024;
    this.readBufferBytes = opts.readBufferBytes ?? DEFAULT_READ_BUFFER_BYTES;
  }

  /** The directory of `key`'s partition. Each part is percent-encoded, dots included, so none can climb out of the root. */
  dirOf(key: SnapshotKey): string {
    const part = (s: string) => (s === '' ? '%' : encodeURIComponent(s).replaceAll('.', '%2E'));
    return path.join(this.root, part(key.groupId), part(key.clusterId), part(key.topic), String(key.partition));
  }

  freeze(snapshot: IncrementalSnapshot, key: SnapshotKey, _takenAtMs: number): FileFrozenSnapshot {
    const version = String(snapshot.nextOffset);
    const { entries } = snapshot;
    // JSON text holds no raw tab or newline, and keys are tax IDs and slots: a line is always whole and split right.
    const bytes = utf8Lines(entries.length + 1, (i) => {
      const e = entries[i];
      if (e === undefined) return [`${HEADER_KEY}\t${version}\t0\t`, JSON.stringify(snapshot.header)];
      return e.state === null ? [`${entryKeyOf(e)}\t${version}\t1\t`] : [`${entryKeyOf(e)}\t${version}\t0\t`, entryStateJson(e.state)];
    });
    return { nextOffset: version, taxIds: entries.map((e) => e.taxId), dir: this.dirOf(key), bytes, byteLength: bytes.length };
  }

  /**
   * Appends synchronously: a few MB into the page cache take milliseconds, while every asynchronous step
   * would wait for the consumer's thread to finish the batch it is on.
   */
  async write(frozen: FileFrozenSnapshot): Promise<void> {
    const files = this.filesOf(frozen.dir);
    try {
      if (files.active === null) files.active = this.openSegment(files);
      let at = 0;
      while (at < frozen.bytes.length) at += writeSync(files.active.fd, frozen.bytes, at);
      files.active.bytes += frozen.bytes.length;
      files.appendedSinceCompaction += frozen.bytes.length;
    } catch (error) {
      // A partial append ends the segment: the next write must not glue its first line onto a torn one.
      this.closeActive(files);
      throw new InfrastructureError(`could not append a detector snapshot to ${frozen.dir}: ${(error as Error).message}`, { code: 'SNAPSHOT_FILE_WRITE', cause: error });
    }
    if (files.active.bytes >= this.segmentBytes) this.closeActive(files);
    this.maybeCompact(files);
  }

  async load(key: SnapshotKey): Promise<StoredPartition> {
    const dir = this.dirOf(key);
    // A segment listed and then deleted was compacted by another writer meanwhile: list again.
    for (let attempt = 1; ; attempt++) {
      try {
        // A buffer of its own: a compaction may be using the store's.
        const buffer = { bytes: Buffer.allocUnsafe(this.readBufferBytes) };
        return await storedPartition(await foldSegments(dir, await listSegments(dir), buffer), buffer);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 5) throw loadError(dir, error);
      }
    }
  }

  /**
   * Closes the open segments and abandons compactions: a compaction of a large partition reads hundreds of MB
   * and can take seconds, which a stop should not wait for. A later write opens a new segment.
   */
  async close(): Promise<void> {
    this.closing = true;
    for (const files of this.partitions.values()) this.closeActive(files);
    await this.compactions;
    this.closing = false;
  }

  /** Resolves once the compactions started so far have finished. */
  async idle(): Promise<void> {
    await this.compactions;
  }

  private filesOf(dir: string): PartitionFiles {
    let files = this.partitions.get(dir);
    if (files === undefined) {
      files = { dir, active: null, firstSeq: null, appendedSinceCompaction: 0, keptByLastCompaction: 0, compacting: false };
      this.partitions.set(dir, files);
    }
    return files;
  }

  private openSegment(files: PartitionFiles): { fd: number; bytes: number } {
    mkdirSync(files.dir, { recursive: true });
    const newest = readdirSync(files.dir).reduce((max, name) => Math.max(max, Number(SEGMENT.exec(name)?.[1] ?? 0)), 0);
    // Increasing within the directory whatever the clock does, and readable as a time when it behaves.
    const seq = Math.max(newest + 1, Date.now());
    files.firstSeq ??= seq;
    const name = `${String(seq).padStart(16, '0')}-${this.writerId}.seg`;
    return { fd: openSync(path.join(files.dir, name), 'a'), bytes: 0 };
  }

  private closeActive(files: PartitionFiles): void {
    if (files.active === null) return;
    try {
      closeSync(files.active.fd);
    } catch {
      // Closing a descriptor fails only for a bad descriptor; the segment is done with either way.
    }
    files.active = null;
  }

  private maybeCompact(files: PartitionFiles): void {
    if (this.closing || files.compacting || files.appendedSinceCompaction < Math.max(this.compactAfterBytes, files.keptByLastCompaction)) return;
    this.closeActive(files);
    // The inputs are fixed now, before any later write opens a segment: this store's own and other writers' older ones.
    const mine = `-${this.writerId}`;
    const names = readdirSync(files.dir);
    const inputs = names
      .filter((name) => {
        const m = SEGMENT.exec(name);
        return m !== null && (name.includes(mine) || Number(m[1]) < (files.firstSeq ?? 0));
      })
      .sort();
    const temporaries = names.filter((name) => TEMPORARY.test(name));
    files.appendedSinceCompaction = 0;
    if (inputs.length < 2) return;
    files.compacting = true;
    this.compactions = this.compactions
      .then(async () => {
        const deleted = await deleteStale(files.dir, temporaries, Date.now() - STALE_TEMPORARY_MS);
        if (deleted.length > 0) this.opts.logger?.info('deleted the temporary files of interrupted compactions', { dir: files.dir, files: deleted });
        await this.compact(files, inputs);
      })
      .catch((error: unknown) => {
        if (!(error instanceof CompactionAbandoned)) this.opts.logger?.warn('compacting detector snapshot segments failed; they stay as they are', { dir: files.dir, error });
      })
      .finally(() => {
        files.compacting = false;
      });
  }

  /** Folds `inputs` into one segment named to sort right after the newest of them, then deletes them. */
  private async compact(files: PartitionFiles, inputs: readonly string[]): Promise<void> {
    const abandonIfClosing = () => {
      if (this.closing) throw new CompactionAbandoned();
    };
    this.compactionBuffers ??= { reads: { bytes: Buffer.allocUnsafe(this.readBufferBytes) }, writes: Buffer.allocUnsafe(Math.max(1, this.readBufferBytes >> 1)) };
    const { reads, writes } = this.compactionBuffers;
    const folded = await foldSegments(files.dir, inputs, reads, abandonIfClosing);
    const target = inputs.at(-1)!.replace(/(~c)?\.seg$/, '~c.seg');
    const temporary = path.join(files.dir, `${target}.tmp`);
    const handle = await open(temporary, 'w');
    let kept = 0;
    let used = 0;
    try {
      await readRows(folded, reads, async (_key, row, bytes, start) => {
        const length = row.end - row.start;
        if (used + length > writes.length) {
          await writeFully(handle, writes, used);
          used = 0;
          abandonIfClosing();
        }
        // A line longer than the write buffer goes out on its own.
        if (length > writes.length) await writeFully(handle, bytes.subarray(start, start + length), length);
        else used += bytes.copy(writes, used, start, start + length);
        kept += length;
      });
      await writeFully(handle, writes, used);
    } catch (error) {
      await handle.close();
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
    await handle.close();
    await rename(temporary, path.join(files.dir, target));
    for (const name of inputs) if (name !== target) await unlink(path.join(files.dir, name)).catch(() => undefined);
    files.keptByLastCompaction = kept;
  }
}

/** Deletes those of `names` last modified before `before`, and returns them (a file already gone was another writer's, and is done). */
async function deleteStale(dir: string, names: readonly string[], before: number): Promise<string[]> {
  const deleted: string[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const modified = await stat(file).then((s) => s.mtimeMs, () => null);
    if (modified !== null && modified < before && (await unlink(file).then(() => true, () => false))) deleted.push(name);
  }
  return deleted;
}

async function listSegments(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => SEGMENT.test(name)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function storedPartition(folded: Folded, buffer: ReadBuffer): Promise<StoredPartition> {
  let header: StoredPartition['header'] = null;
  const entries: SnapshotEntry[] = [];
  await readRows(folded, buffer, (key, row, bytes, start) => {
    // The JSON ends before the newline.
    const text = () => bytes.toString('utf8', start + row.stateAt, start + (row.end - row.start) - 1);
    if (key === HEADER_KEY) header = { nextOffset: row.version, header: JSON.parse(text()) as SnapshotHeader };
    else entries.push({ ...parseEntryKey(key), coversOffset: row.version, state: row.deleted ? null : (JSON.parse(text()) as EntryState) });
  });
  return { header, full: null, entries };
}

/** Writes `length` bytes of `bytes` at the file's position. */
async function writeFully(handle: FileHandle, bytes: Buffer, length: number): Promise<void> {
  let at = 0;
  while (at < length) at += (await handle.write(bytes, at, length - at)).bytesWritten;
}

/** A compaction given up because the store closes. */
class CompactionAbandoned extends Error {}

function loadError(dir: string, error: unknown): Error {
  if (error instanceof SnapshotSegmentError || error instanceof SyntaxError) return error;
  return new InfrastructureError(`could not read detector snapshots in ${dir}: ${(error as Error).message}`, { code: 'SNAPSHOT_FILE_READ', cause: error });
}
