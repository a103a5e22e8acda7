import { readDay, type DayField } from './dayRing.ts';
import type { DetectorConfig } from './detectorConfig.ts';
import type { EnterpriseState, LinkDirection } from './enterpriseState.ts';
import { beatToleranceDays } from './linkBreak.ts';
import type { LinkHistory } from './linkHistory.ts';
import { medianOf } from './median.ts';

/**
 * What the partners of one side of a firm say about a low 10-day window, read
 * from their link histories (gross issued fen per invoice day over the last B
 * working days). Only called on the rare days a drop is about to open:
 * O(partners × B).
 */

/**
 * The flow a window usually got from partners that are not regular and have
 * not invoiced in the window ending at working ordinal `o`: their gross over
 * the B working days before the window, per W days. "Not regular" is
 * regularityOf's null: no beat, or a beat under linkMinShare of the side
 * (such a partner's share is small, so leaving it out moves the bar little).
 *
 * Why: a partner that was never regular (the odd one-off customer, sundry
 * services) invoices lumps at random, so a window between two of its lumps is
 * low by chance (seed 86420 at 600 firms: a firm that had lost its main buyer
 * sold ¥40k a day, 40 % of it as ¥300k one-off orders every 8–21 working
 * days; a fortnight without one, while a regular buyer was cutting orders to
 * 30 %, read as sales at 36 % of the baseline). DESIGN.md: a partner that was
 * always sporadic is no disruption, and neither is its pause.
 */
export function absentIrregularFen(state: EnterpriseState, direction: LinkDirection, o: number, config: DetectorConfig): number {
  const windowStart = o - config.windowDays + 1;
  const baselineStart = Math.max(windowStart - config.baselineDays, state.firstActiveOrdinal ?? windowStart);
  const span = windowStart - baselineStart;
  if (span <= 0) return 0;
  let absentFen = 0;
  for (const link of state.links.values()) {
    if (link.direction !== direction || link.regularity !== null || link.lastOrdinal >= windowStart) continue;
    const h = link.history;
    for (let i = h.size - 1; i >= 0; i--) {
      const ordinal = h.ordinalAt(i);
      if (ordinal < baselineStart) break;
      if (ordinal < windowStart) absentFen += h.fenAt(i);
    }
  }
  return (absentFen * config.windowDays) / span;
}

/** A partner's invoices in a window are a takeover once its biggest is this many times its usual invoice day. */
const TAKEOVER_FACTOR = 2;

/** A carrier's invoice amounts, then its gaps; reused between calls. */
let valueScratch = new Float64Array(64);

/**
 * Working days a drop must hold when the window ending at `o` is carried by a
 * partner that took over a lost partner's flow: its usual gap plus one (an
 * invoice may come a day late), or 0 when no partner does.
 *
 * The carrier holds at least half the window's gross, its biggest invoice day
 * in the window is TAKEOVER_FACTOR times its median invoice day before it, and
 * it invoiced on at least three days before the window (a beat to go by).
 *
 * Why: confirmDaysFor reads the rhythm of the baseline, but a firm whose daily
 * main supplier stopped and whose 5-day supplier took over its orders now gets
 * the same flow in lumps every 5 working days (seed 24680 at 600 firms: a
 * takeover ×30 in lumps of ¥300k–800k). A window that holds one lump where two
 * were due (the next one a day late, after May Day) is at a quarter of the
 * daily baseline for a day or two: the flow moved to a slower beat, it did not
 * collapse. A collapse scales the carrier's invoices down, so it is not held up.
 */
export function takeoverBeatDays(state: EnterpriseState, direction: LinkDirection, o: number, config: DetectorConfig): number {
  const windowStart = o - config.windowDays + 1;
  let windowTotal = 0;
  let carrierFen = 0;
  let carrier: LinkHistory | null = null;
  // The carrier's days from its baseline window on: its lead-in (LinkHistory) is older than the pattern judged here.
  let from = 0;
  for (const link of state.links.values()) {
    if (link.direction !== direction || link.lastOrdinal < windowStart) continue;
    const h = link.history;
    let inWindow = 0;
    for (let i = h.size - 1; i >= 0 && h.ordinalAt(i) >= windowStart; i--) inWindow += h.fenAt(i);
    windowTotal += inWindow;
    if (inWindow > carrierFen) {
      carrierFen = inWindow;
      carrier = h;
      from = h.firstIndexFrom(link.lastOrdinal - config.baselineDays + 1);
    }
  }
  if (carrier === null || 2 * carrierFen < windowTotal) return 0;
  // Ordinals ascend: the invoice days in [from, before) are the ones before the window.
  let before = from;
  while (before < carrier.size && carrier.ordinalAt(before) < windowStart) before++;
  if (before - from < 3) return 0;
  let biggest = 0;
  for (let i = before; i < carrier.size; i++) biggest = Math.max(biggest, carrier.fenAt(i));
  if (valueScratch.length < carrier.size) valueScratch = new Float64Array(carrier.size * 2);
  for (let i = from; i < before; i++) valueScratch[i - from] = carrier.fenAt(i);
  if (biggest < TAKEOVER_FACTOR * medianOf(valueScratch, before - from)) return 0;
  for (let i = from + 1; i < carrier.size; i++) valueScratch[i - from - 1] = carrier.ordinalAt(i) - carrier.ordinalAt(i - 1);
  return Math.round(medianOf(valueScratch, carrier.size - from - 1)) + 1;
}

/**
 * Fen that regular partners' latest invoices in the window ending at `o`
 * would have added had they not been cancelled, counting only partners whose
 * next invoice is not yet overdue: `o` lies less than their usual gap plus
 * beatToleranceDays after that invoice. An invoice counts as cancelled when at
 * least half of the partner's gross that day was voided or red-lettered (the
 * day's gross less its net flow, corrections being booked back on the day
 * of the invoice they cancel); the cancelled part is counted, at most the
 * partner's gross. A partner with another cancelled invoice in the window is
 * left out: cancelling again and again is cancelling orders (a seller in a
 * VOID_SPIKE), whose drop is real. 0 when no partner qualifies.
 *
 * Why: a partner's latest invoice says what it takes now, unless it was
 * cancelled; then the level is unknown until its next invoice (DOMAIN.md: a
 * voided invoice is corrected paperwork or one cancelled order, not a
 * collapse). A buyer on an 8-day beat that took a small order on 30 April
 * and whose 15 May invoice was voided the same day left the windows ending
 * 6–15 May at 0.35–0.38 of the baseline for 8 days, past dropMaxConfirmDays;
 * its next invoice (26 May) was back to normal (seed 69314 at 600 firms, over
 * May Day: a holiday false positive). A collapse shows on invoices that
 * stand: they come smaller or stop, and then the partner's latest invoice is
 * not a cancelled one, or its next one is overdue.
 *
 * Reads the link histories and the day ring only (no extra state). O(partners
 * × invoice days held), only on the rare days a drop is about to open.
 */
export function cancelledBeatFen(
  state: EnterpriseState,
  direction: LinkDirection,
  netField: DayField,
  grossField: DayField,
  o: number,
  config: DetectorConfig,
): number {
  const windowStart = o - config.windowDays + 1;
  let cancelledFen = 0;
  for (const link of state.links.values()) {
    if (link.direction !== direction || link.regularity === null || link.lastOrdinal < windowStart) continue;
    const gap = link.regularity.usualGapDays;
    if (o - link.lastOrdinal >= gap + beatToleranceDays(gap)) continue;
    const h = link.history;
    const cancelledOf = (i: number): number => {
      const ordinal = h.ordinalAt(i);
      const dayCancelled = readDay(state.days, state.ringSize, grossField, ordinal) - readDay(state.days, state.ringSize, netField, ordinal);
      return 2 * dayCancelled >= h.fenAt(i) ? Math.min(dayCancelled, h.fenAt(i)) : 0;
    };
    const latest = h.size - 1;
    const cancelled = latest >= 0 ? cancelledOf(latest) : 0;
    if (cancelled === 0) continue;
    // One cancelled invoice among standing ones: a partner cancelling again and again is cancelling orders.
    let standing = true;
    for (let i = latest - 1; i >= 0 && h.ordinalAt(i) >= windowStart && standing; i--) standing = cancelledOf(i) === 0;
    if (standing) cancelledFen += cancelled;
  }
  return cancelledFen;
}
