import { exclusionOf, type Exclusion } from '../../pipelines/match/exclusionRules.ts';
import type { MatchList } from '../domain/matchList.ts';
import { DISRUPTION_TYPES, type DisruptionType, type SignalType } from '../domain/signal.ts';

/**
 * One disruption episode as it landed in ClickHouse `yunlian.signals`: the
 * current state (FINAL) plus the wall clock of its first OPEN emission.
 */
export interface AuditedSignal {
  signal_id: string;
  enterprise_tax_id: string;
  signal_type: SignalType;
  /** Event time the episode opened (`opened_at`). */
  opened_at_ms: number;
  /** Wall clock detect first emitted the OPEN state (`detected_at` of the version-1 row). */
  open_detected_at_ms: number;
  /** Event time of the RESOLVED state, or null while open. */
  resolved_at_ms: number | null;
  /** Wall clock detect emitted the RESOLVED state, or null while open. */
  resolved_detected_at_ms: number | null;
}

/** A candidate on one revision that the match service's own exclusion rule forbids. */
export interface ExclusionViolation {
  match_id: string;
  version: number;
  candidate_tax_id: string;
  rank: number;
  exclusion: Exclusion;
  /** The candidate's signal behind a SILENT / SAME_DIRECTION_DISRUPTION exclusion, null for SELF / BROKEN_PARTNER. */
  signal_id: string | null;
  /** Wall clock the candidates of this revision were ranked (its own computed_at, or the last re-rank's for a frozen list). */
  ranked_at_ms: number;
  /** How long before that the match service had the signal (see `knownFromMs`), null without one. */
  signal_known_for_ms: number | null;
  /** A later revision of the same list no longer carries the candidate. */
  dropped_later: boolean;
}

export interface ExclusionAuditReport {
  lists: number;
  revisions: number;
  /** Signals (all states, all types) the revisions were checked against. */
  signals: number;
  /** Must be 0: lists where some revision carries the enterprise itself or its broken partner. */
  share_with_broken_partner: number;
  /**
   * Must be 0: lists where some revision carries a candidate with its own
   * SILENCE or same-direction disruption that the match service had already
   * consumed, and not yet seen resolved, when it ranked the candidates.
   */
  share_with_excluded_partner: number;
  revisions_with_broken_partner: number;
  revisions_with_excluded_partner: number;
  /**
   * Not counted above: revisions ranked after detect emitted a candidate's
   * signal but before the match service had consumed it (the two pipelines
   * are asynchronous; see `knownFromMs`).
   */
  revisions_before_consumption: number;
  violations: ExclusionViolation[];
}

const DISRUPTIONS = new Set<string>(DISRUPTION_TYPES);
const rate = (n: number, d: number): number => (d === 0 ? 0 : n / d);
const typesOf = (open: readonly AuditedSignal[]): ReadonlySet<DisruptionType> => new Set(open.map((s) => s.signal_type as DisruptionType));

/**
 * When the match service had a signal's OPEN state. For a signal that opens
 * a match list of its own (every same-direction type does): the first
 * revision of that list, because the engine opens the list and re-ranks every
 * list the signal affects in the same flush, with the same computed_at.
 * SILENCE opens no list; all the audit has is detect's emission, which
 * precedes the service's consumption by the topic's delivery delay, so such a
 * signal counts against a revision only if the list was re-ranked later while
 * the signal was open and every such re-rank still carries the candidate (a
 * service that had merely not consumed it yet drops the candidate on the next
 * re-rank; with no later re-rank there is no evidence either way).
 */
function knownFromMs(signal: AuditedSignal, ownListFirstComputedMs: number | undefined): number {
  return ownListFirstComputedMs ?? signal.open_detected_at_ms;
}

/**
 * Whether `signal` was open at wall clock `atMs`, counted from `knownFrom`
 * (default: detect's emission of the OPEN state) to the RESOLVED emission.
 *
 * Why wall clock (a revision's computed_at) and not event time (its `as_of`
 * against the signal's `opened_at`): the match service excludes on the
 * signals it has consumed so far (OpenSignalBook has no notion of event time),
 * and it consumes `yunlian.invoice-legs` and `yunlian.disruptions` as two
 * independent topics, so a revision's `as_of` (event time of the newest leg)
 * routinely runs days ahead of detect's watermark. A signal that opened at an
 * event time before `as_of` but reached the service after the revision was
 * computed could not have been excluded; holding the list to it would measure
 * detect's watermark lag, not the exclusion rule. The RESOLVED side uses its
 * emission: once detect said the episode is over, the firm may come back
 * (lenient by the delivery delay; a list is never faulted for a firm that
 * recovered).
 */
export function signalKnownOpenAt(signal: AuditedSignal, atMs: number, knownFrom: number = signal.open_detected_at_ms): boolean {
  return knownFrom <= atMs && (signal.resolved_detected_at_ms === null || atMs < signal.resolved_detected_at_ms);
}

const isFrozen = (r: MatchList): boolean => r.status === 'CLOSED' || r.converted_at !== null;

/**
 * The instant each revision's candidates were ranked. The engine re-ranks
 * only OPEN, unconverted lists; a CLOSED or converted list is frozen and its
 * later revisions (closing, conversions) carry the candidates of its last
 * re-rank, so they are judged as of that re-rank, not as of a firm's
 * disruption that began after the need was met or gone.
 */
function rankedAtOf(history: readonly MatchList[]): number[] {
  let lastRerank: number | null = null;
  return history.map((r) => {
    const frozen = isFrozen(r);
    if (!frozen) lastRerank = r.computed_at_ms;
    return frozen && lastRerank !== null ? lastRerank : r.computed_at_ms;
  });
}

/**
 * Audits every revision of every match list against the match service's own
 * exclusion rule (pipelines/match/exclusionRules.ts) applied to the signals
 * the service had when it ranked the revision's candidates (`rankedAtOf`,
 * `knownFromMs`, `signalKnownOpenAt`): "broken" = the enterprise or its
 * broken partner among the candidates; "excluded" = a candidate with an open
 * SILENCE or same-direction disruption. A revision whose only such candidate
 * had a signal emitted but not yet consumed counts in
 * `revisions_before_consumption`, not as a violation. The
 * PARTNER_SILENT rule needs each candidate's partner shares from the invoices
 * and is not re-checked here. A list counts once, however many of its
 * revisions violate; `revisions` are all revisions given, in any order.
 */
export function auditMatchExclusions(revisions: readonly MatchList[], signals: readonly AuditedSignal[]): ExclusionAuditReport {
  const byFirm = new Map<string, AuditedSignal[]>();
  for (const s of signals) {
    if (!DISRUPTIONS.has(s.signal_type)) continue;
    const own = byFirm.get(s.enterprise_tax_id);
    if (own) own.push(s);
    else byFirm.set(s.enterprise_tax_id, [s]);
  }
  const byList = new Map<string, MatchList[]>();
  const ownListFirstComputed = new Map<string, number>();
  for (const r of revisions) {
    const own = byList.get(r.match_id);
    if (own) own.push(r);
    else byList.set(r.match_id, [r]);
    const first = ownListFirstComputed.get(r.signal_id);
    if (first === undefined || r.computed_at_ms < first) ownListFirstComputed.set(r.signal_id, r.computed_at_ms);
  }

  const violations: ExclusionViolation[] = [];
  const brokenLists = new Set<string>();
  const excludedLists = new Set<string>();
  let brokenRevisions = 0;
  let excludedRevisions = 0;
  let beforeConsumption = 0;
  for (const [matchId, history] of [...byList].sort(([a], [b]) => (a < b ? -1 : 1))) {
    history.sort((a, b) => a.version - b.version);
    const rankedAt = rankedAtOf(history);
    history.forEach((revision, i) => {
      const at = rankedAt[i]!;
      let broken = false;
      let excluded = false;
      let pending = false;
      const ctx = { enterpriseTaxId: revision.enterprise_tax_id, brokenPartnerTaxId: revision.broken_partner_tax_id, need: revision.need };
      const later = history.slice(i + 1);
      const laterReranks = later.filter((r) => !isFrozen(r));
      for (const candidate of revision.candidates) {
        const keptByLaterReranks = (s: AuditedSignal) => {
          const whileOpen = laterReranks.filter((r) => s.resolved_detected_at_ms === null || r.computed_at_ms < s.resolved_detected_at_ms);
          return whileOpen.length > 0 && whileOpen.every((r) => r.candidates.some((c) => c.tax_id === candidate.tax_id));
        };
        const emitted = (byFirm.get(candidate.tax_id) ?? []).filter((s) => signalKnownOpenAt(s, at));
        const knownOpen = emitted.filter((s) => {
          const consumed = ownListFirstComputed.get(s.signal_id);
          return consumed !== undefined ? consumed <= at : keptByLaterReranks(s);
        });
        const exclusion = exclusionOf(candidate.tax_id, typesOf(knownOpen), ctx);
        if (exclusion === null) {
          if (exclusionOf(candidate.tax_id, typesOf(emitted), ctx) !== null) pending = true;
          continue;
        }
        const behind =
          exclusion.kind === 'SILENT' ? knownOpen.find((s) => s.signal_type === 'SILENCE')
          : exclusion.kind === 'SAME_DIRECTION_DISRUPTION' ? knownOpen.find((s) => s.signal_type === exclusion.signal_type)
          : undefined;
        if (exclusion.kind === 'SELF' || exclusion.kind === 'BROKEN_PARTNER') broken = true;
        else excluded = true;
        violations.push({
          match_id: matchId,
          version: revision.version,
          candidate_tax_id: candidate.tax_id,
          rank: candidate.rank,
          exclusion,
          signal_id: behind?.signal_id ?? null,
          ranked_at_ms: at,
          signal_known_for_ms: behind === undefined ? null : at - knownFromMs(behind, ownListFirstComputed.get(behind.signal_id)),
          dropped_later: later.some((r) => !r.candidates.some((c) => c.tax_id === candidate.tax_id)),
        });
      }
      if (broken) {
        brokenRevisions++;
        brokenLists.add(matchId);
      }
      if (excluded) {
        excludedRevisions++;
        excludedLists.add(matchId);
      }
      if (pending && !excluded) beforeConsumption++;
    });
  }
  return {
    lists: byList.size,
    revisions: revisions.length,
    signals: signals.length,
    share_with_broken_partner: rate(brokenLists.size, byList.size),
    share_with_excluded_partner: rate(excludedLists.size, byList.size),
    revisions_with_broken_partner: brokenRevisions,
    revisions_with_excluded_partner: excludedRevisions,
    revisions_before_consumption: beforeConsumption,
    violations,
  };
}
