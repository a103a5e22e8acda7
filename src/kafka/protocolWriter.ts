import { bufferWithRoom } from '../runtime/bufferWithRoom.ts';

/**
 * Appends Kafka protocol primitives (big-endian integers, zigzag varints,
 * length-prefixed strings and bytes) to one growing buffer, so a whole
 * produce request is written without a buffer per field or per record.
 * Pure.
 */
export class ProtocolWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /** Forgets what was written; keeps the buffer for the next request. */
  reset(): void {
    this.pos = 0;
  }

  /** A view of the bytes written: valid until the next write or reset, so copy it out before reusing the writer. */
  view(from = 0): Buffer {
    return this.buf.subarray(from, this.pos);
  }

  private ensure(n: number): void {
    this.buf = bufferWithRoom(this.buf, this.pos, n);
  }

  int8(value: number): void {
    this.ensure(1);
    this.buf[this.pos++] = value & 0xff;
  }

  int16(value: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(value, this.pos);
    this.pos += 2;
  }

  int32(value: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(value, this.pos);
    this.pos += 4;
  }

  int64(value: bigint): void {
    this.ensure(8);
    this.buf.writeBigInt64BE(value, this.pos);
    this.pos += 8;
  }

  /** Writes 4 placeholder bytes and returns where, for `patchInt32`/`patchUInt32` once the value is known. */
  reserve32(): number {
    this.ensure(4);
    const at = this.pos;
    this.pos += 4;
    return at;
  }

  patchInt32(at: number, value: number): void {
    this.buf.writeInt32BE(value, at);
  }

  patchUInt32(at: number, value: number): void {
    this.buf.writeUInt32BE(value, at);
  }

  /** Zigzag varint of a 32-bit signed integer. */
  varint(value: number): void {
    let v = ((value << 1) ^ (value >> 31)) >>> 0;
    this.ensure(5);
    while (v > 0x7f) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
  }

  /** Varint length then the bytes (UTF-8 for a string); null as length -1. */
  varintBytes(value: string | Uint8Array | null, byteLength: number): void {
    if (value === null) {
      this.varint(-1);
      return;
    }
    this.varint(byteLength);
    this.raw(value, byteLength);
  }

  /** int16 length then UTF-8; null as length -1 (Kafka NULLABLE_STRING). */
  string(value: string | null): void {
    if (value === null) {
      this.int16(-1);
      return;
    }
    const n = Buffer.byteLength(value, 'utf8');
    this.int16(n);
    this.raw(value, n);
  }

  /** Bytes of a buffer, or a string's UTF-8 whose byte length the caller already knows. */
  raw(value: string | Uint8Array, byteLength: number): void {
    this.ensure(byteLength);
    if (typeof value === 'string') this.buf.write(value, this.pos, byteLength, 'utf8');
    else this.buf.set(value, this.pos);
    this.pos += byteLength;
  }

  /** Bytes the buffer holds before it has to grow. */
  get capacity(): number {
    return this.buf.length;
  }
}

/** Bytes of a zigzag varint of a 32-bit signed integer. */
export function varintSize(value: number): number {
  const v = ((value << 1) ^ (value >> 31)) >>> 0;
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}
