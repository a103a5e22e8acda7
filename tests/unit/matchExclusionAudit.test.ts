import { describe, expect, it } from 'vitest';
import { auditMatchExclusions, signalKnownOpenAt, type AuditedSignal } from '../../src/eval/matchExclusionAudit.ts';
import type { MatchCandidate, MatchList } from '../../src/domain/matchList.ts';
import type { DisruptionType } from '../../src/domain/signal.ts';

const candidate = (tax_id: string, rank: number): MatchCandidate => ({
  rank, tax_id, name: tax_id, district_code: '330421', district: 'jiashan', score: 1 - rank / 10,
  components: { goods: 1, proximity: 1, capacity: 0.5, reliability: 1, size_fit: 1, familiarity: 0 }, matched_tax_codes: [],
  recent_monthly_fen: 1, existing_partner: false, reasons: [], converted_at: null,
});

/** A revision of E's supplier list after its supplier P broke, computed at wall clock `computedAtMs`. */
function revision(matchId: string, version: number, computedAtMs: number, candidates: string[], over: Partial<MatchList> = {}): MatchList {
  return {
    match_id: matchId, version, signal_id: `sig-${matchId}`, enterprise_tax_id: 'E', enterprise_name: 'E', district: 'jiashan', need: 'SUPPLIER',
    signal_type: 'UPSTREAM_BROKEN', broken_partner_tax_id: 'P', status: 'OPEN', lost_goods: [], lost_monthly_fen: 100,
    opened_at_ms: 0, as_of_ms: 0, closed_at_ms: null, converted_at: null, signal_detected_at_ms: 0, computed_at_ms: computedAtMs,
    candidates: candidates.map((c, i) => candidate(c, i + 1)), ...over,
  };
}

/** `firm`'s signal emitted OPEN at wall clock `openMs` (event time far earlier), optionally RESOLVED at `resolvedMs`. */
function signal(firm: string, type: DisruptionType, openMs: number, resolvedMs: number | null = null): AuditedSignal {
  return {
    signal_id: `${firm}-${type}-${openMs}`, enterprise_tax_id: firm, signal_type: type, opened_at_ms: 0, open_detected_at_ms: openMs,
    resolved_at_ms: resolvedMs === null ? null : 1, resolved_detected_at_ms: resolvedMs,
  };
}

/** The first revision of the list `s` opened for its own firm: when the match service consumed it. */
const ownList = (s: AuditedSignal, consumedAtMs: number): MatchList =>
  revision(`own-${s.signal_id}`, 1, consumedAtMs, [], { signal_id: s.signal_id, enterprise_tax_id: s.enterprise_tax_id, broken_partner_tax_id: null });

describe('exclusion audit of match list revisions', () => {
  it('counts a signal open from when it was known (default: its OPEN emission) until its RESOLVED emission', () => {
    const s = signal('A', 'PURCHASE_DROP', 1_000, 2_000);
    expect(signalKnownOpenAt(s, 999)).toBe(false);
    expect(signalKnownOpenAt(s, 1_000)).toBe(true);
    expect(signalKnownOpenAt(s, 1_999)).toBe(true);
    expect(signalKnownOpenAt(s, 2_000)).toBe(false);
    expect(signalKnownOpenAt(s, 1_200, 1_500)).toBe(false);
    expect(signalKnownOpenAt(signal('A', 'PURCHASE_DROP', 1_000), 10_000_000)).toBe(true);
  });

  it('flags a supplier candidate whose purchase drop the service had consumed before ranking, once per list however many revisions carry it', () => {
    const drop = signal('A', 'PURCHASE_DROP', 4_000);
    const revisions = [revision('m1', 1, 5_000, ['A', 'B']), revision('m1', 2, 6_000, ['B', 'A']), revision('m2', 1, 5_000, ['B']), ownList(drop, 4_500)];
    const audit = auditMatchExclusions(revisions, [drop]);
    expect(audit).toMatchObject({ lists: 3, revisions: 4, share_with_excluded_partner: 1 / 3, revisions_with_excluded_partner: 2, share_with_broken_partner: 0, revisions_before_consumption: 0 });
    expect(audit.violations.map((v) => [v.match_id, v.version, v.candidate_tax_id, v.rank, v.signal_id, v.signal_known_for_ms])).toEqual([
      ['m1', 1, 'A', 1, drop.signal_id, 500],
      ['m1', 2, 'A', 2, drop.signal_id, 1_500],
    ]);
    expect(audit.violations[0]!.exclusion).toEqual({ kind: 'SAME_DIRECTION_DISRUPTION', signal_type: 'PURCHASE_DROP' });
  });

  it('counts a revision ranked in the same flush that consumed the signal (same computed_at) as knowing it', () => {
    const drop = signal('A', 'UPSTREAM_BROKEN', 4_000);
    expect(auditMatchExclusions([revision('m1', 1, 4_500, ['A']), ownList(drop, 4_500)], [drop]).share_with_excluded_partner).toBeCloseTo(1 / 2);
  });

  it('does not flag a candidate whose signal detect had emitted but the service had not yet consumed, and counts that revision apart', () => {
    const drop = signal('A', 'UPSTREAM_BROKEN', 4_000);
    const audit = auditMatchExclusions([revision('m1', 1, 5_000, ['A']), revision('m1', 2, 5_300, ['B']), ownList(drop, 5_300)], [drop]);
    expect(audit.share_with_excluded_partner).toBe(0);
    expect(audit.violations).toEqual([]);
    expect(audit.revisions_before_consumption).toBe(1);
  });

  it('does not flag a candidate whose disruption was already RESOLVED when the revision was ranked', () => {
    const drop = signal('A', 'PURCHASE_DROP', 1_000, 4_000);
    expect(auditMatchExclusions([revision('m1', 1, 5_000, ['A']), ownList(drop, 1_100)], [drop]).share_with_excluded_partner).toBe(0);
  });

  it('applies the direction of the need: a supplier whose sales dropped has spare capacity and may stay, a buyer whose sales dropped may not', () => {
    const drop = signal('A', 'SALES_DROP', 1_000);
    expect(auditMatchExclusions([revision('m1', 1, 5_000, ['A']), ownList(drop, 1_100)], [drop]).violations).toEqual([]);
    const buyerList = revision('m2', 1, 5_000, ['A'], { need: 'BUYER', signal_type: 'DOWNSTREAM_BROKEN' });
    expect(auditMatchExclusions([buyerList, ownList(drop, 1_100)], [drop]).violations.map((v) => [v.match_id, v.exclusion.kind])).toEqual([['m2', 'SAME_DIRECTION_DISRUPTION']]);
  });

  it('flags a silent candidate that later re-ranks kept while the silence was open, but not one the next re-rank dropped (not yet consumed)', () => {
    const silence = signal('A', 'SILENCE', 1_000);
    const kept = auditMatchExclusions([revision('m1', 1, 5_000, ['A']), revision('m1', 2, 9_000, ['A', 'B'])], [silence]);
    // Revision 2 is the last re-rank: nothing after it shows whether the service had the silence yet.
    expect(kept.violations.map((v) => [v.version, v.exclusion])).toEqual([[1, { kind: 'SILENT' }]]);
    const caughtUp = auditMatchExclusions([revision('m1', 1, 1_200, ['A']), revision('m1', 2, 1_500, ['B'])], [silence]);
    expect(caughtUp.violations).toEqual([]);
    expect(caughtUp.revisions_before_consumption).toBe(1);
  });

  it('ignores disruption types that exclude nobody', () => {
    const spike = signal('A', 'VOID_SPIKE', 1_000);
    expect(auditMatchExclusions([revision('m1', 1, 5_000, ['A']), revision('m1', 2, 6_000, ['A'])], [spike]).violations).toEqual([]);
  });

  it('judges a closed or converted list as of its last re-rank, not as of a disruption that began after the need was met or gone', () => {
    const late = signal('A', 'PURCHASE_DROP', 6_000);
    const history = [
      revision('m1', 1, 5_000, ['A']),
      revision('m1', 2, 7_000, ['A'], { status: 'CLOSED', closed_at_ms: 1 }),
      revision('m1', 3, 8_000, ['A'], { status: 'CLOSED', closed_at_ms: 1, converted_at: '2020-06-01' }),
      ownList(late, 6_100),
    ];
    expect(auditMatchExclusions(history, [late]).violations).toEqual([]);
    const known = signal('A', 'PURCHASE_DROP', 4_000);
    const stale = auditMatchExclusions([...history.slice(0, 3), ownList(known, 4_100)], [known]);
    expect(stale.violations.map((v) => [v.version, v.ranked_at_ms])).toEqual([[1, 5_000], [2, 5_000], [3, 5_000]]);
  });

  it('counts the enterprise itself or its broken partner as a broken partner, with or without signals', () => {
    const audit = auditMatchExclusions([revision('m1', 1, 5_000, ['A', 'P']), revision('m2', 1, 5_000, ['E']), revision('m3', 1, 5_000, ['A'])], []);
    expect(audit.share_with_broken_partner).toBeCloseTo(2 / 3);
    expect(audit.share_with_excluded_partner).toBe(0);
    expect(audit.violations.map((v) => [v.match_id, v.exclusion.kind, v.signal_id])).toEqual([['m1', 'BROKEN_PARTNER', null], ['m2', 'SELF', null]]);
  });

  it('records whether a later revision of the list dropped the flagged candidate', () => {
    const a = signal('A', 'PURCHASE_DROP', 4_000);
    const b = signal('B', 'PURCHASE_DROP', 4_000);
    const audit = auditMatchExclusions([revision('m1', 2, 7_000, ['B']), revision('m1', 1, 5_000, ['A', 'B']), ownList(a, 4_100), ownList(b, 4_100)], [a, b]);
    expect(audit.violations.map((v) => [v.version, v.candidate_tax_id, v.dropped_later])).toEqual([[1, 'A', true], [1, 'B', false], [2, 'B', false]]);
  });
});
