import { badRequest } from './apiError.ts';
import { outcomesBySignalType, type SignalTypeOutcomes } from './caseOutcomeCounts.ts';
import type { CaseService } from './caseService.ts';
import type { CaseFilters, CaseStore } from './caseStore.ts';
import { CASE_OUTCOMES, CASE_STATUSES, type CaseChange, type CaseState } from './caseTransitions.ts';
import { parseEnum, parseId, parseTaxId, parseText, single } from './queryParams.ts';
import { parsePage, type Page } from './signalFilters.ts';

/** Input validation of the cases endpoints; the rules of a case's life are in caseTransitions.ts. */
const ASSIGNEE_MAX = 64;
const NOTES_MAX = 4000;

function rejectUnknownFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw badRequest('UNKNOWN_FIELD', `unknown field(s): ${unknown.slice(0, 5).join(', ')}`, { fields: unknown.slice(0, 5) });
}

/** POST /api/cases body: `{ signal_id, assignee?, notes? }`. */
export function parseOpenCase(body: Record<string, unknown>): { signalId: string; assignee?: string; notes?: string } {
  rejectUnknownFields(body, ['signal_id', 'assignee', 'notes']);
  return {
    signalId: parseId('signal_id', body.signal_id),
    assignee: parseText('assignee', body.assignee, { maxLength: ASSIGNEE_MAX }),
    notes: parseText('notes', body.notes, { maxLength: NOTES_MAX, multiline: true }),
  };
}

/** PATCH /api/cases/:id body: `{ version, assignee?, notes?, status?, outcome? }`; version is the one the client edited. */
export function parseCaseChange(body: Record<string, unknown>): { version: number; change: CaseChange } {
  rejectUnknownFields(body, ['version', 'assignee', 'notes', 'status', 'outcome']);
  const version = body.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || version > 4_000_000_000) throw badRequest('INVALID_PARAMETER', 'version must be the positive integer version you edited', { parameter: 'version' });
  const enumField = <T extends string>(name: string, allowed: readonly T[]): T | undefined => {
    const raw = body[name];
    if (raw === undefined || raw === null) return undefined;
    if (typeof raw !== 'string') throw badRequest('INVALID_PARAMETER', `${name} must be one of ${allowed.join(', ')}`, { parameter: name });
    return parseEnum(name, raw, allowed);
  };
  const change: CaseChange = {};
  const assignee = parseText('assignee', body.assignee, { maxLength: ASSIGNEE_MAX });
  const notes = parseText('notes', body.notes, { maxLength: NOTES_MAX, multiline: true });
  const status = enumField('status', CASE_STATUSES);
  const outcome = enumField('outcome', CASE_OUTCOMES);
  if (assignee !== undefined) change.assignee = assignee;
  if (notes !== undefined) change.notes = notes;
  if (status !== undefined) change.status = status;
  if (outcome !== undefined) change.outcome = outcome;
  if (Object.keys(change).length === 0) throw badRequest('EMPTY_CHANGE', 'change at least one of assignee, notes, status, outcome');
  return { version, change };
}

export function parseCaseFilters(query: URLSearchParams): { filters: CaseFilters; page: Page } {
  const enterprise = single(query, 'enterprise');
  const signal = single(query, 'signal_id');
  return {
    filters: {
      status: parseEnum('status', single(query, 'status'), CASE_STATUSES),
      assignee: parseText('assignee', single(query, 'assignee'), { maxLength: ASSIGNEE_MAX }) || undefined,
      enterpriseTaxId: enterprise === undefined ? undefined : parseTaxId('enterprise', enterprise),
      signalId: signal === undefined ? undefined : parseId('signal_id', signal),
    },
    page: parsePage(query),
  };
}

export interface CasesApi {
  list(query: URLSearchParams): Promise<{ cases: CaseState[]; total: number; limit: number; offset: number }>;
  outcomes(): Promise<{ by_signal_type: SignalTypeOutcomes[] }>;
  open(body: Record<string, unknown>): Promise<{ created: boolean; state: CaseState }>;
  change(caseId: string, body: Record<string, unknown>): Promise<CaseState>;
}

export function createCasesApi(store: CaseStore, service: CaseService): CasesApi {
  return {
    async list(query) {
      const { filters, page } = parseCaseFilters(query);
      return { ...(await store.list(filters, page)), ...page };
    },
    async outcomes() {
      return { by_signal_type: outcomesBySignalType(await store.outcomeCounts()) };
    },
    open: (body) => service.open(parseOpenCase(body)),
    change(caseId, body) {
      const { version, change } = parseCaseChange(body);
      return service.change(parseId('case id', caseId), version, change);
    },
  };
}
