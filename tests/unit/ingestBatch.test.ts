import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { ingestBatch } from '../../pipelines/ingest/ingestBatch.ts';
import { INVOICE_COLUMNS, INVOICE_LINE_COLUMNS } from '../../pipelines/ingest/invoiceRows.ts';
import { loadSchemaText } from '../../schemas/index.ts';
import { avroWireEncoder } from '../../schemas/serde/avroWireEncoder.ts';
import { WIRE_FORMAT_HEADER_BYTES } from '../../schemas/serde/wireFormat.ts';
import type { InvoiceEvent } from '../../src/domain/invoiceEvent.ts';
import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';
import type { ConsumedRecord } from '../../src/kafka/record.ts';
import { TOPICS } from '../../src/kafka/topics.ts';
import type { ValueCodec } from '../../src/kafka/valueCodec.ts';
import { PoisonRecordError } from '../../src/runtime/errors.ts';
import { encodedRowObjects } from '../helpers/encodedRowObjects.ts';
import { issuedInvoice } from '../helpers/invoiceFixtures.ts';

const legType = avro.Type.forSchema(JSON.parse(loadSchemaText('InvoiceLeg')) as avro.schema.AvroSchema);

/** Events travel as JSON here: the batch logic, not the registry, is under test. */
const eventCodec: ValueCodec<InvoiceEvent> = {
  schemaId: 1,
  encode: (event) => Buffer.from(JSON.stringify(event)),
  decode: async (bytes) => JSON.parse(bytes.toString('utf8')) as InvoiceEvent,
};

/** The real InvoiceLeg schema in the wire format; refuses legs of `refused` as the schema would a bad value. */
function legCodec(refused: string | null = null): ValueCodec<InvoiceLeg> {
  const toWire = avroWireEncoder<InvoiceLeg>(2, legType);
  return {
    schemaId: 2,
    encode: (leg) => {
      if (leg.enterprise_tax_id === refused) throw new PoisonRecordError('value does not match InvoiceLeg', { code: 'AVRO_ENCODE_FAILED' });
      return toWire(leg);
    },
    decode: async (bytes) => legType.fromBuffer(bytes.subarray(WIRE_FORMAT_HEADER_BYTES)) as InvoiceLeg,
  };
}

function record(event: InvoiceEvent, offset: number): ConsumedRecord {
  return { topic: 'yunlian.invoices.qingpu', partition: 3, offset: String(offset), key: Buffer.from(event.invoice_no), value: eventCodec.encode(event), headers: {}, timestampMs: 0 };
}

describe('ingesting a batch', () => {
  it('hands over its rows as JSON arrays of their table columns and its legs as Avro records keyed by enterprise, in record order', async () => {
    const a = issuedInvoice({ amounts: [1000, 2000], seller: 11, buyer: 12 });
    const b = issuedInvoice({ amounts: [500], seller: 13, buyer: 14 });
    const codec = legCodec();
    const out = await ingestBatch([record(a, 7), record(b, 8)], { codec: eventCodec, legCodec: codec, now: Date.parse('2020-03-01T00:00:00Z') });

    expect(out.invoiceRows.count).toBe(2);
    expect([out.invoiceRows.columns, out.lineRows.columns]).toEqual([INVOICE_COLUMNS, INVOICE_LINE_COLUMNS]);
    expect(encodedRowObjects(out.invoiceRows).map((r) => [r.event_id, r.source_offset, r.line_count])).toEqual([
      [a.event_id, '7', 2],
      [b.event_id, '8', 1],
    ]);
    expect(out.lineRows.count).toBe(3);
    expect(encodedRowObjects(out.lineRows).map((r) => [r.event_id, r.line_no, r.amount_fen])).toEqual([
      [a.event_id, 0, 1000],
      [a.event_id, 1, 2000],
      [b.event_id, 0, 500],
    ]);
    expect(out.legs.map((l) => [l.topic, l.key])).toEqual([
      [TOPICS.invoiceLegs, a.seller.tax_id],
      [TOPICS.invoiceLegs, a.buyer.tax_id],
      [TOPICS.invoiceLegs, b.seller.tax_id],
      [TOPICS.invoiceLegs, b.buyer.tax_id],
    ]);
    const legs = await Promise.all(out.legs.map((l) => codec.decode(l.value)));
    expect(legs.map((l) => [l.leg_id, l.amount_fen, l.source_partition])).toEqual([
      [`${a.event_id}:SELLER`, 3000, 3],
      [`${a.event_id}:BUYER`, 3000, 3],
      [`${b.event_id}:SELLER`, 500, 3],
      [`${b.event_id}:BUYER`, 500, 3],
    ]);
  });

  it('dead-letters an invoice whose leg the schema refuses, writing none of its rows, and keeps the rest of the batch', async () => {
    const bad = issuedInvoice({ seller: 21, buyer: 22 });
    const good = issuedInvoice({ seller: 23, buyer: 24 });
    const out = await ingestBatch([record(bad, 1), record(good, 2)], { codec: eventCodec, legCodec: legCodec(bad.buyer.tax_id), now: Date.parse('2020-03-01T00:00:00Z') });

    expect(out.deadLetters.map((d) => [d.topic, d.headers?.['x-dlq.reason'], d.headers?.['x-dlq.offset']])).toEqual([[TOPICS.dlq, 'AVRO_ENCODE_FAILED', '1']]);
    expect(out.rejected).toEqual(new Map([['AVRO_ENCODE_FAILED', 1]]));
    expect(encodedRowObjects(out.invoiceRows).map((r) => r.event_id)).toEqual([good.event_id]);
    expect(encodedRowObjects(out.lineRows).map((r) => r.event_id)).toEqual([good.event_id]);
    expect(out.legs.map((l) => l.key)).toEqual([good.seller.tax_id, good.buyer.tax_id]);
  });

  it('writes a duplicate within the batch once', async () => {
    const a = issuedInvoice();
    const out = await ingestBatch([record(a, 1), record(a, 2)], { codec: eventCodec, legCodec: legCodec(), now: Date.parse('2020-03-01T00:00:00Z') });
    expect(out.duplicatesInBatch).toBe(1);
    expect(out.invoiceRows.count).toBe(1);
    expect(out.legs).toHaveLength(2);
  });
});
