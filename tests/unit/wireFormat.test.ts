import { describe, expect, it } from 'vitest';
import { PoisonRecordError } from '../../src/runtime/errors.ts';
import { decodeWireFormat, encodeWireFormat, MAGIC_BYTE, WIRE_FORMAT_HEADER_BYTES } from '../../schemas/serde/wireFormat.ts';

function poisonCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PoisonRecordError);
    expect((error as PoisonRecordError).retriable).toBe(false);
    return (error as PoisonRecordError).code;
  }
  return undefined;
}

describe('Confluent wire format', () => {
  it('frames a body as magic byte 0, a big-endian schema id and the body', () => {
    const framed = encodeWireFormat(0x01020304, Buffer.from([0xaa, 0xbb]));
    expect([...framed]).toEqual([MAGIC_BYTE, 0x01, 0x02, 0x03, 0x04, 0xaa, 0xbb]);
  });

  it('round-trips schema id and body, including the largest id and an empty body', () => {
    for (const [id, body] of [
      [1, Buffer.from('hello')],
      [2 ** 31 - 1, Buffer.alloc(0)],
      [256, Buffer.from([0, 0, 0, 0, 0, 0])],
    ] as const) {
      const decoded = decodeWireFormat(encodeWireFormat(id, body));
      expect(decoded.schemaId).toBe(id);
      expect(decoded.body.equals(body)).toBe(true);
    }
  });

  it('returns the body as a view into the record, not a copy', () => {
    const framed = encodeWireFormat(7, Buffer.from([1, 2, 3]));
    const { body } = decodeWireFormat(framed);
    framed[WIRE_FORMAT_HEADER_BYTES] = 9;
    expect(body[0]).toBe(9);
  });

  it('rejects a record that does not start with the magic byte as poison', () => {
    const json = Buffer.from('{"event_id":"x"}');
    expect(poisonCode(() => decodeWireFormat(json))).toBe('WIRE_FORMAT_BAD_MAGIC');
    const framed = encodeWireFormat(3, Buffer.from([1]));
    framed[0] = 1;
    expect(poisonCode(() => decodeWireFormat(framed))).toBe('WIRE_FORMAT_BAD_MAGIC');
  });

  it('rejects a record shorter than the five-byte header as truncated', () => {
    for (const length of [0, 1, 4]) {
      expect(poisonCode(() => decodeWireFormat(Buffer.alloc(length)))).toBe('WIRE_FORMAT_TRUNCATED');
    }
    expect(poisonCode(() => decodeWireFormat(Buffer.alloc(5)))).toBeUndefined();
  });

  it('rejects a negative schema id as poison', () => {
    const framed = Buffer.from([0, 0xff, 0xff, 0xff, 0xff, 1]);
    expect(poisonCode(() => decodeWireFormat(framed))).toBe('WIRE_FORMAT_BAD_SCHEMA_ID');
  });

  it('refuses to frame an id that does not fit the header, as a programmer error', () => {
    expect(() => encodeWireFormat(2 ** 31, Buffer.alloc(0))).toThrow(RangeError);
    expect(() => encodeWireFormat(-1, Buffer.alloc(0))).toThrow(RangeError);
    expect(() => encodeWireFormat(1.5, Buffer.alloc(0))).toThrow(RangeError);
  });
});
