import type { ClickHouseCallOp, ClickHouseCallTarget } from '../../src/runtime/metrics.ts';

// An identifier ClickHouse takes unquoted: the tables yunlian writes, never a user's backquoted or parameterised name.
const INSERT_INTO = /^\s*INSERT\s+INTO\s+(?:TABLE\s+)?(?!FUNCTION\s)([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)(?=[\s(]|$)/i;
const INSERT = /^\s*INSERT\b/i;

/**
 * The target of a call that carries SQL text: `INSERT INTO <table> …` (as
 * @clickhouse/client builds it for `insert`, and insertRows.ts for `exec`,
 * or an `INSERT … SELECT`) is an insert into that table; an insert into a
 * name that is not a plain identifier keeps op `insert` with table ''.
 * Anything else is `fallback` (what the call was: a query or a command).
 */
export function targetOfSql(sql: string, fallback: Exclude<ClickHouseCallOp, 'insert'>): ClickHouseCallTarget {
  const table = INSERT_INTO.exec(sql)?.[1];
  if (table !== undefined) return { op: 'insert', table };
  return INSERT.test(sql) ? { op: 'insert', table: '' } : { op: fallback, table: '' };
}
