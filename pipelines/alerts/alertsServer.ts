import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../../src/runtime/log.ts';
import type { Metrics } from '../../src/runtime/metrics.ts';
import { YunlianError } from '../../src/runtime/errors.ts';
import { ApiError } from './apiError.ts';
import type { Route, RouteOutcome } from './apiRoutes.ts';
import { applySecurityHeaders, sendApiError, sendJson } from './httpReply.ts';
import { allowOnly } from './queryParams.ts';
import { assetNameOf, type StaticAsset } from './staticAssets.ts';
import type { TokenAuth } from './tokenAuth.ts';

/**
 * The dashboard's HTTP server (node:http, no framework): static UI, the /api
 * routes, and /metrics, /healthz, /readyz for the platform. Order of checks
 * on /api: route → auth (401) → role (403) → cross-site check → handler
 * (400 / 413 / 415 …), so nothing is read or parsed for an unauthenticated
 * caller.
 */
export interface AlertsServerOptions {
  routes: readonly Route[];
  auth: TokenAuth;
  assets: ReadonlyMap<string, StaticAsset>;
  metrics: Metrics;
  logger: Logger;
  ready: () => Promise<boolean>;
  port: number;
  host?: string;
}

export interface AlertsServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

const MAX_URL_LENGTH = 4096;

/** Refuses writes that a third-party page made the browser send with our cookie (SameSite=Strict is the first line). */
function crossSite(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    // An Origin we cannot parse is not our own page.
    return true;
  }
}

function serveAsset(req: IncomingMessage, res: ServerResponse, asset: StaticAsset): void {
  const headers = { 'Content-Type': asset.contentType, ETag: asset.etag, 'Cache-Control': 'no-cache' };
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304, headers).end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': asset.body.length });
  res.end(req.method === 'HEAD' ? undefined : asset.body);
}

export async function startAlertsServer(opts: AlertsServerOptions): Promise<AlertsServer> {
  const log = opts.logger;

  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const onPath = opts.routes.filter((r) => r.pattern.test(url.pathname));
    if (onPath.length === 0) throw new ApiError(404, 'NOT_FOUND', 'no such endpoint');
    const route = onPath.find((r) => r.method === req.method);
    if (!route) throw new ApiError(405, 'METHOD_NOT_ALLOWED', `use ${onPath.map((r) => r.method).join(', ')}`, {});
    const who = route.access === 'public' ? null : opts.auth.roleOf(req.headers);
    if (route.access !== 'public' && !who) throw new ApiError(401, 'UNAUTHORIZED', 'send Authorization: Bearer <token>, or log in at /login');
    if (route.access === 'write' && who!.role !== 'steward') throw new ApiError(403, 'READ_ONLY_TOKEN', 'this token may read but not change cases');
    if (req.method !== 'GET' && (who === null || who.via === 'cookie') && crossSite(req)) throw new ApiError(403, 'CROSS_SITE_REQUEST', 'request from another site refused');
    allowOnly(url.searchParams, route.query ?? []);
    let params: string[];
    try {
      params = (route.pattern.exec(url.pathname) ?? []).slice(1).map((p) => decodeURIComponent(p));
    } catch {
      // decodeURIComponent throws URIError on malformed escapes like %E0%A4%A.
      throw new ApiError(400, 'INVALID_PATH', 'malformed percent-encoding in the path');
    }
    const outcome: RouteOutcome = await route.handle({ req, res, url, params, role: who?.role ?? null });
    if (outcome.kind === 'json') sendJson(res, outcome.status, outcome.body, outcome.headers);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    applySecurityHeaders(res);
    if ((req.url ?? '').length > MAX_URL_LENGTH) throw new ApiError(414, 'URI_TOO_LONG', `URLs are limited to ${MAX_URL_LENGTH} characters`);
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const { pathname } = url;
    if (pathname.startsWith('/api/')) return handleApi(req, res, url);
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new ApiError(405, 'METHOD_NOT_ALLOWED', 'use GET');
    if (pathname === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
      return;
    }
    if (pathname === '/readyz') {
      const ready = await opts.ready();
      res.writeHead(ready ? 200 : 503, { 'Content-Type': 'text/plain' }).end(ready ? 'ready\n' : 'not ready\n');
      return;
    }
    if (pathname === '/metrics') {
      const text = await opts.metrics.registry.metrics();
      res.writeHead(200, { 'Content-Type': opts.metrics.registry.contentType }).end(text);
      return;
    }
    const name = assetNameOf(pathname);
    const asset = name === null ? undefined : opts.assets.get(name);
    if (!asset) throw new ApiError(404, 'NOT_FOUND', 'no such page');
    serveAsset(req, res, asset);
  };

  const server = createServer((req, res) => {
    const started = performance.now();
    handle(req, res)
      .catch((error: unknown) => {
        if (res.headersSent) {
          log.warn('request failed after the response started', { method: req.method, error });
          res.destroy();
          return;
        }
        if (error instanceof ApiError) {
          // After 413 the rest of the body is not read: close the connection instead of parsing it as a next request.
          const headers: Record<string, string> = error.status === 413 ? { Connection: 'close' } : error.status === 401 ? { 'WWW-Authenticate': 'Bearer realm="yunlian"' } : {};
          sendApiError(res, error.status, error.code, error.message, error.details, headers);
          return;
        }
        const unavailable = error instanceof YunlianError && error.retriable;
        log.error('request failed', { method: req.method, path: (req.url ?? '').split('?')[0], error });
        sendApiError(res, unavailable ? 503 : 500, unavailable ? 'UNAVAILABLE' : 'INTERNAL', unavailable ? 'a backing service is unavailable; retry shortly' : 'internal error; see the server log');
      })
      .finally(() => {
        log.debug('request', { method: req.method, path: (req.url ?? '').split('?')[0], status: res.statusCode, ms: Math.round(performance.now() - started) });
      });
  });
  // Slow-loris bounds; the SSE stream is kept alive by its own heartbeat.
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const host = opts.host ?? '127.0.0.1';
  return {
    url: `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
