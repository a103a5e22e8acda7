import { dayOfInstant, type DayNumber, type WorkingCalendar } from '../../src/calendar/workingCalendar.ts';
import type { DisruptionSignal } from '../../src/domain/signal.ts';
import { ConfigError, PoisonRecordError } from '../../src/runtime/errors.ts';
import { ISSUED_SALE_FIELDS, cancelledCorrections, pushIssuedSale } from './cancelledCorrections.ts';
import { DayField, RING_FIELDS, amendDay, pushDay, recomputeFlowSums, type DayFigures } from './dayRing.ts';
import { ringSizeFor } from './detectorConfig.ts';
import type { DetectorContext } from './detectorContext.ts';
import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';
import { findOpenSignal, isNewerProfile, legLinkKey, legRankOfHash, linkDirectionOf, type EnterpriseState, type OpenDay, type PartyProfile } from './enterpriseState.ts';
import { LegIdSet } from './legIdSet.ts';
import { stringHash52 } from './stringHash52.ts';
import type { StringInterner } from './stringInterner.ts';
import { fireLinkTimers, touchLinks } from './linkBreak.ts';
import { withoutReissuedTouches } from './reissuedTouches.ts';
import { evaluatePurchaseDrop } from './purchaseDrop.ts';
import { evaluateSalesDrop } from './salesDrop.ts';
import { evaluateSilence } from './silence.ts';
import { evaluateVoidSpike } from './voidSpike.ts';

/**
 * The fields of a leg that applying it to an enterprise's state reads (applyLeg): what a snapshot's log row
 * must keep for a restore to rebuild the same state. The rest of a leg (event ID, feed and source partition,
 * which only move the partition's clock; tax; goods lines) is not logged.
 */
export type AppliedLeg = Pick<
  InvoiceLeg,
  | 'leg_id'
  | 'event_type'
  | 'invoice_no'
  | 'original_invoice_no'
  | 'role'
  | 'enterprise_tax_id'
  | 'enterprise_name'
  | 'enterprise_district_code'
  | 'partner_tax_id'
  | 'partner_name'
  | 'partner_district_code'
  | 'issued_at_ms'
  | 'amount_fen'
>;

/** What applyLeg did with a leg; the runtime counts duplicates and records late legs. */
export type ApplyOutcome = { kind: 'applied' } | { kind: 'duplicate' } | { kind: 'late'; day: DayNumber };

/**
 * The working ordinal a leg issued on `day` counts towards: its own, or for a
 * leg issued on a non-working day (weekend invoicing) the next working day's.
 */
export function countingOrdinalOf(calendar: WorkingCalendar, day: DayNumber): number {
  const ordinal = calendar.workingOrdinal(day);
  return calendar.isWorkingDay(day) ? ordinal : ordinal + 1;
}

/**
 * A party profile as of a leg. Its strings are the previous profile's when equal (the usual case: a party rarely
 * renames), else interned, so state keeps one copy of a party's name and district rather than one per leg seen.
 */
function profileOf(name: string, districtCode: string, asOfMs: number, rank: number, previous: PartyProfile | null, strings: StringInterner | undefined): PartyProfile {
  const keepName = previous !== null && previous.name === name;
  const keepCode = previous !== null && previous.districtCode === districtCode;
  return {
    name: keepName ? previous.name : strings === undefined ? name : strings.intern(name),
    districtCode: keepCode ? previous.districtCode : strings === undefined ? districtCode : strings.intern(districtCode),
    asOfMs,
    legRank: rank,
  };
}

function emptyOpenDay(): OpenDay {
  return {
    legIds: new LegIdSet(),
    sales: 0,
    purchases: 0,
    grossOut: 0,
    grossIn: 0,
    correctionFen: 0,
    correctionCount: 0,
    corrections: [],
    issuedSales: [],
    links: new Map(),
    flowCorrections: [],
  };
}

/**
 * Adds one invoice leg of this enterprise to the figures of its (not yet
 * closed) working day. Pure with respect to everything but `state`: no clock,
 * no I/O. A leg whose day is already closed is late and changes nothing; a
 * leg_id already applied to an open day is a duplicate (at-least-once
 * redelivery) and changes nothing. Applying the same set of legs in any order
 * or batching yields the same state.
 *
 * Throws RangeError when the leg belongs to another enterprise (a routing bug)
 * and PoisonRecordError when its amount is not integer fen. `key`, when
 * given, is legLinkKey(leg): the partition looks the link up for its write
 * log first and passes it, so the key is built and hashed once a leg.
 */
export function applyLeg(state: EnterpriseState, leg: AppliedLeg, ctx: DetectorContext, key?: string): ApplyOutcome {
  if (leg.enterprise_tax_id !== state.taxId) {
    throw new RangeError(`leg ${leg.leg_id} of ${leg.enterprise_tax_id} applied to the state of ${state.taxId}`);
  }
  if (!Number.isSafeInteger(leg.amount_fen)) {
    throw new PoisonRecordError(`leg ${leg.leg_id} amount_fen is not integer fen`, { code: 'LEG_AMOUNT', context: { leg_id: leg.leg_id } });
  }
  const day = dayOfInstant(leg.issued_at_ms);
  if (state.lastClosedDay !== null && day <= state.lastClosedDay) return { kind: 'late', day };

  const ordinal = countingOrdinalOf(ctx.calendar, day);
  let open = state.openDays.get(ordinal);
  if (open === undefined) {
    open = emptyOpenDay();
    state.openDays.set(ordinal, open);
  }
  const legHash = stringHash52(leg.leg_id);
  if (!open.legIds.addHash(legHash)) return { kind: 'duplicate' };
  if (state.firstLegDay === null || day < state.firstLegDay) state.firstLegDay = day;
  // Latest leg by event time names the firm and its district, so a migrating firm's signals carry its new district.
  const rank = legRankOfHash(legHash);
  if (isNewerProfile(state.profile, leg.issued_at_ms, rank)) {
    state.profile = profileOf(leg.enterprise_name, leg.enterprise_district_code, leg.issued_at_ms, rank, state.profile, ctx.strings);
  }

  const amount = leg.amount_fen;
  const issued = leg.event_type === 'ISSUED' && amount > 0;
  const invoiceHash = issued ? stringHash52(leg.invoice_no) : 0;
  if (issued) state.issuedInvoices.addHash(invoiceHash, ordinal);
  else if (leg.event_type !== 'ISSUED' && leg.original_invoice_no !== null && amount !== 0) {
    open.flowCorrections.push({ role: leg.role, originalInvoiceNo: leg.original_invoice_no, amountFen: amount });
  }
  if (leg.role === 'SELLER') {
    open.sales += amount;
    if (issued) {
      open.grossOut += amount;
      pushIssuedSale(open.issuedSales, leg.partner_tax_id, amount, invoiceHash, leg.issued_at_ms);
    } else if (leg.event_type !== 'ISSUED') {
      open.correctionFen += Math.abs(amount);
      open.correctionCount += 1;
      open.corrections.push({
        partnerTaxId: leg.partner_tax_id,
        fen: Math.abs(amount),
        originalInvoiceNo: leg.original_invoice_no,
        issuedAtMs: leg.issued_at_ms,
      });
    }
  } else {
    open.purchases += amount;
    if (issued) open.grossIn += amount;
  }
  if (issued) {
    const direction = linkDirectionOf(leg.role);
    if (key === undefined) key = legLinkKey(leg);
    const touched = open.links.get(key);
    if (touched !== undefined) {
      touched.grossFen += amount;
      if (isNewerProfile(touched.partner, leg.issued_at_ms, rank)) {
        touched.partner = profileOf(leg.partner_name, leg.partner_district_code, leg.issued_at_ms, rank, touched.partner, ctx.strings);
      }
    } else {
      const strings = ctx.strings;
      const link = state.links.get(key);
      if (link !== undefined) {
        // A known partner: its closed link holds the shared strings already.
        const partner = profileOf(leg.partner_name, leg.partner_district_code, leg.issued_at_ms, rank, link.partner, strings);
        open.links.set(link.key, { direction, partnerTaxId: link.partnerTaxId, partner, grossFen: amount });
      } else {
        // Interned: the link and the timer wheel keep these strings for weeks, and every firm trading with the partner would hold its own copies.
        const partner = profileOf(leg.partner_name, leg.partner_district_code, leg.issued_at_ms, rank, null, strings);
        const partnerTaxId = strings === undefined ? leg.partner_tax_id : strings.intern(leg.partner_tax_id);
        open.links.set(strings === undefined ? key : strings.intern(key), { direction, partnerTaxId, partner, grossFen: amount });
      }
    }
  }
  return { kind: 'applied' };
}

const NO_FIGURES: DayFigures = { sales: 0, purchases: 0, grossOut: 0, grossIn: 0, correctionFen: 0, correctionCount: 0, issuedCount: 0 };

function issuedCountOf(open: OpenDay): number {
  return open.issuedSales.length / ISSUED_SALE_FIELDS;
}

/** The figures a closed day leaves in the ring: corrections that were reissued the same day are not cancellations. */
function figuresOf(open: OpenDay): DayFigures {
  const cancelled = cancelledCorrections(open);
  return {
    sales: open.sales,
    purchases: open.purchases,
    grossOut: open.grossOut,
    grossIn: open.grossIn,
    correctionFen: cancelled.fen,
    correctionCount: cancelled.count,
    issuedCount: issuedCountOf(open),
  };
}

/**
 * Nets each void and red-letter leg of the closing day `o` against the day the
 * invoice it corrects was issued, when that day is closed and still in the
 * ring: a cancelled flow never happened, and charging it to the day of the
 * correction would make a window look low (and its baseline high) only
 * because a routine correction of an older invoice fell into it. Moves the
 * amounts out of `figures` (before they are pushed) into the earlier ring
 * slots and returns whether any slot was amended, in which case the caller
 * must recompute the flow sums after pushing. Corrections of invoices the
 * state never saw, or saw too long ago, stay on their own day.
 */
function moveCorrectionsToOriginals(state: EnterpriseState, open: OpenDay, o: number, figures: DayFigures): boolean {
  let amended = false;
  for (const c of open.flowCorrections) {
    const issuedOrdinal = state.issuedInvoices.ordinalOf(c.originalInvoiceNo);
    // Only closed days still held by the ring, and never the oldest slot: it is about to be overwritten by o.
    if (issuedOrdinal === undefined || issuedOrdinal >= o || issuedOrdinal <= o - state.ringSize) continue;
    if (c.role === 'SELLER') {
      figures.sales -= c.amountFen;
      amendDay(state.days, state.ringSize, DayField.SALES, issuedOrdinal, c.amountFen);
    } else {
      figures.purchases -= c.amountFen;
      amendDay(state.days, state.ringSize, DayField.PURCHASES, issuedOrdinal, c.amountFen);
    }
    amended = true;
  }
  return amended;
}


/**
 * A state that never closed a day can still take the ring size of the
 * runtime's config; one that did cannot change window lengths mid-stream
 * (rebuild it by replay), so that is a ConfigError.
 */
function fitRing(state: EnterpriseState, ctx: DetectorContext): void {
  const size = ringSizeFor(ctx.config);
  if (state.ringSize === size) return;
  if (state.lastClosedDay !== null) {
    throw new ConfigError(`detector state of ${state.taxId} was built for ${state.ringSize}-day rings, config needs ${size}`, {
      code: 'DETECTOR_STATE_CONFIG',
      context: { enterprise: state.taxId },
    });
  }
  state.ringSize = size;
  state.days = new Float64Array(RING_FIELDS * size);
}

/**
 * Nothing can happen on ordinal `o`: no legs, nothing open or scheduled, and
 * the last activity so far back (> ringSize) that every ring slot and sliding
 * sum is already zero, so pushing a zero day would change nothing.
 */
function isIdle(state: EnterpriseState, o: number): boolean {
  if (state.openSignals.size > 0 || state.timers.size > 0) return false;
  return state.lastActiveOrdinal === null || o - state.lastActiveOrdinal > state.ringSize;
}

function closeOneDay(state: EnterpriseState, day: DayNumber, ctx: DetectorContext, out: DisruptionSignal[]): void {
  const { calendar, config } = ctx;
  if (!calendar.isWorkingDay(day)) {
    state.lastClosedDay = day;
    return;
  }
  const o = calendar.workingOrdinal(day);
  if (state.lastClosedOrdinal !== null && o !== state.lastClosedOrdinal + 1) {
    throw new RangeError(`working calendar skipped from ordinal ${state.lastClosedOrdinal} to ${o} on day ${day}`);
  }
  const open = state.openDays.size === 0 ? undefined : state.openDays.get(o);
  if (open === undefined && isIdle(state, o)) {
    state.lastClosedDay = day;
    state.lastClosedOrdinal = o;
    return;
  }
  if (open !== undefined) state.openDays.delete(o);
  const figures = open === undefined ? NO_FIGURES : figuresOf(open);
  // Amended slots are never o - ringSize's, the one pushDay overwrites; its incremental sums are then rebuilt.
  const amended = open !== undefined && open.flowCorrections.length > 0 && moveCorrectionsToOriginals(state, open, o, figures);
  pushDay(state.days, state.sums, state.ringSize, config, o, figures);
  if (amended) recomputeFlowSums(state.days, state.sums, state.ringSize, config, o);
  // Invoices too old for any correction to be netted against.
  if (state.issuedInvoices.size > 0) state.issuedInvoices.pruneThrough(o - state.ringSize);
  if (open !== undefined) {
    // An active spell restarts after ringSize idle working days, when the rings hold nothing of the old one.
    if (state.lastActiveOrdinal === null || o - state.lastActiveOrdinal >= state.ringSize) state.firstActiveOrdinal = o;
    state.lastActiveOrdinal = o;
  }
  state.lastClosedDay = day;
  state.lastClosedOrdinal = o;

  if (open !== undefined && open.links.size > 0) {
    const links = withoutReissuedTouches(open.links, open.flowCorrections, o, (no) => state.issuedInvoices.ordinalOf(no));
    if (links.size > 0) touchLinks(state, links, o, day, ctx, out);
  }
  const silence = evaluateSilence(state, o, day, open?.grossOut ?? 0, ctx);
  if (silence !== null) out.push(silence);
  if (state.nextTimerOrdinal !== null && state.nextTimerOrdinal <= o) fireLinkTimers(state, o, day, ctx, out);
  // One alert for a firm that went quiet: while a silent streak may still become SILENCE (and while SILENCE is
  // open) SALES_DROP waits, so it cannot fire a day ahead of the silence it is part of. If the streak ends
  // or SILENCE does not apply to this firm, the drop opens at the latest on the silenceDays-th silent day.
  const silentStreak = state.lastIssueOrdinal === null ? 0 : o - state.lastIssueOrdinal;
  const silenceMayExplain = silentStreak > 0 && silentStreak < config.silenceDays;
  const mayOpenSalesDrop =
    config.salesDropDuringSilence || (!silenceMayExplain && findOpenSignal(state, 'SILENCE', null) === undefined);
  const sales = evaluateSalesDrop(state, o, day, ctx, mayOpenSalesDrop);
  if (sales !== null) out.push(sales);
  const purchases = evaluatePurchaseDrop(state, o, day, ctx);
  if (purchases !== null) out.push(purchases);
  const voids = evaluateVoidSpike(state, o, day, ctx);
  if (voids !== null) out.push(voids);
}

/**
 * Closes every day after `state.lastClosedDay` up to and including `day`
 * (the runtime calls it once the enterprise's watermark passed the end of
 * `day`, for every tracked enterprise, so absence fires without events) and
 * returns the signals that opened or resolved, in a deterministic order. A
 * non-working day only advances lastClosedDay. Closing an already closed day
 * returns []. The first close of a fresh state starts at its earliest leg.
 *
 * Cost per working day: O(1) plus the links invoiced that day and the links
 * whose timer is due; the baseline median is only computed for firms whose
 * flow is already far below its rolling-sum bound.
 *
 * Throws ConfigError when the state was built for other window lengths, and
 * RangeError when the calendar's ordinals are not consecutive.
 */
export function closeDay(state: EnterpriseState, day: DayNumber, ctx: DetectorContext): DisruptionSignal[] {
  fitRing(state, ctx);
  if (state.lastClosedDay !== null && day <= state.lastClosedDay) return [];
  const from = state.lastClosedDay === null ? Math.min(state.firstLegDay ?? day, day) : state.lastClosedDay + 1;
  const out: DisruptionSignal[] = [];
  for (let d = from; d <= day; d++) closeOneDay(state, d, ctx, out);
  return out;
}

/**
 * True when the state holds nothing that can ever fire or resolve: no open
 * days, signals or links, and no activity in the last ringSize working days.
 * The runtime may drop such a state; recreating it on the firm's next leg
 * gives exactly the signals keeping it would have.
 */
export function isDormant(state: EnterpriseState): boolean {
  if (state.openDays.size > 0 || state.openSignals.size > 0 || state.links.size > 0) return false;
  if (state.lastActiveOrdinal === null) return true;
  return state.lastClosedOrdinal !== null && state.lastClosedOrdinal - state.lastActiveOrdinal >= state.ringSize;
}
