import { createRequire } from 'node:module';
import type { Type } from 'avsc';
import { WIRE_FORMAT_HEADER_BYTES, checkSchemaId, writeWireFormatHeader } from './wireFormat.ts';

/** The part of avsc's (internal, unexported) Tap that the encoder uses: a buffer, a position, and its writes. */
interface AvscTap {
  buf: Buffer;
  pos: number;
  isValid(): boolean;
  writeString(s: string): void;
}
type AvscTapClass = new (buf: Buffer, pos: number) => AvscTap;

const { Tap } = createRequire(import.meta.url)('avsc/lib/utils.js') as { Tap: AvscTapClass };

/** Most bytes of UTF-8 whose length fits one varint byte. */
const ONE_BYTE_LENGTH_LIMIT = 63;
/**
 * Longest string tried in one pass: each UTF-16 unit is at least one byte of UTF-8, so no longer string fits
 * the one length byte, and ASCII ones up to this length do (leg and event IDs are 30–50). A string whose UTF-8
 * turns out longer is written again by avsc's writer, from the same position.
 */
const ONE_PASS_UNITS = ONE_BYTE_LENGTH_LIMIT;

/**
 * avsc's Tap with a one-pass writer for short strings. avsc takes
 * `Buffer.byteLength` of every string and then, for strings of up to 64 bytes,
 * runs its UTF-8 loop once per byte rather than once per character: three
 * times the work for a Chinese name, and names, tax IDs and district codes are
 * most of a leg. This writes the characters first and the length byte after,
 * with avsc's own branches (lone surrogates included), so the bytes are
 * avsc's; strings of 64 bytes or more go to avsc. The bench's `leg encode` stage went
 * from 116–188k to about 245k legs/s with it (docs/performance.md, "Session 13").
 */
class OnePassStringTap extends Tap {
  override writeString(s: string): void {
    const n = s.length;
    if (n > ONE_PASS_UNITS) {
      super.writeString(s);
      return;
    }
    const buf = this.buf;
    const start = this.pos + 1;
    let pos = start;
    for (let i = 0; i < n; i++) {
      let c = s.charCodeAt(i);
      let low: number;
      if (c < 0x80) {
        buf[pos++] = c;
      } else if (c < 0x800) {
        buf[pos++] = (c >> 6) | 0xc0;
        buf[pos++] = (c & 0x3f) | 0x80;
      } else if ((c & 0xfc00) === 0xd800 && ((low = s.charCodeAt(i + 1)) & 0xfc00) === 0xdc00) {
        c = 0x10000 + ((c & 0x03ff) << 10) + (low & 0x03ff);
        i++;
        buf[pos++] = (c >> 18) | 0xf0;
        buf[pos++] = ((c >> 12) & 0x3f) | 0x80;
        buf[pos++] = ((c >> 6) & 0x3f) | 0x80;
        buf[pos++] = (c & 0x3f) | 0x80;
      } else {
        buf[pos++] = (c >> 12) | 0xe0;
        buf[pos++] = ((c >> 6) & 0x3f) | 0x80;
        buf[pos++] = (c & 0x3f) | 0x80;
      }
    }
    if (pos - start > ONE_BYTE_LENGTH_LIMIT) {
      super.writeString(s);
      return;
    }
    // Avro's zigzag varint of a length below 64 is the single byte 2·length. Writes past the buffer's end are
    // dropped by the typed array; the position then lies beyond it, which isValid() reports, as avsc's does.
    buf[this.pos] = (pos - start) << 1;
    this.pos = pos;
  }
}

/** avsc's internal writer of a type's values onto a tap (what `Type#encode` runs on its own Tap). */
type TapWriter = (tap: AvscTap, value: unknown) => void;

/** Shared by every encoder of the process: encoding is synchronous, and the result is copied out. */
let scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * Encodes values of one Avro type straight into the Confluent wire format:
 * header and body are written into one reused scratch buffer and copied out
 * once, instead of avsc's `toBuffer` copy plus a second buffer for the frame
 * (about a fifth of the cost of encoding an invoice leg), with short strings
 * written in one pass (OnePassStringTap). The same bytes as
 * `encodeWireFormat(schemaId, type.toBuffer(value))`; throws what avsc throws
 * for a value that does not fit the type. Throws RangeError for a bad schema id.
 */
export function avroWireEncoder<T>(schemaId: number, type: Type): (value: T) => Buffer {
  checkSchemaId(schemaId);
  const write = (type as unknown as { _write: TapWriter })._write.bind(type);
  return (value) => {
    for (;;) {
      const tap = new OnePassStringTap(scratch, WIRE_FORMAT_HEADER_BYTES);
      write(tap, value);
      if (tap.isValid()) {
        const out = Buffer.allocUnsafe(tap.pos);
        scratch.copy(out, 0, 0, tap.pos);
        writeWireFormatHeader(out, schemaId);
        return out;
      }
      // The tap ran past the end: tap.pos is where the value would have ended.
      scratch = Buffer.allocUnsafe(Math.max(scratch.length * 2, tap.pos));
    }
  };
}
