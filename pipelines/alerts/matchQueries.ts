import type { ClickHouseClient } from '@clickhouse/client';
import { selectRows } from './selectRows.ts';

/**
 * The enterprise's current match lists from the `matches` table the match
 * pipeline writes (one row per candidate per revision; MATCHES_MIGRATION).
 * That pipeline evolves on its own schedule, so this reader adapts: no
 * table → `available: false`; missing columns → those fields are null; a
 * `version` column → only the newest revision of each list. Column names
 * come only from the fixed list below, never from input.
 */
export interface MatchCandidate {
  rank: number | null;
  tax_id: string;
  name: string | null;
  district: string | null;
  score: number | null;
  reasons: string[];
  reasons_zh: string[];
  converted_at: string | null;
}

export interface MatchList {
  match_id: string;
  version: number | null;
  signal_id: string | null;
  need: string | null;
  status: string | null;
  converted_at: string | null;
  candidates: MatchCandidate[];
}

export type EnterpriseMatches = { available: false; lists: [] } | { available: true; lists: MatchList[] };

const WANTED = [
  'match_id', 'version', 'signal_id', 'enterprise_tax_id', 'need', 'status', 'list_converted_at',
  'candidate_tax_id', 'candidate_name', 'candidate_district', 'rank', 'score', 'reasons', 'reasons_zh', 'converted_at',
] as const;
const REQUIRED = ['match_id', 'enterprise_tax_id', 'candidate_tax_id'];
const MAX_ROWS = 500;

export type MatchRow = Partial<Record<(typeof WANTED)[number], unknown>>;

function reasonsOf(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw !== 'string' || raw === '') return [];
  if (raw.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      // Not JSON after all: the text itself is the reason, shown rather than dropped.
      return [raw];
    }
  }
  return [raw];
}

const text = (v: unknown): string | null => (v === undefined || v === null || v === '' ? null : String(v));
const numeric = (v: unknown): number | null => (v === undefined || v === null || v === '' || Number.isNaN(Number(v)) ? null : Number(v));

/** Groups candidate rows into lists, candidates by rank; rank 0 marks a list without candidates. Pure; exported for tests. */
export function groupMatchRows(rows: readonly MatchRow[]): MatchList[] {
  const lists = new Map<string, MatchList>();
  for (const row of rows) {
    const id = String(row.match_id);
    let list = lists.get(id);
    if (!list) {
      list = { match_id: id, version: numeric(row.version), signal_id: text(row.signal_id), need: text(row.need), status: text(row.status), converted_at: text(row.list_converted_at), candidates: [] };
      lists.set(id, list);
    }
    if (numeric(row.rank) === 0) continue;
    list.candidates.push({
      rank: numeric(row.rank),
      tax_id: String(row.candidate_tax_id),
      name: text(row.candidate_name),
      district: text(row.candidate_district),
      score: numeric(row.score),
      reasons: reasonsOf(row.reasons),
      reasons_zh: reasonsOf(row.reasons_zh),
      converted_at: text(row.converted_at),
    });
  }
  for (const list of lists.values()) list.candidates.sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || (b.score ?? 0) - (a.score ?? 0));
  return [...lists.values()];
}

export async function enterpriseMatches(client: ClickHouseClient, taxId: string): Promise<EnterpriseMatches> {
  const columns = await selectRows<{ name: string }>(client, `SELECT name FROM system.columns WHERE database = 'yunlian' AND table = 'matches'`);
  const present = new Set(columns.map((c) => c.name));
  if (!REQUIRED.every((c) => present.has(c))) return { available: false, lists: [] };
  const [table] = await selectRows<{ engine: string }>(client, `SELECT engine FROM system.tables WHERE database = 'yunlian' AND name = 'matches'`);
  // FINAL only where the engine supports it: a plain MergeTree rejects it.
  const final = /Replacing|Collapsing|Aggregating|Summing/.test(table?.engine ?? '') ? 'FINAL' : '';
  const newest = present.has('version')
    ? `AND (match_id, version) IN (SELECT match_id, max(version) FROM yunlian.matches WHERE enterprise_tax_id = {id:String} GROUP BY match_id)`
    : '';
  const selected = WANTED.filter((c) => present.has(c));
  const order = present.has('rank') ? 'match_id, rank' : 'match_id';
  const rows = await selectRows<MatchRow>(
    client,
    `SELECT ${selected.join(', ')} FROM yunlian.matches ${final} WHERE enterprise_tax_id = {id:String} ${newest} ORDER BY ${order} LIMIT {limit:UInt32}`,
    { id: taxId, limit: MAX_ROWS },
  );
  return { available: true, lists: groupMatchRows(rows) };
}
