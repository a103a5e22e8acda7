/**
 * Regional closures: days that are not worked although the statutory calendar
 * says they are (DOMAIN.md: the 2020 extended shutdown is a configurable
 * override, like any local closure). A closure wins over a make-up working day:
 * the 2020 make-up day of Sat 1 Feb lapsed when the holiday was extended.
 */
import { DISTRICTS, isDistrict, type District } from '../domain/district.ts';
import { ConfigError } from '../runtime/errors.ts';
import { isoToDay, type DayNumber } from './workingCalendar.ts';

export interface RegionalClosure {
  /** First closed day, YYYY-MM-DD (Asia/Shanghai), inclusive. */
  from: string;
  /** Last closed day, YYYY-MM-DD, inclusive. */
  to: string;
  reason_zh: string;
  reason_en: string;
  /** Districts the closure applies to; absent means everywhere. */
  districts?: readonly District[];
  /** Where the closure was ordered (notice, date), for the reader of the config. */
  source?: string;
}

const KNOWN_KEYS: ReadonlySet<string> = new Set(['from', 'to', 'reason_zh', 'reason_en', 'districts', 'source']);

/**
 * Validates the parsed content of a closures file: `{ "closures": [ … ] }`.
 * `origin` names the file in error messages.
 * Throws ConfigError naming the offending entry (index and JSON) and the problem;
 * its context carries `origin`, `index` and `entry`.
 */
export function parseClosures(raw: unknown, origin: string): RegionalClosure[] {
  if (!isRecord(raw) || !Array.isArray(raw['closures'])) {
    throw new ConfigError(`closures file ${origin}: expected an object {"closures": [...]}`, {
      code: 'CLOSURES_INVALID',
      context: { origin },
    });
  }
  return raw['closures'].map((entry: unknown, index: number) => parseClosure(entry, index, origin));
}

function parseClosure(entry: unknown, index: number, origin: string): RegionalClosure {
  const fail = (problem: string): never => {
    throw new ConfigError(`closures file ${origin}: entry ${index} ${describe(entry)}: ${problem}`, {
      code: 'CLOSURES_INVALID',
      context: { origin, index, entry },
    });
  };
  if (!isRecord(entry)) return fail('expected an object');
  // Unknown keys are rejected so a misspelt "districs" cannot silently widen a closure to everywhere.
  const unknown = Object.keys(entry).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0) fail(`unknown field(s) ${unknown.join(', ')}`);

  const from = dateField(entry, 'from', fail);
  const to = dateField(entry, 'to', fail);
  if (isoToDay(from) > isoToDay(to)) fail(`"from" ${from} is after "to" ${to}`);
  const reason_zh = textField(entry, 'reason_zh', fail);
  const reason_en = textField(entry, 'reason_en', fail);

  const closure: RegionalClosure = { from, to, reason_zh, reason_en };
  const districts = entry['districts'];
  if (districts !== undefined) {
    if (!Array.isArray(districts) || districts.length === 0) fail(`"districts" must be a non-empty array of ${DISTRICTS.join(', ')}`);
    const list = districts as unknown[];
    const bad = list.filter((d) => !isDistrict(d));
    if (bad.length > 0) fail(`"districts" has unknown district(s) ${JSON.stringify(bad)}; known: ${DISTRICTS.join(', ')}`);
    closure.districts = [...new Set(list as District[])];
  }
  const source = entry['source'];
  if (source !== undefined) {
    if (typeof source !== 'string') fail('"source" must be a string');
    closure.source = source as string;
  }
  return closure;
}

function dateField(entry: Record<string, unknown>, key: string, fail: (problem: string) => never): string {
  const value = entry[key];
  if (typeof value !== 'string') return fail(`"${key}" must be a YYYY-MM-DD string`);
  try {
    isoToDay(value);
  } catch (error) {
    // isoToDay throws RangeError with the reason; rethrown as a ConfigError naming the entry.
    return fail(`"${key}": ${(error as Error).message}`);
  }
  return value;
}

function textField(entry: Record<string, unknown>, key: string, fail: (problem: string) => never): string {
  const value = entry[key];
  if (typeof value !== 'string' || value.trim() === '') return fail(`"${key}" must be a non-empty string`);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(entry: unknown): string {
  const json = JSON.stringify(entry) ?? String(entry);
  return json.length > 200 ? `${json.slice(0, 200)}…` : json;
}

/**
 * Whether a closure closes a calendar for `district`. A calendar without a
 * district is the zone's common calendar: it is closed only where every zone
 * district is closed, i.e. by closures without a filter or naming all districts.
 */
export function closureAppliesTo(closure: RegionalClosure, district: District | undefined): boolean {
  if (closure.districts === undefined) return true;
  if (district !== undefined) return closure.districts.includes(district);
  return DISTRICTS.every((d) => closure.districts?.includes(d));
}

/** The closure's days as an inclusive day-number range. */
export function closureDays(closure: RegionalClosure): { first: DayNumber; last: DayNumber } {
  return { first: isoToDay(closure.from), last: isoToDay(closure.to) };
}

/** The text closureReason reports for a day closed by this closure. */
export function closureReasonText(closure: RegionalClosure): string {
  return `${closure.reason_zh} ${closure.reason_en}`;
}
