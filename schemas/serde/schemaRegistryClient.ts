/**
 * A small HTTP client for the Confluent Schema Registry REST API (the embedded
 * one or a real Confluent / Redpanda / Apicurio-ccompat registry), on plain
 * `fetch`, that types every failure at the boundary (STYLE.md habit 5):
 *
 * - unreachable, timed out, 5xx, 429 → InfrastructureError SCHEMA_REGISTRY_UNAVAILABLE (retriable)
 * - 2xx with an unexpected body       → InfrastructureError SCHEMA_REGISTRY_BAD_RESPONSE
 * - 401 / 403                          → ConfigError SCHEMA_REGISTRY_UNAUTHORIZED
 * - error_code 40403 on an id lookup   → PoisonRecordError SCHEMA_ID_NOT_FOUND
 * - 409 on register                    → ConfigError SCHEMA_INCOMPATIBLE
 * - 422 (42201)                        → ConfigError SCHEMA_INVALID
 * - 40401 / 40402                      → ConfigError SCHEMA_SUBJECT_NOT_FOUND
 * - anything else                      → ConfigError SCHEMA_REGISTRY_REJECTED
 *
 * Credentials (URL userinfo or `auth`) go only into the Authorization header;
 * `baseUrl` and every error context carry the URL without them.
 */
import { ConfigError, InfrastructureError, PoisonRecordError, type YunlianError } from '../../src/runtime/errors.ts';

export interface BasicAuth {
  username: string;
  password: string;
}

export interface SchemaRegistryClientOptions {
  /** e.g. http://127.0.0.1:8081 or https://user:secret@registry.example/prefix */
  url: string;
  /** Overrides credentials given in the URL. */
  auth?: BasicAuth;
  /** Per request. Default 10 s. */
  timeoutMs?: number;
  /** Injected for tests (e.g. counting requests); defaults to global fetch. */
  fetch?: typeof fetch;
}

export interface RegisteredSchema {
  schema: string;
  /** Absent (AVRO) on Avro schemas, as Confluent answers. */
  schemaType?: string;
  references?: unknown[];
}

export interface SubjectVersion {
  subject: string;
  id: number;
  version: number;
  schema: string;
}

const ACCEPT = 'application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; q=0.9, application/json; q=0.5';
const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

interface ErrorResponse {
  status: number;
  errorCode: number | undefined;
  message: string;
}

/** Maps a non-2xx answer to a typed error; undefined falls back to the defaults above. */
type ErrorMapper = (response: ErrorResponse) => YunlianError | undefined;

/** Splits userinfo off a registry URL: fetch refuses URLs with credentials, and logs must never see them. */
export function parseRegistryUrl(url: string): { baseUrl: string; auth: BasicAuth | undefined } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new ConfigError(`SCHEMA_REGISTRY_URL is not a URL`, { code: 'SCHEMA_REGISTRY_URL_INVALID', context: { reason: (error as Error).message } });
  }
  const auth = parsed.username
    ? { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) }
    : undefined;
  parsed.username = '';
  parsed.password = '';
  return { baseUrl: parsed.toString().replace(/\/+$/, ''), auth };
}

export class SchemaRegistryClient {
  /** The registry URL without credentials, safe to log. */
  readonly baseUrl: string;
  private readonly authorization: string | undefined;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(opts: SchemaRegistryClientOptions) {
    const { baseUrl, auth: urlAuth } = parseRegistryUrl(opts.url);
    this.baseUrl = baseUrl;
    const auth = opts.auth ?? urlAuth;
    this.authorization = auth ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` : undefined;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.fetchFn = opts.fetch ?? fetch;
  }

  /** Registers (or finds) `schema` under `subject`; returns the global schema id. */
  async register(subject: string, schema: string): Promise<number> {
    const body = await this.request('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema }, (r) => {
      if (r.status === 409) return new ConfigError(`schema is incompatible with subject ${subject}: ${r.message}`, { code: 'SCHEMA_INCOMPATIBLE', context: this.context({ subject, errorCode: r.errorCode }) });
      return subjectErrors(subject, r, this.context({ subject }));
    });
    return this.expectId(body, 'register');
  }

  /** The id `schema` already has under `subject`, without registering it (for registries with auto-registration off). */
  async lookup(subject: string, schema: string): Promise<SubjectVersion> {
    const body = await this.request('POST', `/subjects/${encodeURIComponent(subject)}`, { schema }, (r) => {
      if (r.errorCode === 40403) return new ConfigError(`schema is not registered under ${subject}`, { code: 'SCHEMA_NOT_REGISTERED', context: this.context({ subject }) });
      return subjectErrors(subject, r, this.context({ subject }));
    });
    return this.expectSubjectVersion(body, 'lookup');
  }

  async latest(subject: string): Promise<SubjectVersion> {
    const body = await this.request('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`, undefined, (r) => subjectErrors(subject, r, this.context({ subject })));
    return this.expectSubjectVersion(body, 'latest');
  }

  /** The writer schema of an id. Throws PoisonRecordError SCHEMA_ID_NOT_FOUND when the registry does not know it. */
  async schemaById(id: number): Promise<RegisteredSchema> {
    const body = await this.request('GET', `/schemas/ids/${id}`, undefined, (r) =>
      r.errorCode === 40403
        ? new PoisonRecordError(`schema id ${id} is not in the registry`, { code: 'SCHEMA_ID_NOT_FOUND', context: this.context({ schemaId: id }) })
        : undefined,
    );
    if (typeof body !== 'object' || body === null || typeof (body as { schema?: unknown }).schema !== 'string') {
      throw this.badResponse('schemaById');
    }
    const { schema, schemaType, references } = body as { schema: string; schemaType?: unknown; references?: unknown };
    return {
      schema,
      ...(typeof schemaType === 'string' ? { schemaType } : {}),
      ...(Array.isArray(references) ? { references } : {}),
    };
  }

  /** Would `schema` be accepted by `subject` (against `version`, default latest)? */
  async isCompatible(subject: string, schema: string, version: number | 'latest' = 'latest'): Promise<boolean> {
    const body = await this.request('POST', `/compatibility/subjects/${encodeURIComponent(subject)}/versions/${version}`, { schema }, (r) =>
      subjectErrors(subject, r, this.context({ subject })),
    );
    const answer = (body as { is_compatible?: unknown } | null)?.is_compatible;
    if (typeof answer !== 'boolean') throw this.badResponse('isCompatible');
    return answer;
  }

  private async request(method: string, path: string, payload: unknown, mapError: ErrorMapper): Promise<unknown> {
    const headers: Record<string, string> = { accept: ACCEPT };
    if (payload !== undefined) headers['content-type'] = CONTENT_TYPE;
    if (this.authorization) headers.authorization = this.authorization;
    const ctx = this.context({ method, path });

    let response: Response;
    let text: string;
    try {
      response = await this.fetchFn(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: payload === undefined ? undefined : JSON.stringify(payload),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw new InfrastructureError(`schema registry unreachable: ${(error as Error).message}`, { code: 'SCHEMA_REGISTRY_UNAVAILABLE', context: ctx, cause: error });
    }

    let body: unknown;
    let parsedOk = true;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      parsedOk = false;
    }

    if (response.ok) {
      if (!parsedOk) throw this.badResponse(path);
      return body;
    }

    const errorCode = typeof (body as { error_code?: unknown } | undefined)?.error_code === 'number' ? (body as { error_code: number }).error_code : undefined;
    const message = typeof (body as { message?: unknown } | undefined)?.message === 'string' ? (body as { message: string }).message : `HTTP ${response.status}`;
    const failure: ErrorResponse = { status: response.status, errorCode, message };
    const errContext = { ...ctx, status: response.status, errorCode };

    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      throw new InfrastructureError(`schema registry failed: ${message}`, { code: 'SCHEMA_REGISTRY_UNAVAILABLE', context: errContext });
    }
    if (response.status === 401 || response.status === 403) {
      throw new ConfigError(`schema registry refused the credentials (HTTP ${response.status})`, { code: 'SCHEMA_REGISTRY_UNAUTHORIZED', context: errContext });
    }
    const mapped = mapError(failure);
    if (mapped) throw mapped;
    if (response.status === 422) {
      throw new ConfigError(`schema registry rejected the schema: ${message}`, { code: 'SCHEMA_INVALID', context: errContext });
    }
    throw new ConfigError(`schema registry rejected ${method} ${path}: ${message}`, { code: 'SCHEMA_REGISTRY_REJECTED', context: errContext });
  }

  private context(extra: Record<string, unknown>): Record<string, unknown> {
    return { registry: this.baseUrl, ...extra };
  }

  private badResponse(what: string): InfrastructureError {
    return new InfrastructureError(`schema registry sent an unexpected answer to ${what}`, { code: 'SCHEMA_REGISTRY_BAD_RESPONSE', context: this.context({ what }) });
  }

  private expectId(body: unknown, what: string): number {
    const id = (body as { id?: unknown } | null)?.id;
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw this.badResponse(what);
    return id;
  }

  private expectSubjectVersion(body: unknown, what: string): SubjectVersion {
    const b = body as Partial<SubjectVersion> | null;
    if (typeof b?.subject !== 'string' || typeof b.id !== 'number' || typeof b.version !== 'number' || typeof b.schema !== 'string') {
      throw this.badResponse(what);
    }
    return { subject: b.subject, id: b.id, version: b.version, schema: b.schema };
  }
}

function subjectErrors(subject: string, r: ErrorResponse, context: Record<string, unknown>): YunlianError | undefined {
  if (r.errorCode === 40401 || r.errorCode === 40402) {
    return new ConfigError(`subject ${subject}: ${r.message}`, { code: 'SCHEMA_SUBJECT_NOT_FOUND', context: { ...context, errorCode: r.errorCode } });
  }
  return undefined;
}
