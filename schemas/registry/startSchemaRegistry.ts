/**
 * The embedded Schema Registry of `yunlian up`: the Confluent Schema Registry
 * REST subset that Confluent's serializers, `@kafkajs/confluent-schema-registry`
 * and our AvroSerde use, on plain node:http.
 *
 * Every response, errors included, is JSON with Confluent's content type; a
 * handler failure never takes the process down (50001 instead).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../../src/runtime/errors.ts';
import { createLogger, type Logger } from '../../src/runtime/log.ts';
import type { CompatibilityLevel } from './avroCompatibility.ts';
import {
  RegistryHttpError,
  backendStoreError,
  bodyTooLarge,
  internalError,
  malformedRequest,
  methodNotAllowed,
  routeNotFound,
  schemaNotFound,
} from './registryHttpError.ts';
import { readRegistrySnapshot, writeRegistrySnapshot } from './registrySnapshotFile.ts';
import { SchemaRegistryStore, parseVersionSpec, type SchemaSubmission } from './schemaRegistryStore.ts';

export interface SchemaRegistryServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** JSON file that keeps ids across restarts; in-memory only when absent. */
  storePath?: string;
  /** Requests with a larger body get 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Global level for a fresh store. Default BACKWARD, as Confluent. */
  defaultCompatibility?: CompatibilityLevel;
  logger?: Logger;
}

export interface RunningSchemaRegistry {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  port: number;
  close(): Promise<void>;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const DEFAULT_MAX_BODY = 1024 * 1024;

interface RequestContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
}

interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path segments; `:name` captures one (URL-decoded) segment. */
  pattern: string[];
  /** Routes that may change state; the store is persisted after them. */
  mutates: boolean;
  handle(ctx: RequestContext): unknown;
}

function schemaId(raw: string | undefined): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id < 1) throw schemaNotFound();
  return id;
}

function routesFor(store: SchemaRegistryStore): Route[] {
  const route = (method: Route['method'], path: string, handle: Route['handle'], mutates = false): Route => ({
    method,
    pattern: path.split('/').filter(Boolean),
    mutates,
    handle,
  });
  const p = (ctx: RequestContext, name: string): string => ctx.params[name] ?? '';
  const submission = (ctx: RequestContext): SchemaSubmission => {
    const { schema, schemaType, references } = ctx.body;
    return { schema, schemaType, references };
  };
  const verbose = (ctx: RequestContext) => ctx.query.get('verbose') === 'true';
  const compatibility = (ctx: RequestContext, result: { is_compatible: boolean; messages: string[] }) =>
    verbose(ctx) ? result : { is_compatible: result.is_compatible };

  return [
    route('GET', '/', () => ({})),
    route('GET', '/schemas/types', () => ['AVRO']),
    route('GET', '/schemas/ids/:id', (ctx) => store.schemaById(schemaId(p(ctx, 'id')))),
    route('GET', '/schemas/ids/:id/schema', (ctx) => JSON.parse(store.schemaById(schemaId(p(ctx, 'id'))).schema)),
    route('GET', '/schemas/ids/:id/versions', (ctx) => store.subjectVersionsOfId(schemaId(p(ctx, 'id')))),
    route('GET', '/schemas/ids/:id/subjects', (ctx) => [...new Set(store.subjectVersionsOfId(schemaId(p(ctx, 'id'))).map((v) => v.subject))]),
    route('GET', '/subjects', () => store.subjects()),
    route('POST', '/subjects/:subject', (ctx) => store.lookup(p(ctx, 'subject'), submission(ctx))),
    route('DELETE', '/subjects/:subject', (ctx) => store.deleteSubject(p(ctx, 'subject')), true),
    route('GET', '/subjects/:subject/versions', (ctx) => store.versions(p(ctx, 'subject'))),
    route('POST', '/subjects/:subject/versions', (ctx) => store.register(p(ctx, 'subject'), submission(ctx)), true),
    route('GET', '/subjects/:subject/versions/:version', (ctx) => store.version(p(ctx, 'subject'), parseVersionSpec(p(ctx, 'version')))),
    route('GET', '/subjects/:subject/versions/:version/schema', (ctx) =>
      JSON.parse(store.version(p(ctx, 'subject'), parseVersionSpec(p(ctx, 'version'))).schema),
    ),
    route('POST', '/compatibility/subjects/:subject/versions', (ctx) =>
      compatibility(ctx, store.testCompatibility(p(ctx, 'subject'), undefined, submission(ctx))),
    ),
    route('POST', '/compatibility/subjects/:subject/versions/:version', (ctx) =>
      compatibility(ctx, store.testCompatibility(p(ctx, 'subject'), parseVersionSpec(p(ctx, 'version')), submission(ctx))),
    ),
    route('GET', '/config', () => ({ compatibilityLevel: store.globalCompatibility() })),
    route('PUT', '/config', (ctx) => ({ compatibility: store.setGlobalCompatibility(ctx.body.compatibility) }), true),
    route('GET', '/config/:subject', (ctx) => {
      const subject = p(ctx, 'subject');
      if (ctx.query.get('defaultToGlobal') === 'true') return { compatibilityLevel: store.effectiveCompatibility(subject) };
      return { compatibilityLevel: store.subjectCompatibility(subject) };
    }),
    route('PUT', '/config/:subject', (ctx) => ({ compatibility: store.setSubjectCompatibility(p(ctx, 'subject'), ctx.body.compatibility) }), true),
    route('DELETE', '/config/:subject', (ctx) => ({ compatibilityLevel: store.deleteSubjectCompatibility(p(ctx, 'subject')) }), true),
  ];
}

/** Matches a path against the routes: a route, or whether any route had this path with another method. */
function matchRoute(routes: Route[], method: string, segments: string[]): { route: Route; params: Record<string, string> } | 'wrong-method' | undefined {
  let pathMatched = false;
  for (const route of routes) {
    if (route.pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const ok = route.pattern.every((part, i) => {
      const segment = segments[i] as string;
      if (part.startsWith(':')) {
        params[part.slice(1)] = segment;
        return true;
      }
      return part === segment;
    });
    if (!ok) continue;
    if (route.method === method) return { route, params };
    pathMatched = true;
  }
  return pathMatched ? 'wrong-method' : undefined;
}

/**
 * Reads the body up to `limit` bytes. Past the limit it keeps draining (and
 * discarding) so the client can still read the 413 instead of a reset socket.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > limit * 16) req.destroy(); // a client that will not stop sending gets cut off
    });
    req.on('end', () => (size > limit ? reject(bodyTooLarge(limit)) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
    // Settles the promise when the socket goes away before the body ended (a no-op after 'end').
    req.on('close', () => reject(size > limit ? bodyTooLarge(limit) : malformedRequest('connection closed before the body ended')));
  });
}

function parseJsonBody(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw malformedRequest(`body is not JSON (${(error as Error).message})`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw malformedRequest('body must be a JSON object');
  return body as Record<string, unknown>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': CONTENT_TYPE, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Path segments, URL-decoded; undefined when a segment is not valid percent-encoding. */
function pathSegments(pathname: string): string[] | undefined {
  try {
    return pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch (error) {
    if (error instanceof URIError) return undefined;
    throw error;
  }
}

async function loadStore(opts: SchemaRegistryServerOptions): Promise<SchemaRegistryStore> {
  const fresh = () => new SchemaRegistryStore({ defaultCompatibility: opts.defaultCompatibility });
  if (!opts.storePath) return fresh();
  const snapshot = await readRegistrySnapshot(opts.storePath);
  if (!snapshot) return fresh();
  try {
    return SchemaRegistryStore.fromSnapshot(snapshot);
  } catch (error) {
    throw new ConfigError(`schema registry store is inconsistent: ${(error as Error).message}`, {
      code: 'SCHEMA_REGISTRY_STORE_CORRUPT',
      context: { path: opts.storePath },
    });
  }
}

/**
 * Starts the registry and resolves once it listens. Throws ConfigError when the
 * store file is unusable or the port cannot be bound.
 */
export async function startSchemaRegistry(opts: SchemaRegistryServerOptions = {}): Promise<RunningSchemaRegistry> {
  const log = opts.logger ?? createLogger('schema-registry');
  const host = opts.host ?? '127.0.0.1';
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const store = await loadStore(opts);
  const routes = routesFor(store);
  const storePath = opts.storePath;

  // Snapshots are written one after another, so a slow write never lands after a newer one.
  let persisted = store.revision;
  let persistChain: Promise<void> = Promise.resolve();
  const persist = (): Promise<void> => {
    const run = persistChain.then(async () => {
      if (!storePath || store.revision === persisted) return;
      const revision = store.revision;
      await writeRegistrySnapshot(storePath, store.toSnapshot());
      persisted = revision;
    });
    // The chain must survive a failed write; the request that triggered it reports the failure via `run`,
    // and the next change writes the whole snapshot again.
    persistChain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://registry.invalid');
    const segments = pathSegments(url.pathname);
    const match = segments === undefined ? undefined : matchRoute(routes, req.method ?? 'GET', segments);
    if (match === undefined) throw routeNotFound();
    if (match === 'wrong-method') throw methodNotAllowed();
    const raw = await readBody(req, maxBodyBytes);
    const body = match.route.method === 'POST' || match.route.method === 'PUT' ? parseJsonBody(raw) : {};
    const result = match.route.handle({ params: match.params, query: url.searchParams, body });
    if (match.route.mutates) {
      try {
        await persist();
      } catch (error) {
        log.error('registry change not persisted', { method: req.method, path: url.pathname, error });
        throw backendStoreError();
      }
    }
    send(res, 200, result);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const typed = error instanceof RegistryHttpError ? error : internalError();
      if (!(error instanceof RegistryHttpError)) log.error('schema registry request failed', { method: req.method, url: req.url, error });
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // A 413 body was not read in full by design; close so the connection is not reused mid-stream.
      if (typed.status === 413) res.setHeader('connection', 'close');
      send(res, typed.status, typed.toBody());
    });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) =>
      reject(
        new ConfigError(`schema registry cannot listen on ${host}:${opts.port ?? 0}: ${error.message}`, {
          code: 'SCHEMA_REGISTRY_LISTEN_FAILED',
          context: { host, port: opts.port ?? 0, errno: error.code },
        }),
      );
    server.once('error', onError);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (error) => log.error('schema registry server error', { error }));

  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info('schema registry listening', { url, storePath: storePath ?? null });

  return {
    url,
    port,
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      await persistChain;
    },
  };
}
