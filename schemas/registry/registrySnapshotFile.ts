/**
 * Keeps the embedded registry's state in one JSON file, so that restarting
 * `yunlian up` keeps schema ids stable: records already in Kafka carry those
 * ids and must stay decodable.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from '../../src/runtime/errors.ts';
import type { RegistrySnapshot } from './schemaRegistryStore.ts';

/** The snapshot in `path`, or undefined when there is no file yet. Throws ConfigError when it is unreadable. */
export async function readRegistrySnapshot(path: string): Promise<RegistrySnapshot | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`cannot read schema registry store: ${(error as Error).message}`, {
      code: 'SCHEMA_REGISTRY_STORE_UNREADABLE',
      context: { path },
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`schema registry store is not JSON: ${(error as Error).message}`, {
      code: 'SCHEMA_REGISTRY_STORE_CORRUPT',
      context: { path },
    });
  }
  if (!isSnapshotShape(parsed)) {
    throw new ConfigError('schema registry store has an unexpected shape', { code: 'SCHEMA_REGISTRY_STORE_CORRUPT', context: { path } });
  }
  return parsed;
}

/**
 * Writes the snapshot atomically (temp file + rename), so a crash mid-write
 * leaves the previous state rather than a truncated file.
 */
export async function writeRegistrySnapshot(path: string, snapshot: RegistrySnapshot): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(snapshot, null, 2) + '\n', 'utf8');
  await rename(temp, path);
}

function isSnapshotShape(value: unknown): value is RegistrySnapshot {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v.format === 'yunlian-schema-registry/1' &&
    typeof v.globalCompatibility === 'string' &&
    Array.isArray(v.schemas) &&
    v.schemas.every((s) => typeof s === 'object' && s !== null && typeof s.id === 'number' && typeof s.schema === 'string') &&
    Array.isArray(v.subjects) &&
    v.subjects.every(
      (s) =>
        typeof s === 'object' &&
        s !== null &&
        typeof s.subject === 'string' &&
        Array.isArray(s.versions) &&
        s.versions.every((x: unknown) => typeof x === 'object' && x !== null && typeof (x as { id?: unknown }).id === 'number' && typeof (x as { version?: unknown }).version === 'number'),
    )
  );
}
