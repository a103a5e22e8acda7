import { checkUscc } from '../../src/domain/uscc.ts';
import { badRequest } from './apiError.ts';

/**
 * Parsers for request inputs. Each returns a typed value or throws ApiError
 * 400 naming the parameter; values are later bound as ClickHouse query
 * parameters, never spliced into SQL, so validation here is about clear
 * errors and bounded work, not the last line of defence.
 */

/** Refuses parameters an endpoint does not know: a typo must not silently widen a filter. */
export function allowOnly(query: URLSearchParams, names: readonly string[]): void {
  for (const name of query.keys()) {
    if (!names.includes(name)) throw badRequest('UNKNOWN_PARAMETER', `unknown parameter ${name.slice(0, 40)}; expected ${names.join(', ')}`, { parameter: name.slice(0, 40) });
  }
}

/** One value of a query parameter; repeating a parameter is ambiguous and refused. */
export function single(query: URLSearchParams, name: string): string | undefined {
  const all = query.getAll(name);
  if (all.length > 1) throw badRequest('INVALID_PARAMETER', `${name} given ${all.length} times`, { parameter: name });
  const value = all[0];
  return value === undefined || value === '' ? undefined : value;
}

export function parseEnum<T extends string>(name: string, raw: string | undefined, allowed: readonly T[]): T | undefined {
  if (raw === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(raw)) throw badRequest('INVALID_PARAMETER', `${name} must be one of ${allowed.join(', ')}`, { parameter: name });
  return raw as T;
}

export function parseInteger(name: string, raw: string | undefined, opts: { min: number; max: number; fallback: number }): number {
  if (raw === undefined) return opts.fallback;
  if (!/^\d{1,9}$/.test(raw)) throw badRequest('INVALID_PARAMETER', `${name} must be an integer between ${opts.min} and ${opts.max}`, { parameter: name });
  const n = Number(raw);
  if (n < opts.min || n > opts.max) throw badRequest('INVALID_PARAMETER', `${name} must be an integer between ${opts.min} and ${opts.max}`, { parameter: name });
  return n;
}

/** A unified social credit code with a correct check character. */
export function parseTaxId(name: string, raw: string | undefined): string {
  if (raw === undefined) throw badRequest('MISSING_PARAMETER', `${name} is required`, { parameter: name });
  if (checkUscc(raw).kind !== 'ok') throw badRequest('INVALID_TAX_ID', `${name} is not a valid unified social credit code`, { parameter: name });
  return raw;
}

/** Free text (names, notes): bounded length, no control characters except newlines and tabs in multi-line fields. */
export function parseText(name: string, raw: unknown, opts: { maxLength: number; multiline?: boolean; required?: boolean }): string | undefined {
  if (raw === undefined || raw === null || raw === '') {
    if (opts.required) throw badRequest('MISSING_PARAMETER', `${name} is required`, { parameter: name });
    return raw === '' ? '' : undefined;
  }
  if (typeof raw !== 'string') throw badRequest('INVALID_PARAMETER', `${name} must be a string`, { parameter: name });
  if ([...raw].length > opts.maxLength) throw badRequest('INVALID_PARAMETER', `${name} is longer than ${opts.maxLength} characters`, { parameter: name });
  const control = opts.multiline ? /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/ : /[\u0000-\u001f\u007f]/;
  if (control.test(raw)) throw badRequest('INVALID_PARAMETER', `${name} contains control characters`, { parameter: name });
  return raw;
}

/** Ids minted by yunlian (signal, case, match ids): short and from a safe alphabet. */
export function parseId(name: string, raw: unknown): string {
  if (typeof raw !== 'string' || !/^[A-Za-z0-9_.:\-]{1,128}$/.test(raw)) throw badRequest('INVALID_PARAMETER', `${name} must be an id of 1-128 characters [A-Za-z0-9_.:-]`, { parameter: name });
  return raw;
}
