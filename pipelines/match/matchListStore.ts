import type { ClickHouseClient } from '@clickhouse/client';
import type { MatchList, MatchListStatus } from '../../src/domain/matchList.ts';
import { toClickHouseFailure } from '../../sinks/clickhouse/clickhouseErrors.ts';
import { matchListFromRows, STORED_MATCH_COLUMNS, type StoredMatchRow } from './matchRows.ts';

export interface MatchListFilter {
  enterpriseTaxId?: string;
  status?: MatchListStatus;
}

/**
 * The current revision of each match list in ClickHouse (the newest version
 * per match_id), optionally of one enterprise or one status. This is both how
 * the match pipeline reloads its lists at start and the query API of the
 * dashboard and tax stewards ("matches of a firm, with reasons"). Ordered by
 * enterprise, opening time, match_id; candidates by rank.
 */
export async function readCurrentMatchLists(client: ClickHouseClient, filter: MatchListFilter = {}): Promise<MatchList[]> {
  const where: string[] = ['(match_id, version) IN (SELECT match_id, max(version) FROM yunlian.matches GROUP BY match_id)'];
  if (filter.enterpriseTaxId !== undefined) where.push('enterprise_tax_id = {enterprise:String}');
  if (filter.status !== undefined) where.push('status = {status:String}');
  let rows: StoredMatchRow[];
  try {
    const rs = await client.query({
      query: `SELECT ${STORED_MATCH_COLUMNS} FROM yunlian.matches FINAL WHERE ${where.join(' AND ')} ORDER BY enterprise_tax_id, opened_at, match_id, rank`,
      query_params: { enterprise: filter.enterpriseTaxId ?? '', status: filter.status ?? '' },
      format: 'JSONEachRow',
    });
    rows = await rs.json<StoredMatchRow>();
  } catch (error) {
    throw toClickHouseFailure(error, { operation: 'read match lists' });
  }
  const byId = new Map<string, StoredMatchRow[]>();
  for (const r of rows) {
    const list = byId.get(r.match_id);
    if (list) list.push(r);
    else byId.set(r.match_id, [r]);
  }
  return [...byId.values()].map(matchListFromRows);
}
