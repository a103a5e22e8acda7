import { CASE_OUTCOMES, FALSE_POSITIVE_OUTCOME, type CaseOutcome } from './caseTransitions.ts';

/** Closed cases per signal type and outcome: the team tunes a detector's thresholds where false positives pile up. */
export interface OutcomeCountRow {
  signal_type: string;
  outcome: CaseOutcome;
  cases: number;
}

export interface SignalTypeOutcomes {
  signal_type: string;
  closed: number;
  outcomes: Record<CaseOutcome, number>;
  false_positives: number;
  /** false_positives / closed, 0..1; null before any case of the type closed. */
  false_positive_rate: number | null;
}

export function outcomesBySignalType(rows: readonly OutcomeCountRow[]): SignalTypeOutcomes[] {
  const byType = new Map<string, SignalTypeOutcomes>();
  for (const row of rows) {
    let entry = byType.get(row.signal_type);
    if (!entry) {
      entry = { signal_type: row.signal_type, closed: 0, outcomes: Object.fromEntries(CASE_OUTCOMES.map((o) => [o, 0])) as Record<CaseOutcome, number>, false_positives: 0, false_positive_rate: null };
      byType.set(row.signal_type, entry);
    }
    entry.outcomes[row.outcome] += row.cases;
    entry.closed += row.cases;
  }
  for (const entry of byType.values()) {
    entry.false_positives = entry.outcomes[FALSE_POSITIVE_OUTCOME];
    entry.false_positive_rate = entry.closed === 0 ? null : entry.false_positives / entry.closed;
  }
  return [...byType.values()].sort((a, b) => b.false_positives - a.false_positives || a.signal_type.localeCompare(b.signal_type));
}
