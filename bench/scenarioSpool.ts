import { closeSync, openSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { DISTRICTS, invoiceTopic, type District } from '../src/domain/district.ts';
import { YunlianError } from '../src/runtime/errors.ts';
import type { FeedRecord } from './benchScenario.ts';

/**
 * Encoded scenario records on disk, so a 10M-event replay (≈ 8 GB as
 * in-memory `FeedRecord`s) is generated before the clock starts and then
 * streamed in bounded memory.
 *
 * Frame: u32 LE length of the rest, u8 feed index (DISTRICTS), f64 LE eventMs,
 * u32 LE key byte length, key (UTF-8), value (the rest).
 */
const HEADER_BYTES = 4;
const FIXED_BYTES = 1 + 8 + 4;
const WRITE_BUFFER_BYTES = 4 * 1024 * 1024;
const READ_BUFFER_BYTES = 8 * 1024 * 1024;

/** Records to produce, read a chunk at a time (the producer never holds more than one chunk). */
export interface FeedRecordSource {
  events: number;
  chunks(size: number): AsyncIterable<readonly FeedRecord[]>;
}

export interface ScenarioSpool extends FeedRecordSource {
  path: string;
  /** Newest eventMs over all records; -Infinity when empty. */
  newestEventMs: number;
}

export interface SpoolWriter {
  append(record: FeedRecord): void;
  /** Flushes and closes the file; the writer must not be used after. */
  finish(): ScenarioSpool;
}

/** The bench's spool files are plain data, not a contract: a malformed one is a bug or a disk fault, never skipped. */
export class SpoolFormatError extends YunlianError {
  constructor(message: string, context: { path: string; fileOffset?: number }) {
    super(message, { code: 'BENCH_SPOOL_FORMAT', retriable: false, context });
  }
}

const FEED_INDEX = new Map<District, number>(DISTRICTS.map((d, i) => [d, i]));
const TOPICS_BY_INDEX: readonly string[] = DISTRICTS.map((d) => invoiceTopic(d));

/** Creates (truncating) `path` and appends frames through a 4 MiB buffer. */
export function createSpoolWriter(path: string): SpoolWriter {
  const fd = openSync(path, 'w');
  let buf = Buffer.allocUnsafe(WRITE_BUFFER_BYTES);
  let used = 0;
  let events = 0;
  let newestEventMs = -Infinity;
  const flush = () => {
    let off = 0;
    while (off < used) off += writeSync(fd, buf, off, used - off);
    used = 0;
  };
  return {
    append(r) {
      const feed = FEED_INDEX.get(r.feed);
      if (feed === undefined) throw new RangeError(`unknown feed ${r.feed}`);
      const keyBytes = Buffer.byteLength(r.key, 'utf8');
      const rest = FIXED_BYTES + keyBytes + r.value.length;
      const frame = HEADER_BYTES + rest;
      if (used + frame > buf.length) flush();
      // A frame larger than the buffer gets a buffer of its own size: frames are never split across writes' bookkeeping.
      if (frame > buf.length) buf = Buffer.allocUnsafe(frame);
      let o = buf.writeUInt32LE(rest, used);
      o = buf.writeUInt8(feed, o);
      o = buf.writeDoubleLE(r.eventMs, o);
      o = buf.writeUInt32LE(keyBytes, o);
      o += buf.write(r.key, o, 'utf8');
      o += r.value.copy(buf, o);
      used = o;
      events++;
      if (r.eventMs > newestEventMs) newestEventMs = r.eventMs;
    },
    finish() {
      flush();
      closeSync(fd);
      return { path, events, newestEventMs, chunks: (size) => readSpool(path, events, size) };
    },
  };
}

/**
 * Reads the spool's records in chunks of `size` (the last may be shorter).
 * Each read goes into a fresh 8 MiB buffer and the values are views of it, so
 * memory is bounded by the chunks still referenced. Throws SpoolFormatError
 * when the file ends inside a frame or holds a different number of records
 * than `expectedEvents`: a short spool must never look like a short scenario.
 */
export async function* readSpool(path: string, expectedEvents: number, size: number): AsyncGenerator<FeedRecord[], void, undefined> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const file = await open(path, 'r');
  try {
    let carry: Buffer = Buffer.alloc(0);
    let fileOffset = 0; // file offset of carry[0]
    let events = 0;
    let chunk: FeedRecord[] = [];
    for (;;) {
      let want = READ_BUFFER_BYTES;
      // A frame bigger than the read buffer: read at least all of it.
      if (carry.length >= HEADER_BYTES) want = Math.max(want, HEADER_BYTES + carry.readUInt32LE(0));
      const buf = Buffer.allocUnsafe(want);
      carry.copy(buf, 0);
      const { bytesRead } = await file.read(buf, carry.length, want - carry.length, fileOffset + carry.length);
      const end = carry.length + bytesRead;
      if (bytesRead === 0) {
        if (carry.length > 0) throw new SpoolFormatError(`spool ${path} ends inside a frame at offset ${fileOffset} (${carry.length} bytes of a frame after ${events} records)`, { path, fileOffset });
        break;
      }
      let o = 0;
      while (o + HEADER_BYTES <= end) {
        const rest = buf.readUInt32LE(o);
        if (rest < FIXED_BYTES) throw new SpoolFormatError(`spool ${path} has a frame of ${rest} bytes at offset ${fileOffset + o}`, { path, fileOffset: fileOffset + o });
        if (o + HEADER_BYTES + rest > end) break;
        const feed = DISTRICTS[buf.readUInt8(o + 4)];
        if (feed === undefined) throw new SpoolFormatError(`spool ${path} has an unknown feed index ${buf.readUInt8(o + 4)} at offset ${fileOffset + o}`, { path, fileOffset: fileOffset + o });
        const eventMs = buf.readDoubleLE(o + 5);
        const keyBytes = buf.readUInt32LE(o + 13);
        const keyStart = o + HEADER_BYTES + FIXED_BYTES;
        const frameEnd = o + HEADER_BYTES + rest;
        if (keyStart + keyBytes > frameEnd) throw new SpoolFormatError(`spool ${path} has a key longer than its frame at offset ${fileOffset + o}`, { path, fileOffset: fileOffset + o });
        chunk.push({ feed, topic: TOPICS_BY_INDEX[buf.readUInt8(o + 4)]!, key: buf.toString('utf8', keyStart, keyStart + keyBytes), value: buf.subarray(keyStart + keyBytes, frameEnd), eventMs });
        events++;
        o = frameEnd;
        if (chunk.length === size) {
          yield chunk;
          chunk = [];
        }
      }
      carry = buf.subarray(o, end);
      fileOffset += o;
    }
    if (chunk.length > 0) yield chunk;
    if (events !== expectedEvents) throw new SpoolFormatError(`spool ${path} holds ${events} records, expected ${expectedEvents}`, { path });
  } finally {
    await file.close();
  }
}
