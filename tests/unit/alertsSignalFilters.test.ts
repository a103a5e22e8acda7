import { describe, expect, it } from 'vitest';
import { parsePage, parseSignalFilters, signalWhere } from '../../pipelines/alerts/signalFilters.ts';
import { ApiError } from '../../pipelines/alerts/apiError.ts';
import { makeUscc } from '../../src/domain/uscc.ts';

const q = (s: string) => new URLSearchParams(s);
const rejected = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return `${error.status} ${error.code} ${String(error.details.parameter)}`;
    throw error;
  }
  return 'accepted';
};

describe('board filters', () => {
  it('parses district, type, severity, status, enterprise and text', () => {
    const id = makeUscc('330421', 'MA0000001');
    expect(parseSignalFilters(q(`district=jiashan&type=UPSTREAM_BROKEN&severity=HIGH&status=OPEN&enterprise=${id}&q=电子`))).toEqual({
      district: 'jiashan',
      signalType: 'UPSTREAM_BROKEN',
      severity: 'HIGH',
      status: 'OPEN',
      enterpriseTaxId: id,
      text: '电子',
    });
  });

  it('rejects unknown values, invalid tax ids and repeated parameters with 400 naming the parameter', () => {
    expect(rejected(() => parseSignalFilters(q('district=shanghai')))).toBe('400 INVALID_PARAMETER district');
    expect(rejected(() => parseSignalFilters(q("type=SALES_DROP' OR 1=1 --")))).toBe('400 INVALID_PARAMETER type');
    expect(rejected(() => parseSignalFilters(q('enterprise=91330421MA0000001A')))).toBe('400 INVALID_TAX_ID enterprise');
    expect(rejected(() => parseSignalFilters(q('status=OPEN&status=RESOLVED')))).toBe('400 INVALID_PARAMETER status');
    expect(rejected(() => parseSignalFilters(q(`q=${'x'.repeat(51)}`)))).toBe('400 INVALID_PARAMETER q');
  });

  it('bounds pages: limit 1..200, offset 0..100000, digits only', () => {
    expect(parsePage(q(''))).toEqual({ limit: 50, offset: 0 });
    expect(parsePage(q('limit=200&offset=400'))).toEqual({ limit: 200, offset: 400 });
    expect(rejected(() => parsePage(q('limit=0')))).toBe('400 INVALID_PARAMETER limit');
    expect(rejected(() => parsePage(q('limit=201')))).toBe('400 INVALID_PARAMETER limit');
    expect(rejected(() => parsePage(q('offset=-1')))).toBe('400 INVALID_PARAMETER offset');
    expect(rejected(() => parsePage(q('limit=1e2')))).toBe('400 INVALID_PARAMETER limit');
  });

  it('keeps every value out of the SQL text: only placeholders reach the WHERE clause', () => {
    const hostile = "x') OR 1=1; DROP TABLE yunlian.signals; --";
    const { where, params } = signalWhere({ district: 'qingpu', text: hostile });
    expect(where).not.toContain(hostile);
    expect(where).not.toContain('qingpu');
    expect(where).toContain('{district:String}');
    expect(params).toEqual({ district: 'qingpu', text: hostile });
  });

  it('selects everything without filters', () => {
    expect(signalWhere({})).toEqual({ where: '1', params: {} });
  });
});
