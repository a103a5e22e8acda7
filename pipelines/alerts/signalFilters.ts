import { DISTRICTS } from '../../src/domain/district.ts';
import { SIGNAL_TYPES, type SignalStatus, type SignalType, type Severity } from '../../src/domain/signal.ts';
import { parseEnum, parseInteger, parseTaxId, parseText, single } from './queryParams.ts';

export const SIGNAL_DISTRICTS = [...DISTRICTS, 'other'] as const;
export const SEVERITIES: readonly Severity[] = ['LOW', 'MEDIUM', 'HIGH'];
export const SIGNAL_STATUSES: readonly SignalStatus[] = ['OPEN', 'RESOLVED'];
export const MAX_PAGE_SIZE = 200;
/** Deep offsets make ClickHouse sort and skip ever more rows; past this, narrow the filters. */
export const MAX_OFFSET = 100_000;

/** What the board filters on (GET /api/signals and /api/signals/counts). */
export interface SignalFilters {
  district?: (typeof SIGNAL_DISTRICTS)[number];
  signalType?: SignalType;
  severity?: Severity;
  status?: SignalStatus;
  enterpriseTaxId?: string;
  /** Substring of the enterprise name or tax id. */
  text?: string;
}

export interface Page {
  limit: number;
  offset: number;
}

/** Throws ApiError 400 naming the first bad parameter. */
export function parseSignalFilters(query: URLSearchParams): SignalFilters {
  const enterprise = single(query, 'enterprise');
  return {
    district: parseEnum('district', single(query, 'district'), SIGNAL_DISTRICTS),
    signalType: parseEnum('type', single(query, 'type'), SIGNAL_TYPES),
    severity: parseEnum('severity', single(query, 'severity'), SEVERITIES),
    status: parseEnum('status', single(query, 'status'), SIGNAL_STATUSES),
    enterpriseTaxId: enterprise === undefined ? undefined : parseTaxId('enterprise', enterprise),
    text: parseText('q', single(query, 'q'), { maxLength: 50 }) || undefined,
  };
}

export function parsePage(query: URLSearchParams, defaultLimit = 50): Page {
  return {
    limit: parseInteger('limit', single(query, 'limit'), { min: 1, max: MAX_PAGE_SIZE, fallback: defaultLimit }),
    offset: parseInteger('offset', single(query, 'offset'), { min: 0, max: MAX_OFFSET, fallback: 0 }),
  };
}

/**
 * A WHERE clause built only from constant fragments and `{name:Type}`
 * placeholders; the values travel separately as query parameters.
 */
export function signalWhere(filters: SignalFilters): { where: string; params: Record<string, string> } {
  const clauses: string[] = [];
  const params: Record<string, string> = {};
  const equal = (column: string, name: string, value: string | undefined) => {
    if (value === undefined) return;
    clauses.push(`${column} = {${name}:String}`);
    params[name] = value;
  };
  equal('district', 'district', filters.district);
  equal('signal_type', 'signal_type', filters.signalType);
  equal('severity', 'severity', filters.severity);
  equal('status', 'status', filters.status);
  equal('enterprise_tax_id', 'enterprise', filters.enterpriseTaxId);
  if (filters.text !== undefined) {
    clauses.push('(positionCaseInsensitiveUTF8(enterprise_name, {text:String}) > 0 OR position(enterprise_tax_id, upperUTF8({text:String})) > 0)');
    params.text = filters.text;
  }
  return { where: clauses.length === 0 ? '1' : clauses.join(' AND '), params };
}
