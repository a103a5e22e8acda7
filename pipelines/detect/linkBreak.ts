import { dayToIso, type DayNumber } from '../../src/calendar/workingCalendar.ts';
import type { DisruptionSignal, Severity } from '../../src/domain/signal.ts';
import type { DetectorConfig } from './detectorConfig.ts';
import type { DetectorContext } from './detectorContext.ts';
import { SlidingSum } from './dayRing.ts';
import {
  enterpriseLabel,
  findOpenSignal,
  isNewerProfile,
  linkKey,
  openSignalKey,
  type EnterpriseState,
  type LinkDirection,
  type LinkRegularity,
  type OpenDayLink,
  type PartnerLink,
} from './enterpriseState.ts';
import { LinkHistory } from './linkHistory.ts';
import { explainLinkBroken, explainLinkRestored, type PartyLabel } from './explanation.ts';
import { medianOf } from './median.ts';
import { scheduledGaps } from './scheduledGaps.ts';
import { openSignal, resolveSignal } from './signalFactory.ts';

export function brokenTypeOf(direction: LinkDirection): 'UPSTREAM_BROKEN' | 'DOWNSTREAM_BROKEN' {
  return direction === 'UPSTREAM' ? 'UPSTREAM_BROKEN' : 'DOWNSTREAM_BROKEN';
}

/** Severity of a broken link by the partner's share of the firm's inputs (or output). */
export function linkSeverity(share: number): Severity {
  if (share >= 0.3) return 'HIGH';
  if (share >= 0.2) return 'MEDIUM';
  return 'LOW';
}

/** Silent working days after which a partner with this usual gap counts as broken. */
export function breakAfterDays(usualGapDays: number, config: DetectorConfig): number {
  return Math.max(Math.ceil(config.linkGapMultiplier * usualGapDays), config.linkMinSilenceDays);
}

/** How far (working days) a gap may stray from the usual one and still be on the beat: a day, or a tenth of a long gap. */
export function beatToleranceDays(usualGapDays: number): number {
  return Math.max(1, Math.round(0.1 * usualGapDays));
}

/**
 * Whether at least linkMinOnBeatShare of the gaps, and at least
 * linkMinInvoiceDays − 1 of them, lie within beatToleranceDays of the usual gap. Gaps under half the usual one are left out: an extra
 * invoice between two beats (a month-end billing rush) splits one beat into a
 * short gap and a longer one, and only the longer one is counted (as off the
 * beat unless it is close to the usual gap). A partner on a schedule keeps
 * almost every gap within a day of its beat, postponements included; one
 * invoicing "now and then" shows gaps spread over a wide range, so even when
 * their coefficient of variation is modest by chance (five gaps of 9–16 days),
 * few land on the beat. O(gapCount).
 */
export function keepsBeat(gaps: ArrayLike<number>, gapCount: number, usualGapDays: number, config: DetectorConfig): boolean {
  const tolerance = beatToleranceDays(usualGapDays);
  let counted = 0;
  let onBeat = 0;
  for (let i = 0; i < gapCount; i++) {
    const gap = gaps[i] ?? 0;
    if (gap < usualGapDays / 2) continue;
    counted++;
    if (Math.abs(gap - usualGapDays) <= tolerance) onBeat++;
  }
  // Recurring means linkMinInvoiceDays invoice days on the beat: the gaps between them, not merely that many days
  // with some gaps on it. Six invoice days of a partner invoicing now and then, four of them 11 days apart around a
  // 1-day and a 16-day gap, kept "3 of 4 gaps on the beat" by chance (seed 2020: two such partners, each paused
  // for a month over a holiday, read as broken links).
  return counted > 0 && onBeat >= config.linkMinOnBeatShare * counted && onBeat >= config.linkMinInvoiceDays - 1;
}

/** Gaps between invoice days; reused so a touch allocates nothing per link. */
let gapScratch = new Float64Array(64);
let mergedScratch = new Float64Array(64);

/** Whether gaps are regular: a coefficient of variation of at most linkMaxGapVariation, and keepsBeat. */
function gapsRegular(gaps: Float64Array, gapCount: number, usualGapDays: number, config: DetectorConfig): boolean {
  if (gapCount < 1) return false;
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < gapCount; i++) {
    const gap = gaps[i] ?? 0;
    sum += gap;
    squares += gap * gap;
  }
  const mean = sum / gapCount;
  const variation = Math.sqrt(Math.max(0, squares / gapCount - mean * mean)) / mean;
  return variation <= config.linkMaxGapVariation && keepsBeat(gaps, gapCount, usualGapDays, config);
}

/**
 * The usual gap of a partner whose raw gaps failed the regularity tests, judged
 * once its off-beat extra invoices are merged away (scheduledGaps), or null
 * when it is irregular even so. Its beat is taken as the median of the gaps
 * at or above the raw median (`sortedGaps`, sorted by medianOf): extras only
 * ever cut gaps short, so the long half holds the beats. The merged gaps must
 * pass the same tests as raw ones, on at least linkMinInvoiceDays scheduled
 * invoice days, at most linkMaxExtraInvoiceDays invoice days may be extras,
 * and no beat may hold more than one of them (see scheduledGaps). `first`
 * is the index in `days` of the window's first invoice day (past the lead-in).
 * O(gapCount).
 */
function beatWithExtras(
  days: LinkHistory,
  first: number,
  sortedGaps: Float64Array,
  gapCount: number,
  rawMedian: number,
  config: DetectorConfig,
): number | null {
  let firstLong = 0;
  while (firstLong < gapCount && (sortedGaps[firstLong] ?? 0) < rawMedian) firstLong++;
  const beat = sortedGaps[firstLong + ((gapCount - firstLong) >> 1)] ?? 0;
  if (beat < 2) return null;
  // medianOf sorted the gaps: rebuild them in order.
  for (let i = 1; i <= gapCount; i++) sortedGaps[i - 1] = days.ordinalAt(first + i) - days.ordinalAt(first + i - 1);
  if (mergedScratch.length < gapCount) mergedScratch = new Float64Array(Math.max(gapCount, mergedScratch.length * 2));
  const merged = scheduledGaps(sortedGaps, gapCount, beat, beatToleranceDays(beat), mergedScratch);
  if (merged.extras > config.linkMaxExtraInvoiceDays || merged.crowdedBeats > 0 || merged.count + 1 < config.linkMinInvoiceDays) return null;
  // gapsRegular needs the order-free median first: medianOf sorts mergedScratch, which keepsBeat does not mind.
  const usual = medianOf(mergedScratch, merged.count);
  return gapsRegular(mergedScratch, merged.count, usual, config) ? usual : null;
}

/**
 * Whether the partner is regular, judged on its invoice days in the last B
 * working days up to `o` (inclusive): recurring (≥ linkMinInvoiceDays distinct
 * days), a usual (median) gap of at most linkMaxUsualGapDays, gaps regular
 * (CV ≤ linkMaxGapVariation, and at least linkMinOnBeatShare of the gaps on the beat (keepsBeat) near the
 * usual one), invoice days spanning at least linkMinSpanDays
 * (a burst, or a relationship too young to judge, is not a pattern), never
 * silent for a break's length inside the window, the silence leading into
 * its first invoice there included (a partner that already paused that long
 * is on-and-off: after a LINK_RESTORED the link is only judged regular again
 * once the invoice that ended the pause has left the window), and carrying at
 * least linkMinShare of the firm's gross flow on that side over the window.
 */
export function regularityOf(link: PartnerLink, state: EnterpriseState, o: number, config: DetectorConfig): LinkRegularity | null {
  const days = link.history;
  // The history also holds its lead-in, the newest invoice day before the window (see LinkHistory).
  const first = days.firstIndexFrom(o - config.baselineDays + 1);
  const n = days.size - first;
  if (n < config.linkMinInvoiceDays) return null;
  if (gapScratch.length < n - 1) gapScratch = new Float64Array(Math.max(n - 1, gapScratch.length * 2));
  const gaps = gapScratch;
  const gapCount = n - 1;
  let longestSilence = 0;
  for (let i = 1; i < n; i++) {
    const gap = days.ordinalAt(first + i) - days.ordinalAt(first + i - 1);
    gaps[i - 1] = gap;
    longestSilence = Math.max(longestSilence, gap - 1);
  }
  // The silence leading into the partner's first invoice in the window counts too: a partner that turned up after a
  // break's length of absence has not shown it stays, whatever beat its recent invoices keep. It runs from the
  // lead-in, the partner's invoice before the window: one invoicing now and then can keep a beat for one window by
  // chance right after a long pause (seeds 104729 and 47712 at 600 firms: beats of 9 and 11 working days after
  // pauses of 32 and 57, then paused a month over a holiday, read as broken links). Without a lead-in it runs from
  // the window's start, or the firm's own first active day if later (a state that never closed an active day knows
  // of no activity before the partner's first invoice).
  const firstInvoice = days.ordinalAt(first);
  const windowStart = Math.max(o - config.baselineDays + 1, state.firstActiveOrdinal ?? firstInvoice);
  longestSilence = Math.max(longestSilence, first > 0 ? firstInvoice - days.ordinalAt(first - 1) - 1 : firstInvoice - windowStart);
  // A burst of invoices, or a relationship only a few weeks old, is not a pattern yet.
  if (days.ordinalAt(first + n - 1) - firstInvoice + 1 < config.linkMinSpanDays) return null;
  let usualGapDays = medianOf(gaps, gapCount);
  // An even count of gaps has a half-day median when they straddle the beat: a 6-day beat whose invoices come late
  // and on time by turns runs 7, 5, 7, 5, … with a 4 among them, and the median 5.5 leaves every 7 a day and a half
  // off it (seed 4711 at 600 firms: such a supplier, 72 % of purchases, stopped unreported). The beat is a whole
  // number of working days: take the neighbour that keeps it.
  if (!Number.isInteger(usualGapDays)) {
    const up = Math.ceil(usualGapDays);
    if (keepsBeat(gaps, gapCount, up, config)) usualGapDays = up;
    else if (keepsBeat(gaps, gapCount, up - 1, config)) usualGapDays = up - 1;
  }
  if (!gapsRegular(gaps, gapCount, usualGapDays, config)) {
    // Month-end extras may have split its beats (see scheduledGaps): judge the beat-to-beat gaps instead.
    const beat = beatWithExtras(days, first, gaps, gapCount, usualGapDays, config);
    if (beat === null) return null;
    usualGapDays = beat;
  }
  if (usualGapDays > config.linkMaxUsualGapDays) return null;
  if (longestSilence >= breakAfterDays(usualGapDays, config)) return null;

  const baselineFen = days.totalFen(first);
  const sideTotal = state.sums[link.direction === 'UPSTREAM' ? SlidingSum.GROSS_IN_RECENT : SlidingSum.GROSS_OUT_RECENT] ?? 0;
  if (sideTotal <= 0) return null;
  const share = baselineFen / sideTotal;
  if (share < config.linkMinShare) return null;
  return { usualGapDays, share, invoiceDays: n, baselineFen };
}

/**
 * Puts the link on the timer wheel for its next due ordinal after `o`: its
 * break deadline, or the day it has been idle for B working days and can be
 * forgotten. A link keeps at most one live entry; an earlier pending entry is
 * left alone and reschedules when it pops, so entries never pile up.
 */
function schedule(state: EnterpriseState, key: string, link: PartnerLink, o: number, config: DetectorConfig): void {
  let due = Number.POSITIVE_INFINITY;
  if (link.deadlineOrdinal !== null && link.deadlineOrdinal > o) due = link.deadlineOrdinal;
  const expiry = link.lastOrdinal + config.baselineDays;
  if (expiry > o) due = Math.min(due, expiry);
  if (due === Number.POSITIVE_INFINITY) return;
  if (link.timerOrdinal !== null && link.timerOrdinal > o && link.timerOrdinal <= due) return;
  link.timerOrdinal = due;
  state.timers.add(due, key);
  if (state.nextTimerOrdinal === null || due < state.nextTimerOrdinal) state.nextTimerOrdinal = due;
}

/** Recomputes nextTimerOrdinal after a bucket was taken off the wheel; O(1). */
export function refreshNextTimer(state: EnterpriseState): void {
  state.nextTimerOrdinal = state.timers.next;
}

function partyOf(link: PartnerLink): PartyLabel {
  return { taxId: link.partnerTaxId, name: link.partner.name, districtCode: link.partner.districtCode };
}


/**
 * Records the partners that invoiced on closed working ordinal `o` (gross
 * fen per link), re-judges their regularity and deadline, and resolves their
 * open broken-link signal (LINK_RESTORED). Links are visited in key order so
 * the output never depends on arrival order. Signals are appended to `out`.
 * O(touched links × baseline invoice days).
 */
export function touchLinks(
  state: EnterpriseState,
  touched: Map<string, OpenDayLink>,
  o: number,
  day: DayNumber,
  ctx: DetectorContext,
  out: DisruptionSignal[],
): void {
  const { config } = ctx;
  const keys = touched.size === 1 ? touched.keys() : [...touched.keys()].sort();
  for (const key of keys) {
    const t = touched.get(key);
    if (t === undefined) continue;
    let link = state.links.get(key);
    const previousOrdinal = link?.lastOrdinal ?? null;
    const previousDay = link?.lastDay ?? null;
    if (link === undefined) {
      link = {
        direction: t.direction,
        partnerTaxId: t.partnerTaxId,
        key,
        partner: { ...t.partner },
        history: new LinkHistory(),
        lastOrdinal: o,
        lastDay: day,
        regularity: null,
        deadlineOrdinal: null,
        timerOrdinal: null,
      };
      state.links.set(key, link);
    } else if (isNewerProfile(link.partner, t.partner.asOfMs, t.partner.legRank)) {
      link.partner = { ...t.partner };
    }
    link.history.record(o, t.grossFen, o - config.baselineDays + 1);
    link.lastOrdinal = o;
    link.lastDay = day;
    link.regularity = regularityOf(link, state, o, config);
    link.deadlineOrdinal = link.regularity === null ? null : o + breakAfterDays(link.regularity.usualGapDays, config);
    schedule(state, key, link, o, config);

    const open = findOpenSignal(state, brokenTypeOf(link.direction), link.partnerTaxId);
    if (open !== undefined && previousOrdinal !== null && previousDay !== null) {
      out.push(
        resolveSignal(
          state,
          ctx,
          open,
          day,
          t.grossFen,
          explainLinkRestored({
            enterprise: enterpriseLabel(state),
            direction: link.direction,
            partner: partyOf(link),
            lastInvoiceDay: dayToIso(previousDay),
            day: dayToIso(day),
            silentDays: o - previousOrdinal - 1,
            amountFen: t.grossFen,
          }),
        ),
      );
    }
  }
}

/**
 * The absence timers of links: after working ordinal `o` closed, fires
 * UPSTREAM_BROKEN / DOWNSTREAM_BROKEN for every regular partner whose
 * deadline is `o` (silent for max(2 × usual gap, 10) working days), and
 * forgets links idle for B working days without an open signal. Only the
 * links due at `o` are looked at. Signals are appended to `out`.
 */
export function fireLinkTimers(state: EnterpriseState, o: number, day: DayNumber, ctx: DetectorContext, out: DisruptionSignal[]): void {
  const bucket = state.timers.takeDue(o);
  if (bucket.length === 0) {
    refreshNextTimer(state);
    return;
  }
  const { config } = ctx;
  const keys = bucket.length === 1 ? bucket : [...new Set(bucket)].sort();
  for (const key of keys) {
    const link = state.links.get(key);
    if (link === undefined || link.timerOrdinal !== o) continue;
    link.timerOrdinal = null;
    const type = brokenTypeOf(link.direction);
    const openKey = openSignalKey(type, link.partnerTaxId);
    if (link.deadlineOrdinal === o && link.regularity !== null && !state.openSignals.has(openKey)) {
      const regularity = link.regularity;
      const windowStart = ctx.calendar.addWorkingDays(link.lastDay, 1);
      const severity = linkSeverity(regularity.share);
      out.push(
        openSignal(state, ctx, {
          type,
          partnerTaxId: link.partnerTaxId,
          partner: link.partner,
          windowStart,
          day,
          severity,
          baselineFen: regularity.baselineFen,
          currentFen: 0,
          reference: { kind: 'link', regularity },
          explanation: explainLinkBroken({
            enterprise: enterpriseLabel(state),
            direction: link.direction,
            partner: partyOf(link),
            share: regularity.share,
            usualGapDays: regularity.usualGapDays,
            invoiceDays: regularity.invoiceDays,
            baselineDays: config.baselineDays,
            lastInvoiceDay: dayToIso(link.lastDay),
            silentDays: o - link.lastOrdinal,
            baselineFen: regularity.baselineFen,
            severity,
          }),
        }),
      );
    }
    if (o >= link.lastOrdinal + config.baselineDays && !state.openSignals.has(openKey)) {
      state.links.delete(key);
      continue;
    }
    schedule(state, key, link, o, config);
  }
  refreshNextTimer(state);
}
