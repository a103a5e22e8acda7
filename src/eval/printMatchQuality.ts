import { MATCH_TARGETS, type MatchEvaluation } from './evalMatches.ts';

const pct = (v: number): string => `${(v * 100).toFixed(1).padStart(5)}%`;
const ms = (v: number): string => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);

/** The match quality table of `npm run eval`, printed after the detection table. */
export function printMatchQuality(evaluation: MatchEvaluation, title: string): void {
  const { first, latest, audit } = evaluation;
  const row = (name: string, r: Pick<MatchEvaluation['first'], 'scored' | 'top1_hit_rate' | 'top5_hit_rate' | 'mrr' | 'share_with_broken_partner' | 'share_with_excluded_partner'>) =>
    [name.padEnd(18), String(r.scored).padStart(6), pct(r.top1_hit_rate).padStart(7), pct(r.top5_hit_rate).padStart(7), r.mrr.toFixed(3).padStart(6), pct(r.share_with_broken_partner).padStart(15), pct(r.share_with_excluded_partner).padStart(13)].join(' ');
  const latency = first.latency_ms === null ? 'n/a' : `p50 ${ms(first.latency_ms.p50)}, p95 ${ms(first.latency_ms.p95)}, max ${ms(first.latency_ms.max)}`;
  const r = first.replacement;
  const lines = [
    '',
    title,
    '',
    `lists ${first.lists} (${evaluation.revisions} revisions); matched to a truth label with a findable replacement: ${first.scored}; not matching any label (false-positive or unlabelled signal): ${first.unmatched}`,
    '',
    'revision           scored   top-1   top-5    MRR  broken partner  excluded vs ground truth (*, informational)',
    row('first (on signal)', first),
    row('latest', latest),
    '',
    `simulator's own replacement (${r.labelled} lists): top-1 ${pct(r.top1_hit_rate).trim()}, top-5 ${pct(r.top5_hit_rate).trim()}, MRR ${r.mrr.toFixed(3)}`,
    `re-match latency, signal emitted → first list revision (wall clock): ${latency}`,
    '(*) a candidate the truth shows disrupted on the needed side (or silent) and observable when the list opened, reported by detect or not',
    '',
    `exclusion audit (matchExclusionAudit.ts): ${audit.lists} lists, ${audit.revisions} revisions, each against the match service's own exclusion rule applied to the ${audit.signals} signals in yunlian.signals, each counted from when match had consumed it until detect resolved it`,
    `  share of lists with a broken partner (the firm itself or the partner that broke away), must be 0:     ${pct(audit.share_with_broken_partner)} (${audit.revisions_with_broken_partner} revisions)`,
    `  share of lists with an excluded partner (own open SILENCE or same-direction disruption), must be 0:  ${pct(audit.share_with_excluded_partner)} (${audit.revisions_with_excluded_partner} revisions)`,
    `  not counted: ${audit.revisions_before_consumption} revisions ranked after detect emitted a candidate's signal but before match had consumed it (the pipelines are asynchronous; the service drops the candidate on its next re-rank)`,
    '',
    `targets: top-5 ≥ ${MATCH_TARGETS.top5 * 100} %, top-1 ≥ ${MATCH_TARGETS.top1 * 100} % (first revision); broken-partner share ${MATCH_TARGETS.brokenPartnerShare} and excluded-partner share ${MATCH_TARGETS.excludedPartnerShare} in the audit → ${evaluation.pass ? 'PASS' : 'FAIL'}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
