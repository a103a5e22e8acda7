import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPIC_VALUE_SCHEMAS, loadSchemaText, valueSubject } from '../../schemas/index.ts';
import { startSchemaRegistry, type RunningSchemaRegistry } from '../../schemas/registry/startSchemaRegistry.ts';
import { AvroSerde } from '../../schemas/serde/avroSerde.ts';
import { SchemaRegistryClient } from '../../schemas/serde/schemaRegistryClient.ts';
import { encodeWireFormat } from '../../schemas/serde/wireFormat.ts';
import type { InvoiceEvent } from '../../src/domain/invoiceEvent.ts';
import { InfrastructureError, YunlianError } from '../../src/runtime/errors.ts';
import { createLogger } from '../../src/runtime/log.ts';

const silent = createLogger('test', { sink: { write: () => undefined } });
const V1 = loadSchemaText('InvoiceEvent');
const V2 = loadSchemaText('InvoiceEventV2');

/** Each test gets its own subject, so tests share one registry without interfering. */
const uniqueSubject = () => valueSubject(`yunlian.invoices.qingpu.${randomUUID().slice(0, 8)}`);

function sampleInvoice(overrides: Partial<InvoiceEvent> = {}): InvoiceEvent {
  return {
    event_id: randomUUID(),
    event_type: 'ISSUED',
    invoice_no: '20312000000000012345',
    original_invoice_no: null,
    invoice_kind: 'DIGITAL_SPECIAL',
    issued_at: '2020-02-11T09:30:00+08:00',
    district: 'qingpu',
    seller: { tax_id: '91310118MA1JL0000X', name: '上海青浦五金制品有限公司', district_code: '310118' },
    buyer: { tax_id: '91320509MA1MX0000Y', name: '苏州吴江拉链有限公司', district_code: '320509' },
    lines: [{ tax_code: '1080413010000000000', item_name: '*五金制品*拉链', quantity: '1000', unit: '条', amount_fen: 123400, tax_rate_bp: 1300, tax_fen: 16042 }],
    total_amount_fen: 123400,
    total_tax_fen: 16042,
    ...overrides,
  };
}

/** InvoiceEvent v1 with one more required field: not BACKWARD compatible. */
function withRequiredField(schemaText: string): string {
  const schema = JSON.parse(schemaText) as { fields: unknown[] };
  return JSON.stringify({ ...schema, fields: [...schema.fields, { name: 'batch_no', type: 'string' }] });
}

/** Avro's zigzag varint encoding of a long, written by hand to get values avsc refuses to write. */
function zigzagVarint(value: bigint): Buffer {
  let n = value >= 0n ? value << 1n : (-value << 1n) - 1n;
  const bytes: number[] = [];
  while (n >= 0x80n) {
    bytes.push(Number((n & 0x7fn) | 0x80n));
    n >>= 7n;
  }
  bytes.push(Number(n));
  return Buffer.from(bytes);
}

interface RawResponse {
  status: number;
  contentType: string | null;
  body: unknown;
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<RawResponse> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, contentType: response.headers.get('content-type'), body: await response.json() };
}

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('embedded schema registry with the kafkajs registry client', () => {
  let registry: RunningSchemaRegistry;
  let client: SchemaRegistry;

  beforeAll(async () => {
    registry = await startSchemaRegistry({ port: 0, logger: silent });
    client = new SchemaRegistry({ host: registry.url, retry: { retries: 0 } });
  });
  afterAll(async () => {
    await registry.close();
  });

  it('registers InvoiceEvent and round-trips an invoice through the library encoder', async () => {
    const subject = uniqueSubject();
    const { id } = await client.register({ type: SchemaType.AVRO, schema: V1 }, { subject });
    expect(id).toBeGreaterThan(0);
    const invoice = sampleInvoice();
    const encoded = await client.encode(id, invoice);
    expect(encoded[0]).toBe(0);
    expect(encoded.readInt32BE(1)).toBe(id);
    expect(await client.decode(encoded)).toEqual(invoice);
    expect(await client.getLatestSchemaId(subject)).toBe(id);
    expect(await client.getRegistryIdBySchema(subject, { type: SchemaType.AVRO, schema: V1 })).toBe(id);
  });

  it('returns the same id for the same schema, under the same subject and under another one', async () => {
    const subject = uniqueSubject();
    const first = await client.register({ type: SchemaType.AVRO, schema: V1 }, { subject });
    const again = await client.register({ type: SchemaType.AVRO, schema: V1 }, { subject });
    const reformatted = JSON.stringify(JSON.parse(V1));
    const elsewhere = await client.register({ type: SchemaType.AVRO, schema: reformatted }, { subject: uniqueSubject() });
    expect(again.id).toBe(first.id);
    expect(elsewhere.id).toBe(first.id);
    expect((await call(registry.url, 'GET', `/subjects/${subject}/versions`)).body).toEqual([1]);
  });

  it('accepts the BACKWARD-compatible v2 as version 2 and reads v1 records with it', async () => {
    const subject = uniqueSubject();
    const v1 = await client.register({ type: SchemaType.AVRO, schema: V1 }, { subject });
    expect((await call(registry.url, 'POST', `/compatibility/subjects/${subject}/versions/latest`, { schema: V2 })).body).toEqual({ is_compatible: true });
    const v2 = await client.register({ type: SchemaType.AVRO, schema: V2 }, { subject });
    expect(v2.id).not.toBe(v1.id);
    expect((await call(registry.url, 'GET', `/subjects/${subject}/versions`)).body).toEqual([1, 2]);
    const latest = (await call(registry.url, 'GET', `/subjects/${subject}/versions/latest`)).body;
    expect(latest).toEqual({ subject, id: v2.id, version: 2, schema: V2 });

    const invoice = sampleInvoice();
    const writtenWithV1 = await client.encode(v1.id, invoice);
    const readAsV2 = await client.decode(writtenWithV1, { [SchemaType.AVRO]: { readerSchema: JSON.parse(V2) as { name: string; type: 'record'; fields: unknown[] } } });
    expect(readAsV2).toEqual({ ...invoice, source_system: null });
  });

  it('rejects an incompatible change with 409 and leaves the subject unchanged', async () => {
    const subject = uniqueSubject();
    await client.register({ type: SchemaType.AVRO, schema: V1 }, { subject });
    const breaking = withRequiredField(V1);

    const error = await thrown(client.register({ type: SchemaType.AVRO, schema: breaking }, { subject }));
    expect((error as { status?: number }).status).toBe(409);

    const raw = await call(registry.url, 'POST', `/subjects/${subject}/versions`, { schema: breaking });
    expect(raw.status).toBe(409);
    expect(raw.body).toMatchObject({ error_code: 409 });
    expect((raw.body as { message: string }).message).toContain('READER_FIELD_MISSING_DEFAULT_VALUE');
    const verbose = await call(registry.url, 'POST', `/compatibility/subjects/${subject}/versions/latest?verbose=true`, { schema: breaking });
    expect(verbose.body).toMatchObject({ is_compatible: false, messages: [expect.stringContaining('batch_no')] });
    expect((await call(registry.url, 'GET', `/subjects/${subject}/versions`)).body).toEqual([1]);
  });

  it('answers an unknown schema id with 404 / 40403', async () => {
    const raw = await call(registry.url, 'GET', '/schemas/ids/987654');
    expect(raw).toEqual({ status: 404, contentType: 'application/vnd.schemaregistry.v1+json', body: { error_code: 40403, message: 'Schema not found' } });
    const error = await thrown(client.getSchema(987654));
    expect((error as { status?: number }).status).toBe(404);
  });

  it('decodes library-encoded records with AvroSerde and the other way round', async () => {
    const subject = uniqueSubject();
    const serde = new AvroSerde({ registryUrl: registry.url });
    const id = await serde.register(subject, V1);
    expect((await client.register({ type: SchemaType.AVRO, schema: V1 }, { subject })).id).toBe(id);

    const invoice = sampleInvoice({ event_type: 'RED_LETTER', original_invoice_no: '20312000000000000001' });
    const byLibrary = await client.encode(id, invoice);
    expect(await serde.decode(byLibrary)).toEqual({ schemaId: id, value: invoice });

    const bySerde = await serde.encode(id, invoice);
    expect(bySerde.equals(byLibrary)).toBe(true);
    expect(await client.decode(bySerde)).toEqual(invoice);
  });

  it('lets the library follow subject compatibility levels it configured itself', async () => {
    const subject = uniqueSubject();
    await client.register({ type: SchemaType.AVRO, schema: V1 }, { subject, compatibility: COMPATIBILITY.NONE });
    expect((await call(registry.url, 'GET', `/config/${subject}`)).body).toEqual({ compatibilityLevel: 'NONE' });
    const breaking = await client.register({ type: SchemaType.AVRO, schema: withRequiredField(V1) }, { subject, compatibility: COMPATIBILITY.NONE });
    expect(breaking.id).toBeGreaterThan(0);
    expect((await call(registry.url, 'GET', `/subjects/${subject}/versions`)).body).toEqual([1, 2]);
  });
});

describe('embedded schema registry REST behaviour', () => {
  let registry: RunningSchemaRegistry;

  beforeAll(async () => {
    registry = await startSchemaRegistry({ port: 0, logger: silent, maxBodyBytes: 64 * 1024 });
  });
  afterAll(async () => {
    await registry.close();
  });

  it('looks a schema up under a subject and serves versions, raw schemas and ids', async () => {
    const subject = uniqueSubject();
    const { id } = (await call(registry.url, 'POST', `/subjects/${subject}/versions`, { schema: V1 })).body as { id: number };
    expect((await call(registry.url, 'POST', `/subjects/${subject}`, { schema: V1 })).body).toEqual({ subject, id, version: 1, schema: V1 });
    expect((await call(registry.url, 'POST', `/subjects/${subject}`, { schema: V2 })).body).toMatchObject({ error_code: 40403 });
    expect((await call(registry.url, 'GET', `/subjects/${subject}/versions/1/schema`)).body).toEqual(JSON.parse(V1));
    expect((await call(registry.url, 'GET', `/schemas/ids/${id}`)).body).toEqual({ schema: V1 });
    expect((await call(registry.url, 'GET', `/schemas/ids/${id}/versions`)).body).toContainEqual({ subject, version: 1 });
    expect((await call(registry.url, 'GET', '/subjects')).body).toContain(subject);
  });

  it('answers missing subjects, versions and bad version ids with Confluent error codes', async () => {
    const subject = uniqueSubject();
    expect(await call(registry.url, 'GET', `/subjects/${subject}/versions`)).toMatchObject({ status: 404, body: { error_code: 40401 } });
    await call(registry.url, 'POST', `/subjects/${subject}/versions`, { schema: V1 });
    expect(await call(registry.url, 'GET', `/subjects/${subject}/versions/7`)).toMatchObject({ status: 404, body: { error_code: 40402 } });
    expect(await call(registry.url, 'GET', `/subjects/${subject}/versions/zero`)).toMatchObject({ status: 422, body: { error_code: 42202 } });
    expect(await call(registry.url, 'GET', `/subjects/${subject}/versions/-1`)).toMatchObject({ status: 200, body: { version: 1 } });
  });

  it('rejects invalid schemas, unsupported schema types and malformed bodies without crashing', async () => {
    const subject = uniqueSubject();
    const post = (body: unknown) => call(registry.url, 'POST', `/subjects/${subject}/versions`, body);
    expect(await post({ schema: '{"type":"record","name":"X","fields":[{"name":"a","type":"nope"}]}' })).toMatchObject({ status: 422, body: { error_code: 42201 } });
    expect(await post({ schema: 'not json' })).toMatchObject({ status: 422, body: { error_code: 42201 } });
    expect(await post({ schema: 42 })).toMatchObject({ status: 422, body: { error_code: 42201 } });
    expect(await post({ schema: 'syntax = "proto3";', schemaType: 'PROTOBUF' })).toMatchObject({ status: 422, body: { error_code: 42201 } });
    expect(await post('{"schema": ')).toMatchObject({ status: 400, contentType: 'application/vnd.schemaregistry.v1+json', body: { error_code: 400 } });
    expect(await post('[]')).toMatchObject({ status: 400 });
    expect(await call(registry.url, 'GET', '/nowhere')).toMatchObject({ status: 404, body: { error_code: 404 } });
    expect(await call(registry.url, 'PATCH', '/subjects')).toMatchObject({ status: 405, body: { error_code: 405 } });
    expect(await call(registry.url, 'GET', '/subjects/%E0%A4%A/versions')).toMatchObject({ status: 404 });
    // Still serving after all of that.
    expect((await call(registry.url, 'GET', '/config')).status).toBe(200);
  });

  it('refuses a body over the size limit with 413', async () => {
    const huge = { schema: JSON.stringify({ type: 'record', name: 'Big', doc: 'x'.repeat(200 * 1024), fields: [] }) };
    expect(await call(registry.url, 'POST', `/subjects/${uniqueSubject()}/versions`, huge)).toMatchObject({ status: 413, body: { error_code: 413 } });
  });

  it('keeps global and per-subject compatibility configuration', async () => {
    const subject = uniqueSubject();
    expect((await call(registry.url, 'GET', '/config')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect(await call(registry.url, 'GET', `/config/${subject}`)).toMatchObject({ status: 404, body: { error_code: 40408 } });
    expect((await call(registry.url, 'GET', `/config/${subject}?defaultToGlobal=true`)).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect((await call(registry.url, 'PUT', `/config/${subject}`, { compatibility: 'FORWARD' })).body).toEqual({ compatibility: 'FORWARD' });
    expect(await call(registry.url, 'PUT', `/config/${subject}`, { compatibility: 'SIDEWAYS' })).toMatchObject({ status: 422, body: { error_code: 42203 } });

    // Under FORWARD the old schema must read the new one: a removed required field breaks that.
    await call(registry.url, 'POST', `/subjects/${subject}/versions`, { schema: withRequiredField(V1) });
    expect((await call(registry.url, 'POST', `/subjects/${subject}/versions`, { schema: V1 })).status).toBe(409);
    expect((await call(registry.url, 'POST', `/subjects/${subject}/versions`, { schema: withRequiredField(V2) })).status).toBe(200);
    expect((await call(registry.url, 'DELETE', `/config/${subject}`)).body).toEqual({ compatibilityLevel: 'FORWARD' });
    expect((await call(registry.url, 'GET', '/config')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
  });

  it('checks every earlier version under BACKWARD_TRANSITIVE', async () => {
    const subject = uniqueSubject();
    await call(registry.url, 'PUT', `/config/${subject}`, { compatibility: 'BACKWARD_TRANSITIVE' });
    const withDefault = JSON.parse(V1) as { fields: unknown[] };
    withDefault.fields.push({ name: 'batch_no', type: 'string', default: 'none' });
    await call(registry.url, 'POST', `/subjects/${subject}/versions`, { schema: V1 });
    await call(registry.url, 'POST', `/subjects/${subject}/versions`, { schema: JSON.stringify(withDefault) });
    // Reads version 2 (which always writes batch_no) but not version 1.
    const requiresBatchNo = withRequiredField(V1);
    expect((await call(registry.url, 'POST', `/compatibility/subjects/${subject}/versions/latest`, { schema: requiresBatchNo })).body).toEqual({ is_compatible: true });
    expect((await call(registry.url, 'POST', `/compatibility/subjects/${subject}/versions`, { schema: requiresBatchNo })).body).toEqual({ is_compatible: false });
    expect((await call(registry.url, 'POST', `/subjects/${subject}/versions`, { schema: requiresBatchNo })).status).toBe(409);
  });

  it('deletes a subject but keeps its schema ids resolvable', async () => {
    const subject = uniqueSubject();
    const { id } = (await call(registry.url, 'POST', `/subjects/${subject}/versions`, { schema: V2 })).body as { id: number };
    expect((await call(registry.url, 'DELETE', `/subjects/${subject}`)).body).toEqual([1]);
    expect((await call(registry.url, 'GET', `/subjects/${subject}/versions`)).status).toBe(404);
    expect((await call(registry.url, 'GET', `/schemas/ids/${id}`)).status).toBe(200);
  });
});

describe('embedded schema registry persistence', () => {
  it('keeps schema ids and versions across a restart when given a store file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yunlian-registry-'));
    const storePath = join(dir, 'nested', 'schema-registry.json');
    try {
      const first = await startSchemaRegistry({ port: 0, storePath, logger: silent });
      const subject = valueSubject('yunlian.invoices.jiashan');
      const v1 = (await call(first.url, 'POST', `/subjects/${subject}/versions`, { schema: V1 })).body as { id: number };
      const leg = (await call(first.url, 'POST', `/subjects/${valueSubject('yunlian.invoice-legs')}/versions`, { schema: loadSchemaText('InvoiceLeg') })).body as { id: number };
      await call(first.url, 'PUT', `/config/${subject}`, { compatibility: 'FULL' });
      await first.close();

      const second = await startSchemaRegistry({ port: 0, storePath, logger: silent });
      try {
        expect((await call(second.url, 'GET', `/schemas/ids/${v1.id}`)).body).toEqual({ schema: V1 });
        expect((await call(second.url, 'POST', `/subjects/${subject}/versions`, { schema: V1 })).body).toEqual({ id: v1.id });
        expect((await call(second.url, 'GET', `/config/${subject}`)).body).toEqual({ compatibilityLevel: 'FULL' });
        const v2 = (await call(second.url, 'POST', `/subjects/${subject}/versions`, { schema: V2 })).body as { id: number };
        expect(v2.id).toBe(Math.max(v1.id, leg.id) + 1);
        expect((await call(second.url, 'GET', `/subjects/${subject}/versions`)).body).toEqual([1, 2]);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('answers 50001 when a change cannot be persisted, and keeps serving', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yunlian-registry-'));
    const storeDir = join(dir, 'store');
    try {
      const running = await startSchemaRegistry({ port: 0, storePath: join(storeDir, 'schema-registry.json'), logger: silent });
      try {
        // A file where the store directory should be makes every snapshot write fail.
        await writeFile(storeDir, 'not a directory');
        const failed = await call(running.url, 'POST', `/subjects/${uniqueSubject()}/versions`, { schema: V1 });
        expect(failed).toMatchObject({ status: 500, body: { error_code: 50001 } });
        expect((await call(running.url, 'GET', '/subjects')).status).toBe(200);
        await rm(storeDir);
        const retried = await call(running.url, 'PUT', '/config', { compatibility: 'FULL' });
        expect(retried).toMatchObject({ status: 200, body: { compatibility: 'FULL' } });
        const saved = JSON.parse(await readFile(join(storeDir, 'schema-registry.json'), 'utf8')) as { globalCompatibility: string; schemas: unknown[] };
        expect(saved.globalCompatibility).toBe('FULL');
        expect(saved.schemas).toHaveLength(1);
      } finally {
        await running.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start on a corrupt store file rather than reissuing ids', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yunlian-registry-'));
    try {
      const storePath = join(dir, 'schema-registry.json');
      await writeFile(storePath, '{"format":"yunlian-schema-registry/1",');
      expect(await thrown(startSchemaRegistry({ port: 0, storePath, logger: silent }))).toMatchObject({ name: 'ConfigError', code: 'SCHEMA_REGISTRY_STORE_CORRUPT' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('registers every topic value schema under its <topic>-value subject', async () => {
    const running = await startSchemaRegistry({ port: 0, logger: silent });
    try {
      for (const [topic, schemaName] of Object.entries(TOPIC_VALUE_SCHEMAS)) {
        const result = await call(running.url, 'POST', `/subjects/${valueSubject(topic)}/versions`, { schema: loadSchemaText(schemaName) });
        expect(result.status).toBe(200);
      }
      expect((await call(running.url, 'GET', '/subjects')).body).toEqual([
        'yunlian.disruptions-value',
        'yunlian.invoice-legs-value',
        'yunlian.invoices.jiashan-value',
        'yunlian.invoices.qingpu-value',
        'yunlian.invoices.wujiang-value',
        'yunlian.matches-value',
      ]);
      // The three district feeds share one InvoiceEvent schema, hence one id.
      const ids = await Promise.all(['qingpu', 'jiashan', 'wujiang'].map(async (d) => ((await call(running.url, 'GET', `/subjects/yunlian.invoices.${d}-value/versions/latest`)).body as { id: number }).id));
      expect(new Set(ids).size).toBe(1);
    } finally {
      await running.close();
    }
  });
});

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

  it('resolves records into the reader schema the consumer expects', async () => {
    const serde = new AvroSerde({ registryUrl: registry.url });
    const subject = uniqueSubject();
    const v1 = await serde.register(subject, V1);
    const v2 = await serde.register(subject, V2);
    const invoice = sampleInvoice();

    const oldRecordNewReader = await serde.decode(await serde.encode(v1, invoice), V2);
    expect(oldRecordNewReader).toEqual({ schemaId: v1, value: { ...invoice, source_system: null } });
    const newRecordOldReader = await serde.decode(await serde.encode(v2, { ...invoice, source_system: 'wujiang-etax' }), JSON.parse(V1) as object);
    expect(newRecordOldReader).toEqual({ schemaId: v2, value: invoice });

    const legReader = loadSchemaText('InvoiceLeg');
    expect(await thrown(serde.decode(await serde.encode(v1, invoice), legReader))).toMatchObject({ code: 'SCHEMA_RESOLUTION_FAILED', retriable: false });
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
