import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IncrementalSnapshot, SnapshotEntry } from '../../pipelines/detect/incrementalSnapshot.ts';
import { FileSnapshotStore } from '../../pipelines/detect/fileSnapshotStore.ts';
import { foldSegments, readRows, SnapshotSegmentError } from '../../pipelines/detect/segmentFold.ts';
import { entryKeyOf, type SnapshotKey } from '../../pipelines/detect/snapshotStore.ts';
import type { StoredPartition } from '../../pipelines/detect/runtimePartition.ts';
import { scenarioSnapshots } from '../helpers/snapshotScenario.ts';

/** Detector snapshots in segment files (the embedded stack's store): what a load returns, torn appends, compaction. */
let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'yunlian-filestore-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const key = (partition: number, groupId = 'yunlian-detect'): SnapshotKey => ({ groupId, clusterId: 'file-test', topic: 'yunlian.invoice-legs', partition });
const segments = (store: FileSnapshotStore, k: SnapshotKey) => readdirSync(store.dirOf(k)).filter((n) => n.endsWith('.seg'));
const sorted = (entries: readonly SnapshotEntry[]) => [...entries].sort((a, b) => (entryKeyOf(a) < entryKeyOf(b) ? -1 : 1));

/** What a store that keeps the newest version of every key must return after `taken` was written in order. */
function expected(taken: readonly IncrementalSnapshot[]): StoredPartition {
  const newest = new Map<string, SnapshotEntry>();
  for (const s of taken) for (const e of s.entries) if ((newest.get(entryKeyOf(e))?.coversOffset ?? -1) <= e.coversOffset) newest.set(entryKeyOf(e), e);
  const last = taken.reduce((a, b) => (b.nextOffset >= a.nextOffset ? b : a));
  return { header: { nextOffset: last.nextOffset, header: last.header }, full: null, entries: sorted([...newest.values()]) };
}

async function writeAll(store: FileSnapshotStore, k: SnapshotKey, taken: readonly IncrementalSnapshot[]): Promise<void> {
  for (const s of taken) await store.write(store.freeze(s, k, 0));
}

/**
 * `rounds` rounds of `taken` into both stores, each round's offsets 1000 past the last's (the same keys, newer
 * versions), waiting for `store`'s compaction after each (a store compacts one partition at a time, skipping while one runs).
 */
async function writeRounds(store: FileSnapshotStore, plain: FileSnapshotStore, k: SnapshotKey, taken: readonly IncrementalSnapshot[], rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    const shifted = taken.map((s) => ({ ...s, nextOffset: s.nextOffset + round * 1000, entries: s.entries.map((e) => ({ ...e, coversOffset: e.coversOffset + round * 1000 })) }));
    await writeAll(store, k, shifted);
    await writeAll(plain, k, shifted);
    await store.idle();
  }
}

describe('detector snapshots in segment files', () => {
  it('loads back the header and the newest row of every key, Chinese names and tombstones included', async () => {
    const store = new FileSnapshotStore(root);
    const taken = scenarioSnapshots();
    expect(taken[1]!.entries.some((e) => e.slot !== null)).toBe(true);
    await writeAll(store, key(1), taken);
    const loaded = await store.load(key(1));
    expect({ ...loaded, entries: sorted(loaded.entries) }).toEqual(expected(taken));
    expect(loaded.entries.some((e) => e.state === null)).toBe(true);
    expect(JSON.stringify(loaded.entries)).toContain('嘉善');
    // Another partition and a new store over the same files: partitions are apart, and nothing lives only in memory.
    expect(await new FileSnapshotStore(root).load(key(2))).toEqual({ header: null, full: null, entries: [] });
    const again = await new FileSnapshotStore(root).load(key(1));
    expect(sorted(again.entries)).toEqual(expected(taken).entries);
    await store.close();
  });

  it('keeps the higher version whatever order the writes land in, and the later write on a tie', async () => {
    const store = new FileSnapshotStore(root);
    const [first, second] = scenarioSnapshots();
    await writeAll(store, key(1), [second!, first!]);
    const loaded = await store.load(key(1));
    expect(loaded.header!.nextOffset).toBe(second!.nextOffset);
    expect(sorted(loaded.entries)).toEqual(expected([first!, second!]).entries);
    // Same version, different state: the row written last wins, as in the ClickHouse table.
    const retold = { ...second!, entries: second!.entries.map((e) => ({ ...e, state: null })) };
    await store.write(store.freeze(retold, key(1), 0));
    expect((await store.load(key(1))).entries.filter((e) => second!.entries.some((s) => entryKeyOf(s) === entryKeyOf(e))).every((e) => e.state === null)).toBe(true);
  });

  it('ignores a torn append at the end of a segment, and the next write goes to a whole line', async () => {
    const store = new FileSnapshotStore(root);
    const [first, second, third] = scenarioSnapshots();
    await writeAll(store, key(1), [first!]);
    const torn = store.freeze(second!, key(1), 0).bytes;
    const segment = path.join(store.dirOf(key(1)), segments(store, key(1))[0]!);
    // Cut inside the append's first line: none of its rows is whole.
    appendFileSync(segment, torn.subarray(0, Math.floor(torn.indexOf(0x0a) / 2)));
    const loaded = await new FileSnapshotStore(root).load(key(1));
    expect(loaded.header!.nextOffset).toBe(first!.nextOffset);
    expect(sorted(loaded.entries)).toEqual(expected([first!]).entries);
    // A new writer appends to its own segment, so the torn line never runs into its rows.
    const writer = new FileSnapshotStore(root);
    await writeAll(writer, key(1), [third!]);
    expect((await writer.load(key(1))).header!.nextOffset).toBe(third!.nextOffset);
  });

  it('compacts older segments into one that loads the same, so the files stay about the live rows', async () => {
    const taken = scenarioSnapshots();
    // Tiny segments and compactions: every write rolls a segment, every second one compacts.
    const store = new FileSnapshotStore(root, { segmentBytes: 1, compactAfterBytes: 1 });
    const plain = new FileSnapshotStore(path.join(root, 'plain'));
    await writeRounds(store, plain, key(3), taken, 6);
    await store.close();
    const bytes = (s: FileSnapshotStore) => segments(s, key(3)).reduce((sum, n) => sum + statSync(path.join(s.dirOf(key(3)), n)).size, 0);
    expect(segments(store, key(3)).some((n) => n.includes('~c'))).toBe(true);
    expect(segments(plain, key(3)).length).toBe(1);
    // Six rounds of the same keys: the plain store holds all six, the compacted one the newest and what came after its last compaction.
    expect(bytes(store)).toBeLessThan(bytes(plain) / 2);
    const compacted = await store.load(key(3));
    const reference = await plain.load(key(3));
    expect({ ...compacted, entries: sorted(compacted.entries) }).toEqual({ ...reference, entries: sorted(reference.entries) });
  });

  it('reads and compacts through a buffer shorter than its lines, a torn append at the end included', async () => {
    const taken = scenarioSnapshots();
    // 40 bytes: every read ends inside a line, and most lines outgrow the buffer.
    const store = new FileSnapshotStore(root, { segmentBytes: 1, compactAfterBytes: 1, readBufferBytes: 40 });
    const plain = new FileSnapshotStore(path.join(root, 'plain'));
    await writeRounds(store, plain, key(6), taken, 3);
    await store.close();
    expect(segments(store, key(6)).some((n) => n.includes('~c'))).toBe(true);
    const newest = segments(store, key(6)).sort().at(-1)!;
    appendFileSync(path.join(store.dirOf(key(6)), newest), 'a torn\tappend');
    const reader = new FileSnapshotStore(root, { readBufferBytes: 40 });
    const compacted = await reader.load(key(6));
    const reference = await plain.load(key(6));
    expect(reference.entries.length).toBeGreaterThan(2);
    expect({ ...compacted, entries: sorted(compacted.entries) }).toEqual({ ...reference, entries: sorted(reference.entries) });
  });

  it('reads a fold\'s winning lines back through a buffer shorter than they are', async () => {
    mkdirSync(path.join(root, 'fold'));
    writeFileSync(path.join(root, 'fold', 'a.seg'), 'k1\t1\t0\t"first of k1"\nk2\t5\t0\t"k2, version five, the longest line"\nk1\t3\t0\t"k1 again"\n');
    writeFileSync(path.join(root, 'fold', 'b.seg'), 'k2\t4\t0\t"older"\nk3\t1\t1\t\nk1\t3\t0\t"k1 tie, later"\ntorn');
    const folded = await foldSegments(path.join(root, 'fold'), ['a.seg', 'b.seg'], { bytes: Buffer.alloc(64) });
    const read: string[] = [];
    // A fresh 4-byte buffer: readRows itself must grow it for each longer line.
    await readRows(folded, { bytes: Buffer.alloc(4) }, (k, row, bytes, start) => {
      read.push(`${k}=${row.version}${row.deleted ? 'x' : ''}:${bytes.toString('utf8', start + row.stateAt, start + (row.end - row.start) - 1)}`);
    });
    expect(read).toEqual(['k2=5:"k2, version five, the longest line"', 'k3=1x:', 'k1=3:"k1 tie, later"']);
  });

  it('gives up a compaction when it closes, leaving the segments whole and no temporary file', async () => {
    const store = new FileSnapshotStore(root, { segmentBytes: 1, compactAfterBytes: 1 });
    const taken = scenarioSnapshots();
    await writeAll(store, key(4), taken);
    // The third write started a compaction of the first two segments; closing now abandons it.
    await store.close();
    expect(readdirSync(store.dirOf(key(4))).filter((n) => n.endsWith('.tmp') || n.includes('~c'))).toEqual([]);
    expect(segments(store, key(4)).length).toBe(taken.length);
    const loaded = await store.load(key(4));
    expect({ ...loaded, entries: sorted(loaded.entries) }).toEqual(expected(taken));
  });

  it('deletes the temporary file of a compaction interrupted long ago, and leaves a recent one (another writer may be on it)', async () => {
    const store = new FileSnapshotStore(root, { segmentBytes: 1, compactAfterBytes: 1 });
    const dir = store.dirOf(key(5));
    mkdirSync(dir, { recursive: true });
    const stale = '0000000000000001-dead0001~c.seg.tmp';
    const recent = '0000000000000002-dead0002~c.seg.tmp';
    for (const name of [stale, recent]) writeFileSync(path.join(dir, name), 'half a compaction');
    const anHourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(path.join(dir, stale), anHourAgo, anHourAgo);
    await writeAll(store, key(5), scenarioSnapshots());
    await store.idle();
    const left = readdirSync(dir);
    expect(left.some((n) => n.includes('~c.seg') && !n.endsWith('.tmp'))).toBe(true);
    expect(left.filter((n) => n.endsWith('.tmp'))).toEqual([recent]);
    await store.close();
  });

  it('refuses a malformed line with the file and what to do, and keeps every directory under its root', async () => {
    const store = new FileSnapshotStore(root);
    await writeAll(store, key(1), scenarioSnapshots().slice(0, 1));
    appendFileSync(path.join(store.dirOf(key(1)), segments(store, key(1))[0]!), 'not a row\n');
    await expect(new FileSnapshotStore(root).load(key(1))).rejects.toThrow(SnapshotSegmentError);
    await expect(new FileSnapshotStore(root).load(key(1))).rejects.toThrow(/malformed line at byte \d+; move the partition's directory away/);
    for (const groupId of ['..', '../..', '.', 'a/../../b', '']) expect(path.relative(root, store.dirOf(key(0, groupId))).startsWith('..')).toBe(false);
  });
});
