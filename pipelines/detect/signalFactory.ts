import { createHash } from 'node:crypto';
import { dayToIso, startOfDay, type DayNumber } from '../../src/calendar/workingCalendar.ts';
import { districtOfCode, type District } from '../../src/domain/district.ts';
import type { DisruptionSignal, DisruptionType, Severity } from '../../src/domain/signal.ts';
import type { DetectorContext } from './detectorContext.ts';
import { openSignalKey, type EnterpriseState, type FrozenReference, type OpenSignal, type PartyProfile } from './enterpriseState.ts';
import type { Explanation } from './explanation.ts';

/**
 * Deterministic identity of a disruption episode: the same input always gives
 * the same id, and the RESOLVED state of an episode reuses it, so sinks keyed
 * on signal_id (ReplacingMergeTree) keep one row per episode.
 */
export function signalIdOf(enterpriseTaxId: string, type: DisruptionType, partnerTaxId: string | null, windowStart: string): string {
  return createHash('sha1').update(`${enterpriseTaxId}|${type}|${partnerTaxId ?? ''}|${windowStart}`).digest('hex');
}

/** Home district for signals: the zone district of the enterprise's current district code, else 'other'. */
export function signalDistrictOf(districtCode: string): District | 'other' {
  return districtOfCode(districtCode) ?? 'other';
}

export interface OpenSpec {
  type: DisruptionType;
  partnerTaxId: string | null;
  partner: PartyProfile | null;
  windowStart: DayNumber;
  /** The day being closed: window end, and the signal fires at its end. */
  day: DayNumber;
  severity: Severity;
  baselineFen: number;
  currentFen: number;
  reference: FrozenReference;
  explanation: Explanation;
}

/**
 * Records a new open signal on the state and returns its OPEN record.
 * Precondition: no signal of the same (type, partner) is open (throws RangeError otherwise: a detector bug).
 */
export function openSignal(state: EnterpriseState, ctx: DetectorContext, spec: OpenSpec): DisruptionSignal {
  const key = openSignalKey(spec.type, spec.partnerTaxId);
  if (state.openSignals.has(key)) throw new RangeError(`signal ${key} already open for ${state.taxId}`);
  const windowStartIso = dayToIso(spec.windowStart);
  const open: OpenSignal = {
    signalId: signalIdOf(state.taxId, spec.type, spec.partnerTaxId, windowStartIso),
    type: spec.type,
    partnerTaxId: spec.partnerTaxId,
    partner: spec.partner === null ? null : { ...spec.partner },
    windowStart: spec.windowStart,
    openedDay: spec.day,
    severity: spec.severity,
    baselineFen: spec.baselineFen,
    currentFen: spec.currentFen,
    reference: spec.reference,
  };
  state.openSignals.set(key, open);
  return recordOf(state, ctx, open, {
    status: 'OPEN',
    resolution: null,
    day: spec.day,
    baselineFen: spec.baselineFen,
    currentFen: spec.currentFen,
    explanation: spec.explanation,
  });
}

/** Removes an open signal and returns its RESOLVED record: same signal_id, window from its start to `day`. */
export function resolveSignal(
  state: EnterpriseState,
  ctx: DetectorContext,
  open: OpenSignal,
  day: DayNumber,
  currentFen: number,
  explanation: Explanation,
): DisruptionSignal {
  state.openSignals.delete(openSignalKey(open.type, open.partnerTaxId));
  const isLink = open.type === 'UPSTREAM_BROKEN' || open.type === 'DOWNSTREAM_BROKEN';
  return recordOf(state, ctx, open, {
    status: 'RESOLVED',
    resolution: isLink ? 'LINK_RESTORED' : 'RECOVERED',
    day,
    baselineFen: open.baselineFen,
    currentFen,
    explanation,
  });
}

interface RecordState {
  status: DisruptionSignal['status'];
  resolution: DisruptionSignal['resolution'];
  day: DayNumber;
  baselineFen: number;
  currentFen: number;
  explanation: Explanation;
}

function recordOf(state: EnterpriseState, ctx: DetectorContext, open: OpenSignal, rec: RecordState): DisruptionSignal {
  return {
    signal_id: open.signalId,
    enterprise_tax_id: state.taxId,
    enterprise_name: state.profile.name,
    district: signalDistrictOf(state.profile.districtCode),
    signal_type: open.type,
    partner_tax_id: open.partnerTaxId,
    severity: open.severity,
    status: rec.status,
    resolution: rec.resolution,
    window_start: dayToIso(open.windowStart),
    window_end: dayToIso(rec.day),
    // The signal fires when the day closes, i.e. at the first instant of the next day.
    event_time_ms: startOfDay(rec.day + 1),
    baseline_fen: Math.round(rec.baselineFen),
    current_fen: Math.round(rec.currentFen),
    explanation_zh: rec.explanation.zh,
    explanation_en: rec.explanation.en,
    detected_at_ms: ctx.now(),
  };
}
