/**
 * Decodes an HTTP `param_<name>` value for chDB's bound-parameter API.
 *
 * Over HTTP, ClickHouse reads a parameter value in the "escaped" text format
 * of its declared type: `\t`, `\n`, `\'`, `\\` are escapes and a bare `\N`
 * is NULL (@clickhouse/client sends strings that way). chDB's binder instead
 * takes raw values and escapes them itself (verified: `it\'s` binds as the
 * five characters `it\'s`), so a scalar value must be unescaped first or it
 * would arrive with its backslashes doubled.
 *
 * Composite types (Array, Map, Tuple, …) carry quoted elements whose escapes
 * belong to the element syntax, so they are passed through untouched; a
 * composite value that needs backslash escapes inside its elements may
 * therefore bind differently than on a real server (documented limitation).
 */
export type BoundParameterValue = string | null;

const COMPOSITE_TYPE = /^(Array|Map|Tuple|Nested|Variant|Dynamic|JSON|Object)\b/i;

export function decodeHttpQueryParameter(raw: string, declaredType: string | undefined): BoundParameterValue {
  if (raw === '\\N') return null;
  if (declaredType !== undefined && COMPOSITE_TYPE.test(unwrapModifiers(declaredType))) return raw;
  return unescapeClickHouseEscaped(raw);
}

/** `Nullable(LowCardinality(String))` → `String`. */
function unwrapModifiers(type: string): string {
  let current = type.trim();
  for (;;) {
    const match = /^(Nullable|LowCardinality)\s*\((.*)\)$/is.exec(current);
    if (match === null) return current;
    current = match[2]!.trim();
  }
}

const ESCAPES: Record<string, string> = {
  b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', '0': '\0', a: '\x07', v: '\v', e: '\x1b',
};

function unescapeClickHouseEscaped(raw: string): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== '\\' || i + 1 >= raw.length) {
      out += c;
      continue;
    }
    const next = raw[++i]!;
    // Unknown escapes keep the escaped character, as ClickHouse does for `\'` and `\\`.
    out += ESCAPES[next] ?? next;
  }
  return out;
}
