/**
 * The state of the embedded Schema Registry: schemas by global id, subjects
 * with their versions, and compatibility configuration. In memory and
 * synchronous, so every request is applied atomically on Node's one thread;
 * the HTTP layer persists a snapshot after each change.
 *
 * Semantics follow Confluent's registry:
 * - ids are global; the same schema (by canonical form) under any subject gets
 *   the same id;
 * - registering a schema the subject already has returns its id and adds no version;
 * - a new version must pass the subject's (or the global) compatibility level.
 *
 * Every failure is a `RegistryHttpError` carrying Confluent's error code.
 */
import avro from 'avsc';
import type { Type } from 'avsc';
import {
  checkCompatibility,
  describeViolation,
  isCompatibilityLevel,
  type CompatibilityLevel,
} from './avroCompatibility.ts';
import {
  incompatibleSchema,
  invalidCompatibilityLevel,
  invalidSchema,
  invalidVersion,
  schemaNotFound,
  subjectCompatibilityNotConfigured,
  subjectNotFound,
  versionNotFound,
} from './registryHttpError.ts';

export interface SchemaSubmission {
  schema: unknown;
  schemaType?: unknown;
  references?: unknown;
}

export interface SubjectVersionView {
  subject: string;
  id: number;
  version: number;
  schema: string;
}

export interface RegistrySnapshot {
  format: 'yunlian-schema-registry/1';
  globalCompatibility: CompatibilityLevel;
  schemas: { id: number; schema: string }[];
  subjects: { subject: string; compatibility?: CompatibilityLevel; versions: { version: number; id: number }[] }[];
}

/** `latest` (or -1, as Confluent accepts) or a concrete version number. */
export type VersionSpec = { kind: 'latest' } | { kind: 'number'; version: number };

const MAX_VERSION = 2 ** 31 - 1;

export function parseVersionSpec(raw: string): VersionSpec {
  if (raw === 'latest' || raw === '-1') return { kind: 'latest' };
  if (/^[0-9]{1,10}$/.test(raw)) {
    const version = Number(raw);
    if (version >= 1 && version <= MAX_VERSION) return { kind: 'number', version };
  }
  throw invalidVersion(raw);
}

interface StoredSchema {
  id: number;
  /** The text as first registered, returned verbatim (keeps docs and formatting). */
  schema: string;
  type: Type;
  canonical: string;
}

interface SubjectState {
  compatibility?: CompatibilityLevel;
  versions: { version: number; id: number }[];
}

interface ParsedSchema {
  type: Type;
  canonical: string;
  text: string;
}

/**
 * Parses and validates a submitted Avro schema. The canonical form keeps
 * defaults and docs (unlike Avro's Parsing Canonical Form) so that schemas
 * differing in a default do not share an id, as in Confluent.
 */
function parseSubmission(body: SchemaSubmission): ParsedSchema {
  if (body.schemaType !== undefined && body.schemaType !== null && body.schemaType !== 'AVRO') {
    throw invalidSchema(`schemaType ${String(body.schemaType)} is not supported by this registry; only AVRO is`);
  }
  if (Array.isArray(body.references) && body.references.length > 0) {
    throw invalidSchema('schema references are not supported by this registry');
  }
  if (typeof body.schema !== 'string' || body.schema.trim() === '') {
    throw invalidSchema('field "schema" must be a non-empty string of Avro schema JSON');
  }
  return parseSchemaText(body.schema);
}

function parseSchemaText(text: string): ParsedSchema {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalidSchema(`not JSON (${(error as Error).message})`);
  }
  let type: Type;
  try {
    type = avro.Type.forSchema(json as avro.schema.AvroSchema);
  } catch (error) {
    throw invalidSchema((error as Error).message);
  }
  return { type, canonical: JSON.stringify(type.schema({ exportAttrs: true })), text };
}

export class SchemaRegistryStore {
  private readonly schemasById = new Map<number, StoredSchema>();
  private readonly idByCanonical = new Map<string, number>();
  private readonly subjectStates = new Map<string, SubjectState>();
  private globalLevel: CompatibilityLevel;
  private nextId = 1;
  /** Bumped on every change, so the HTTP layer knows when to persist. */
  revision = 0;

  constructor(opts: { defaultCompatibility?: CompatibilityLevel } = {}) {
    this.globalLevel = opts.defaultCompatibility ?? 'BACKWARD';
  }

  /** Registers a schema under a subject; returns its global id. Throws 42201 or 409. */
  register(subject: string, body: SchemaSubmission): { id: number } {
    const parsed = parseSubmission(body);
    const state = this.subjectStates.get(subject);
    const knownId = this.idByCanonical.get(parsed.canonical);
    if (state && knownId !== undefined && state.versions.some((v) => v.id === knownId)) return { id: knownId };

    const previous = (state?.versions ?? []).map((v) => ({ version: v.version, type: this.schemaOf(v.id).type }));
    const violations = checkCompatibility(parsed.type, previous, this.effectiveCompatibility(subject));
    if (violations.length > 0) {
      throw incompatibleSchema(`subject "${subject}", level ${this.effectiveCompatibility(subject)}: ${violations.map(describeViolation).join('; ')}`);
    }

    const id = knownId ?? this.addSchema(parsed);
    const target = state ?? { versions: [] };
    const version = (target.versions.at(-1)?.version ?? 0) + 1;
    target.versions.push({ version, id });
    this.subjectStates.set(subject, target);
    this.revision++;
    return { id };
  }

  /** The version of `subject` holding this schema. Throws 40401 or 40403. */
  lookup(subject: string, body: SchemaSubmission): SubjectVersionView {
    const state = this.requireSubject(subject);
    const parsed = parseSubmission(body);
    const id = this.idByCanonical.get(parsed.canonical);
    const found = id === undefined ? undefined : state.versions.find((v) => v.id === id);
    if (!found) throw schemaNotFound();
    return this.viewOf(subject, found);
  }

  schemaById(id: number): { schema: string } {
    const stored = this.schemasById.get(id);
    if (!stored) throw schemaNotFound();
    return { schema: stored.schema };
  }

  /** Subject/version pairs that use a schema id. Throws 40403. */
  subjectVersionsOfId(id: number): { subject: string; version: number }[] {
    if (!this.schemasById.has(id)) throw schemaNotFound();
    const out: { subject: string; version: number }[] = [];
    for (const [subject, state] of this.subjectStates) {
      for (const v of state.versions) if (v.id === id) out.push({ subject, version: v.version });
    }
    return out;
  }

  subjects(): string[] {
    return [...this.subjectStates].filter(([, state]) => state.versions.length > 0).map(([subject]) => subject).sort();
  }

  versions(subject: string): number[] {
    return this.requireSubject(subject).versions.map((v) => v.version);
  }

  version(subject: string, spec: VersionSpec): SubjectVersionView {
    const state = this.requireSubject(subject);
    const found = spec.kind === 'latest' ? state.versions.at(-1) : state.versions.find((v) => v.version === spec.version);
    if (!found) throw versionNotFound(spec.kind === 'latest' ? 'latest' : spec.version);
    return this.viewOf(subject, found);
  }

  /**
   * Would `body` be accepted against one version (`spec`) or, with `spec`
   * undefined, against every version the level considers? A subject without
   * versions accepts anything, as Confluent answers for `latest`.
   */
  testCompatibility(subject: string, spec: VersionSpec | undefined, body: SchemaSubmission): { is_compatible: boolean; messages: string[] } {
    const parsed = parseSubmission(body);
    const state = this.subjectStates.get(subject);
    if (!state || state.versions.length === 0) {
      if (spec?.kind === 'number') throw subjectNotFound(subject);
      return { is_compatible: true, messages: [] };
    }
    const all = state.versions.map((v) => ({ version: v.version, type: this.schemaOf(v.id).type }));
    let against = all;
    let level = this.effectiveCompatibility(subject);
    if (spec) {
      const one = spec.kind === 'latest' ? all.at(-1) : all.find((v) => v.version === spec.version);
      if (!one) throw versionNotFound(spec.kind === 'latest' ? 'latest' : spec.version);
      against = [one];
      // Against one named version, transitivity has nothing to add.
      level = level.replace('_TRANSITIVE', '') as CompatibilityLevel;
    }
    const violations = checkCompatibility(parsed.type, against, level);
    return { is_compatible: violations.length === 0, messages: violations.map(describeViolation) };
  }

  globalCompatibility(): CompatibilityLevel {
    return this.globalLevel;
  }

  setGlobalCompatibility(level: unknown): CompatibilityLevel {
    this.globalLevel = requireLevel(level);
    this.revision++;
    return this.globalLevel;
  }

  /** The subject's own level; throws 40408 when it has none (clients then fall back to global). */
  subjectCompatibility(subject: string): CompatibilityLevel {
    const level = this.subjectStates.get(subject)?.compatibility;
    if (level === undefined) throw subjectCompatibilityNotConfigured(subject);
    return level;
  }

  /** Confluent allows configuring a subject before its first schema, so this creates the subject entry. */
  setSubjectCompatibility(subject: string, level: unknown): CompatibilityLevel {
    const checked = requireLevel(level);
    const state = this.subjectStates.get(subject) ?? { versions: [] };
    state.compatibility = checked;
    this.subjectStates.set(subject, state);
    this.revision++;
    return checked;
  }

  deleteSubjectCompatibility(subject: string): CompatibilityLevel {
    const state = this.subjectStates.get(subject);
    const level = state?.compatibility;
    if (!state || level === undefined) throw subjectCompatibilityNotConfigured(subject);
    delete state.compatibility;
    if (state.versions.length === 0) this.subjectStates.delete(subject);
    this.revision++;
    return level;
  }

  effectiveCompatibility(subject: string): CompatibilityLevel {
    return this.subjectStates.get(subject)?.compatibility ?? this.globalLevel;
  }

  /**
   * Deletes a subject and returns the versions it had. Schema ids stay
   * resolvable, because records already written in Kafka still carry them.
   */
  deleteSubject(subject: string): number[] {
    const versions = this.versions(subject);
    this.subjectStates.delete(subject);
    this.revision++;
    return versions;
  }

  toSnapshot(): RegistrySnapshot {
    return {
      format: 'yunlian-schema-registry/1',
      globalCompatibility: this.globalLevel,
      schemas: [...this.schemasById.values()].map((s) => ({ id: s.id, schema: s.schema })),
      subjects: [...this.subjectStates].map(([subject, state]) => ({
        subject,
        ...(state.compatibility === undefined ? {} : { compatibility: state.compatibility }),
        versions: state.versions.map((v) => ({ ...v })),
      })),
    };
  }

  /** Rebuilds a store from a snapshot; throws an Error naming the first inconsistency. */
  static fromSnapshot(snapshot: RegistrySnapshot): SchemaRegistryStore {
    if (snapshot.format !== 'yunlian-schema-registry/1') throw new Error(`unknown snapshot format ${String(snapshot.format)}`);
    const store = new SchemaRegistryStore({ defaultCompatibility: requireLevel(snapshot.globalCompatibility) });
    for (const { id, schema } of snapshot.schemas) {
      if (!Number.isSafeInteger(id) || id < 1 || store.schemasById.has(id)) throw new Error(`bad schema id ${id} in snapshot`);
      const parsed = parseSchemaText(schema);
      store.schemasById.set(id, { id, schema, type: parsed.type, canonical: parsed.canonical });
      if (!store.idByCanonical.has(parsed.canonical)) store.idByCanonical.set(parsed.canonical, id);
      store.nextId = Math.max(store.nextId, id + 1);
    }
    for (const { subject, compatibility, versions } of snapshot.subjects) {
      for (const v of versions) {
        if (!store.schemasById.has(v.id)) throw new Error(`subject ${subject} version ${v.version} refers to missing schema id ${v.id}`);
      }
      store.subjectStates.set(subject, {
        ...(compatibility === undefined ? {} : { compatibility: requireLevel(compatibility) }),
        versions: [...versions].sort((a, b) => a.version - b.version),
      });
    }
    return store;
  }

  private addSchema(parsed: ParsedSchema): number {
    const id = this.nextId++;
    this.schemasById.set(id, { id, schema: parsed.text, type: parsed.type, canonical: parsed.canonical });
    this.idByCanonical.set(parsed.canonical, id);
    return id;
  }

  private schemaOf(id: number): StoredSchema {
    const stored = this.schemasById.get(id);
    // Invariant: versions only ever refer to stored ids (checked on snapshot load).
    if (!stored) throw new Error(`registry invariant broken: no schema for id ${id}`);
    return stored;
  }

  /** A subject that only has a config but no versions is "not found", as in Confluent. */
  private requireSubject(subject: string): SubjectState {
    const state = this.subjectStates.get(subject);
    if (!state || state.versions.length === 0) throw subjectNotFound(subject);
    return state;
  }

  private viewOf(subject: string, v: { version: number; id: number }): SubjectVersionView {
    return { subject, id: v.id, version: v.version, schema: this.schemaOf(v.id).schema };
  }
}

function requireLevel(level: unknown): CompatibilityLevel {
  const normalised = typeof level === 'string' ? level.toUpperCase() : level;
  if (!isCompatibilityLevel(normalised)) throw invalidCompatibilityLevel(level);
  return normalised;
}
