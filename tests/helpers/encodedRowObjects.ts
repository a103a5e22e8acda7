import type { EncodedRows } from '../../sinks/clickhouse/insertRows.ts';

/** Encoded rows read back as objects keyed by column, whichever way they were encoded (objects or arrays of their columns). */
export function encodedRowObjects(encoded: EncodedRows): Record<string, unknown>[] {
  const lines = encoded.bytes.toString('utf8').split('\n');
  if (lines.pop() !== '') throw new Error('encoded rows do not end with a newline');
  const columns = encoded.columns;
  return lines.map((line) => {
    const parsed = JSON.parse(line) as unknown;
    if (columns === undefined) return parsed as Record<string, unknown>;
    if (!Array.isArray(parsed) || parsed.length !== columns.length) throw new Error(`row is not an array of ${columns.length} values: ${line}`);
    return Object.fromEntries(columns.map((c, i) => [c, parsed[i]]));
  });
}
