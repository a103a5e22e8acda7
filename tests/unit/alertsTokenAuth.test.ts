import { describe, expect, it } from 'vitest';
import { createTokenAuth, SESSION_COOKIE } from '../../pipelines/alerts/tokenAuth.ts';
import { ConfigError } from '../../src/runtime/errors.ts';

const STEWARD = 'steward-token-abcdefghijkl';
const READER = 'reader-token-abcdefghijklm';

function auth(now = 1_700_000_000_000) {
  let clock = now;
  const a = createTokenAuth({ apiToken: STEWARD, readOnlyToken: READER, now: () => clock, sessionTtlMs: 3600_000 });
  return { a, advance: (ms: number) => (clock += ms) };
}

const cookieHeader = (setCookie: string) => setCookie.split(';')[0]!;

describe('dashboard token auth', () => {
  it('maps the API token to steward and the read-only token to reader', () => {
    const { a } = auth();
    expect(a.roleOf({ authorization: `Bearer ${STEWARD}` })).toEqual({ role: 'steward', via: 'bearer' });
    expect(a.roleOf({ authorization: `Bearer ${READER}` })).toEqual({ role: 'reader', via: 'bearer' });
  });

  it('refuses missing, wrong and malformed credentials', () => {
    const { a } = auth();
    expect(a.roleOf({})).toBeNull();
    expect(a.roleOf({ authorization: `Bearer ${STEWARD}x` })).toBeNull();
    expect(a.roleOf({ authorization: `Basic ${STEWARD}` })).toBeNull();
    expect(a.roleOf({ authorization: 'Bearer ' })).toBeNull();
  });

  it('lets a browser in with the session cookie the login sets, which does not contain the token', () => {
    const { a } = auth();
    const setCookie = a.sessionCookie(READER);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).not.toContain(READER);
    expect(a.roleOf({ cookie: `other=1; ${cookieHeader(setCookie)}` })).toEqual({ role: 'reader', via: 'cookie' });
  });

  it('refuses a session cookie once it is older than its lifetime, or tampered with', () => {
    const { a, advance } = auth();
    const cookie = cookieHeader(a.sessionCookie(STEWARD));
    const tampered = cookie.replace(/=(\d+)\./, (_m, s: string) => `=${Number(s) + 1}.`);
    expect(a.roleOf({ cookie: tampered })).toBeNull();
    advance(3600_000 + 1000);
    expect(a.roleOf({ cookie })).toBeNull();
  });

  it('does not fall back to the cookie when a wrong bearer token is sent', () => {
    const { a } = auth();
    const cookie = cookieHeader(a.sessionCookie(STEWARD));
    expect(a.roleOf({ cookie, authorization: 'Bearer nope-nope-nope-nope' })).toBeNull();
  });

  it('clears the cookie on logout and refuses to mint one for an unknown token', () => {
    const { a } = auth();
    expect(a.clearedCookie()).toMatch(new RegExp(`^${SESSION_COOKIE}=; Max-Age=0`));
    expect(() => a.sessionCookie('not-a-token-at-all-x')).toThrow(RangeError);
  });

  it('rejects short tokens and a read-only token equal to the API token at start-up', () => {
    expect(() => createTokenAuth({ apiToken: 'short', now: Date.now })).toThrow(ConfigError);
    expect(() => createTokenAuth({ apiToken: STEWARD, readOnlyToken: STEWARD, now: Date.now })).toThrow(ConfigError);
  });
});
