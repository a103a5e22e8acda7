/**
 * Avro schema compatibility, following the schema-resolution rules of the Avro
 * specification (https://avro.apache.org/docs/1.11.1/specification/#schema-resolution)
 * the way Confluent's registry applies them (Java `SchemaCompatibility`):
 * a reader schema can read data written with a writer schema when every value
 * the writer can produce resolves into the reader.
 *
 * Pure: works on parsed avsc Types and does no I/O. BACKWARD means the new
 * schema (reader) reads the previous one (writer); FORWARD the opposite.
 */
import type { Type } from 'avsc';

export const COMPATIBILITY_LEVELS = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

export function isCompatibilityLevel(value: unknown): value is CompatibilityLevel {
  return typeof value === 'string' && (COMPATIBILITY_LEVELS as readonly string[]).includes(value);
}

/** Names as Confluent reports them, so operators can search for them. */
export type IncompatibilityKind =
  | 'NAME_MISMATCH'
  | 'FIXED_SIZE_MISMATCH'
  | 'MISSING_ENUM_SYMBOLS'
  | 'READER_FIELD_MISSING_DEFAULT_VALUE'
  | 'TYPE_MISMATCH'
  | 'MISSING_UNION_BRANCH';

export interface Incompatibility {
  kind: IncompatibilityKind;
  /** Where in the reader schema, e.g. `/fields/lines/items/fields/amount_fen`. */
  path: string;
  message: string;
}

/** Writer-type → reader-types the spec lets it be promoted to. */
const PROMOTIONS: Readonly<Record<string, readonly string[]>> = {
  int: ['long', 'float', 'double'],
  long: ['float', 'double'],
  float: ['double'],
  string: ['bytes'],
  bytes: ['string'],
};

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

/** avsc exposes these on the concrete subclasses; the public typings only declare `Type`. */
interface FieldView {
  name: string;
  aliases: string[];
  type: Type;
  defaultValue(): unknown;
}
interface TypeView {
  typeName: string;
  name: string | undefined;
  aliases?: string[];
  fields?: FieldView[];
  symbols?: string[];
  default?: string;
  size?: number;
  itemsType?: Type;
  valuesType?: Type;
  types?: Type[];
  underlyingType?: Type;
}

const view = (type: Type): TypeView => type as unknown as TypeView;

/** Logical types are resolved on their underlying Avro type, as the spec says. */
function physical(type: Type): Type {
  let t = type;
  while (view(t).typeName.startsWith('logical:') && view(t).underlyingType) t = view(t).underlyingType as Type;
  return t;
}

function isUnion(type: Type): boolean {
  return view(type).typeName.startsWith('union:');
}

function shortName(fullName: string | undefined): string | undefined {
  return fullName === undefined ? undefined : fullName.slice(fullName.lastIndexOf('.') + 1);
}

/** Java's `schemaNameEquals`: unqualified names match, or the reader lists the writer's full name as an alias. */
function namesMatch(reader: Type, writer: Type): boolean {
  const r = view(reader);
  const w = view(writer);
  if (shortName(r.name) === shortName(w.name)) return true;
  return w.name !== undefined && (r.aliases ?? []).includes(w.name);
}

function describe(type: Type): string {
  const v = view(type);
  return v.name ?? v.typeName;
}

class Checker {
  /** (reader, writer) record pairs on the current path; a recursive schema re-entering one is assumed compatible. */
  private readonly inProgress = new Map<Type, Set<Type>>();

  check(reader: Type, writer: Type, path: string, out: Incompatibility[]): void {
    const r = physical(reader);
    const w = physical(writer);

    if (isUnion(w)) {
      // Every branch the writer may have chosen must be readable.
      (view(w).types ?? []).forEach((branch, i) => this.check(r, branch, `${path}/${i}`, out));
      return;
    }
    if (isUnion(r)) {
      const readable = (view(r).types ?? []).some((branch) => {
        const probe: Incompatibility[] = [];
        this.check(branch, w, path, probe);
        return probe.length === 0;
      });
      if (!readable) {
        out.push({ kind: 'MISSING_UNION_BRANCH', path, message: `reader union lacks a branch for writer type ${describe(w)}` });
      }
      return;
    }

    const rt = view(r).typeName;
    const wt = view(w).typeName;
    if (PRIMITIVES.has(wt)) {
      if (rt !== wt && !(PROMOTIONS[wt] ?? []).includes(rt)) {
        out.push({ kind: 'TYPE_MISMATCH', path, message: `reader type ${rt} cannot read writer type ${wt}` });
      }
      return;
    }
    if (rt !== wt) {
      out.push({ kind: 'TYPE_MISMATCH', path, message: `reader type ${describe(r)} cannot read writer type ${describe(w)}` });
      return;
    }
    switch (wt) {
      case 'record':
        this.checkRecord(r, w, path, out);
        return;
      case 'enum':
        this.checkEnum(r, w, path, out);
        return;
      case 'fixed':
        if (!namesMatch(r, w)) {
          out.push({ kind: 'NAME_MISMATCH', path: `${path}/name`, message: `expected fixed ${describe(w)}, found ${describe(r)}` });
        } else if (view(r).size !== view(w).size) {
          out.push({ kind: 'FIXED_SIZE_MISMATCH', path: `${path}/size`, message: `fixed ${describe(r)} has size ${view(r).size}, writer has ${view(w).size}` });
        }
        return;
      case 'array':
        this.check(view(r).itemsType as Type, view(w).itemsType as Type, `${path}/items`, out);
        return;
      case 'map':
        this.check(view(r).valuesType as Type, view(w).valuesType as Type, `${path}/values`, out);
        return;
      default:
        out.push({ kind: 'TYPE_MISMATCH', path, message: `unsupported Avro type ${wt}` });
    }
  }

  private checkRecord(reader: Type, writer: Type, path: string, out: Incompatibility[]): void {
    if (!namesMatch(reader, writer)) {
      out.push({ kind: 'NAME_MISMATCH', path: `${path}/name`, message: `expected record ${describe(writer)}, found ${describe(reader)}` });
      return;
    }
    let seen = this.inProgress.get(reader);
    if (seen?.has(writer)) return;
    if (!seen) {
      seen = new Set();
      this.inProgress.set(reader, seen);
    }
    seen.add(writer);
    try {
      this.checkFields(reader, writer, path, out);
    } finally {
      // Only the pairs on the current path are assumed compatible: a pair seen before
      // (e.g. in a failed union probe, or a type used by two fields) is checked again.
      seen.delete(writer);
    }
  }

  private checkFields(reader: Type, writer: Type, path: string, out: Incompatibility[]): void {
    const writerFields = view(writer).fields ?? [];
    for (const field of view(reader).fields ?? []) {
      const fieldPath = `${path}/fields/${field.name}`;
      const candidates = [field.name, ...(field.aliases ?? [])];
      const source = writerFields.find((wf) => candidates.includes(wf.name));
      if (source) {
        this.check(field.type, source.type, fieldPath, out);
      } else if (field.defaultValue() === undefined) {
        // Written data lacks the field and the reader has nothing to fill it with.
        out.push({ kind: 'READER_FIELD_MISSING_DEFAULT_VALUE', path: fieldPath, message: `reader field ${field.name} has no default and is missing from the writer` });
      }
    }
    // Writer fields unknown to the reader are skipped on read: always fine.
  }

  private checkEnum(reader: Type, writer: Type, path: string, out: Incompatibility[]): void {
    if (!namesMatch(reader, writer)) {
      out.push({ kind: 'NAME_MISMATCH', path: `${path}/name`, message: `expected enum ${describe(writer)}, found ${describe(reader)}` });
      return;
    }
    const readerSymbols = new Set(view(reader).symbols ?? []);
    const missing = (view(writer).symbols ?? []).filter((s) => !readerSymbols.has(s));
    // Avro 1.9+: an enum default on the reader absorbs unknown writer symbols.
    if (missing.length > 0 && view(reader).default === undefined) {
      out.push({ kind: 'MISSING_ENUM_SYMBOLS', path: `${path}/symbols`, message: `reader enum ${describe(reader)} lacks writer symbols ${missing.join(', ')}` });
    }
  }
}

/** Everything that stops `reader` from reading data written with `writer`; empty when it can. */
export function findIncompatibilities(reader: Type, writer: Type): Incompatibility[] {
  const out: Incompatibility[] = [];
  new Checker().check(reader, writer, '', out);
  return out;
}

export function canRead(reader: Type, writer: Type): boolean {
  return findIncompatibilities(reader, writer).length === 0;
}

export interface RegisteredVersion {
  version: number;
  type: Type;
}

export interface CompatibilityViolation extends Incompatibility {
  /** BACKWARD: the candidate cannot read `version`; FORWARD: `version` cannot read the candidate. */
  direction: 'BACKWARD' | 'FORWARD';
  version: number;
}

/**
 * Checks a candidate schema against a subject's versions (oldest first) under
 * a compatibility level. Non-transitive levels compare with the newest version
 * only, as Confluent does. Returns the violations; empty means compatible.
 */
export function checkCompatibility(
  candidate: Type,
  previous: readonly RegisteredVersion[],
  level: CompatibilityLevel,
): CompatibilityViolation[] {
  if (level === 'NONE' || previous.length === 0) return [];
  const transitive = level.endsWith('_TRANSITIVE');
  const against = transitive ? previous : previous.slice(-1);
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const violations: CompatibilityViolation[] = [];
  for (const { version, type } of against) {
    if (backward) {
      for (const i of findIncompatibilities(candidate, type)) violations.push({ ...i, direction: 'BACKWARD', version });
    }
    if (forward) {
      for (const i of findIncompatibilities(type, candidate)) violations.push({ ...i, direction: 'FORWARD', version });
    }
  }
  return violations;
}

/** One line per violation, for the registry's `messages` and 409 error text. */
export function describeViolation(v: CompatibilityViolation): string {
  const who = v.direction === 'BACKWARD' ? `new schema cannot read version ${v.version}` : `version ${v.version} cannot read new schema`;
  return `{errorType:'${v.kind}', location:'${v.path || '/'}', description:'${v.message}', direction:'${who}'}`;
}
