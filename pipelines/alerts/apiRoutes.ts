import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClickHouseClient } from '@clickhouse/client';
import type { WorkingCalendar } from '../../src/calendar/workingCalendar.ts';
import { ApiError } from './apiError.ts';
import type { CasesApi } from './casesApi.ts';
import type { CaseStore } from './caseStore.ts';
import { enterpriseDetail } from './enterpriseQueries.ts';
import { enterpriseMatches } from './matchQueries.ts';
import { parseId, parseTaxId, single } from './queryParams.ts';
import { readJsonBody } from './readJsonBody.ts';
import { parsePage, parseSignalFilters } from './signalFilters.ts';
import { countSignals, findSignal, listSignals } from './signalQueries.ts';
import type { SseHub } from './sseHub.ts';
import type { Role, TokenAuth } from './tokenAuth.ts';

/**
 * The JSON API under /api that the dashboard itself uses (docs/api.md).
 * `access` is enforced by the server before a handler runs: public, read
 * (any token) or write (the steward token only).
 */
export type Access = 'public' | 'read' | 'write';

export interface RouteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Captured groups of the route pattern, URL-decoded. */
  params: string[];
  role: Role | null;
}

export type RouteOutcome = { kind: 'json'; status: number; body: unknown; headers?: Record<string, string> } | { kind: 'taken' };

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  pattern: RegExp;
  access: Access;
  /** Query parameters the route understands; any other is a 400 (checked by the server). */
  query?: readonly string[];
  handle(r: RouteRequest): Promise<RouteOutcome>;
}

export interface ApiDeps {
  clickhouse: ClickHouseClient;
  calendar: WorkingCalendar;
  auth: TokenAuth;
  hub: SseHub;
  caseStore: CaseStore;
  cases: CasesApi;
}

const ok = (body: unknown, status = 200, headers?: Record<string, string>): RouteOutcome => ({ kind: 'json', status, body, headers });
const MAX_LAST_EVENT_ID = 64;
const FILTERS = ['district', 'type', 'severity', 'status', 'enterprise', 'q'] as const;
const PAGE = ['limit', 'offset'] as const;

export function apiRoutes(deps: ApiDeps): Route[] {
  const { clickhouse } = deps;
  return [
    {
      // The login page posts the token here and gets the session cookie (EventSource cannot send headers).
      method: 'POST',
      pattern: /^\/api\/session$/,
      access: 'public',
      async handle({ req }) {
        const body = await readJsonBody(req);
        const token = typeof body.token === 'string' ? body.token : '';
        const role = token.length <= 512 ? deps.auth.roleOfToken(token) : null;
        if (!role) throw new ApiError(401, 'UNAUTHORIZED', 'unknown token');
        return ok({ role }, 200, { 'Set-Cookie': deps.auth.sessionCookie(token) });
      },
    },
    { method: 'DELETE', pattern: /^\/api\/session$/, access: 'public', handle: async () => ok({ ok: true }, 200, { 'Set-Cookie': deps.auth.clearedCookie() }) },
    { method: 'GET', pattern: /^\/api\/me$/, access: 'read', handle: async ({ role }) => ok({ role, can_write: role === 'steward' }) },
    {
      method: 'GET',
      pattern: /^\/api\/signals$/,
      access: 'read',
      query: [...FILTERS, ...PAGE],
      async handle({ url }) {
        const page = await listSignals(clickhouse, parseSignalFilters(url.searchParams), parsePage(url.searchParams));
        const cases = await deps.caseStore.bySignals(page.signals.map((s) => s.signal_id));
        return ok({ ...page, signals: page.signals.map((s) => ({ ...s, case: cases.get(s.signal_id) ?? null })) });
      },
    },
    { method: 'GET', pattern: /^\/api\/signals\/counts$/, access: 'read', query: FILTERS, handle: async ({ url }) => ok(await countSignals(clickhouse, parseSignalFilters(url.searchParams))) },
    {
      method: 'GET',
      pattern: /^\/api\/signals\/([^/]+)$/,
      access: 'read',
      async handle({ params }) {
        const signal = await findSignal(clickhouse, parseId('signal id', params[0]));
        if (!signal) throw new ApiError(404, 'SIGNAL_NOT_FOUND', 'no signal with this id');
        const cases = await deps.caseStore.bySignals([signal.signal_id]);
        return ok({ ...signal, case: cases.get(signal.signal_id) ?? null });
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/enterprises\/([^/]+)$/,
      access: 'read',
      async handle({ params }) {
        const taxId = parseTaxId('tax id', params[0]);
        const detail = await enterpriseDetail(clickhouse, taxId, deps.calendar);
        if (!detail) throw new ApiError(404, 'ENTERPRISE_NOT_FOUND', 'no signal, flow or link of this enterprise');
        const cases = await deps.caseStore.list({ enterpriseTaxId: taxId }, { limit: 200, offset: 0 });
        return ok({ ...detail, cases: cases.cases });
      },
    },
    { method: 'GET', pattern: /^\/api\/enterprises\/([^/]+)\/matches$/, access: 'read', handle: async ({ params }) => ok(await enterpriseMatches(clickhouse, parseTaxId('tax id', params[0]))) },
    { method: 'GET', pattern: /^\/api\/cases$/, access: 'read', query: ['status', 'assignee', 'enterprise', 'signal_id', ...PAGE], handle: async ({ url }) => ok(await deps.cases.list(url.searchParams)) },
    { method: 'GET', pattern: /^\/api\/cases\/outcomes$/, access: 'read', handle: async () => ok(await deps.cases.outcomes()) },
    {
      method: 'GET',
      pattern: /^\/api\/cases\/([^/]+)$/,
      access: 'read',
      async handle({ params }) {
        const state = await deps.caseStore.get(parseId('case id', params[0]));
        if (!state) throw new ApiError(404, 'CASE_NOT_FOUND', 'no case with this id');
        return ok(state);
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/cases$/,
      access: 'write',
      async handle({ req }) {
        const { created, state } = await deps.cases.open(await readJsonBody(req));
        return ok(state, created ? 201 : 200);
      },
    },
    { method: 'PATCH', pattern: /^\/api\/cases\/([^/]+)$/, access: 'write', handle: async ({ req, params }) => ok(await deps.cases.change(params[0]!, await readJsonBody(req))) },
    {
      method: 'GET',
      pattern: /^\/api\/stream$/,
      access: 'read',
      query: ['lastEventId'],
      async handle({ req, res, url }) {
        // Browsers resend the id as a header on reconnect; the query form serves clients that reconnect by hand.
        const header = req.headers['last-event-id'];
        const lastEventId = (typeof header === 'string' ? header : undefined) ?? single(url.searchParams, 'lastEventId') ?? null;
        if (lastEventId !== null && lastEventId.length > MAX_LAST_EVENT_ID) throw new ApiError(400, 'INVALID_PARAMETER', 'Last-Event-ID is too long');
        deps.hub.attach(req, res, lastEventId);
        return { kind: 'taken' };
      },
    },
  ];
}
