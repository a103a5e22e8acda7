import { describe, expect, it } from 'vitest';
import avro from 'avsc';
import { loadSchemaText } from '../../schemas/index.ts';
import { avroWireEncoder } from '../../schemas/serde/avroWireEncoder.ts';
import { encodeWireFormat } from '../../schemas/serde/wireFormat.ts';
import { invoiceLegs } from '../../pipelines/ingest/invoiceLegs.ts';
import { issuedInvoice, line } from '../helpers/invoiceFixtures.ts';
import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';

const type = avro.Type.forSchema(JSON.parse(loadSchemaText('InvoiceLeg')) as avro.schema.AvroSchema);

function legs(n: number): InvoiceLeg[] {
  return Array.from({ length: n }, (_, i) => {
    const event = issuedInvoice({ seller: 1 + (i % 7), buyer: 20 + (i % 5), amounts: [1000 + i, 77 * i], n: i });
    return invoiceLegs({ ...event, seller: { ...event.seller, name: `嘉善${'电子'.repeat(i % 30)}有限公司 😀` } }, 1_580_000_000_000 + i, i % 12);
  }).flat();
}

describe('Avro wire-format encoder', () => {
  it('writes the same bytes as avsc toBuffer framed by encodeWireFormat', () => {
    const encode = avroWireEncoder<InvoiceLeg>(4711, type);
    for (const leg of legs(200)) expect(encode(leg).equals(encodeWireFormat(4711, type.toBuffer(leg)))).toBe(true);
  });

  it('writes avsc bytes for strings of every length and kind of character, lone surrogates included', () => {
    const encode = avroWireEncoder<InvoiceLeg>(7, type);
    const [leg] = legs(1);
    // ASCII, two-byte (é), three-byte (嘉), four-byte (😀, a surrogate pair) and lone surrogates, in runs around the
    // one-pass limits: 63 UTF-16 units, and 63 bytes, past which the length takes two varint bytes.
    const pieces = ['a', 'é', '嘉', '😀', '\ud800', '\udc00', 'Z'];
    let seed = 13579;
    const random = () => ((seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32);
    for (let n = 0; n < 2000; n++) {
      let name = '';
      const units = Math.floor(random() * 80);
      while (name.length < units) name += pieces[Math.floor(random() * pieces.length)];
      const value: InvoiceLeg = { ...leg!, enterprise_name: name, partner_name: name.slice(1), leg_id: name.slice(0, 3) };
      expect(encode(value).equals(encodeWireFormat(7, type.toBuffer(value))), JSON.stringify(name)).toBe(true);
    }
    for (let units = 55; units <= 70; units++) {
      for (const name of ['a'.repeat(units), `${'a'.repeat(units - 1)}é`, `嘉${'a'.repeat(units - 1)}`]) {
        const value: InvoiceLeg = { ...leg!, leg_id: name, event_id: name.slice(1) };
        expect(encode(value).equals(encodeWireFormat(7, type.toBuffer(value))), name).toBe(true);
      }
    }
  });

  it('grows its scratch buffer for a value larger than it', () => {
    const encode = avroWireEncoder<InvoiceLeg>(1, type);
    const [leg] = legs(1);
    // Thousands of goods lines: far beyond the 64 KiB the encoder starts with.
    const big: InvoiceLeg = { ...leg!, goods: Array.from({ length: 20_000 }, (_, i) => ({ tax_code: line(i).tax_code, amount_fen: i })) };
    const bytes = encode(big);
    expect(bytes.length).toBeGreaterThan(200_000);
    expect(bytes.equals(encodeWireFormat(1, type.toBuffer(big)))).toBe(true);
  });

  it('returns buffers that later encodes do not overwrite, and throws for a value that does not fit', () => {
    const encode = avroWireEncoder<InvoiceLeg>(2, type);
    const [a, b] = legs(1);
    const first = encode(a!);
    const copy = Buffer.from(first);
    encode(b!);
    expect(first.equals(copy)).toBe(true);
    expect(() => encode({ ...a!, amount_fen: 'lots' as unknown as number })).toThrow();
    expect(() => avroWireEncoder(-1, type)).toThrow(RangeError);
  });
});
