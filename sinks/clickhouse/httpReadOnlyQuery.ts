/**
 * Read-only gate for SQL arriving over the embedded ClickHouse HTTP interface.
 *
 * Pure: no vendor SDK, no I/O. It lexes the query the way ClickHouse does
 * (comments, string literals, quoted identifiers, heredocs), so keywords hidden
 * inside strings or comments neither trigger nor evade the checks, and then
 * rebuilds the statement with an explicit output clause:
 *
 *   <statement> FORMAT <format> SETTINGS <honoured settings>, readonly=2
 *
 * The trailing query-level `SETTINGS` clause is scoped to this one query. That
 * matters because the embedded chDB connection turns per-query
 * `clickhouse_settings` into session-wide `SET`s that leak into every later
 * query of the process; the SQL clause does not.
 *
 * `readonly=2` is defence in depth behind the allowlist: the engine itself
 * refuses writes and DDL, while the caller may still tune read settings.
 * It does not stop table functions such as `file()` (verified against chDB),
 * which is why those are refused here by name.
 */

export interface HttpQueryRejection {
  /** ClickHouse error code, e.g. 164 for READONLY. */
  readonly code: number;
  /** ClickHouse error name, e.g. `READONLY`. */
  readonly name: string;
  readonly message: string;
}

export type ReadOnlyQueryOutcome =
  | {
      readonly kind: 'accepted';
      /** The statement to execute, ending with `FORMAT … SETTINGS …, readonly=2`. */
      readonly sql: string;
      /** The output format the response body is in. */
      readonly format: string;
      /** Declared types of `{name:Type}` placeholders, keyed by name. */
      readonly parameterTypes: ReadonlyMap<string, string>;
    }
  | { readonly kind: 'rejected'; readonly rejection: HttpQueryRejection };

export interface ReadOnlyQueryOptions {
  /** Format used when the SQL has no `FORMAT` clause (ClickHouse: TabSeparated). */
  readonly defaultFormat: string;
  /** Already validated `name=value` SQL fragments to scope to this query. */
  readonly settings: readonly string[];
}

type TokenKind = 'word' | 'quotedIdentifier' | 'string' | 'number' | 'punct';

interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

const STATEMENT_KEYWORDS = new Set(['SELECT', 'WITH', 'SHOW', 'DESCRIBE', 'DESC', 'EXISTS', 'EXPLAIN']);

/** Statements ClickHouse knows but a read-only user may not run; anything else is a syntax error. */
const WRITE_KEYWORDS = new Set([
  'INSERT', 'CREATE', 'DROP', 'ALTER', 'TRUNCATE', 'RENAME', 'EXCHANGE', 'DETACH', 'ATTACH', 'OPTIMIZE', 'SYSTEM', 'KILL',
  'GRANT', 'REVOKE', 'SET', 'USE', 'DELETE', 'UPDATE', 'UNDROP', 'BACKUP', 'RESTORE', 'CHECK', 'MOVE', 'WATCH', 'BEGIN',
  'COMMIT', 'ROLLBACK', 'REPLACE', 'UPSERT',
]);

/**
 * Table functions (and the scalar `file()`) that reach outside the engine's
 * own tables: the filesystem, the network, other servers or processes.
 */
const OUTSIDE_WORLD_FUNCTION =
  /^(file|filecluster|url|urlcluster|s3|s3cluster|gcs|cosn|oss|hdfs|hdfscluster|azure\w*|remote|remotesecure|cluster|clusterallreplicas|mysql|postgresql|mongodb|redis|sqlite|odbc|jdbc|executable|executablepool|input|deltalake\w*|hudi\w*|iceberg\w*|paimon\w*|arrowflight|ytsaurus|python|hive|mergetreeindex|mergetreeprojection|filesystem\w*)$/;

const FORMAT_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

export function prepareReadOnlyQuery(query: string, options: ReadOnlyQueryOptions): ReadOnlyQueryOutcome {
  const lexed = lex(query);
  if ('rejection' in lexed) return { kind: 'rejected', rejection: lexed.rejection };
  const tokens = [...lexed.tokens];
  while (tokens.length > 0 && tokens[tokens.length - 1]!.text === ';') tokens.pop();

  if (tokens.length === 0) return reject(62, 'SYNTAX_ERROR', 'Empty query');
  if (tokens.some((t) => t.text === ';')) {
    return reject(62, 'SYNTAX_ERROR', 'Syntax error: Multi-statements are not allowed');
  }

  const firstWord = tokens.find((t) => t.text !== '(');
  const keyword = firstWord?.kind === 'word' ? firstWord.text.toUpperCase() : '';
  if (!STATEMENT_KEYWORDS.has(keyword) && !WRITE_KEYWORDS.has(keyword)) {
    return reject(62, 'SYNTAX_ERROR', `Syntax error: failed at position ${(firstWord?.start ?? 0) + 1} (${firstWord?.text ?? ''}): expected a query`);
  }
  if (!STATEMENT_KEYWORDS.has(keyword)) {
    return readonlyViolation(`Cannot execute query in readonly mode: only ${[...STATEMENT_KEYWORDS].join(', ')} are allowed`);
  }

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const next = tokens[i + 1];
    const name = token.kind === 'quotedIdentifier' ? token.text.slice(1, -1) : token.text;
    if (token.kind === 'word' && token.text.toUpperCase() === 'INTO' && next?.kind === 'word' && next.text.toUpperCase() === 'OUTFILE') {
      return readonlyViolation('Cannot execute query in readonly mode: INTO OUTFILE writes to the server filesystem');
    }
    if ((token.kind === 'word' || token.kind === 'quotedIdentifier') && next?.text === '(' && OUTSIDE_WORLD_FUNCTION.test(name.toLowerCase())) {
      return readonlyViolation(`Cannot execute query in readonly mode: function ${name} reaches outside the database`);
    }
    if (token.kind === 'word' && token.text.toLowerCase() === 'readonly' && next?.text === '=') {
      return readonlyViolation("Cannot modify 'readonly' setting in readonly mode");
    }
  }

  const output = findOutputClause(tokens);
  const format = output?.format ?? options.defaultFormat;
  if (!FORMAT_NAME.test(format)) return reject(73, 'UNKNOWN_FORMAT', `Unknown output format ${JSON.stringify(format)}`);

  const lastToken = tokens[tokens.length - 1]!;
  const statement = query.slice(0, output ? output.start : lastToken.end).trimEnd();
  const ownSettings = output?.settingsStart === undefined ? [] : [query.slice(output.settingsStart, lastToken.end).trim()];
  const settings = [...options.settings, ...ownSettings, 'readonly=2'];

  return {
    kind: 'accepted',
    sql: `${statement}\nFORMAT ${format}\nSETTINGS ${settings.join(', ')}`,
    format,
    parameterTypes: placeholderTypes(query, tokens),
  };
}

function reject(code: number, name: string, message: string): ReadOnlyQueryOutcome {
  return { kind: 'rejected', rejection: { code, name, message } };
}

function readonlyViolation(message: string): ReadOnlyQueryOutcome {
  return reject(164, 'READONLY', message);
}

/**
 * The statement's own `FORMAT <name> [SETTINGS …]` tail at bracket depth 0.
 * `FORMAT` must be followed by a name and then the end or `SETTINGS`, which
 * tells the clause apart from a column or alias called `format`.
 */
function findOutputClause(tokens: readonly Token[]): { start: number; format: string; settingsStart?: number } | undefined {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.text === '(' || token.text === '[' || token.text === '{') depth++;
    else if (token.text === ')' || token.text === ']' || token.text === '}') depth--;
    if (depth !== 0 || token.kind !== 'word' || token.text.toUpperCase() !== 'FORMAT') continue;
    const name = tokens[i + 1];
    if (name === undefined || (name.kind !== 'word' && name.kind !== 'quotedIdentifier')) continue;
    const after = tokens[i + 2];
    const format = name.kind === 'quotedIdentifier' ? name.text.slice(1, -1) : name.text;
    if (after === undefined) return { start: token.start, format };
    if (after.kind === 'word' && after.text.toUpperCase() === 'SETTINGS' && tokens[i + 3] !== undefined) {
      return { start: token.start, format, settingsStart: tokens[i + 3]!.start };
    }
  }
  return undefined;
}

/** `{name:Type}` placeholders; the type text is taken verbatim from the query. */
function placeholderTypes(query: string, tokens: readonly Token[]): Map<string, string> {
  const types = new Map<string, string>();
  for (let i = 0; i + 3 < tokens.length; i++) {
    const open = tokens[i]!;
    const name = tokens[i + 1]!;
    const colon = tokens[i + 2]!;
    if (open.text !== '{' || (name.kind !== 'word' && name.kind !== 'quotedIdentifier') || colon.text !== ':') continue;
    let depth = 1;
    for (let j = i + 3; j < tokens.length; j++) {
      const t = tokens[j]!;
      if (t.text === '{') depth++;
      if (t.text === '}' && --depth === 0) {
        const paramName = name.kind === 'quotedIdentifier' ? name.text.slice(1, -1) : name.text;
        types.set(paramName, query.slice(tokens[i + 3]!.start, t.start).trim());
        break;
      }
    }
  }
  return types;
}

/**
 * ClickHouse lexical rules that matter for the gate: `--`, `#` and nested
 * `/* *\/` comments; '…' strings with backslash escapes and doubled quotes;
 * "…" and `…` identifiers; `$tag$…$tag$` heredocs. Unterminated constructs
 * are syntax errors, so nothing can hide in an unclosed literal.
 */
function lex(query: string): { tokens: Token[] } | { rejection: HttpQueryRejection } {
  const tokens: Token[] = [];
  const unterminated = (what: string) => ({ rejection: { code: 62, name: 'SYNTAX_ERROR', message: `Syntax error: unterminated ${what}` } });
  let i = 0;
  while (i < query.length) {
    const c = query[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && query[i + 1] === '-') {
      i = skipToLineEnd(query, i);
    } else if (c === '#') {
      i = skipToLineEnd(query, i);
    } else if (c === '/' && query[i + 1] === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < query.length && depth > 0) {
        if (query[j] === '/' && query[j + 1] === '*') { depth++; j += 2; }
        else if (query[j] === '*' && query[j + 1] === '/') { depth--; j += 2; }
        else j++;
      }
      if (depth > 0) return unterminated('comment');
      i = j;
    } else if (c === "'" || c === '"' || c === '`') {
      const end = skipQuoted(query, i, c);
      if (end < 0) return unterminated(c === "'" ? 'string literal' : 'quoted identifier');
      tokens.push({ kind: c === "'" ? 'string' : 'quotedIdentifier', text: query.slice(i, end), start: i, end });
      i = end;
    } else if (c === '$' && /^\$[A-Za-z0-9_]*\$/.test(query.slice(i, i + 64))) {
      const tag = /^\$[A-Za-z0-9_]*\$/.exec(query.slice(i, i + 64))![0];
      const close = query.indexOf(tag, i + tag.length);
      if (close < 0) return unterminated('heredoc');
      const end = close + tag.length;
      tokens.push({ kind: 'string', text: query.slice(i, end), start: i, end });
      i = end;
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      let j = i + 1;
      while (j < query.length && /[A-Za-z0-9_$\u0080-\uffff]/.test(query[j]!)) j++;
      tokens.push({ kind: 'word', text: query.slice(i, j), start: i, end: j });
      i = j;
    } else if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < query.length && /[0-9A-Za-z_.]/.test(query[j]!)) j++;
      tokens.push({ kind: 'number', text: query.slice(i, j), start: i, end: j });
      i = j;
    } else {
      tokens.push({ kind: 'punct', text: c, start: i, end: i + 1 });
      i++;
    }
  }
  return { tokens };
}

function skipToLineEnd(query: string, from: number): number {
  const newline = query.indexOf('\n', from);
  return newline < 0 ? query.length : newline + 1;
}

/** Index just past the closing quote, or -1 when the literal never closes. */
function skipQuoted(query: string, from: number, quote: string): number {
  let j = from + 1;
  while (j < query.length) {
    const c = query[j]!;
    if (c === '\\') { j += 2; continue; }
    if (c === quote) {
      if (query[j + 1] === quote) { j += 2; continue; }
      return j + 1;
    }
    j++;
  }
  return -1;
}
