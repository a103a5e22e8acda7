/**
 * The embedded ClickHouse (chDB) served over the ClickHouse HTTP interface,
 * read-only, so `@clickhouse/client`, Grafana and curl work against
 * `yunlian up` as against a real server (DESIGN.md §7, YUNLIAN_CLICKHOUSE_PORT).
 *
 * chDB binds one data directory per process, so every request runs on the
 * process's single chDB-backed `ClickHouseClient`. Nothing here may change
 * that shared session: no `clickhouse_settings` (the chDB connection turns them
 * into session `SET`s that persist), no `USE`, no HTTP sessions. Query-scoped
 * settings travel in the SQL `SETTINGS` clause built by httpReadOnlyQuery.ts.
 *
 * What is honoured from the protocol:
 * - `GET|HEAD /ping`, `/replicas_status`, `GET /` without a query → `Ok.\n`.
 * - SQL from `?query=` and/or the body (concatenated like ClickHouse), or
 *   `multipart/form-data` fields `query` and `param_*`.
 * - `param_<name>` bound to `{name:Type}` through chDB's binder, never spliced.
 * - `default_format` URL param / `X-ClickHouse-Format` header; TabSeparated otherwise.
 * - Credentials: basic auth, `X-ClickHouse-User`/`X-ClickHouse-Key`, or
 *   `user`/`password` URL params; none means user `default`.
 * - The URL settings in HONOURED_SETTINGS, scoped to the query. Others
 *   (`database`, `session_id`, `wait_end_of_query`, `compress`, …) are ignored:
 *   names resolve against the session's current database, so qualify tables.
 * - `enable_http_compression=1` + `Accept-Encoding` gzip/deflate/br, and a
 *   gzip/deflate/br request `Content-Encoding`. Native LZ4 `compress=1` is not.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { brotliCompressSync, brotliDecompressSync, deflateSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import type { ClickHouseClient } from '@clickhouse/client';
import { createLogger, type Logger } from '../../src/runtime/log.ts';
import { prepareReadOnlyQuery } from './httpReadOnlyQuery.ts';
import { decodeHttpQueryParameter, type BoundParameterValue } from './httpQueryParameter.ts';

export interface ClickHouseHttpUser {
  readonly name: string;
  readonly password: string;
}

export interface ClickHouseHttpInterfaceOptions {
  /** The process's chDB-backed client (`createClient({ connection: createChdbConnection(...) })`). */
  readonly client: ClickHouseClient;
  /** Interface to bind; default 127.0.0.1. */
  readonly host?: string;
  /** TCP port; 0 picks an ephemeral one (see the returned `port`). */
  readonly port: number;
  /** Every user is read-only. */
  readonly users: readonly ClickHouseHttpUser[];
  /** Largest accepted request body, before and after decompression; default 1 MiB. */
  readonly maxBodyBytes?: number;
  readonly logger?: Logger;
}

export interface ClickHouseHttpInterface {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** URL settings applied to the query (numbers or short strings only). */
export const HONOURED_SETTINGS: ReadonlySet<string> = new Set([
  'max_execution_time', 'timeout_overflow_mode', 'max_result_rows', 'max_result_bytes', 'result_overflow_mode',
  'max_rows_to_read', 'max_bytes_to_read', 'read_overflow_mode', 'max_memory_usage', 'max_threads', 'max_block_size',
  'extremes', 'join_use_nulls', 'prefer_column_name_to_alias', 'aggregate_functions_null_for_empty', 'session_timezone',
  'date_time_output_format', 'output_format_json_quote_64bit_integers', 'output_format_json_quote_64bit_floats',
  'output_format_json_quote_decimals', 'output_format_json_named_tuples_as_objects', 'output_format_decimal_trailing_zeros',
  'output_format_write_statistics', 'output_format_pretty_max_rows', 'output_format_csv_crlf_end_of_line',
  'format_csv_delimiter', 'output_format_arrow_string_as_string',
]);

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_FORMAT = 'TabSeparated';
const ANONYMOUS_USER = 'default';

interface ClickHouseFailure {
  readonly code: number;
  readonly name: string;
  readonly message: string;
}

class RequestFailure extends Error {
  constructor(readonly failure: ClickHouseFailure, readonly httpStatus?: number) {
    super(failure.message);
  }
}

export async function startClickHouseHttpInterface(opts: ClickHouseHttpInterfaceOptions): Promise<ClickHouseHttpInterface> {
  const logger = opts.logger ?? createLogger('clickhouse-http');
  const host = opts.host ?? '127.0.0.1';
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const users = new Map(opts.users.map((u) => [u.name, digest(u.password)]));
  const server = await probeServer(opts.client);

  const httpServer = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // Last resort: a bug here must cost one request, never the process.
      logger.error('request failed unexpectedly', { error });
      if (!res.headersSent) sendFailure(res, { code: 1001, name: 'STD_EXCEPTION', message: 'Internal error' }, server.version);
      else res.destroy();
    });
  });
  httpServer.on('clientError', (error, socket) => {
    logger.debug('malformed HTTP request', { error });
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    if (url.pathname === '/ping' || url.pathname === '/replicas_status') {
      drain(req);
      if (method !== 'GET' && method !== 'HEAD') return sendFailure(res, unsupportedMethod(method), server.version);
      return sendText(res, 200, 'Ok.\n');
    }
    if (url.pathname !== '/' && url.pathname !== '/query') {
      drain(req);
      return sendFailure(res, { code: 1001, name: 'STD_EXCEPTION', message: `There is no handle ${url.pathname}` }, server.version, 404);
    }
    if (method !== 'GET' && method !== 'POST') {
      drain(req);
      return sendFailure(res, unsupportedMethod(method), server.version);
    }

    const queryId = acceptableQueryId(url.searchParams.get('query_id'));
    try {
      const declaredLength = Number(req.headers['content-length'] ?? '0');
      if (declaredLength > maxBodyBytes) throw tooLarge(maxBodyBytes);
      const body = decodeBody(await readBody(req, maxBodyBytes), req.headers['content-encoding'], maxBodyBytes);

      const user = authenticate(req, url, users);
      const fields = parseFields(req, url, body);
      if (method === 'GET' && fields.query.trim() === '') return sendText(res, 200, 'Ok.\n');

      const defaultFormat = url.searchParams.get('default_format') ?? headerValue(req, 'x-clickhouse-format') ?? DEFAULT_FORMAT;
      const prepared = prepareReadOnlyQuery(fields.query, { defaultFormat, settings: honouredSettings(url) });
      if (prepared.kind === 'rejected') {
        logger.warn('query refused', { user, queryId, code: prepared.rejection.code, reason: prepared.rejection.name });
        throw new RequestFailure(prepared.rejection);
      }

      const queryParams: Record<string, BoundParameterValue> = {};
      for (const [name, raw] of fields.params) queryParams[name] = decodeHttpQueryParameter(raw, prepared.parameterTypes.get(name));

      const started = process.hrtime.bigint();
      const result = await runOnEngine(opts.client, prepared.sql, queryParams);
      logger.debug('query served', { user, queryId, format: prepared.format, bytes: result.bytes.length, elapsedNs: String(process.hrtime.bigint() - started) });

      const payload = compressResponse(result.bytes, url, req);
      res.writeHead(200, {
        'Content-Type': contentTypeOf(prepared.format),
        'X-ClickHouse-Query-Id': queryId,
        'X-ClickHouse-Format': prepared.format,
        'X-ClickHouse-Timezone': server.timezone,
        'X-ClickHouse-Server-Display-Name': 'yunlian-embedded',
        'X-ClickHouse-Summary': JSON.stringify(result.summary ?? {}),
        'Content-Length': String(payload.bytes.length),
        ...(payload.encoding ? { 'Content-Encoding': payload.encoding } : {}),
      });
      res.end(payload.bytes);
    } catch (error) {
      if (error instanceof RequestFailure) {
        if (error.failure.code === 229) res.setHeader('Connection', 'close');
        res.setHeader('X-ClickHouse-Query-Id', queryId);
        return sendFailure(res, error.failure, server.version, error.httpStatus);
      }
      const failure = engineFailure(error);
      if (failure === undefined) throw error;
      logger.debug('query failed in engine', { queryId, code: failure.code, name: failure.name });
      res.setHeader('X-ClickHouse-Query-Id', queryId);
      sendFailure(res, failure, server.version);
    }
  }

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(opts.port, host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info('ClickHouse HTTP interface listening', { url, users: [...users.keys()], readOnly: true });

  return {
    url,
    port,
    close: () => closeServer(httpServer),
  };
}

async function probeServer(client: ClickHouseClient): Promise<{ version: string; timezone: string }> {
  const result = await runOnEngine(client, 'SELECT version(), timezone() FORMAT TabSeparated', {});
  const [version = 'unknown', timezone = 'UTC'] = result.bytes.toString('utf8').trim().split('\t');
  return { version, timezone };
}

async function runOnEngine(
  client: ClickHouseClient,
  sql: string,
  queryParams: Record<string, BoundParameterValue>,
): Promise<{ bytes: Buffer; summary: unknown }> {
  // Deliberately no clickhouse_settings: see the module comment.
  const result = await client.exec({ query: sql, query_params: queryParams });
  const chunks: Buffer[] = [];
  for await (const chunk of result.stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return { bytes: Buffer.concat(chunks), summary: result.summary };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

// --- authentication ---------------------------------------------------------

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

const NO_PASSWORD = digest(randomUUID());

/**
 * Resolves the caller like ClickHouse: basic auth, then X-ClickHouse-User/Key,
 * then `user`/`password` URL params, else `default` with no password.
 * Passwords are compared as SHA-256 digests with timingSafeEqual, and an
 * unknown user still pays for one comparison.
 */
function authenticate(req: IncomingMessage, url: URL, users: ReadonlyMap<string, Buffer>): string {
  const credentials = credentialsOf(req, url);
  const expected = users.get(credentials.user);
  const matches = timingSafeEqual(digest(credentials.password), expected ?? NO_PASSWORD);
  if (expected === undefined || !matches) {
    throw new RequestFailure({
      code: 516,
      name: 'AUTHENTICATION_FAILED',
      message: `${credentials.user}: Authentication failed: password is incorrect, or there is no user with such name`,
    });
  }
  return credentials.user;
}

function credentialsOf(req: IncomingMessage, url: URL): { user: string; password: string } {
  const authorization = req.headers.authorization;
  if (authorization !== undefined && /^basic /i.test(authorization)) {
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? { user: decoded, password: '' } : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  const headerUser = headerValue(req, 'x-clickhouse-user');
  if (headerUser !== undefined) return { user: headerUser, password: headerValue(req, 'x-clickhouse-key') ?? '' };
  const paramUser = url.searchParams.get('user');
  if (paramUser !== null) return { user: paramUser, password: url.searchParams.get('password') ?? '' };
  return { user: ANONYMOUS_USER, password: '' };
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

// --- request body and fields -------------------------------------------------

function tooLarge(limit: number): RequestFailure {
  return new RequestFailure({ code: 229, name: 'QUERY_IS_TOO_LARGE', message: `Request body exceeds the limit of ${limit} bytes` }, 413);
}

function unsupportedMethod(method: string): ClickHouseFailure {
  return { code: 1, name: 'UNSUPPORTED_METHOD', message: `HTTP method ${method} is not supported` };
}

/** Reads at most `limit` bytes; past that the rest is discarded and a 413 follows. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let overflowed = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        if (!overflowed) {
          overflowed = true;
          chunks.length = 0;
          reject(tooLarge(limit));
        }
        // Keep draining so the client can read the 413, but not forever.
        if (size > limit * 16) req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!overflowed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      if (!overflowed) reject(new RequestFailure({ code: 1001, name: 'STD_EXCEPTION', message: `Cannot read request body: ${error.message}` }, 400));
    });
  });
}

function drain(req: IncomingMessage): void {
  req.resume();
}

function decodeBody(body: Buffer, encoding: string | undefined, limit: number): Buffer {
  if (encoding === undefined || encoding === '' || encoding === 'identity' || body.length === 0) return body;
  try {
    if (encoding === 'gzip') return gunzipSync(body, { maxOutputLength: limit });
    if (encoding === 'deflate') return inflateSync(body, { maxOutputLength: limit });
    if (encoding === 'br') return brotliDecompressSync(body, { maxOutputLength: limit });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(limit);
    throw new RequestFailure({ code: 271, name: 'CANNOT_DECOMPRESS', message: `Cannot decompress ${encoding} request body` }, 400);
  }
  throw new RequestFailure({ code: 89, name: 'UNKNOWN_COMPRESSION_METHOD', message: `Unknown Content-Encoding ${encoding}` }, 415);
}

interface RequestFields {
  readonly query: string;
  readonly params: ReadonlyMap<string, string>;
}

/** URL `query` + body form the SQL; `param_*` come from the URL or multipart fields. */
function parseFields(req: IncomingMessage, url: URL, body: Buffer): RequestFields {
  const params = new Map<string, string>();
  for (const [key, value] of url.searchParams) if (key.startsWith('param_')) params.set(key.slice(6), value);

  const contentType = headerValue(req, 'content-type') ?? '';
  const boundary = /^multipart\/form-data;.*boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  let bodyQuery = body.toString('utf8');
  if (boundary !== undefined) {
    const multipart = bodyQuery;
    bodyQuery = '';
    for (const [name, value] of parseMultipart(multipart, boundary)) {
      if (name === 'query') bodyQuery = value;
      else if (name.startsWith('param_')) params.set(name.slice(6), value);
    }
  }
  const urlQuery = url.searchParams.get('query') ?? '';
  const query = urlQuery !== '' && bodyQuery !== '' ? `${urlQuery}\n${bodyQuery}` : urlQuery + bodyQuery;
  return { query, params };
}

/** Minimal multipart/form-data reader: text fields only, which is all clients send here. */
function parseMultipart(body: string, boundary: string): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  for (const part of body.split(`--${boundary}`)) {
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) continue;
    const name = /name="([^"]*)"/i.exec(part.slice(0, headerEnd))?.[1];
    if (name === undefined) continue;
    fields.push([name, part.slice(headerEnd + 4).replace(/\r\n$/, '')]);
  }
  return fields;
}

/** Honoured URL settings as SQL `name=value`; values are numbers or escaped string literals. */
function honouredSettings(url: URL): string[] {
  const settings: string[] = [];
  for (const [name, value] of url.searchParams) {
    if (!HONOURED_SETTINGS.has(name)) continue;
    if (/^-?\d+(\.\d+)?$/.test(value)) settings.push(`${name}=${value}`);
    else if (value.length <= 256) settings.push(`${name}='${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
  }
  return settings;
}

function acceptableQueryId(raw: string | null): string {
  return raw !== null && /^[\x21-\x7e]{1,128}$/.test(raw) ? raw : randomUUID();
}

// --- responses -----------------------------------------------------------------

function contentTypeOf(format: string): string {
  const f = format.toLowerCase();
  if (f.startsWith('json') && !f.includes('eachrow') && !f.includes('lines')) return 'application/json; charset=UTF-8';
  if (f.startsWith('json') || f === 'ndjson' || f === 'jsonl') return 'application/x-ndjson; charset=UTF-8';
  if (f.startsWith('tabseparated') || f.startsWith('tsv')) return 'text/tab-separated-values; charset=UTF-8';
  if (f.startsWith('csv')) return 'text/csv; charset=UTF-8; header=absent';
  if (['native', 'rowbinary', 'rowbinarywithnames', 'rowbinarywithnamesandtypes', 'parquet', 'arrow', 'arrowstream', 'orc', 'avro'].includes(f)) {
    return 'application/octet-stream';
  }
  return 'text/plain; charset=UTF-8';
}

function compressResponse(bytes: Buffer, url: URL, req: IncomingMessage): { bytes: Buffer; encoding?: string } {
  if (url.searchParams.get('enable_http_compression') !== '1') return { bytes };
  const accepted = (headerValue(req, 'accept-encoding') ?? '').toLowerCase().split(',').map((e) => e.trim().split(';')[0]);
  if (accepted.includes('gzip')) return { bytes: gzipSync(bytes), encoding: 'gzip' };
  if (accepted.includes('deflate')) return { bytes: deflateSync(bytes), encoding: 'deflate' };
  if (accepted.includes('br')) return { bytes: brotliCompressSync(bytes), encoding: 'br' };
  return { bytes };
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=UTF-8', 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/** ClickHouse's error body, which @clickhouse/client parses into ClickHouseError. */
function sendFailure(res: ServerResponse, failure: ClickHouseFailure, version: string, httpStatus?: number): void {
  const message = failure.message.trim().replace(/\.+$/, '');
  res.setHeader('X-ClickHouse-Exception-Code', String(failure.code));
  sendText(res, httpStatus ?? httpStatusOf(failure.code), `Code: ${failure.code}. DB::Exception: ${message}. (${failure.name}) (version ${version})\n`);
}

/** ClickHouse error codes by HTTP status, after src/Server/HTTP/exceptionCodeToHTTPStatus.cpp. */
const BAD_REQUEST_CODES = new Set([6, 8, 15, 25, 26, 27, 36, 37, 38, 41, 44, 53, 62, 72, 117, 123, 167, 168, 223, 321, 376, 427, 441, 675, 676]);
const NOT_FOUND_CODES = new Set([46, 47, 50, 56, 60, 63, 73, 78, 81, 115, 152, 336, 511]);
const FORBIDDEN_CODES = new Set([192, 193, 497, 512, 516]);

function httpStatusOf(code: number): number {
  if (code === 194) return 401; // REQUIRED_PASSWORD
  if (FORBIDDEN_CODES.has(code)) return 403;
  if (BAD_REQUEST_CODES.has(code)) return 400;
  if (NOT_FOUND_CODES.has(code)) return 404;
  if (code === 229) return 413; // QUERY_IS_TOO_LARGE
  if (code === 48) return 501; // NOT_IMPLEMENTED
  if (code === 76 || code === 209 || code === 439) return 503;
  if (code === 159) return 408; // TIMEOUT_EXCEEDED
  return 500;
}

/** Errors thrown by the chDB connection are ClickHouseErrors with string `code` and `type`. */
function engineFailure(error: unknown): ClickHouseFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, type, message } = error as { code?: unknown; type?: unknown; message?: unknown };
  if (typeof code === 'string' && /^\d+$/.test(code) && typeof type === 'string' && typeof message === 'string') {
    return { code: Number(code), name: type, message };
  }
  if (error instanceof Error) return { code: 1001, name: 'STD_EXCEPTION', message: error.message };
  return undefined;
}

