import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSchemaRegistry, type RunningSchemaRegistry } from '../../schemas/registry/startSchemaRegistry.ts';
import { silent, V1, V2, uniqueSubject, withRequiredField, call } from '../helpers/registryFixtures.ts';

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
