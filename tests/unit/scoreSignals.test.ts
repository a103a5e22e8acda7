import { describe, expect, it } from 'vitest';
import { scoreSignals, type DetectedSignal } from '../../src/eval/scoreSignals.ts';
import { createWorkingCalendar } from '../../src/calendar/chineseWorkingCalendar.ts';
import { isoToDay, startOfDay } from '../../src/calendar/workingCalendar.ts';
import type { GroundTruth, TruthLabel } from '../../src/simulate/groundTruth.ts';

const calendar = createWorkingCalendar({ closures: [] });

function label(over: Partial<TruthLabel>): TruthLabel {
  return { type: 'SILENCE', enterprise_tax_id: 'A', enterprise_name: 'A', partner_tax_id: null, start_day: '2020-06-01', end_day: null, observable_from: '2020-06-10', implied: false, cause: 'INJECTED', details: {}, ...over };
}

function signal(over: Partial<DetectedSignal> & { fired: string }): DetectedSignal {
  const { fired, ...rest } = over;
  return { signal_id: Math.random().toString(36), signal_type: 'SILENCE', enterprise_tax_id: 'A', partner_tax_id: null, opened_at_ms: startOfDay(isoToDay(fired) + 1), resolved_at_ms: null, window_start: fired, window_end: fired, ...rest };
}

const truth = (labels: TruthLabel[]): GroundTruth => ({ labels } as unknown as GroundTruth);

describe('scoring signals against ground truth', () => {
  it('counts a signal of the right firm after the label start as a hit, with its delay in working days', () => {
    const [silence] = scoreSignals(truth([label({})]), [signal({ fired: '2020-06-12' })], { calendar, evaluatedThrough: isoToDay('2020-12-31') }).filter((s) => s.type === 'SILENCE');
    expect(silence).toMatchObject({ signals: 1, truePositives: 1, precision: 1, recall: 1, medianDelayWorkingDays: 2 });
  });

  it('counts a signal before the label starts, or for another firm, as a false positive and the label as missed', () => {
    const [silence] = scoreSignals(truth([label({})]), [signal({ fired: '2020-05-20', resolved_at_ms: startOfDay(isoToDay('2020-05-26')) }), signal({ fired: '2020-06-12', enterprise_tax_id: 'B' })], { calendar, evaluatedThrough: isoToDay('2020-12-31') }).filter((s) => s.type === 'SILENCE');
    expect(silence).toMatchObject({ signals: 2, truePositives: 0, precision: 0, recall: 0 });
  });

  it('requires the broken partner to match for link signals', () => {
    const l = label({ type: 'UPSTREAM_BROKEN', partner_tax_id: 'P' });
    const scores = scoreSignals(truth([l]), [signal({ fired: '2020-06-12', signal_type: 'UPSTREAM_BROKEN', partner_tax_id: 'Q' })], { calendar, evaluatedThrough: isoToDay('2020-12-31') });
    expect(scores.find((s) => s.type === 'UPSTREAM_BROKEN')).toMatchObject({ precision: 0, recall: 0 });
  });

  it('leaves labels observable after the evaluated range out of recall, and scores implied labels for precision only', () => {
    const late = label({ observable_from: '2020-12-20' });
    const implied = label({ enterprise_tax_id: 'C', implied: true });
    const scores = scoreSignals(truth([late, implied]), [signal({ fired: '2020-06-15', enterprise_tax_id: 'C' })], { calendar, evaluatedThrough: isoToDay('2020-12-01') });
    expect(scores.find((s) => s.type === 'SILENCE')).toMatchObject({ primaryLabels: 0, recall: null, precision: 1, impliedLabels: 1, impliedFound: 1 });
  });

  it('counts a label as found with delay 0 when a true signal of its kind opened earlier is still open when it becomes observable', () => {
    // Seed 8888: purchases at a third while the main supplier was silent (implied), then an injected drop right after.
    const silent = label({ type: 'PURCHASE_DROP', start_day: '2020-07-15', end_day: '2020-08-11', observable_from: '2020-07-28', implied: true });
    const drop = label({ type: 'PURCHASE_DROP', start_day: '2020-08-14', observable_from: '2020-08-26' });
    const earlier = signal({ fired: '2020-07-31', signal_type: 'PURCHASE_DROP' });
    const score = (signals: DetectedSignal[], labels = [silent, drop]) =>
      scoreSignals(truth(labels), signals, { calendar, evaluatedThrough: isoToDay('2020-12-31') }).find((s) => s.type === 'PURCHASE_DROP');
    expect(score([earlier])).toMatchObject({ recall: 1, medianDelayWorkingDays: 0, precision: 1 });
    expect(score([{ ...earlier, resolved_at_ms: startOfDay(isoToDay('2020-08-20') + 1) }])).toMatchObject({ recall: 0 });
    expect(score([earlier], [drop])).toMatchObject({ recall: 0, precision: 0 });
  });

  it('counts an unmatched signal whose firing window spans a statutory holiday as a holiday false positive', () => {
    const [silence] = scoreSignals(truth([]), [signal({ fired: '2020-10-12', window_start: '2020-09-28' })], { calendar, evaluatedThrough: isoToDay('2020-12-31') }).filter((s) => s.type === 'SILENCE');
    expect(silence!.holidayFalsePositives).toBe(1);
  });
});
