import type { InvoiceLeg } from '../src/domain/invoiceLeg.ts';
import type { DisruptionSignal } from '../src/domain/signal.ts';
import { MatchEngine } from '../pipelines/match/matchEngine.ts';
import { ratePerSecond, type BenchFigure } from './benchFigure.ts';

/**
 * Match updates/s: the legs and the detector's signals, interleaved as they
 * were emitted, through MatchEngine with a flush every `flushEvery` inputs
 * (as the match pipeline flushes once per batch). No naive variant here;
 * bench/matchScaling.ts shows a re-match costs the same at 1k and 100k firms.
 */
export function matchStage(legs: readonly InvoiceLeg[], signals: ReadonlyArray<{ afterLeg: number; signal: DisruptionSignal }>, flushEvery = 1000): BenchFigure[] {
  const engine = new MatchEngine();
  let next = 0;
  let published = 0;
  const t = performance.now();
  for (let i = 0; i < legs.length; i++) {
    engine.onLeg(legs[i]!);
    while (next < signals.length && signals[next]!.afterLeg === i) engine.onSignal(signals[next++]!.signal);
    if (i % flushEvery === flushEvery - 1) published += engine.flush(legs[i]!.issued_at_ms).length;
  }
  published += engine.flush(Date.now()).length;
  const seconds = (performance.now() - t) / 1000;
  return [
    {
      id: 'stage.match',
      label: 'match updates (legs+signals/s)',
      unit: 'inputs/s',
      yunlian: ratePerSecond(legs.length + signals.length, seconds),
      naive: null,
      advantage: null,
      input: { legs: legs.length, signals: signals.length, match_list_revisions: published, open_lists: engine.openListCount() },
      extrapolated: { yunlian: false, naive: false },
      notes: 'MatchEngine.onLeg / onSignal with a flush (re-rank of dirty lists) every 1000 inputs. No naive variant measured.',
    },
  ];
}
