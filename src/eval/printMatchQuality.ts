import { MATCH_TARGETS, type MatchEvaluation } from './evalMatches.ts';

const pct = (v: number): string => `${(v * 100).toFixed(1).padStart(5)}%`;
const ms = (v: number): string => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);

/** The match quality table of `npm run eval`, printed after the detection table. */
export function printMatchQuality(evaluation: MatchEvaluation, title: string): void {
  const { first, latest } = evaluation;
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
    'revision           scored   top-1   top-5    MRR  broken partner  excluded (*)',
    row('first (on signal)', first),
    row('latest', latest),
    '',
    `simulator's own replacement (${r.labelled} lists): top-1 ${pct(r.top1_hit_rate).trim()}, top-5 ${pct(r.top5_hit_rate).trim()}, MRR ${r.mrr.toFixed(3)}`,
    `re-match latency, signal emitted → first list revision (wall clock): ${latency}`,
    '(*) a candidate the truth shows disrupted on the needed side (or silent) and observable when the list opened',
    '',
    `targets (first revision): top-5 ≥ ${MATCH_TARGETS.top5 * 100} %, top-1 ≥ ${MATCH_TARGETS.top1 * 100} %, broken-partner share ${MATCH_TARGETS.brokenPartnerShare} (excluded share should be 0; it is not gated: see evalMatches.ts)`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
