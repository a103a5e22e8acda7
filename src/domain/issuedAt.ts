/** ISO-8601 instant with an explicit zone: 2020-02-11T09:30:00+08:00, ...Z, optional fraction. */
const ISO_WITH_ZONE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export type ParsedInstant = { kind: 'ok'; epochMs: number } | { kind: 'error'; detail: string };

/** Parses an event timestamp; a missing zone is an error, never a guess. */
export function parseIssuedAt(value: string): ParsedInstant {
  const m = ISO_WITH_ZONE.exec(value);
  if (!m) {
    return { kind: 'error', detail: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(value) ? 'issued_at has no zone offset' : 'issued_at is not an ISO-8601 instant' };
  }
  const epochMs = Date.parse(value);
  const [, y, mo, d, h, mi, s] = m;
  if (Number.isNaN(epochMs) || Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59 || Number(y) < 1990) {
    return { kind: 'error', detail: 'issued_at is not a valid date-time' };
  }
  return { kind: 'ok', epochMs };
}
