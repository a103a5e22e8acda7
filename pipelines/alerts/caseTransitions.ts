import { createHash } from 'node:crypto';
import type { DisruptionSignal } from '../../src/domain/signal.ts';

/**
 * The life of a case a tax steward (税务管家) works one-to-one: opened for a
 * signal, assigned, annotated, closed with an outcome, possibly reopened.
 * Pure: the store persists each returned state as the next version.
 */
export const CASE_OUTCOMES = ['MATCHED', 'RECOVERED_ON_ITS_OWN', 'NOT_A_DISRUPTION'] as const;
export type CaseOutcome = (typeof CASE_OUTCOMES)[number];
export const CASE_STATUSES = ['OPEN', 'CLOSED'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
/** The outcome that says the detector was wrong: counted per signal type to tune thresholds. */
export const FALSE_POSITIVE_OUTCOME: CaseOutcome = 'NOT_A_DISRUPTION';

export interface CaseState {
  case_id: string;
  version: number;
  signal_id: string;
  enterprise_tax_id: string;
  enterprise_name: string;
  district: string;
  signal_type: string;
  status: CaseStatus;
  assignee: string;
  notes: string;
  outcome: CaseOutcome | null;
  opened_at_ms: number;
  updated_at_ms: number;
  closed_at_ms: number | null;
}

export interface CaseChange {
  assignee?: string;
  notes?: string;
  status?: CaseStatus;
  outcome?: CaseOutcome;
}

export type CaseChangeResult =
  | { kind: 'changed'; next: CaseState; closedNow: boolean }
  | { kind: 'unchanged'; current: CaseState }
  /** The caller edited an older version than the stored one (someone else changed it meanwhile). */
  | { kind: 'conflict'; current: CaseState }
  | { kind: 'invalid'; code: 'OUTCOME_REQUIRED' | 'OUTCOME_ONLY_WHEN_CLOSED'; message: string };

/** One case per signal, so opening twice (double click, retry) finds the same case. */
export function caseIdOf(signalId: string): string {
  return 'case-' + createHash('sha1').update(signalId).digest('hex').slice(0, 24);
}

export function openCase(signal: Pick<DisruptionSignal, 'signal_id' | 'enterprise_tax_id' | 'enterprise_name' | 'district' | 'signal_type'>, opts: { assignee?: string; notes?: string; now: number }): CaseState {
  return {
    case_id: caseIdOf(signal.signal_id),
    version: 1,
    signal_id: signal.signal_id,
    enterprise_tax_id: signal.enterprise_tax_id,
    enterprise_name: signal.enterprise_name,
    district: signal.district,
    signal_type: signal.signal_type,
    status: 'OPEN',
    assignee: opts.assignee ?? '',
    notes: opts.notes ?? '',
    outcome: null,
    opened_at_ms: opts.now,
    updated_at_ms: opts.now,
    closed_at_ms: null,
  };
}

export function applyCaseChange(current: CaseState, change: CaseChange, expectedVersion: number, now: number): CaseChangeResult {
  if (expectedVersion !== current.version) return { kind: 'conflict', current };
  const status = change.status ?? current.status;
  let outcome: CaseOutcome | null;
  if (status === 'CLOSED') {
    outcome = change.outcome ?? current.outcome;
    if (outcome === null) return { kind: 'invalid', code: 'OUTCOME_REQUIRED', message: 'closing a case needs an outcome: MATCHED, RECOVERED_ON_ITS_OWN or NOT_A_DISRUPTION' };
  } else {
    if (change.outcome !== undefined) return { kind: 'invalid', code: 'OUTCOME_ONLY_WHEN_CLOSED', message: 'an outcome is only given when closing the case' };
    outcome = null;
  }
  const next: CaseState = {
    ...current,
    status,
    outcome,
    assignee: change.assignee ?? current.assignee,
    notes: change.notes ?? current.notes,
    closed_at_ms: status === 'CLOSED' ? (current.status === 'CLOSED' ? current.closed_at_ms : now) : null,
  };
  const same = next.status === current.status && next.outcome === current.outcome && next.assignee === current.assignee && next.notes === current.notes;
  if (same) return { kind: 'unchanged', current };
  return { kind: 'changed', next: { ...next, version: current.version + 1, updated_at_ms: now }, closedNow: current.status === 'OPEN' && status === 'CLOSED' };
}
