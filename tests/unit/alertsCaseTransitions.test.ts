import { describe, expect, it } from 'vitest';
import { applyCaseChange, caseIdOf, openCase, type CaseState } from '../../pipelines/alerts/caseTransitions.ts';
import { parseCaseChange, parseOpenCase } from '../../pipelines/alerts/casesApi.ts';
import { ApiError } from '../../pipelines/alerts/apiError.ts';

const signal = { signal_id: 'a1b2', enterprise_tax_id: '91330421MA0000001X', enterprise_name: '嘉善某电子有限公司', district: 'jiashan' as const, signal_type: 'UPSTREAM_BROKEN' as const };
const opened = (): CaseState => openCase(signal, { assignee: '王管家', now: 1000 });

describe('case transitions', () => {
  it('opens one case per signal with a deterministic id, version 1, OPEN and no outcome', () => {
    const c = opened();
    expect(c).toMatchObject({ case_id: caseIdOf('a1b2'), version: 1, status: 'OPEN', outcome: null, assignee: '王管家', signal_type: 'UPSTREAM_BROKEN' });
    expect(caseIdOf('a1b2')).toBe(caseIdOf('a1b2'));
    expect(caseIdOf('a1b2')).not.toBe(caseIdOf('a1b3'));
  });

  it('annotates a case as the next version', () => {
    const result = applyCaseChange(opened(), { notes: '已电话联系企业' }, 1, 2000);
    expect(result).toMatchObject({ kind: 'changed', closedNow: false, next: { version: 2, notes: '已电话联系企业', updated_at_ms: 2000, status: 'OPEN' } });
  });

  it('closes a case with an outcome and stamps the close time', () => {
    const result = applyCaseChange(opened(), { status: 'CLOSED', outcome: 'NOT_A_DISRUPTION' }, 1, 3000);
    expect(result).toMatchObject({ kind: 'changed', closedNow: true, next: { status: 'CLOSED', outcome: 'NOT_A_DISRUPTION', closed_at_ms: 3000 } });
  });

  it('refuses to close without an outcome, and an outcome on an open case', () => {
    expect(applyCaseChange(opened(), { status: 'CLOSED' }, 1, 3000)).toMatchObject({ kind: 'invalid', code: 'OUTCOME_REQUIRED' });
    expect(applyCaseChange(opened(), { outcome: 'MATCHED' }, 1, 3000)).toMatchObject({ kind: 'invalid', code: 'OUTCOME_ONLY_WHEN_CLOSED' });
  });

  it('reopening clears the outcome and the close time', () => {
    const closed = applyCaseChange(opened(), { status: 'CLOSED', outcome: 'MATCHED' }, 1, 3000);
    if (closed.kind !== 'changed') throw new Error('expected a change');
    const reopened = applyCaseChange(closed.next, { status: 'OPEN' }, 2, 4000);
    expect(reopened).toMatchObject({ kind: 'changed', closedNow: false, next: { version: 3, status: 'OPEN', outcome: null, closed_at_ms: null } });
  });

  it('answers a stale version with a conflict carrying the current state', () => {
    const result = applyCaseChange(opened(), { notes: 'x' }, 7, 2000);
    expect(result).toMatchObject({ kind: 'conflict', current: { version: 1 } });
  });

  it('writes nothing when the change changes nothing', () => {
    expect(applyCaseChange(opened(), { assignee: '王管家' }, 1, 2000).kind).toBe('unchanged');
  });
});

describe('case request bodies', () => {
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return error instanceof ApiError ? `${error.status} ${error.code}` : String(error);
    }
    return 'accepted';
  };

  it('accepts a well-formed open and change', () => {
    expect(parseOpenCase({ signal_id: 'abc123', assignee: '李', notes: '第一行\n第二行' })).toEqual({ signalId: 'abc123', assignee: '李', notes: '第一行\n第二行' });
    expect(parseCaseChange({ version: 3, status: 'CLOSED', outcome: 'MATCHED' })).toEqual({ version: 3, change: { status: 'CLOSED', outcome: 'MATCHED' } });
  });

  it('rejects unknown fields, bad enums, bad versions, control characters, over-long text and SQL in ids with 400', () => {
    expect(code(() => parseOpenCase({ signal_id: 'x', admin: true }))).toBe('400 UNKNOWN_FIELD');
    expect(code(() => parseOpenCase({ signal_id: "x' OR '1'='1" }))).toBe('400 INVALID_PARAMETER');
    expect(code(() => parseCaseChange({ version: 1, outcome: 'DROP TABLE' }))).toBe('400 INVALID_PARAMETER');
    expect(code(() => parseCaseChange({ version: '1', notes: 'x' }))).toBe('400 INVALID_PARAMETER');
    expect(code(() => parseCaseChange({ version: 1.5, notes: 'x' }))).toBe('400 INVALID_PARAMETER');
    expect(code(() => parseCaseChange({ version: 1, assignee: 'a\u0000b' }))).toBe('400 INVALID_PARAMETER');
    expect(code(() => parseCaseChange({ version: 1, notes: 'x'.repeat(4001) }))).toBe('400 INVALID_PARAMETER');
    expect(code(() => parseCaseChange({ version: 1 }))).toBe('400 EMPTY_CHANGE');
  });
});
