/**
 * Confluent wire format: magic byte 0, the schema id as a 4-byte big-endian
 * integer, then the Avro binary body (DESIGN.md section 2). Pure.
 */
import { PoisonRecordError } from '../../src/runtime/errors.ts';

export const MAGIC_BYTE = 0;
export const WIRE_FORMAT_HEADER_BYTES = 5;
const MAX_SCHEMA_ID = 2 ** 31 - 1;

export interface WireFormatRecord {
  schemaId: number;
  /** A view into the input buffer, not a copy. */
  body: Buffer;
}

/**
 * Frames an Avro body. Throws RangeError for a schema id outside 0..2^31-1:
 * that is a programmer error, not bad data.
 */
export function encodeWireFormat(schemaId: number, avroBody: Buffer): Buffer {
  checkSchemaId(schemaId);
  const out = Buffer.allocUnsafe(WIRE_FORMAT_HEADER_BYTES + avroBody.length);
  writeWireFormatHeader(out, schemaId);
  avroBody.copy(out, WIRE_FORMAT_HEADER_BYTES);
  return out;
}

/** Writes the magic byte and the schema id into the first WIRE_FORMAT_HEADER_BYTES of `out` (id already checked). */
export function writeWireFormatHeader(out: Buffer, schemaId: number): void {
  out.writeUInt8(MAGIC_BYTE, 0);
  out.writeInt32BE(schemaId, 1);
}

/** Throws RangeError for a schema id outside 0..2^31-1: a programmer error, not bad data. */
export function checkSchemaId(schemaId: number): void {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > MAX_SCHEMA_ID) {
    throw new RangeError(`schema id must be an integer in 0..${MAX_SCHEMA_ID}, got ${schemaId}`);
  }
}

/**
 * Splits a framed record. Throws PoisonRecordError with code
 * WIRE_FORMAT_TRUNCATED (shorter than the header), WIRE_FORMAT_BAD_MAGIC (not
 * Confluent framing, e.g. plain JSON) or WIRE_FORMAT_BAD_SCHEMA_ID (negative id).
 */
export function decodeWireFormat(buf: Buffer): WireFormatRecord {
  if (buf.length < WIRE_FORMAT_HEADER_BYTES) {
    throw new PoisonRecordError(`record of ${buf.length} bytes is shorter than the ${WIRE_FORMAT_HEADER_BYTES}-byte wire-format header`, {
      code: 'WIRE_FORMAT_TRUNCATED',
      context: { length: buf.length },
    });
  }
  const magic = buf.readUInt8(0);
  if (magic !== MAGIC_BYTE) {
    throw new PoisonRecordError(`record starts with byte ${magic}, expected magic byte ${MAGIC_BYTE}`, {
      code: 'WIRE_FORMAT_BAD_MAGIC',
      context: { magic },
    });
  }
  const schemaId = buf.readInt32BE(1);
  if (schemaId < 0) {
    throw new PoisonRecordError(`record carries negative schema id ${schemaId}`, { code: 'WIRE_FORMAT_BAD_SCHEMA_ID', context: { schemaId } });
  }
  return { schemaId, body: buf.subarray(WIRE_FORMAT_HEADER_BYTES) };
}
