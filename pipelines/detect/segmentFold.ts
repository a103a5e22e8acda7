import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/**
 * Reading snapshot segments (see FileSnapshotStore) through one reused buffer, in two passes: the fold finds
 * each key's winning line, and readRows then reads only those lines back. A partition's segments run to
 * hundreds of MB; reading them whole into fresh buffers cost more in page faults than in parsing on the VMs
 * this was measured on (about 12 µs a fresh 4 KiB page: a 400 MB segment ~1.2 s before its first byte is
 * looked at), and held them all in memory until the compaction was written. Through a buffer kept between
 * compactions, a read touches pages already mapped, and a fold holds only its keys.
 */

/** A key's winning line: which input and where in it, and what the fold compares. */
export interface RowRef {
  version: number;
  deleted: boolean;
  input: number;
  /** Byte range of the whole line in its input (newline included). */
  start: number;
  end: number;
  /** Where its state JSON starts, counted from the line's start. */
  stateAt: number;
}

/** A fold's result: the winners by key, over `files` (the `input` of a RowRef indexes them). */
export interface Folded {
  files: readonly string[];
  winners: Map<string, RowRef>;
}

/** A buffer a store lends its reads, grown when a line does not fit, kept so the next read touches mapped pages. */
export interface ReadBuffer {
  bytes: Buffer;
}

export const DEFAULT_READ_BUFFER_BYTES = 8 * 1024 * 1024;
const TAB = 9;
const NEWLINE = 10;

/** A whole line that is not a row: the files were changed by something else than this store. */
export class SnapshotSegmentError extends Error {
  constructor(file: string, offset: number) {
    super(`detector snapshot segment ${file} holds a malformed line at byte ${offset}; move the partition's directory away to rebuild its state from the legs topic`);
    this.name = 'SnapshotSegmentError';
  }
}

/**
 * Each key's winning line over `names` (in `dir`), read in order: the highest version, the later line on a
 * tie. Bytes after a segment's last newline are a torn append, never a whole row. `afterRead` runs after
 * each buffer read and may throw to give up.
 */
export async function foldSegments(dir: string, names: readonly string[], buffer: ReadBuffer, afterRead?: () => void): Promise<Folded> {
  const files = names.map((name) => path.join(dir, name));
  const winners = new Map<string, RowRef>();
  for (let input = 0; input < files.length; input++) {
    const file = files[input]!;
    await scanLines(file, buffer, afterRead, (bytes, start, end, fileStart) => {
      const row = parseLine(bytes, start, end, input, fileStart);
      if (row === null) throw new SnapshotSegmentError(file, fileStart + start);
      const key = bytes.toString('utf8', start, row.keyEnd);
      const held = winners.get(key);
      if (held === undefined || row.ref.version >= held.version) winners.set(key, row.ref);
    });
  }
  return { files, winners };
}

/**
 * Calls `onRow` with every winner's line (`bytes` from `start` to `end`, newline included), in file order:
 * input by input, by offset. The bytes are the buffer's, good until `onRow` returns or its promise settles.
 */
export async function readRows(folded: Folded, buffer: ReadBuffer, onRow: (key: string, row: RowRef, bytes: Buffer, start: number) => void | Promise<void>): Promise<void> {
  const byInput: [string, RowRef][][] = folded.files.map(() => []);
  for (const winner of folded.winners) byInput[winner[1].input]!.push(winner);
  for (let input = 0; input < byInput.length; input++) {
    const rows = byInput[input]!.sort((a, b) => a[1].start - b[1].start);
    if (rows.length === 0) continue;
    const handle = await open(folded.files[input]!, 'r');
    try {
      // The file bytes the buffer holds: [from, to).
      let from = 0;
      let to = 0;
      for (const [key, row] of rows) {
        if (row.start < from || row.end > to) {
          if (row.end - row.start > buffer.bytes.length) buffer.bytes = Buffer.allocUnsafe(row.end - row.start);
          from = row.start;
          to = from + (await readFully(handle, buffer.bytes, from));
          if (row.end > to) throw new Error(`detector snapshot segment ${folded.files[input]} ends before byte ${row.end}: it changed while it was read`);
        }
        await onRow(key, row, buffer.bytes, row.start - from);
      }
    } finally {
      await handle.close();
    }
  }
}

/** Calls `onLine` with every whole line of `file`: `bytes` from `start` to `end` (newline included) sits at `fileStart + start` of the file. */
async function scanLines(
  file: string,
  buffer: ReadBuffer,
  afterRead: (() => void) | undefined,
  onLine: (bytes: Buffer, start: number, end: number, fileStart: number) => void,
): Promise<void> {
  const handle = await open(file, 'r');
  try {
    let fileStart = 0;
    let held = 0;
    for (;;) {
      if (held === buffer.bytes.length) {
        // A line longer than the buffer: double it, keeping the part read.
        const grown = Buffer.allocUnsafe(buffer.bytes.length * 2);
        buffer.bytes.copy(grown, 0, 0, held);
        buffer.bytes = grown;
      }
      const { bytesRead } = await handle.read(buffer.bytes, held, buffer.bytes.length - held, fileStart + held);
      afterRead?.();
      if (bytesRead === 0) return;
      const bytes = buffer.bytes;
      const filled = held + bytesRead;
      let start = 0;
      for (;;) {
        const newline = bytes.indexOf(NEWLINE, start);
        if (newline < 0 || newline >= filled) break;
        onLine(bytes, start, newline + 1, fileStart);
        start = newline + 1;
      }
      bytes.copy(bytes, 0, start, filled);
      fileStart += start;
      held = filled - start;
    }
  } finally {
    await handle.close();
  }
}

/** Reads from `position` until `into` is full or the file ends; returns the bytes read. */
async function readFully(handle: FileHandle, into: Buffer, position: number): Promise<number> {
  let got = 0;
  while (got < into.length) {
    const { bytesRead } = await handle.read(into, got, into.length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

function parseLine(bytes: Buffer, start: number, end: number, input: number, fileStart: number): { ref: RowRef; keyEnd: number } | null {
  const t1 = bytes.indexOf(TAB, start);
  const t2 = t1 < 0 || t1 >= end ? -1 : bytes.indexOf(TAB, t1 + 1);
  const t3 = t2 < 0 || t2 >= end ? -1 : bytes.indexOf(TAB, t2 + 1);
  if (t3 < 0 || t3 >= end || t2 === t1 + 1 || t3 !== t2 + 2) return null;
  let version = 0;
  for (let i = t1 + 1; i < t2; i++) {
    const digit = bytes[i]! - 48;
    if (digit < 0 || digit > 9) return null;
    version = version * 10 + digit;
  }
  const deleted = bytes[t2 + 1];
  if (deleted !== 48 && deleted !== 49) return null;
  return { ref: { version, deleted: deleted === 49, input, start: fileStart + start, end: fileStart + end, stateAt: t3 + 1 - start }, keyEnd: t1 };
}
