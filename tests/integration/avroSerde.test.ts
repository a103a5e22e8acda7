import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { loadSchemaText } from '../../schemas/index.ts';
import { startSchemaRegistry, type RunningSchemaRegistry } from '../../schemas/registry/startSchemaRegistry.ts';
import { AvroSerde } from '../../schemas/serde/avroSerde.ts';
import { SchemaRegistryClient } from '../../schemas/serde/schemaRegistryClient.ts';
import { encodeWireFormat } from '../../schemas/serde/wireFormat.ts';
import type { InvoiceEvent } from '../../src/domain/invoiceEvent.ts';
import type { DetectLeg, InvoiceLeg } from '../../src/domain/invoiceLeg.ts';
import { topicCodec } from '../../src/kafka/topicCodecs.ts';
import { BUYER, leg } from '../helpers/detectFixtures.ts';
import { InfrastructureError, YunlianError } from '../../src/runtime/errors.ts';
import { silent, V1, V2, uniqueSubject, sampleInvoice, withRequiredField, zigzagVarint, thrown } from '../helpers/registryFixtures.ts';

describe('AvroSerde', () => {
  let registry: RunningSchemaRegistry;

  beforeAll(async () => {
    registry = await startSchemaRegistry({ port: 0, logger: silent });
  });
  afterAll(async () => {
    await registry.close();
  });

  /** A fetch that counts the requests for each path. */
  function countingFetch(): { fetch: typeof fetch; count: (pathPart: string) => number } {
    const paths: string[] = [];
    return {
      fetch: (input, init) => {
        paths.push(new URL(String(input)).pathname);
        return fetch(input, init);
      },
      count: (pathPart) => paths.filter((p) => p.includes(pathPart)).length,
    };
  }

  it('decodes a batch asking the registry once per schema id, even for concurrent records', async () => {
    const producer = new AvroSerde({ registryUrl: registry.url });
    const subject = uniqueSubject();
    const v1 = await producer.register(subject, V1);
    const v2 = await producer.register(subject, V2);
    const batch = await Promise.all(
      Array.from({ length: 50 }, (_, i) => producer.encode(i % 2 === 0 ? v1 : v2, sampleInvoice({ total_amount_fen: i, ...(i % 2 ? { source_system: 'qingpu-etax' } : {}) }))),
    );

    const counter = countingFetch();
    const consumer = new AvroSerde({ registryUrl: registry.url, fetch: counter.fetch });
    const decoded = await Promise.all(batch.map((record) => consumer.decode<InvoiceEvent>(record)));
    expect(decoded.map((d) => d.value.total_amount_fen)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(counter.count(`/schemas/ids/${v1}`)).toBe(1);
    expect(counter.count(`/schemas/ids/${v2}`)).toBe(1);
    await consumer.decode(batch[0] as Buffer);
    expect(counter.count('/schemas/ids/')).toBe(2);
  });

  /** A serde with the invoice schema's two versions registered under a fresh subject. */
  async function serdeWithVersions(): Promise<{ serde: AvroSerde; v1: number; v2: number }> {
    const serde = new AvroSerde({ registryUrl: registry.url });
    const subject = uniqueSubject();
    const v1 = await serde.register(subject, V1);
    const v2 = await serde.register(subject, V2);
    return { serde, v1, v2 };
  }

  it('decodes without waiting once a schema id is known, and says when the registry must be asked first', async () => {
    const { serde: producer, v1, v2 } = await serdeWithVersions();
    const invoice = sampleInvoice();
    const record = await producer.encode(v1, invoice);
    expect(producer.decodeKnown(record)).toEqual({ schemaId: v1, value: invoice });

    const counter = countingFetch();
    const consumer = new AvroSerde({ registryUrl: registry.url, fetch: counter.fetch });
    expect(consumer.decodeKnown(record, V2)).toBeUndefined();
    expect(counter.count('/schemas/ids/')).toBe(0);
    const waited = await consumer.decode(record, V2);
    expect(consumer.decodeKnown(record, V2)).toEqual(waited);
    expect(waited.value).toEqual({ ...invoice, source_system: null });
    expect(counter.count('/schemas/ids/')).toBe(1);
    // Bad bytes throw at once, as decode rejects; a truncated body of a known id likewise.
    expect(() => consumer.decodeKnown(Buffer.from([1, 0, 0, 0, 1]))).toThrow(expect.objectContaining({ code: 'WIRE_FORMAT_BAD_MAGIC' }));
    expect(() => consumer.decodeKnown(record.subarray(0, record.length - 3), V2)).toThrow(expect.objectContaining({ code: 'AVRO_DECODE_FAILED' }));
    expect(consumer.decodeKnown(await producer.encode(v2, invoice))).toBeUndefined();
  });

  it('resolves records into the reader schema the consumer expects', async () => {
    const { serde, v1, v2 } = await serdeWithVersions();
    const invoice = sampleInvoice();

    const oldRecordNewReader = await serde.decode(await serde.encode(v1, invoice), V2);
    expect(oldRecordNewReader).toEqual({ schemaId: v1, value: { ...invoice, source_system: null } });
    const newRecordOldReader = await serde.decode(await serde.encode(v2, { ...invoice, source_system: 'wujiang-etax' }), JSON.parse(V1) as object);
    expect(newRecordOldReader).toEqual({ schemaId: v2, value: invoice });

    const legReader = loadSchemaText('InvoiceLeg');
    expect(await thrown(serde.decode(await serde.encode(v1, invoice), legReader))).toMatchObject({ code: 'SCHEMA_RESOLUTION_FAILED', retriable: false });
  });

  it("decodes a leg for detect with only the fields detect reads, each as written", async () => {
    const serde = new AvroSerde({ registryUrl: registry.url });
    const topic = `yunlian.invoice-legs.${randomUUID().slice(0, 8)}`;
    const full = await topicCodec<InvoiceLeg>(serde, topic, 'InvoiceLeg');
    const forDetect = await topicCodec<DetectLeg>(serde, topic, 'InvoiceLeg', 'InvoiceLegDetect');
    // The reader schema is never registered: both codecs write and name the same schema.
    expect(forDetect.schemaId).toBe(full.schemaId);
    const written: InvoiceLeg = {
      ...leg({ partner: BUYER, role: 'SELLER', day: '2020-02-11', amountFen: 123_400 }),
      original_invoice_no: '20312000000000012344',
      source_partition: 3,
      tax_fen: 16_042,
      goods: [{ tax_code: '1080413010000000000', amount_fen: 123_400 }],
    };
    const bytes = full.encode(written);
    const { event_id: _eventId, tax_fen: _tax, goods: _goods, ...detected } = written;
    expect(await forDetect.decode(bytes)).toEqual(detected);
    expect(forDetect.decodeNow!(bytes)).toEqual(detected);
  });

  it('treats an unknown schema id as poison and remembers it for the TTL', async () => {
    let now = 1_000;
    const counter = countingFetch();
    const serde = new AvroSerde({ registryUrl: registry.url, fetch: counter.fetch, now: () => now, unknownIdTtlMs: 5_000 });
    const record = encodeWireFormat(424242, Buffer.from([2, 0x41]));

    const first = await thrown(serde.decode(record));
    expect(first).toMatchObject({ name: 'PoisonRecordError', code: 'SCHEMA_ID_NOT_FOUND', retriable: false });
    await thrown(serde.decode(record));
    expect(counter.count('/schemas/ids/424242')).toBe(1);
    now += 5_001;
    await thrown(serde.decode(record));
    expect(counter.count('/schemas/ids/424242')).toBe(2);
  });

  it('treats truncated bodies, trailing bytes and bad framing as poison', async () => {
    const serde = new AvroSerde({ registryUrl: registry.url });
    const id = await serde.register(uniqueSubject(), V1);
    const good = await serde.encode(id, sampleInvoice());
    expect(await thrown(serde.decode(good.subarray(0, good.length - 3)))).toMatchObject({ code: 'AVRO_DECODE_FAILED', retriable: false });
    expect(await thrown(serde.decode(Buffer.concat([good, Buffer.from([0])])))).toMatchObject({ code: 'AVRO_DECODE_FAILED' });
    expect(await thrown(serde.decode(Buffer.from('{"json":true}')))).toMatchObject({ code: 'WIRE_FORMAT_BAD_MAGIC' });
    expect(await thrown(serde.decode(Buffer.from([0, 0])))).toMatchObject({ code: 'WIRE_FORMAT_TRUNCATED' });
  });

  it('refuses to decode a long beyond the safe-integer range instead of rounding money', async () => {
    const serde = new AvroSerde({ registryUrl: registry.url });
    const id = await serde.register(uniqueSubject(), '"long"');
    // avsc's bound is 2^53 - 2 (one short of MAX_SAFE_INTEGER): about 90 trillion yuan in fen.
    const largest = Number.MAX_SAFE_INTEGER - 1;
    expect((await serde.decode(await serde.encode(id, largest))).value).toBe(largest);
    expect(await thrown(serde.encode(id, Number.MAX_SAFE_INTEGER))).toMatchObject({ code: 'AVRO_ENCODE_FAILED' });
    expect(await thrown(serde.decode(encodeWireFormat(id, zigzagVarint(2n ** 60n))))).toMatchObject({ code: 'AVRO_DECODE_FAILED' });
  });

  it('looks up ids, latest versions and compatibility through the registry client', async () => {
    const client = new SchemaRegistryClient({ url: registry.url });
    const subject = uniqueSubject();
    const id = await client.register(subject, V1);
    expect(await client.lookup(subject, V1)).toEqual({ subject, id, version: 1, schema: V1 });
    expect(await thrown(client.lookup(subject, V2))).toMatchObject({ code: 'SCHEMA_NOT_REGISTERED' });
    expect((await client.latest(subject)).id).toBe(id);
    expect(await thrown(client.latest(uniqueSubject()))).toMatchObject({ code: 'SCHEMA_SUBJECT_NOT_FOUND' });
    expect(await client.isCompatible(subject, V2)).toBe(true);
    expect(await client.isCompatible(subject, withRequiredField(V1), 1)).toBe(false);
    expect(await client.schemaById(id)).toEqual({ schema: V1 });
  });

  it('refuses to encode money beyond safe integers or values that do not fit the schema', async () => {
    const serde = new AvroSerde({ registryUrl: registry.url });
    const id = await serde.register(uniqueSubject(), V1);
    const unsafe = await thrown(serde.encode(id, sampleInvoice({ total_amount_fen: 2 ** 53 })));
    expect(unsafe).toMatchObject({ code: 'AVRO_ENCODE_FAILED', context: { invalidPaths: ['total_amount_fen'] } });
    const badEnum = await thrown(serde.encode(id, { ...sampleInvoice(), event_type: 'CANCELLED' }));
    expect(badEnum).toMatchObject({ code: 'AVRO_ENCODE_FAILED', context: { invalidPaths: ['event_type'] } });
    const fractional = await thrown(serde.encode(id, sampleInvoice({ total_tax_fen: 160.42 })));
    expect(fractional).toMatchObject({ code: 'AVRO_ENCODE_FAILED' });
  });

  it('reports an unreachable registry as a retriable infrastructure fault and recovers afterwards', async () => {
    const down = await startSchemaRegistry({ port: 0, logger: silent });
    const url = down.url;
    await down.close();
    const serde = new AvroSerde({ registryUrl: url, timeoutMs: 2_000 });
    const error = await thrown(serde.decode(encodeWireFormat(1, Buffer.from([0]))));
    expect(error).toBeInstanceOf(InfrastructureError);
    expect(error).toMatchObject({ code: 'SCHEMA_REGISTRY_UNAVAILABLE', retriable: true });

    // Failures are not cached: once the registry answers, the same id decodes.
    let failNext = true;
    const flaky: typeof fetch = (input, init) => {
      if (failNext) {
        failNext = false;
        return Promise.resolve(new Response(JSON.stringify({ error_code: 50001, message: 'Error in the backend data store' }), { status: 500 }));
      }
      return fetch(input, init);
    };
    const producer = new AvroSerde({ registryUrl: registry.url });
    const id = await producer.register(uniqueSubject(), V1);
    const record = await producer.encode(id, sampleInvoice());
    const consumer = new AvroSerde({ registryUrl: registry.url, fetch: flaky });
    expect(await thrown(consumer.decode(record))).toMatchObject({ code: 'SCHEMA_REGISTRY_UNAVAILABLE', retriable: true });
    expect((await consumer.decode<InvoiceEvent>(record)).schemaId).toBe(id);
  });

  it('types registry rejections of a schema as non-retriable configuration errors', async () => {
    const serde = new AvroSerde({ registryUrl: registry.url });
    const subject = uniqueSubject();
    await serde.register(subject, V1);
    const incompatible = await thrown(serde.register(subject, withRequiredField(V1)));
    expect(incompatible).toMatchObject({ name: 'ConfigError', code: 'SCHEMA_INCOMPATIBLE', retriable: false });
    expect(await thrown(serde.register(subject, '{"type":"record"'))).toMatchObject({ code: 'SCHEMA_INVALID' });
  });

  it('sends basic-auth credentials from the URL without exposing them', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const stub = createServer((req, res) => {
      seen.push(req.headers);
      const authorised = req.headers.authorization === `Basic ${Buffer.from('svc-yunlian:s3cr3t/pw').toString('base64')}`;
      res.writeHead(authorised ? 503 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error_code: authorised ? 50003 : 401, message: authorised ? 'unavailable' : 'Unauthorized' }));
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    const port = (stub.address() as AddressInfo).port;
    try {
      const serde = new AvroSerde({ registryUrl: `http://svc-yunlian:s3cr3t%2Fpw@127.0.0.1:${port}/` });
      expect(serde.registryUrl).toBe(`http://127.0.0.1:${port}`);
      const error = await thrown(serde.decode(encodeWireFormat(5, Buffer.from([0]))));
      expect(error).toMatchObject({ code: 'SCHEMA_REGISTRY_UNAVAILABLE', retriable: true });
      expect(JSON.stringify({ message: (error as Error).message, context: (error as YunlianError).context })).not.toContain('s3cr3t');

      const wrong = new AvroSerde({ registryUrl: `http://127.0.0.1:${port}`, auth: { username: 'svc-yunlian', password: 'wrong' } });
      expect(await thrown(wrong.decode(encodeWireFormat(5, Buffer.from([0]))))).toMatchObject({ code: 'SCHEMA_REGISTRY_UNAUTHORIZED', retriable: false });
      expect(seen.length).toBe(2);
    } finally {
      await new Promise<void>((resolve) => stub.close(() => resolve()));
    }
  });
});
