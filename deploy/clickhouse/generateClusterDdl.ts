/**
 * Cluster DDL from the one ClickHouse model (sinks/clickhouse/schema.ts).
 *
 * The embedded model is single-node (ReplacingMergeTree etc.). A production
 * cluster needs the same tables as Replicated*MergeTree "local" tables on
 * every shard plus Distributed tables under the original names, so the
 * pipelines and analysts keep using `yunlian.invoices` unchanged. Generating
 * the cluster DDL from MIGRATIONS (read at run time) means a new migration
 * flows into deploy/clickhouse/cluster.sql with one command, and a test checks
 * the committed file is the generator's output, so the two cannot drift.
 *
 *   npx tsx deploy/clickhouse/generateClusterDdl.ts > deploy/clickhouse/cluster.sql
 *
 * Statement kinds the generator understands (anything else throws, so a new
 * kind of migration statement fails the drift test instead of producing wrong
 * cluster DDL):
 * - CREATE TABLE … ENGINE = <X>MergeTree: `<t>_local` with
 *   Replicated<X>MergeTree(path, replica, <original params>) + Distributed `<t>`
 * - CREATE TABLE with any other engine: passed through with ON CLUSTER
 * - CREATE [OR REPLACE] VIEW: passed through with ON CLUSTER (it reads the
 *   Distributed tables, so it answers for the whole cluster)
 * - CREATE MATERIALIZED VIEW: it is an insert trigger, and inserts land in the
 *   local tables, so its source table (the leftmost FROM) and its TO target
 *   become `_local`; an inner ENGINE becomes Replicated with a Distributed
 *   table over it
 * - ALTER TABLE: column and comment changes go to the local and the
 *   Distributed table, other changes (indexes, TTL, settings, mutations) to
 *   the local table only
 * - DROP TABLE / VIEW: both tables
 * - the CREATE DATABASE statement
 */
import { pathToFileURL } from 'node:url';
import { DATABASE_STATEMENT, MIGRATIONS, type Migration } from '../../sinks/clickhouse/schema.ts';

export interface ClusterDdlOptions {
  /** Cluster name in remote_servers (deploy/clickhouse/config/remote_servers.xml). */
  cluster: string;
  database: string;
  /** Suffix of the per-shard tables under the Distributed ones. */
  localSuffix: string;
  /** Keeper path of a sharded table; `<table>` is replaced by the original table name. */
  replicatedPath: string;
  replicaName: string;
  /**
   * Sharding expression per table, overriding the rule in shardingKeyOf. It must be
   * a function of the table's identity (its ORDER BY key), or ReplacingMergeTree
   * cannot merge duplicates that land on different shards.
   */
  shardingKeys: Readonly<Record<string, string>>;
}

export const DEFAULT_CLUSTER_DDL_OPTIONS: ClusterDdlOptions = {
  cluster: 'yunlian',
  database: 'yunlian',
  localSuffix: '_local',
  replicatedPath: '/clickhouse/tables/{shard}/yunlian/<table>',
  replicaName: '{replica}',
  // All rows of a partition's detector state on one shard: a restore reads them together.
  shardingKeys: { detect_snapshot_entries: 'cityHash64(group_id, cluster_id, topic, partition)' },
};

/**
 * Columns preferred as sharding key, in order. Each is determined by the
 * identity of the rows that carry it (an event's id; the enterprise of a
 * signal, case, match, daily rollup or late leg; the seller of a link), so
 * duplicates of a row always land on the same shard, and an enterprise's rows
 * sit together for per-enterprise queries.
 */
export const PREFERRED_SHARDING_COLUMNS: readonly string[] = ['event_id', 'enterprise_tax_id', 'seller_tax_id', 'leg_id', 'signal_id', 'case_id', 'match_id'];

/**
 * The schema_migrations table `migrate()` keeps (sinks/clickhouse/migrate.ts).
 * On the cluster it is replicated to every node (a Keeper path without
 * {shard}) and filled by cluster.sql, so a pipeline's start-up migrate() finds
 * every version applied on whichever node it reaches and never creates
 * single-node tables there.
 */
export const SCHEMA_MIGRATIONS_COLUMNS = "version UInt32, name String, applied_at DateTime64(3, 'UTC')";

/** What the generator knows about one sharded table while it walks the migrations. */
export interface ShardedTable {
  name: string;
  columns: string[];
  orderBy: string | null;
  shardingKey: string;
}

type Options = ClusterDdlOptions;

/** Model state threaded through the migrations: tables that got a `_local` twin. */
interface ClusterModel {
  sharded: Map<string, ShardedTable>;
}

/**
 * The whole cluster.sql text for these migrations. Pure: same input, same text.
 * Throws Error naming the statement when a migration statement has a form the
 * generator does not know.
 */
export function generateClusterDdl(migrations: readonly Migration[], options: Partial<ClusterDdlOptions> = {}): string {
  const o: Options = { ...DEFAULT_CLUSTER_DDL_OPTIONS, ...options };
  const model: ClusterModel = { sharded: new Map() };
  const out: string[] = [
    '-- ClickHouse cluster DDL for yunlian, GENERATED from MIGRATIONS in sinks/clickhouse/schema.ts.',
    '-- Do not edit: change the migrations, then run',
    '--   npx tsx deploy/clickhouse/generateClusterDdl.ts > deploy/clickhouse/cluster.sql',
    `-- Apply once per release on any node of cluster \`${o.cluster}\` (see docs/production.md):`,
    '--   clickhouse-client --host <node> --user <admin> --ask-password --multiquery < deploy/clickhouse/cluster.sql',
    `-- Sharded tables are Replicated*MergeTree \`<table>${o.localSuffix}\` on every shard plus a Distributed \`<table>\`.`,
    '',
    `${onCluster(DATABASE_STATEMENT.trim(), o)};`,
    '',
    '-- The migrations record, replicated to every node so the pipelines\' start-up migrate() is a no-op.',
    `CREATE TABLE IF NOT EXISTS ${o.database}.schema_migrations ON CLUSTER ${o.cluster} (${SCHEMA_MIGRATIONS_COLUMNS})\nENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/${o.database}/schema_migrations', '${o.replicaName}')\nORDER BY version;`,
    '',
  ];
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  for (const m of sorted) {
    out.push(`-- migration ${m.version}: ${m.name}`);
    for (const statement of m.statements) {
      for (const s of clusterStatementsOf(statement, model, o)) out.push(`${s};`, '');
    }
  }
  if (sorted.length > 0) {
    const rows = sorted.map((m) => `(${m.version}, ${sqlString(m.name)}, now64(3))`).join(',\n  ');
    out.push(`INSERT INTO ${o.database}.schema_migrations (version, name, applied_at) VALUES\n  ${rows};`, '');
  }
  return out.join('\n');
}

/**
 * The cluster statements for one embedded migration statement, in the order
 * they must run. Updates `model` with tables that became sharded.
 */
function clusterStatementsOf(statement: string, model: ClusterModel, o: Options): string[] {
  const text = dedent(statement.trim().replace(/;\s*$/, ''));
  if (/^CREATE\s+DATABASE\b/i.test(text)) return [onCluster(text, o)];
  if (/^CREATE\s+TABLE\b/i.test(text)) return createTable(text, model, o);
  if (/^CREATE\s+MATERIALIZED\s+VIEW\b/i.test(text)) return createMaterializedView(text, model, o);
  if (/^CREATE\s+(OR\s+REPLACE\s+)?VIEW\b/i.test(text)) return [onCluster(text, o)];
  if (/^ALTER\s+TABLE\b/i.test(text)) return alterTable(text, model, o);
  if (/^DROP\s+(TABLE|VIEW)\b/i.test(text)) return dropTable(text, model, o);
  throw unsupported(text, 'unknown kind of statement');
}

// ---------------------------------------------------------------- CREATE TABLE

const CREATE_TABLE = /^CREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?([A-Za-z_]\w*)\.([A-Za-z_]\w*)\s*/i;

function createTable(text: string, model: ClusterModel, o: Options): string[] {
  const head = CREATE_TABLE.exec(text);
  if (!head) throw unsupported(text, 'expected CREATE TABLE [IF NOT EXISTS] <database>.<table>');
  const [header, ifNotExists = '', database, table] = head as unknown as [string, string | undefined, string, string];
  checkDatabase(database, text, o);
  const afterName = header.length;
  if (text[afterName] !== '(') throw unsupported(text, 'expected a column list after the table name');
  const columnsEnd = matchingParen(text, afterName);
  const columnsText = text.slice(afterName + 1, columnsEnd);
  const rest = text.slice(columnsEnd + 1);
  const engine = parseEngine(rest);
  if (!engine) throw unsupported(text, 'expected ENGINE = … after the column list');
  const replicated = replicatedEngine(engine, table, o);
  const ifne = ifNotExists ? 'IF NOT EXISTS ' : '';
  if (!replicated) {
    // Memory, Null, Kafka, Dictionary…: not sharded, but every node needs it.
    return [`CREATE TABLE ${ifne}${database}.${table} ON CLUSTER ${o.cluster} (${columnsText})${rest}`];
  }
  const columns = columnNames(columnsText);
  const orderBy = clauseOf(engine.tail, 'ORDER BY');
  const shardingKey = o.shardingKeys[table] ?? shardingKeyOf({ columns, orderBy });
  model.sharded.set(table, { name: table, columns, orderBy, shardingKey });
  const local = `${table}${o.localSuffix}`;
  const comment = commentOf(engine.tail);
  return [
    `CREATE TABLE ${ifne}${database}.${local} ON CLUSTER ${o.cluster} (${columnsText}) ENGINE = ${replicated}${replicatedSettings(engine.tail)}`,
    `CREATE TABLE ${ifne}${database}.${table} ON CLUSTER ${o.cluster} AS ${database}.${local}\nENGINE = Distributed(${o.cluster}, ${database}, ${local}, ${shardingKey})` +
      (comment ? `\nCOMMENT ${comment}` : ''),
  ];
}

/**
 * The sharding expression of a table: the first preferred column it has
 * (PREFERRED_SHARDING_COLUMNS), else a hash of its ORDER BY key (always safe
 * for deduplication: equal keys hash equal), else rand() for a table without
 * a sorting key (nothing to deduplicate).
 */
export function shardingKeyOf(table: { columns: readonly string[]; orderBy: string | null }): string {
  const preferred = PREFERRED_SHARDING_COLUMNS.find((c) => table.columns.includes(c));
  if (preferred) return `cityHash64(${preferred})`;
  const key = table.orderBy ? stripOuterParens(table.orderBy.trim()) : '';
  if (key === '' || /^tuple\(\s*\)$/i.test(key)) return 'rand()';
  return `cityHash64(${key})`;
}

interface ParsedEngine {
  name: string;
  /** Text inside the engine's parentheses, or null when written without them. */
  params: string | null;
  /** Everything after the engine: PARTITION BY, ORDER BY, SETTINGS, COMMENT… */
  tail: string;
  /** Text before `ENGINE` (a materialized view's TO/whitespace). */
  before: string;
}

/** The first top-level `ENGINE = Name[(params)]` in text, or null. */
function parseEngine(text: string): ParsedEngine | null {
  const at = findTopLevel(text, /ENGINE\s*=\s*([A-Za-z_]\w*)/iy);
  if (!at) return null;
  const name = at.match[1]!;
  let end = at.index + at.match[0].length;
  let params: string | null = null;
  const open = /\s*\(/y;
  open.lastIndex = end;
  if (open.test(text)) {
    const paren = open.lastIndex - 1;
    const close = matchingParen(text, paren);
    params = text.slice(paren + 1, close);
    end = close + 1;
  }
  return { name, params, tail: text.slice(end), before: text.slice(0, at.index) };
}

/** Replicated engine text for a MergeTree-family engine, or null for any other engine. */
function replicatedEngine(engine: ParsedEngine, table: string, o: Options): string | null {
  const family = /^(Replicated)?(\w*)MergeTree$/.exec(engine.name);
  if (!family) return null;
  if (family[1]) throw unsupported(engine.name, 'the embedded model must not name Replicated engines; the generator adds them');
  const path = sqlString(o.replicatedPath.replace('<table>', table));
  const params = engine.params?.trim();
  const args = [path, sqlString(o.replicaName), ...(params ? [params] : [])].join(', ');
  return `Replicated${family[2]}MergeTree(${args})`;
}

/**
 * The engine tail with single-node settings mapped to their replicated
 * counterparts: non_replicated_deduplication_window keeps the embedded model's
 * "drop an identical redelivered batch" guarantee on a replicated table.
 */
function replicatedSettings(tail: string): string {
  return mapOutsideLiterals(tail, (code) => code.replace(/\bnon_replicated_deduplication_window\b/g, 'replicated_deduplication_window'));
}

/** Column names of a column list, skipping INDEX/PROJECTION/CONSTRAINT entries. */
function columnNames(columnsText: string): string[] {
  return splitTopLevel(columnsText, ',')
    .map((c) => c.trim())
    .filter((c) => c !== '' && !/^(INDEX|PROJECTION|CONSTRAINT)\s/i.test(c))
    .map((c) => /^`([^`]+)`|^([A-Za-z_]\w*)/.exec(c))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => m[1] ?? m[2]!);
}

const CLAUSES = ['PARTITION BY', 'ORDER BY', 'PRIMARY KEY', 'SAMPLE BY', 'TTL', 'SETTINGS', 'COMMENT'];

/** The expression of one top-level table clause (e.g. ORDER BY) in an engine tail, or null. */
function clauseOf(tail: string, clause: string): string | null {
  const at = findTopLevel(tail, new RegExp(`${clause.replace(' ', '\\s+')}\\b`, 'iy'));
  if (!at) return null;
  const start = at.index + at.match[0].length;
  let end = tail.length;
  for (const other of CLAUSES) {
    if (other === clause) continue;
    const next = findTopLevel(tail, new RegExp(`${other.replace(' ', '\\s+')}\\b`, 'iy'), start);
    if (next && next.index < end) end = next.index;
  }
  return tail.slice(start, end).trim();
}

/** The COMMENT '<literal>' of a table, as SQL text, or null. */
function commentOf(tail: string): string | null {
  const at = findTopLevel(tail, /COMMENT\s+/iy);
  if (!at) return null;
  const start = at.index + at.match[0].length;
  if (tail[start] !== "'") return null;
  return tail.slice(start, literalEnd(tail, start) + 1);
}

// ------------------------------------------------------ CREATE MATERIALIZED VIEW

const CREATE_MV = /^CREATE\s+MATERIALIZED\s+VIEW\s+(IF\s+NOT\s+EXISTS\s+)?([A-Za-z_]\w*)\.([A-Za-z_]\w*)/i;

function createMaterializedView(text: string, model: ClusterModel, o: Options): string[] {
  const head = CREATE_MV.exec(text);
  if (!head) throw unsupported(text, 'expected CREATE MATERIALIZED VIEW [IF NOT EXISTS] <database>.<view>');
  const [header, ifNotExists = '', database, view] = head as unknown as [string, string | undefined, string, string];
  checkDatabase(database, text, o);
  const asAt = findTopLevel(text, /\bAS\s+(?=SELECT\b|WITH\b|\()/iy, header.length);
  if (!asAt) throw unsupported(text, 'expected AS SELECT in a materialized view');
  const definition = text.slice(header.length, asAt.index);
  // The view fires on inserts into its leftmost table, and inserts reach the local tables.
  const query = localizeFirstFrom(text.slice(asAt.index), model, o);
  const ifne = ifNotExists ? 'IF NOT EXISTS ' : '';
  const to = /^\s*TO\s+([A-Za-z_]\w*)\.([A-Za-z_]\w*)/i.exec(definition);
  if (to) {
    const target = to[2]!;
    const localTarget = model.sharded.has(target) ? `${target}${o.localSuffix}` : target;
    const afterTo = definition.slice(to[0].length);
    return [`CREATE MATERIALIZED VIEW ${ifne}${database}.${view} ON CLUSTER ${o.cluster} TO ${to[1]}.${localTarget}${afterTo}${query}`];
  }
  const engine = parseEngine(definition);
  const replicated = engine ? replicatedEngine(engine, view, o) : null;
  if (!engine || !replicated) {
    return [`CREATE MATERIALIZED VIEW ${ifne}${database}.${view} ON CLUSTER ${o.cluster}${definition}${query}`];
  }
  // An inner MergeTree holds shard-local rows: replicate it and read it through a Distributed view name.
  const local = `${view}${o.localSuffix}`;
  model.sharded.set(view, { name: view, columns: [], orderBy: clauseOf(engine.tail, 'ORDER BY'), shardingKey: 'rand()' });
  return [
    `CREATE MATERIALIZED VIEW ${ifne}${database}.${local} ON CLUSTER ${o.cluster}${engine.before}ENGINE = ${replicated}${replicatedSettings(engine.tail)}${query}`,
    `CREATE TABLE ${ifne}${database}.${view} ON CLUSTER ${o.cluster} AS ${database}.${local}\nENGINE = Distributed(${o.cluster}, ${database}, ${local})`,
  ];
}

/** The query with its first `FROM <db>.<sharded table>` pointed at the local table. */
function localizeFirstFrom(query: string, model: ClusterModel, o: Options): string {
  const at = findTopLevel(query, /\bFROM\s+([A-Za-z_]\w*)\.([A-Za-z_]\w*)\b/iy, 0, true);
  if (!at || at.match[1] !== o.database || !model.sharded.has(at.match[2]!)) return query;
  const replaced = `${at.match[0]}${o.localSuffix}`;
  return query.slice(0, at.index) + replaced + query.slice(at.index + at.match[0].length);
}

// ---------------------------------------------------------------- ALTER / DROP

const ALTER_TABLE = /^ALTER\s+TABLE\s+([A-Za-z_]\w*)\.([A-Za-z_]\w*)/i;

function alterTable(text: string, model: ClusterModel, o: Options): string[] {
  const head = ALTER_TABLE.exec(text);
  if (!head) throw unsupported(text, 'expected ALTER TABLE <database>.<table>');
  const [header, database, table] = head as unknown as [string, string, string];
  checkDatabase(database, text, o);
  const commands = text.slice(header.length);
  if (!model.sharded.has(table)) return [`ALTER TABLE ${database}.${table} ON CLUSTER ${o.cluster}${commands}`];
  const local = `ALTER TABLE ${database}.${table}${o.localSuffix} ON CLUSTER ${o.cluster}${commands}`;
  const actions = splitTopLevel(commands, ',').map((a) => a.trim());
  // A Distributed table has columns and a comment but no data: it follows those changes and nothing else.
  const columnChange = (a: string) => /^((ADD|DROP|MODIFY|RENAME|COMMENT)\s+COLUMN|MODIFY\s+COMMENT)\b/i.test(a);
  if (actions.every(columnChange)) return [local, `ALTER TABLE ${database}.${table} ON CLUSTER ${o.cluster}${commands}`];
  if (actions.some(columnChange)) throw unsupported(text, 'split column changes and other ALTER actions into separate statements');
  return [local];
}

const DROP = /^DROP\s+(TABLE|VIEW)\s+(IF\s+EXISTS\s+)?([A-Za-z_]\w*)\.([A-Za-z_]\w*)\s*$/i;

function dropTable(text: string, model: ClusterModel, o: Options): string[] {
  const m = DROP.exec(text);
  if (!m) throw unsupported(text, 'expected DROP TABLE|VIEW [IF EXISTS] <database>.<table>');
  const [, kind, ifExists = '', database, table] = m as unknown as [string, string, string | undefined, string, string];
  checkDatabase(database, text, o);
  const ife = ifExists ? 'IF EXISTS ' : '';
  const dropped = `DROP ${kind.toUpperCase()} ${ife}${database}.${table} ON CLUSTER ${o.cluster} SYNC`;
  if (!model.sharded.has(table)) return [dropped];
  model.sharded.delete(table);
  return [`DROP TABLE ${ife}${database}.${table} ON CLUSTER ${o.cluster} SYNC`, `DROP ${kind.toUpperCase()} ${ife}${database}.${table}${o.localSuffix} ON CLUSTER ${o.cluster} SYNC`];
}

// ------------------------------------------------------------------- lexing

/** `statement` with ON CLUSTER after its object name (CREATE DATABASE / VIEW / TABLE). */
function onCluster(statement: string, o: Options): string {
  const m = /^(CREATE\s+(?:OR\s+REPLACE\s+)?(?:DATABASE|VIEW|TABLE)\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:[A-Za-z_]\w*\.)?[A-Za-z_]\w*)/i.exec(statement);
  if (!m) throw unsupported(statement, 'cannot place ON CLUSTER');
  return `${m[1]} ON CLUSTER ${o.cluster}${statement.slice(m[1]!.length)}`;
}

function checkDatabase(database: string, text: string, o: Options): void {
  if (database !== o.database) throw unsupported(text, `objects must live in database ${o.database}`);
}

function unsupported(statement: string, why: string): Error {
  const first = statement.split('\n')[0]!.slice(0, 120);
  return new Error(`generateClusterDdl: ${why}; cannot translate: ${first}`);
}

function sqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Removes the common indentation of lines 2..n (template literals in schema.ts are indented). */
function dedent(text: string): string {
  const lines = text.split('\n');
  const indents = lines.slice(1).filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length);
  const cut = indents.length > 0 ? Math.min(...indents) : 0;
  return [lines[0]!, ...lines.slice(1).map((l) => l.slice(Math.min(cut, /^ */.exec(l)![0].length)))].join('\n').replace(/[ \t]+$/gm, '');
}

/** Index of the closing quote of the SQL string literal opening at `start`. */
function literalEnd(text: string, start: number): number {
  const quote = text[start]!;
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === quote) {
      if (text[i + 1] === quote) i++;
      else return i;
    }
  }
  throw unsupported(text, 'unterminated quoted text');
}

/**
 * Walks text at parenthesis depth 0 (or any depth with anyDepth), skipping
 * quoted literals/identifiers and comments, and returns the first position
 * where the sticky pattern matches.
 */
function findTopLevel(text: string, sticky: RegExp, from = 0, anyDepth = false): { index: number; match: RegExpExecArray } | null {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "'" || ch === '"' || ch === '`') {
      i = literalEnd(text, i);
      continue;
    }
    if (ch === '-' && text[i + 1] === '-') {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? text.length : nl;
      continue;
    }
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (depth !== 0 && !anyDepth) continue;
    // Keywords only start at a word boundary.
    if (i > 0 && /\w/.test(text[i - 1]!) && /\w/.test(ch)) continue;
    sticky.lastIndex = i;
    const match = sticky.exec(text);
    if (match) return { index: i, match };
  }
  return null;
}

/** Index of the `)` matching the `(` at `open`. */
function matchingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "'" || ch === '"' || ch === '`') i = literalEnd(text, i);
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i;
  }
  throw unsupported(text, 'unbalanced parentheses');
}

/** Splits on a separator at parenthesis depth 0, outside literals. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "'" || ch === '"' || ch === '`') i = literalEnd(text, i);
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function stripOuterParens(expr: string): string {
  if (expr.startsWith('(') && matchingParen(expr, 0) === expr.length - 1) return expr.slice(1, -1).trim();
  return expr;
}

/** Applies `map` to the code between SQL string literals, leaving literals untouched. */
function mapOutsideLiterals(text: string, map: (code: string) => string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "'" || ch === '"' || ch === '`') {
      const end = literalEnd(text, i);
      out += map(text.slice(start, i)) + text.slice(i, end + 1);
      start = end + 1;
      i = end;
    }
  }
  return out + map(text.slice(start));
}

// ---------------------------------------------------------------------- CLI

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(generateClusterDdl(MIGRATIONS));
}
