import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSchemaRegistry, type RunningSchemaRegistry } from '../../schemas/registry/startSchemaRegistry.ts';
import { AvroSerde } from '../../schemas/serde/avroSerde.ts';
import type { InvoiceEvent } from '../../src/domain/invoiceEvent.ts';
import { silent, V1, V2, uniqueSubject, sampleInvoice, withRequiredField, call, thrown } from '../helpers/registryFixtures.ts';

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
