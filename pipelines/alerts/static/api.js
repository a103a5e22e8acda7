// The dashboard talks to the same JSON API as any script; the session cookie (set by /login) authenticates it.
export class ApiFailure extends Error {
  constructor(status, code, message, body) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

export async function api(path, { method = 'GET', body } = {}) {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    location.assign('/login');
    throw new ApiFailure(401, 'UNAUTHORIZED', 'not logged in');
  }
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiFailure(response.status, payload.error?.code ?? 'HTTP_' + response.status, payload.error?.message ?? response.statusText, payload);
  return payload;
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
