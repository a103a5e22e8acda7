import type { ClickHouseClient } from '@clickhouse/client';
import { insertRows, isoInstant } from '../../sinks/clickhouse/insertRows.ts';
import { selectRows } from './selectRows.ts';
import type { CaseOutcome, CaseState, CaseStatus } from './caseTransitions.ts';
import type { OutcomeCountRow } from './caseOutcomeCounts.ts';
import type { Page } from './signalFilters.ts';

/** Persistence of case states in `yunlian.cases` (CASES_MIGRATION): each state a new version, current state via FINAL. */
const CASE_COLUMNS = `case_id, version, signal_id, enterprise_tax_id, enterprise_name, district, signal_type, status, assignee, notes, outcome,
  toUnixTimestamp64Milli(opened_at) AS opened_at_ms, toUnixTimestamp64Milli(updated_at) AS updated_at_ms,
  if(isNull(closed_at), NULL, toUnixTimestamp64Milli(assumeNotNull(closed_at))) AS closed_at_ms`;

type CaseRow = Omit<CaseState, 'version' | 'opened_at_ms' | 'updated_at_ms' | 'closed_at_ms'> & {
  version: string | number;
  opened_at_ms: string | number;
  updated_at_ms: string | number;
  closed_at_ms: string | number | null;
};

function toCaseState(row: CaseRow): CaseState {
  return {
    ...row,
    version: Number(row.version),
    opened_at_ms: Number(row.opened_at_ms),
    updated_at_ms: Number(row.updated_at_ms),
    closed_at_ms: row.closed_at_ms === null ? null : Number(row.closed_at_ms),
  };
}

export interface CaseFilters {
  status?: CaseStatus;
  assignee?: string;
  enterpriseTaxId?: string;
  signalId?: string;
}

export interface CaseStore {
  get(caseId: string): Promise<CaseState | null>;
  /** Current cases of these signals, keyed by signal_id. */
  bySignals(signalIds: readonly string[]): Promise<Map<string, CaseState>>;
  list(filters: CaseFilters, page: Page): Promise<{ cases: CaseState[]; total: number }>;
  /** Writes a state; the dedup token makes a retried write of the same version a no-op. */
  put(state: CaseState): Promise<void>;
  outcomeCounts(): Promise<OutcomeCountRow[]>;
}

export function createCaseStore(client: ClickHouseClient): CaseStore {
  return {
    async get(caseId) {
      const rows = await selectRows<CaseRow>(client, `SELECT ${CASE_COLUMNS} FROM yunlian.cases FINAL WHERE case_id = {id:String} LIMIT 1`, { id: caseId });
      return rows[0] ? toCaseState(rows[0]) : null;
    },
    async bySignals(signalIds) {
      if (signalIds.length === 0) return new Map();
      const rows = await selectRows<CaseRow>(client, `SELECT ${CASE_COLUMNS} FROM yunlian.cases FINAL WHERE signal_id IN {ids:Array(String)}`, { ids: signalIds });
      return new Map(rows.map((r) => [r.signal_id, toCaseState(r)]));
    },
    async list(filters, page) {
      const clauses: string[] = [];
      const params: Record<string, unknown> = {};
      const equal = (column: string, value: string | undefined) => {
        if (value === undefined) return;
        clauses.push(`${column} = {${column}:String}`);
        params[column] = value;
      };
      equal('status', filters.status);
      equal('assignee', filters.assignee);
      equal('enterprise_tax_id', filters.enterpriseTaxId);
      equal('signal_id', filters.signalId);
      const where = clauses.length === 0 ? '1' : clauses.join(' AND ');
      const rows = await selectRows<CaseRow>(
        client,
        `SELECT ${CASE_COLUMNS} FROM yunlian.cases FINAL WHERE ${where} ORDER BY updated_at DESC, case_id LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
        { ...params, limit: page.limit, offset: page.offset },
      );
      const [count] = await selectRows<{ n: string }>(client, `SELECT count() AS n FROM yunlian.cases FINAL WHERE ${where}`, params);
      return { cases: rows.map(toCaseState), total: Number(count?.n ?? 0) };
    },
    async put(state) {
      await insertRows(client, {
        table: 'yunlian.cases',
        dedupToken: `${state.case_id}.v${state.version}`,
        rows: [
          {
            case_id: state.case_id,
            version: state.version,
            signal_id: state.signal_id,
            enterprise_tax_id: state.enterprise_tax_id,
            enterprise_name: state.enterprise_name,
            district: state.district,
            signal_type: state.signal_type,
            status: state.status,
            assignee: state.assignee,
            notes: state.notes,
            outcome: state.outcome,
            opened_at: isoInstant(state.opened_at_ms),
            updated_at: isoInstant(state.updated_at_ms),
            closed_at: state.closed_at_ms === null ? null : isoInstant(state.closed_at_ms),
          },
        ],
      });
    },
    async outcomeCounts() {
      const rows = await selectRows<{ signal_type: string; outcome: CaseOutcome; cases: string }>(
        client,
        `SELECT signal_type, assumeNotNull(outcome) AS outcome, count() AS cases FROM yunlian.cases FINAL
         WHERE status = 'CLOSED' AND outcome IS NOT NULL GROUP BY signal_type, outcome`,
      );
      return rows.map((r) => ({ signal_type: r.signal_type, outcome: r.outcome, cases: Number(r.cases) }));
    },
  };
}
