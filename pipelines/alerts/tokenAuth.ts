import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ConfigError } from '../../src/runtime/errors.ts';

/**
 * Who may do what on the dashboard API. A `steward` (YUNLIAN_API_TOKEN) reads
 * and works cases; a `reader` (YUNLIAN_API_READONLY_TOKEN) only reads.
 *
 * Two ways to present a token:
 * - `Authorization: Bearer <token>` for scripts and API clients;
 * - the `yunlian_session` cookie that POST /api/session sets after the login
 *   page posts the token. Browsers need it because EventSource cannot send
 *   headers, and a `?token=` query parameter would land in proxy logs and
 *   browser history. The cookie never holds the token itself, only
 *   `<issued-at>.<HMAC(token, issued-at)>`, HttpOnly and SameSite=Strict, and
 *   is refused once older than `sessionTtlMs`.
 */
export type Role = 'steward' | 'reader';

export const SESSION_COOKIE = 'yunlian_session';
const MIN_TOKEN_LENGTH = 16;

export interface TokenAuthOptions {
  apiToken: string;
  readOnlyToken?: string;
  now: () => number;
  sessionTtlMs?: number;
  /** Adds `Secure` to the cookie; set when the dashboard is served over HTTPS. */
  secureCookie?: boolean;
}

export interface TokenAuth {
  /** The role the request authenticates as, or null (→ 401). */
  roleOf(headers: IncomingHttpHeaders): { role: Role; via: 'bearer' | 'cookie' } | null;
  /** The role of a presented token, or null. */
  roleOfToken(token: string): Role | null;
  /** Set-Cookie value for a session of `token`'s role; throws RangeError for an unknown token. */
  sessionCookie(token: string): string;
  clearedCookie(): string;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  // Length differences leak only the length, which is not secret (tokens are generated with a fixed size).
  return x.length === y.length && timingSafeEqual(x, y);
}

function sign(token: string, issuedAtSec: number): string {
  return createHmac('sha256', token).update(`yunlian-session-v1.${issuedAtSec}`).digest('base64url');
}

function cookieValue(headers: IncomingHttpHeaders): string | null {
  const raw = headers.cookie;
  if (!raw) return null;
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return null;
}

export function createTokenAuth(opts: TokenAuthOptions): TokenAuth {
  if (opts.apiToken.length < MIN_TOKEN_LENGTH) throw new ConfigError(`YUNLIAN_API_TOKEN must have at least ${MIN_TOKEN_LENGTH} characters`, { code: 'API_TOKEN_TOO_SHORT' });
  if (opts.readOnlyToken !== undefined) {
    if (opts.readOnlyToken.length < MIN_TOKEN_LENGTH) throw new ConfigError(`YUNLIAN_API_READONLY_TOKEN must have at least ${MIN_TOKEN_LENGTH} characters`, { code: 'API_TOKEN_TOO_SHORT' });
    if (opts.readOnlyToken === opts.apiToken) throw new ConfigError('YUNLIAN_API_READONLY_TOKEN must differ from YUNLIAN_API_TOKEN', { code: 'API_TOKEN_REUSED' });
  }
  const ttlMs = opts.sessionTtlMs ?? 12 * 3600_000;
  const tokens: Array<{ token: string; role: Role }> = [{ token: opts.apiToken, role: 'steward' }];
  if (opts.readOnlyToken !== undefined) tokens.push({ token: opts.readOnlyToken, role: 'reader' });

  const roleOfToken = (token: string): Role | null => {
    let found: Role | null = null;
    // Compare against every token (no early exit) so timing does not tell which one matched.
    for (const t of tokens) if (sameSecret(token, t.token)) found = t.role;
    return found;
  };

  const roleOfSession = (value: string): Role | null => {
    const m = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value);
    if (!m) return null;
    const issuedAtSec = Number(m[1]);
    const ageMs = opts.now() - issuedAtSec * 1000;
    if (ageMs < -60_000 || ageMs > ttlMs) return null;
    let found: Role | null = null;
    for (const t of tokens) if (sameSecret(m[2]!, sign(t.token, issuedAtSec))) found = t.role;
    return found;
  };

  return {
    roleOfToken,
    roleOf(headers) {
      const authorization = headers.authorization;
      if (authorization !== undefined) {
        const m = /^Bearer ([\x21-\x7e]{1,512})$/.exec(authorization);
        const role = m ? roleOfToken(m[1]!) : null;
        // A wrong header is a failed login even if a cookie is also present.
        return role ? { role, via: 'bearer' } : null;
      }
      const session = cookieValue(headers);
      const role = session ? roleOfSession(session) : null;
      return role ? { role, via: 'cookie' } : null;
    },
    sessionCookie(token) {
      if (!roleOfToken(token)) throw new RangeError('not a dashboard token');
      const issuedAtSec = Math.floor(opts.now() / 1000);
      const attributes = [`Max-Age=${Math.floor(ttlMs / 1000)}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', ...(opts.secureCookie ? ['Secure'] : [])];
      return `${SESSION_COOKIE}=${issuedAtSec}.${sign(token, issuedAtSec)}; ${attributes.join('; ')}`;
    },
    clearedCookie: () => `${SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict${opts.secureCookie ? '; Secure' : ''}`,
  };
}
