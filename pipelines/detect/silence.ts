import { dayToIso, type DayNumber } from '../../src/calendar/workingCalendar.ts';
import type { DisruptionSignal, Severity } from '../../src/domain/signal.ts';
import type { DetectorContext } from './detectorContext.ts';
import { DayField, readDay, sumDays } from './dayRing.ts';
import { enterpriseLabel, findOpenSignal, type EnterpriseState } from './enterpriseState.ts';
import { explainSilence, explainSilenceEnded } from './explanation.ts';
import { openSignal, resolveSignal } from './signalFactory.ts';

/** Severity of a silence by how regularly the firm invoiced before it: the more regular, the more telling. */
export function silenceSeverity(activeShare: number): Severity {
  if (activeShare >= 0.9) return 'HIGH';
  if (activeShare >= 0.75) return 'MEDIUM';
  return 'LOW';
}

/**
 * SILENCE after working ordinal `o` closed, with `issuedFen` the gross sales
 * invoiced on it. This is the absence timer: it needs no event, only the
 * close of the silenceDays-th silent working day, and is evaluated exactly
 * once per silent spell (at that close), so it costs O(1) on other days.
 * Also keeps lastIssueOrdinal / lastIssueDay.
 */
export function evaluateSilence(state: EnterpriseState, o: number, day: DayNumber, issuedFen: number, ctx: DetectorContext): DisruptionSignal | null {
  const { config } = ctx;
  const open = findOpenSignal(state, 'SILENCE', null);

  if (issuedFen > 0) {
    const previous = state.lastIssueOrdinal;
    state.lastIssueOrdinal = o;
    state.lastIssueDay = day;
    if (open === undefined) return null;
    return resolveSignal(
      state,
      ctx,
      open,
      day,
      issuedFen,
      explainSilenceEnded({
        enterprise: enterpriseLabel(state),
        firstSilentDay: dayToIso(open.windowStart),
        day: dayToIso(day),
        silentDays: previous === null ? 0 : o - previous - 1,
        amountFen: issuedFen,
      }),
    );
  }

  const last = state.lastIssueOrdinal;
  if (open !== undefined || last === null || state.lastIssueDay === null || o - last !== config.silenceDays) return null;
  if (state.firstActiveOrdinal === null) return null;
  const firstSilent = last + 1;
  const baseFrom = Math.max(firstSilent - config.baselineDays, state.firstActiveOrdinal);
  const baseDays = last - baseFrom + 1;
  if (baseDays < config.minHistoryDays) return null;
  let activeDays = 0;
  for (let k = baseFrom; k <= last; k++) if (readDay(state.days, state.ringSize, DayField.GROSS_OUT, k) > 0) activeDays++;
  const activeShare = activeDays / baseDays;
  if (activeShare < config.silenceMinActiveShare) return null;

  const silentDays = o - last;
  const baseSales = sumDays(state.days, state.ringSize, DayField.SALES, baseFrom, last);
  // What the firm would usually have invoiced over the silent span: the figure the steward weighs the silence by.
  const expectedFen = Math.round((baseSales * silentDays) / baseDays);
  const currentFen = sumDays(state.days, state.ringSize, DayField.SALES, firstSilent, o);
  const windowStart = ctx.calendar.addWorkingDays(state.lastIssueDay, 1);
  const severity = silenceSeverity(activeShare);
  return openSignal(state, ctx, {
    type: 'SILENCE',
    partnerTaxId: null,
    partner: null,
    windowStart,
    day,
    severity,
    baselineFen: expectedFen,
    currentFen,
    reference: { kind: 'silence', activeDays, baseDays },
    explanation: explainSilence({
      enterprise: enterpriseLabel(state),
      firstSilentDay: dayToIso(windowStart),
      silentDays,
      activeDays,
      baseDays,
      expectedFen,
      severity,
    }),
  });
}
