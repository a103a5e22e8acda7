import { dayOfInstant, isoToDay, type DayNumber, type WorkingCalendar } from '../calendar/workingCalendar.ts';
import { DISRUPTION_TYPES, type DisruptionType } from '../domain/signal.ts';
import type { GroundTruth, TruthLabel } from '../simulate/groundTruth.ts';

/** One detected disruption episode as it landed in ClickHouse `yunlian.signals`. */
export interface DetectedSignal {
  signal_id: string;
  signal_type: DisruptionType;
  enterprise_tax_id: string;
  partner_tax_id: string | null;
  /** Event-time instant the OPEN state fired (epoch ms). */
  opened_at_ms: number;
  /** Event-time instant the episode resolved (epoch ms), or null while it is still open. */
  resolved_at_ms: number | null;
  window_start: string;
  window_end: string;
}

export interface TypeScore {
  type: DisruptionType;
  signals: number;
  truePositives: number;
  precision: number | null;
  primaryLabels: number;
  primaryFound: number;
  recall: number | null;
  impliedLabels: number;
  impliedFound: number;
  /** Median working days from `observable_from` to the first matching signal, over found primary labels. */
  medianDelayWorkingDays: number | null;
  /** Unmatched signals whose firing window (window start to fire day) includes a statutory holiday or closure day (weekends excluded). */
  holidayFalsePositives: number;
  falsePositiveExamples: DetectedSignal[];
  missedExamples: TruthLabel[];
}

export interface ScoreOptions {
  calendar: WorkingCalendar;
  /** Labels observable after this day are left out of recall: the run's event time ended before detection could happen. */
  evaluatedThrough: DayNumber;
  /** A signal still matches a label this many working days after the label's end. */
  endSlackWorkingDays?: number;
}

const TYPES = DISRUPTION_TYPES;
const LINK_TYPES = new Set<DisruptionType>(['UPSTREAM_BROKEN', 'DOWNSTREAM_BROKEN']);

/** The closed day on which a signal fired: its event time is the end of that day. */
export function fireDay(signal: DetectedSignal): DayNumber {
  return dayOfInstant(signal.opened_at_ms) - 1;
}

function sameSubject(signal: DetectedSignal, label: TruthLabel): boolean {
  if (signal.signal_type !== label.type || signal.enterprise_tax_id !== label.enterprise_tax_id) return false;
  return !LINK_TYPES.has(label.type) || signal.partner_tax_id === label.partner_tax_id;
}

/**
 * Whether an episode of the label's kind opened before the label started and
 * was still open on the day the label became observable (the caller only asks
 * of signals that matched a label of their own). The detector keeps at
 * most one open signal per (type, firm, partner), so a disruption that begins
 * before the last one recovered extends the alert the steward already has
 * instead of opening another (seed 8888 at 600 firms: purchases at a third of
 * normal while the main supplier was silent, then an injected drop to a fifth
 * three days after the supplier came back; the flow never regained the line
 * in between). Such a label is found, with a delay of 0 working days.
 */
function alreadyOpen(signal: DetectedSignal, label: TruthLabel): boolean {
  if (!sameSubject(signal, label) || fireDay(signal) >= isoToDay(label.start_day)) return false;
  return signal.resolved_at_ms === null || dayOfInstant(signal.resolved_at_ms) - 1 >= isoToDay(label.observable_from);
}

function matches(signal: DetectedSignal, label: TruthLabel, calendar: WorkingCalendar, slack: number): boolean {
  if (!sameSubject(signal, label)) return false;
  const day = fireDay(signal);
  if (day < isoToDay(label.start_day)) return false;
  if (label.end_day === null) return true;
  const end = isoToDay(label.end_day);
  return calendar.workingOrdinal(day) - calendar.workingOrdinal(end) <= slack;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Whether the window that made the signal fire (window start to the day it fired) spans a holiday or closure. */
function touchesHoliday(signal: DetectedSignal, calendar: WorkingCalendar): boolean {
  for (let d = isoToDay(signal.window_start); d <= fireDay(signal); d++) {
    const reason = calendar.closureReason(d);
    if (reason !== null && !reason.includes('weekend')) return true;
  }
  return false;
}

/**
 * Scores detected signals against the scenario's ground truth, per type.
 * Precision counts a signal as correct when it matches any label, injected or
 * implied (a silenced supplier really does break its buyers' links). Recall
 * is over the injected (primary) labels that became observable within the run;
 * a signal still open from before the label counts for it (see alreadyOpen).
 */
export function scoreSignals(truth: GroundTruth, signals: readonly DetectedSignal[], opts: ScoreOptions): TypeScore[] {
  const slack = opts.endSlackWorkingDays ?? 10;
  const { calendar } = opts;
  return TYPES.map((type) => {
    const ofType = signals.filter((s) => s.signal_type === type);
    const labels = truth.labels.filter((l) => l.type === type && isoToDay(l.observable_from) <= opts.evaluatedThrough);
    const allLabels = truth.labels.filter((l) => l.type === type);
    const falsePositives = ofType.filter((s) => !allLabels.some((l) => matches(s, l, calendar, slack)));
    const found = (l: TruthLabel) => ofType.filter((s) => matches(s, l, calendar, slack));
    const primary = labels.filter((l) => !l.implied);
    const implied = labels.filter((l) => l.implied);
    const delays: number[] = [];
    const missed: TruthLabel[] = [];
    let primaryFound = 0;
    for (const l of primary) {
      const hits = found(l);
      if (hits.length === 0) {
        if (ofType.some((s) => !falsePositives.includes(s) && alreadyOpen(s, l))) {
          primaryFound++;
          delays.push(0);
        } else missed.push(l);
        continue;
      }
      primaryFound++;
      const first = Math.min(...hits.map(fireDay));
      delays.push(calendar.workingOrdinal(first) - calendar.workingOrdinal(isoToDay(l.observable_from)));
    }
    const truePositives = ofType.length - falsePositives.length;
    return {
      type,
      signals: ofType.length,
      truePositives,
      precision: ofType.length === 0 ? null : truePositives / ofType.length,
      primaryLabels: primary.length,
      primaryFound,
      recall: primary.length === 0 ? null : primaryFound / primary.length,
      impliedLabels: implied.length,
      impliedFound: implied.filter((l) => found(l).length > 0).length,
      medianDelayWorkingDays: median(delays),
      holidayFalsePositives: falsePositives.filter((s) => touchesHoliday(s, calendar)).length,
      falsePositiveExamples: falsePositives.slice(0, 5),
      missedExamples: missed.slice(0, 5),
    };
  });
}
