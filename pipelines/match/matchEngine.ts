import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';
import type { MatchList } from '../../src/domain/matchList.ts';
import type { DisruptionSignal } from '../../src/domain/signal.ts';
import { CandidateIndex, watchKey, type CandidateIndexOptions } from './candidateIndex.ts';
import { dateOfInstant, monthOfInstant } from './eventMonth.ts';
import { ledgerOf } from './firmLedger.ts';
import { lostFlow } from './lostFlow.ts';
import { matchIdOf } from './matchId.ts';
import { candidateRole, enterpriseRole, needOfSignal } from './needOfSignal.ts';
import { OpenSignalBook } from './openSignalBook.ts';
import { DEFAULT_RANKING_OPTIONS, rankCandidates, type RankingOptions } from './rankCandidates.ts';
import { indexKeysOf } from './taxCodePrefixes.ts';

export interface MatchEngineOptions {
  index?: Partial<CandidateIndexOptions>;
  ranking?: Partial<RankingOptions>;
}

/**
 * What a published revision is "about": a new revision is emitted only when
 * this changes, so small volume moves (scores within 0.01) do not flood the
 * topic with identical-looking lists.
 */
export function revisionDigest(list: MatchList): string {
  const c = list.candidates.map((x) => `${x.tax_id}:${x.rank}:${x.score.toFixed(2)}:${x.converted_at ?? ''}`).join(',');
  return `${list.status}|${list.closed_at_ms ?? ''}|${list.converted_at ?? ''}|${c}`;
}

/**
 * The match service's state machine, free of Kafka and ClickHouse: signals
 * open, close and (through candidates' own signals) change lists; legs keep
 * the index current, convert candidates and mark the lists watching the
 * touched goods dirty; `flush` re-ranks only the dirty lists and returns the
 * revisions whose content changed. Lifecycle: OPEN → CLOSED on the signal's
 * RESOLVED state; a candidate the enterprise starts trading with in the
 * needed direction after the list opened is marked converted with that date,
 * on open and closed lists alike. A converted list is no longer re-ranked:
 * it stays as it was when the recommendation worked.
 */
export class MatchEngine {
  readonly index: CandidateIndex;
  readonly signals = new OpenSignalBook();
  private readonly ranking: RankingOptions;
  private readonly lists = new Map<string, MatchList>();
  private readonly emitted = new Map<string, string>();
  private readonly byEnterprise = new Map<string, Set<string>>();
  private readonly watchers = new Map<string, Set<string>>();
  private readonly dirty = new Set<string>();
  private readonly touched = new Set<string>();
  /** Work counters since the last flush (for metrics and the benchmark). */
  lastFlush = { reranked: 0, scanned: 0 };

  constructor(options: MatchEngineOptions = {}) {
    this.index = new CandidateIndex(options.index);
    this.ranking = { ...DEFAULT_RANKING_OPTIONS, ...options.ranking };
  }

  /** The current revision of a list (a copy), or undefined. */
  list(matchId: string): MatchList | undefined {
    const l = this.lists.get(matchId);
    return l ? structuredClone(l) : undefined;
  }

  listsOf(enterpriseTaxId: string): MatchList[] {
    return [...(this.byEnterprise.get(enterpriseTaxId) ?? [])].map((id) => structuredClone(this.lists.get(id)!));
  }

  openListCount(): number {
    let n = 0;
    for (const l of this.lists.values()) if (l.status === 'OPEN') n++;
    return n;
  }

  onSignal(signal: DisruptionSignal): void {
    const change = this.signals.apply(signal);
    const need = needOfSignal(signal.signal_type);
    if (need !== null) {
      const matchId = matchIdOf(signal.signal_id, need);
      const existing = this.lists.get(matchId);
      if (signal.status === 'OPEN' && !existing && change === 'opened') this.openList(signal, matchId);
      if (signal.status === 'RESOLVED' && existing && existing.status === 'OPEN') {
        existing.status = 'CLOSED';
        existing.closed_at_ms = signal.event_time_ms;
        this.unwatch(existing);
        this.touched.add(matchId);
      }
    }
    // A firm's own signal changes whether it may be a candidate (exclusions) and how it scores (capacity, reliability).
    if (change === 'unchanged') return;
    this.markWatchersOfFirm(signal.enterprise_tax_id);
    // A firm going silent (or back) also changes whether its regular partners may be candidates (silentPartner.ts).
    if (signal.signal_type === 'SILENCE') for (const partner of this.partnersOf(signal.enterprise_tax_id)) this.markWatchersOfFirm(partner);
  }

  onLeg(leg: InvoiceLeg): void {
    const effect = this.index.applyLeg(leg);
    if (effect.kind !== 'applied') return;
    for (const key of effect.watchKeys) this.markDirty(this.watchers.get(key), leg.issued_at_ms);
    const own = this.byEnterprise.get(leg.enterprise_tax_id);
    if (!own) return;
    for (const id of own) {
      const list = this.lists.get(id)!;
      if (leg.role !== enterpriseRole(list.need)) continue;
      if (list.status === 'OPEN') this.markDirty([id], leg.issued_at_ms);
      if (leg.event_type !== 'ISSUED' || leg.amount_fen <= 0 || leg.issued_at_ms < list.opened_at_ms) continue;
      const candidate = list.candidates.find((c) => c.tax_id === leg.partner_tax_id);
      if (!candidate || candidate.converted_at !== null) continue;
      candidate.converted_at = dateOfInstant(leg.issued_at_ms);
      if (list.converted_at === null || candidate.converted_at < list.converted_at) list.converted_at = candidate.converted_at;
      this.touched.add(id);
    }
  }

  /** Re-ranks the dirty lists and returns the revisions to publish, ordered by match_id. */
  flush(nowMs: number): MatchList[] {
    const out: MatchList[] = [];
    this.lastFlush = { reranked: 0, scanned: 0 };
    const ids = [...new Set([...this.dirty, ...this.touched])].sort();
    for (const id of ids) {
      const list = this.lists.get(id)!;
      if (this.dirty.has(id) && list.status === 'OPEN' && list.converted_at === null) this.rerank(list);
      const digest = revisionDigest(list);
      if (this.emitted.get(id) === digest) continue;
      list.version += 1;
      list.computed_at_ms = nowMs;
      this.emitted.set(id, digest);
      out.push(structuredClone(list));
    }
    this.dirty.clear();
    this.touched.clear();
    return out;
  }

  /** Marks every open, unconverted list for a re-rank (after a restart, so nothing missed before the crash stays stale). */
  refreshAll(): void {
    for (const [id, l] of this.lists) if (l.status === 'OPEN' && l.converted_at === null) this.dirty.add(id);
  }

  /** Restores a stored revision (the newest of its match_id) without emitting it again. */
  restoreList(list: MatchList): void {
    const copy = structuredClone(list);
    this.lists.set(copy.match_id, copy);
    this.emitted.set(copy.match_id, revisionDigest(copy));
    this.enterpriseLists(copy.enterprise_tax_id).add(copy.match_id);
    if (copy.status === 'OPEN') this.watch(copy);
  }

  private openList(signal: DisruptionSignal, matchId: string): void {
    const need = needOfSignal(signal.signal_type)!;
    const asOf = monthOfInstant(signal.event_time_ms);
    const lost = lostFlow(this.index, signal.enterprise_tax_id, need, signal.partner_tax_id, asOf);
    const list: MatchList = {
      match_id: matchId,
      version: 0,
      signal_id: signal.signal_id,
      enterprise_tax_id: signal.enterprise_tax_id,
      enterprise_name: signal.enterprise_name,
      district: signal.district,
      need,
      signal_type: signal.signal_type,
      broken_partner_tax_id: signal.partner_tax_id,
      status: 'OPEN',
      lost_goods: lost.goods,
      lost_monthly_fen: lost.monthlyFen,
      opened_at_ms: signal.event_time_ms,
      as_of_ms: signal.event_time_ms,
      closed_at_ms: null,
      converted_at: null,
      signal_detected_at_ms: signal.detected_at_ms,
      computed_at_ms: 0,
      candidates: [],
    };
    this.lists.set(matchId, list);
    this.enterpriseLists(list.enterprise_tax_id).add(matchId);
    this.watch(list);
    this.dirty.add(matchId);
  }

  private rerank(list: MatchList): void {
    const enterprise = this.index.firms.get(list.enterprise_tax_id);
    const ranking = rankCandidates(
      this.index,
      this.signals,
      {
        enterpriseTaxId: list.enterprise_tax_id,
        enterpriseDistrictCode: enterprise?.district_code ?? '',
        need: list.need,
        brokenPartnerTaxId: list.broken_partner_tax_id,
        lostGoods: list.lost_goods,
        lostMonthlyFen: list.lost_monthly_fen,
        asOf: monthOfInstant(list.as_of_ms),
      },
      this.ranking,
    );
    list.candidates = ranking.candidates;
    this.lastFlush.reranked++;
    this.lastFlush.scanned += ranking.scanned;
  }

  private markDirty(ids: Iterable<string> | undefined, issuedAtMs: number): void {
    if (!ids) return;
    for (const id of ids) {
      const list = this.lists.get(id)!;
      if (list.status !== 'OPEN' || list.converted_at !== null) continue;
      // New trade moves the ranking's window forward in event time, never back.
      if (issuedAtMs > list.as_of_ms) list.as_of_ms = issuedAtMs;
      this.dirty.add(id);
    }
  }

  private markWatchersOfFirm(taxId: string): void {
    const firm = this.index.firms.get(taxId);
    if (!firm) return;
    for (const role of ['SELLER', 'BUYER'] as const) {
      for (const code of ledgerOf(firm, role).byCode.keys()) {
        for (const prefix of indexKeysOf(code)) {
          const ids = this.watchers.get(watchKey(role, prefix));
          if (ids) for (const id of ids) this.dirty.add(id);
        }
      }
    }
  }

  private partnersOf(taxId: string): Set<string> {
    const firm = this.index.firms.get(taxId);
    return new Set(firm ? [...firm.sales.partners.keys(), ...firm.purchases.partners.keys()] : []);
  }

  private watchKeysOf(list: MatchList): string[] {
    const role = candidateRole(list.need);
    return [...new Set(list.lost_goods.flatMap((g) => indexKeysOf(g.tax_code).map((p) => watchKey(role, p))))];
  }

  private watch(list: MatchList): void {
    for (const key of this.watchKeysOf(list)) {
      let ids = this.watchers.get(key);
      if (!ids) this.watchers.set(key, (ids = new Set()));
      ids.add(list.match_id);
    }
  }

  private unwatch(list: MatchList): void {
    for (const key of this.watchKeysOf(list)) this.watchers.get(key)?.delete(list.match_id);
  }

  private enterpriseLists(taxId: string): Set<string> {
    let ids = this.byEnterprise.get(taxId);
    if (!ids) this.byEnterprise.set(taxId, (ids = new Set()));
    return ids;
  }
}
