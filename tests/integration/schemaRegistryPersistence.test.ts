import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOPIC_VALUE_SCHEMAS, loadSchemaText, valueSubject } from '../../schemas/index.ts';
import { startSchemaRegistry } from '../../schemas/registry/startSchemaRegistry.ts';
import type { InvoiceEvent } from '../../src/domain/invoiceEvent.ts';
import { silent, V1, V2, uniqueSubject, call, thrown } from '../helpers/registryFixtures.ts';

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
