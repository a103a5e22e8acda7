import type { ClickHouseClient } from '@clickhouse/client';
import type { Admin } from 'kafkajs';
import { matchListFromRows, STORED_MATCH_COLUMNS, type StoredMatchRow } from '../../pipelines/match/matchRows.ts';
import type { MatchList } from '../domain/matchList.ts';
import { createLagGate, type LagGate } from '../kafka/lagGate.ts';
import { GROUPS, TOPICS } from '../kafka/topics.ts';
import type { Logger } from '../runtime/log.ts';
import type { FirmProfile } from '../simulate/firmProfile.ts';
import type { GroundTruth } from '../simulate/groundTruth.ts';
import { scoreMatchQuality, type MatchQualityReport } from './matchQuality.ts';

/**
 * Targets of issue 5 on fresh seeds that decide the exit code. The
 * excluded-partner share is printed and stored but not gated: what remains of
 * it comes from disruptions the detector did not report (implied labels it
 * missed), which the match service cannot see (see the issue 5 note).
 */
export const MATCH_TARGETS = { top5: 0.9, top1: 0.6, brokenPartnerShare: 0 } as const;

/** What `npm run eval` reports about the match service. */
export interface MatchEvaluation {
  /** Revisions of all lists found in `yunlian.matches`. */
  revisions: number;
  /** Scored on each list's first revision: what the steward got when the signal fired. */
  first: MatchQualityReport;
  /** The same on each list's newest revision (after incremental re-ranking, conversion, closing). */
  latest: Omit<MatchQualityReport, 'per_list'>;
  pass: boolean;
}

/** The (group, topic) pairs match consumes: `npm run eval` waits for both to drain. */
export const MATCH_CONSUMPTION = [
  { groupId: GROUPS.match, topic: TOPICS.invoiceLegs },
  { groupId: GROUPS.match, topic: TOPICS.disruptions },
] as const;

/**
 * Backpressure on match's lag on the legs topic, so a fast producer cannot
 * run match past what the mock cluster keeps (5 MiB per partition); detect's
 * gate alone does not cover it, because match is a separate consumer group.
 */
export function matchLagGate(admin: Admin, logger: Logger): LagGate {
  return createLagGate({ admin, groupId: GROUPS.match, topic: TOPICS.invoiceLegs, maxLagPerPartition: 12_000, logger });
}

/**
 * One revision per match_id from ClickHouse: the first (lowest version) or the
 * newest. Read from `yunlian.matches` itself, not the pipeline's memory, so
 * the eval scores what analysts and the dashboard see.
 */
export async function readMatchRevisions(client: ClickHouseClient, which: 'first' | 'latest'): Promise<MatchList[]> {
  const pick = which === 'first' ? 'min' : 'max';
  const rs = await client.query({
    query: `SELECT ${STORED_MATCH_COLUMNS} FROM yunlian.matches FINAL
            WHERE (match_id, version) IN (SELECT match_id, ${pick}(version) FROM yunlian.matches GROUP BY match_id)
            ORDER BY match_id, rank`,
    format: 'JSONEachRow',
  });
  const byId = new Map<string, StoredMatchRow[]>();
  for (const r of await rs.json<StoredMatchRow>()) {
    const rows = byId.get(r.match_id);
    if (rows) rows.push(r);
    else byId.set(r.match_id, [r]);
  }
  return [...byId.values()].map(matchListFromRows);
}

async function revisionCount(client: ClickHouseClient): Promise<number> {
  const rs = await client.query({ query: 'SELECT count() AS n FROM (SELECT DISTINCT match_id, version FROM yunlian.matches)', format: 'JSONEachRow' });
  const [row] = await rs.json<{ n: string | number }>();
  return Number(row?.n ?? 0);
}

/** Whether a report meets the targets; no scored list at all is a failure (nothing was measured). */
export function meetsMatchTargets(report: MatchQualityReport): boolean {
  return (
    report.scored > 0 &&
    report.top5_hit_rate >= MATCH_TARGETS.top5 &&
    report.top1_hit_rate >= MATCH_TARGETS.top1 &&
    report.share_with_broken_partner <= MATCH_TARGETS.brokenPartnerShare
  );
}

/** Reads the lists the match pipeline wrote and scores them against the scenario's truth. */
export async function evaluateMatches(client: ClickHouseClient, truth: Pick<GroundTruth, 'labels'>, firms: readonly FirmProfile[]): Promise<MatchEvaluation> {
  const [firstLists, latestLists, revisions] = await Promise.all([readMatchRevisions(client, 'first'), readMatchRevisions(client, 'latest'), revisionCount(client)]);
  const first = scoreMatchQuality(firstLists, truth, firms, { revision: 'first' });
  const { per_list: _perList, ...latest } = scoreMatchQuality(latestLists, truth, firms, { revision: 'latest' });
  return { revisions, first, latest, pass: meetsMatchTargets(first) };
}
