/**
 * Ground truth of a simulated scenario: what a perfect detector should report.
 *
 * Label semantics (one `TruthLabel` per disruption episode an enterprise goes through):
 *
 * - `type` is a DisruptionSignal type (DESIGN.md section 4); `enterprise_tax_id`
 *   is the firm the signal is about and `partner_tax_id` the other side of a
 *   broken link (UPSTREAM_BROKEN: the supplier that stopped; DOWNSTREAM_BROKEN:
 *   the buyer that stopped), null for firm-level types.
 * - `start_day` is the first working day the change takes effect (the first day
 *   without the flow, or the first day at the collapsed level). `end_day` is the
 *   first working day back to normal, or null if the change lasts past the end
 *   of the scenario (or for ever: a closed firm, a lost customer).
 * - `observable_from` is the working day by which a detector using the
 *   DESIGN.md defaults can know: SILENCE start + 7 working days; a broken link
 *   the day after its last invoice before the stop + max(2 × usual gap, 10)
 *   working days (the silence a detector sees starts at that invoice, so a stop
 *   is labelled when that silence, not the stop alone, lasts long enough, and
 *   a link's share is the larger of its planned share and its share of the
 *   flows the links' schedules invoice, month-end extras included, over the 60 working days before the stop); a drop start + k working days,
 *   where k is the number of collapsed days after which the 10-day sum of the
 *   expected flow first falls below 40 % of its baseline (the median of the
 *   10-day sums of the 60 working days before; k = ⌊6 / (1 − level)⌋ + 1 from
 *   a steady level: 7 for a flow that stops, 9 for one at 25 %); VOID_SPIKE
 *   start + 5 working days. A signal
 *   firing before `observable_from` came early (suspicious); one firing long
 *   after it came late. Episodes that could not be observed before they ended
 *   or before the scenario ended are not labelled.
 * - `implied: false` marks an injected disruption; `implied: true` a consequence
 *   another injected change forces, so that a detector reporting it is right:
 *   a SILENCE of X implies SALES_DROP and PURCHASE_DROP of X (and losing every
 *   buyer implies SILENCE of a firm that invoiced most working days),
 *   UPSTREAM_BROKEN for every regular buyer that got ≥ 10 % of its purchases
 *   from X, DOWNSTREAM_BROKEN for every regular supplier that made ≥ 10 % of
 *   its sales to X, and the mirror links of X itself; a broken link implies the
 *   mirror label on the other side when the link is ≥ 10 % of that side's flow
 *   (implied link labels use 7.5 %: see IMPLIED_SHARE);
 *   any change that takes a firm's expected sales or purchases below 40 % of
 *   their 60-working-day baseline implies a drop (also the end of a boost: the
 *   competitor a lost buyer went to falls back when the buyer returns), and so
 *   does one below IMPLIED_DROP_LEVEL (60 %; see there), a VOID_SPIKE of a
 *   seller counting as SPIKE_NET_FLOW_SHARE of its links' flow (SPIKE_NET_FLOW_UNLUCKY_SHARE for the near-threshold
 *   drops). Implied labels are derived mechanically from the
 *   plan's expected flows, not from the sampled invoices. Score recall on
 *   `implied: false` labels; count a signal as a true positive if it matches
 *   any label (same type, enterprise, partner; fired between start_day and
 *   end_day plus a grace period).
 * - `cause` says which injection a label comes from: `INJECTED`, or
 *   `<TYPE> of <tax_id>` of the primary that implies it.
 *
 * `non_disruptions` lists what must NOT be flagged: MIGRATION (registration
 * moves to another zone district, the USCC stays, the feed changes, volume
 * continues), SPORADIC_LINK (a partner that was always irregular; any pause is
 * normal) and CLOSURE (holidays and the 2020 shutdown, from the calendar).
 */
import { dayToIso, type DayNumber, type WorkingCalendar } from '../calendar/workingCalendar.ts';
import type { DisruptionType } from '../domain/signal.ts';
import { inIntervals, linkFactor, SPIKE_NET_FLOW_SHARE, SPIKE_NET_FLOW_UNLUCKY_SHARE, type DayInterval, type DisruptionPlan, type PrimaryDisruption } from './disruptionPlan.ts';
import { buildActivityProfile } from './activityProfile.ts';
import { extraOccasion, regularOccasion } from './regularOccasion.ts';
import { BASELINE, DROP_LEVEL, DROP_WINDOW, expectedDrops, dropsOverlap, type ExpectedDrop } from './expectedDrops.ts';
import type { TradeLink, TradeNetwork } from './tradeNetwork.ts';

export interface TruthLabel {
  type: DisruptionType;
  enterprise_tax_id: string;
  enterprise_name: string;
  partner_tax_id: string | null;
  /** YYYY-MM-DD */
  start_day: string;
  end_day: string | null;
  observable_from: string;
  implied: boolean;
  cause: string;
  details: {
    /** Broken links: the link's usual gap and its share of the enterprise's flow in that direction. */
    usual_gap_working_days?: number;
    share_bp?: number;
    /** Drops: expected level relative to normal, 0–1. */
    expected_level?: number;
    /** UPSTREAM_BROKEN: the existing supplier that took over; DOWNSTREAM_BROKEN: the competitor the buyer went to. */
    replacement_tax_id?: string | null;
  };
}

export type NonDisruption =
  | { kind: 'MIGRATION'; enterprise_tax_id: string; start_day: string; from_district_code: string; to_district_code: string }
  | { kind: 'SPORADIC_LINK'; enterprise_tax_id: string; partner_tax_id: string; role: 'BUYER' }
  | { kind: 'CLOSURE'; start_day: string; end_day: string; reason: string };

export interface DeliveryNoise {
  duplicate_rate: number;
  late_rate: number;
  /** Upper bound on how late (event time → feed arrival) any event arrives. */
  max_lateness_hours: number;
}

export interface GroundTruth {
  version: 1;
  seed: number;
  firms: number;
  from: string;
  to: string;
  delivery: DeliveryNoise;
  /** The thresholds the labels assume (DESIGN.md section 4 defaults). */
  thresholds: {
    regular_share: number;
    drop_level: number;
    drop_window_working_days: number;
    silence_working_days: number;
    link_min_working_days: number;
  };
  labels: TruthLabel[];
  non_disruptions: NonDisruption[];
  notes: string[];
}

const REGULAR_SHARE = 0.1;
const SILENCE_WORKING_DAYS = 7;
const LINK_MIN_WORKING_DAYS = 10;
const VOID_SPIKE_WORKING_DAYS = 5;
/**
 * A regular link that really stopped is labelled (implied) down to this expected share: the detector
 * measures a link's share on the invoices of its last 60 working days, which scatter by a point or two
 * around the planned share, so a link planned at 9.7 % is honestly seen at 10.3 % and its break is real.
 * Injected link primaries are always ≥ REGULAR_SHARE, so recall is untouched.
 */
const IMPLIED_SHARE = 0.75 * REGULAR_SHARE;
/**
 * The drop counterpart of IMPLIED_SHARE: a change that takes a firm's expected flow below this share of its
 * baseline (but not below DROP_LEVEL) is labelled as an implied drop too. The detector judges the sampled
 * invoices, whose 10-day sums scatter widely around the expected flow (invoice amounts vary ±35 %, a dominant
 * partner invoices a lump every few days), so a firm that lost its main buyer (expected 44–55 % of normal) or
 * whose supplier is cancelling orders (about 57 %) really does fall below 40 % in some windows: a detector
 * reporting that is right. Only precision sees these labels; recall is scored on the injected drops, which stay
 * at DROP_LEVEL, as do their observable_from and delays.
 */
const IMPLIED_DROP_LEVEL = 0.6;

/** A firm counts as invoicing "most working days" (DESIGN.md SILENCE) from this expected share of days with a sale. */
const SILENT_FIRM_MIN_DAY_SHARE = 0.6;

export interface TruthInput {
  seed: number;
  network: TradeNetwork;
  plan: DisruptionPlan;
  calendar: WorkingCalendar;
  from: DayNumber;
  to: DayNumber;
  delivery: DeliveryNoise;
}

export function deriveGroundTruth(input: TruthInput): GroundTruth {
  const { network, plan, calendar, from, to } = input;
  const { firms, links } = network;
  const ord = (d: DayNumber): number => calendar.workingOrdinal(d);
  /** Working days in [a, b). */
  const workingDaysIn = (a: DayNumber, b: DayNumber): number => ord(b - 1) - ord(a - 1);
  const endOf = (until: DayNumber | null): DayNumber => (until === null ? to + 1 : Math.min(until, to + 1));
  const iso = (d: DayNumber | null): string | null => (d === null || d > to ? null : dayToIso(d));
  const labels: TruthLabel[] = [];

  const causeOf = (start: DayNumber, involved: readonly number[]): string => {
    const p = plan.primaries.find(
      (q) => q.type !== 'MIGRATION' && q.start === start && (involved.includes(q.firm) || (q.partner !== null && involved.includes(q.partner))),
    );
    return p ? `${p.type} of ${firms[p.firm]!.tax_id}` : 'COMBINED';
  };

  const profile = buildActivityProfile(calendar, from, to);
  /**
   * The last working day before `day` the link invoiced on (its schedule, postponements and month-end extras), or
   * null if none lies within a beat and a bit. A stop silences the link from the day after that invoice, not from
   * its own start: the detector counts the silence from the last invoice it saw.
   */
  /** Whether the link's schedule invoices on working day `d` (a regular occasion, postponed or not, or a month-end extra). */
  const hasOccasion = (link: TradeLink, d: DayNumber): boolean => {
    const o = ord(d);
    return regularOccasion(input.seed, link, o) || extraOccasion(input.seed, link, o, profile.at(d));
  };
  const lastInvoiceBefore = (link: TradeLink, day: DayNumber): DayNumber | null => {
    let d = day;
    for (let back = 0; back < link.gap + 2; back++) {
      d = calendar.addWorkingDays(d, -1);
      if (d < from) return null;
      if (linkFactor(plan.link_effects[link.index]!, d) === 0) return null;
      if (hasOccasion(link, d)) return d;
    }
    return null;
  };
  /**
   * The first working day from `day` on which the link invoices again (its schedule, a postponed occasion or a
   * month-end extra), or null if none comes within a beat and a bit. A stop ends on a day, but the link stays
   * silent until its next occasion, and the detector counts the silence up to the invoice it sees (seed 16180: a
   * buyer silent 27 Sep–22 Oct, an 8-day supplier whose occasion of 23 Oct was postponed to 26 Oct: 16 silent
   * working days, twice its beat, though the stop itself held 15).
   */
  const firstInvoiceFrom = (link: TradeLink, day: DayNumber): DayNumber | null => {
    let d = calendar.isWorkingDay(day) ? day : calendar.addWorkingDays(day, 1);
    for (let ahead = 0; ahead < link.gap + 2; ahead++) {
      if (d > to) return null;
      if (linkFactor(plan.link_effects[link.index]!, d) > 0 && hasOccasion(link, d)) return d;
      d = calendar.addWorkingDays(d, 1);
    }
    return null;
  };
  /**
   * The link's share of the buyer's purchases and of the seller's sales over the BASELINE working days before
   * `day`, on the plan's expected flows: what the detector measures, boosts and other firms' changes included
   * (a competitor that took over a lost buyer's orders carries far more than its planned share). A regular link's
   * flow is put on the days its schedule invoices, month-end extras included: an extra is half an occasion, so it
   * adds half a beat of flow to a 6-day link and next to nothing to a daily one, and a link planned at 7.3 % of a
   * buyer's purchases carried 8 % of them (seed 11235: its stop read as a broken link, rightly, but went unlabelled).
   */
  const scheduledFlowFen = (link: TradeLink, d: DayNumber): number => {
    const activity = profile.at(d);
    if (link.pattern !== 'REGULAR') return link.daily_flow_fen * activity.sporadic_factor * activity.amount_factor;
    const occasionFen = link.daily_flow_fen * link.gap * activity.amount_factor;
    if (regularOccasion(input.seed, link, ord(d))) return occasionFen;
    return extraOccasion(input.seed, link, ord(d), activity) ? 0.5 * occasionFen : 0;
  };
  const sharesBefore = (link: TradeLink, day: DayNumber): { buyer: number; seller: number } => {
    const flowOf = (i: number, d: DayNumber): number => scheduledFlowFen(links[i]!, d) * linkFactor(plan.link_effects[i]!, d);
    let own = 0;
    let buyerTotal = 0;
    let sellerTotal = 0;
    let d = day;
    for (let k = 0; k < BASELINE; k++) {
      d = calendar.addWorkingDays(d, -1);
      if (d < from) break;
      own += flowOf(link.index, d);
      for (const i of network.incoming[link.buyer]!) buyerTotal += flowOf(i, d);
      for (const i of network.outgoing[link.seller]!) sellerTotal += flowOf(i, d);
    }
    return {
      buyer: buyerTotal > 0 ? own / buyerTotal : link.buyer_share,
      seller: sellerTotal > 0 ? own / sellerTotal : link.seller_share,
    };
  };

  // Broken links: merged stop intervals of each regular link.
  for (const link of links) {
    if (link.pattern !== 'REGULAR') continue;
    const stops = mergeIntervals(plan.link_effects[link.index]!.filter((e) => e.kind === 'STOP'));
    for (const s of stops) {
      if (s.from > to) continue;
      const threshold = Math.max(2 * link.gap, LINK_MIN_WORKING_DAYS);
      const lastInvoice = lastInvoiceBefore(link, s.from);
      const silentFrom = lastInvoice === null ? s.from : calendar.addWorkingDays(lastInvoice, 1);
      const resumed = s.until === null ? endOf(null) : (firstInvoiceFrom(link, s.until) ?? endOf(s.until));
      if (workingDaysIn(silentFrom, resumed) < threshold) continue;
      const observable = calendar.addWorkingDays(lastInvoice ?? calendar.addWorkingDays(s.from, -1), threshold + 1);
      if (observable > to) continue;
      const base = { start_day: dayToIso(s.from), end_day: iso(s.until), observable_from: dayToIso(observable), implied: true };
      const cause = causeOf(s.from, [link.seller, link.buyer]);
      const shares = sharesBefore(link, s.from);
      if (Math.max(link.buyer_share, shares.buyer) >= IMPLIED_SHARE) {
        labels.push({
          type: 'UPSTREAM_BROKEN', enterprise_tax_id: firms[link.buyer]!.tax_id, enterprise_name: firms[link.buyer]!.name,
          partner_tax_id: firms[link.seller]!.tax_id, ...base, cause,
          details: { usual_gap_working_days: link.gap, share_bp: Math.round(Math.max(link.buyer_share, shares.buyer) * 10_000) },
        });
      }
      if (Math.max(link.seller_share, shares.seller) >= IMPLIED_SHARE) {
        labels.push({
          type: 'DOWNSTREAM_BROKEN', enterprise_tax_id: firms[link.seller]!.tax_id, enterprise_name: firms[link.seller]!.name,
          partner_tax_id: firms[link.buyer]!.tax_id, ...base, cause,
          details: { usual_gap_working_days: link.gap, share_bp: Math.round(Math.max(link.seller_share, shares.seller) * 10_000) },
        });
      }
    }
  }

  // Drops: DESIGN.md section 4 applied to the expected flows of the plan (no sampling noise, no seasonality): the
  // 10-working-day sum below 40 % of the median of the rolling 10-day sums of the 60 working days before it. The
  // baseline is the firm's recent level, not its planned normal: a firm whose flow was boosted for months (the
  // competitor a lost buyer went to) really does see its sales collapse when the boost ends.
  const workingDays: DayNumber[] = [];
  /** Implied drops to between DROP_LEVEL and IMPLIED_DROP_LEVEL; added after the primaries took their labels. */
  const nearThresholdDrops: TruthLabel[] = [];
  for (let d = from; d <= to; d++) if (calendar.isWorkingDay(d)) workingDays.push(d);
  for (const firm of firms) {
    for (const [type, linkIds] of [['SALES_DROP', network.outgoing[firm.index]!], ['PURCHASE_DROP', network.incoming[firm.index]!]] as const) {
      if (!linkIds.some((i) => plan.link_effects[i]!.length > 0 || plan.void_spikes[links[i]!.seller]!.length > 0)) continue;
      // A seller in a VOID_SPIKE cancels part of what it invoices: the net flow of its links shrinks meanwhile.
      const expectedWith = (spikeShare: number): number[] => workingDays.map((d) => linkIds.reduce((sum, i) =>
        sum + links[i]!.daily_flow_fen * linkFactor(plan.link_effects[i]!, d) * (inIntervals(plan.void_spikes[links[i]!.seller]!, d) ? spikeShare : 1), 0));
      const strict = expectedDrops(expectedWith(SPIKE_NET_FLOW_SHARE));
      const partners = linkIds.map((i) => (type === 'SALES_DROP' ? links[i]!.buyer : links[i]!.seller));
      // Same convention as SILENCE (start + 7): observable on the working day after the one whose close reveals it.
      const dropLabel = (episode: ExpectedDrop): TruthLabel | null => {
        const observable = workingDays[episode.observable + 1];
        if (observable === undefined) return null;
        return {
          type, enterprise_tax_id: firm.tax_id, enterprise_name: firm.name, partner_tax_id: null,
          start_day: dayToIso(workingDays[episode.start]!),
          end_day: episode.end === null ? null : iso(workingDays[episode.end]!),
          observable_from: dayToIso(observable),
          implied: true,
          cause: causeOf(workingDays[episode.start]!, [firm.index, ...partners]),
          details: { expected_level: Math.round(episode.level * 100) / 100 },
        };
      };
      for (const episode of expectedDrops(expectedWith(SPIKE_NET_FLOW_UNLUCKY_SHARE), IMPLIED_DROP_LEVEL)) {
        if (strict.some((e) => dropsOverlap(e, episode))) continue;
        const label = dropLabel(episode);
        if (label) nearThresholdDrops.push(label);
      }
      for (const episode of strict) {
        const label = dropLabel(episode);
        if (label) labels.push(label);
      }
    }
  }

  // Implied silences: a firm that invoices most working days and whose every sale stops for SILENCE_WORKING_DAYS
  // (its only buyers lost, not an injected SILENCE) is silent in DESIGN.md's sense, and a detector saying so is right.
  for (const firm of firms) {
    const out = network.outgoing[firm.index]!;
    if (out.length === 0 || plan.silences[firm.index]!.length > 0 || network.invoicing_day_share[firm.index]! < SILENT_FIRM_MIN_DAY_SHARE) continue;
    if (!out.some((i) => plan.link_effects[i]!.some((e) => e.kind === 'STOP'))) continue;
    let runStart: number | null = null;
    for (let k = 0; k <= workingDays.length; k++) {
      const d = workingDays[k];
      const selling = d === undefined || out.some((i) => linkFactor(plan.link_effects[i]!, d) > 0);
      if (!selling && runStart === null && k > 0) runStart = k;
      if (selling && runStart !== null) {
        const observable = workingDays[runStart + SILENCE_WORKING_DAYS];
        if (k - runStart >= SILENCE_WORKING_DAYS && observable !== undefined) {
          const startDay = workingDays[runStart]!;
          labels.push({
            type: 'SILENCE', enterprise_tax_id: firm.tax_id, enterprise_name: firm.name, partner_tax_id: null,
            start_day: dayToIso(startDay), end_day: d === undefined ? null : iso(d), observable_from: dayToIso(observable),
            implied: true, cause: causeOf(startDay, [firm.index, ...out.map((i) => links[i]!.buyer)]), details: {},
          });
        }
        runStart = null;
      }
    }
  }

  // Injected primaries: mark the derived label they correspond to, or add it.
  for (const p of plan.primaries) {
    if (p.type === 'MIGRATION') continue;
    const enterprise = firms[p.firm]!.tax_id;
    const partner = p.partner === null ? null : firms[p.partner]!.tax_id;
    const match = labels.find(
      (l) =>
        l.type === p.type && l.enterprise_tax_id === enterprise && l.partner_tax_id === partner &&
        l.start_day <= dayToIso(p.start) && (l.end_day === null || dayToIso(p.start) < l.end_day),
    );
    const label = match ?? primaryLabel(p, input, iso);
    if (!label) continue;
    label.implied = false;
    label.cause = 'INJECTED';
    if (p.type === 'UPSTREAM_BROKEN' || p.type === 'DOWNSTREAM_BROKEN') {
      label.details.replacement_tax_id = p.replacement === null ? null : firms[p.replacement]!.tax_id;
    }
    if (!match) labels.push(label);
  }
  labels.push(...nearThresholdDrops);

  labels.sort((a, b) =>
    a.start_day !== b.start_day ? (a.start_day < b.start_day ? -1 : 1)
      : a.enterprise_tax_id !== b.enterprise_tax_id ? (a.enterprise_tax_id < b.enterprise_tax_id ? -1 : 1)
        : a.type !== b.type ? (a.type < b.type ? -1 : 1)
          : (a.partner_tax_id ?? '').localeCompare(b.partner_tax_id ?? ''),
  );

  return {
    version: 1,
    seed: input.seed,
    firms: firms.length,
    from: dayToIso(from),
    to: dayToIso(to),
    delivery: input.delivery,
    thresholds: {
      regular_share: REGULAR_SHARE,
      drop_level: DROP_LEVEL,
      drop_window_working_days: DROP_WINDOW,
      silence_working_days: SILENCE_WORKING_DAYS,
      link_min_working_days: LINK_MIN_WORKING_DAYS,
    },
    labels,
    non_disruptions: nonDisruptions(input),
    notes: plan.notes,
  };
}

/** The label of a firm-level primary (SILENCE, VOID_SPIKE) or a primary the derivation could not see. */
function primaryLabel(p: PrimaryDisruption, input: TruthInput, iso: (d: DayNumber | null) => string | null): TruthLabel | null {
  const { calendar, network, to } = input;
  const lag = p.type === 'SILENCE' ? SILENCE_WORKING_DAYS : p.type === 'VOID_SPIKE' ? VOID_SPIKE_WORKING_DAYS : LINK_MIN_WORKING_DAYS;
  const observable = calendar.addWorkingDays(p.start, lag);
  if (observable > to || p.type === 'MIGRATION') return null;
  const firm = network.firms[p.firm]!;
  return {
    type: p.type,
    enterprise_tax_id: firm.tax_id,
    enterprise_name: firm.name,
    partner_tax_id: p.partner === null ? null : network.firms[p.partner]!.tax_id,
    start_day: dayToIso(p.start),
    end_day: iso(p.until),
    observable_from: dayToIso(observable),
    implied: false,
    cause: 'INJECTED',
    details: p.factor === null ? {} : { expected_level: p.factor },
  };
}

function nonDisruptions(input: TruthInput): NonDisruption[] {
  const { network, plan, calendar, from, to } = input;
  const out: NonDisruption[] = [];
  for (const p of plan.primaries) {
    if (p.type !== 'MIGRATION' || p.to_district_code === null) continue;
    const firm = network.firms[p.firm]!;
    out.push({ kind: 'MIGRATION', enterprise_tax_id: firm.tax_id, start_day: dayToIso(p.start), from_district_code: firm.district_code, to_district_code: p.to_district_code });
  }
  for (const l of network.links) {
    if (l.pattern !== 'SPORADIC') continue;
    out.push({ kind: 'SPORADIC_LINK', enterprise_tax_id: network.firms[l.buyer]!.tax_id, partner_tax_id: network.firms[l.seller]!.tax_id, role: 'BUYER' });
  }
  let runStart: DayNumber | null = null;
  for (let d = from; d <= to + 1; d++) {
    const closed = d <= to && !calendar.isWorkingDay(d);
    if (closed && runStart === null) runStart = d;
    if (!closed && runStart !== null) {
      if (d - runStart >= 3) {
        out.push({ kind: 'CLOSURE', start_day: dayToIso(runStart), end_day: dayToIso(d - 1), reason: closureReasons(calendar, runStart, d) });
      }
      runStart = null;
    }
  }
  return out;
}

function closureReasons(calendar: WorkingCalendar, from: DayNumber, until: DayNumber): string {
  const reasons: string[] = [];
  for (let d = from; d < until; d++) {
    const r = calendar.closureReason(d);
    if (r !== null && !reasons.includes(r)) reasons.push(r);
  }
  return reasons.join('; ') || 'weekend';
}

function firstWorkingOnOrAfter(calendar: WorkingCalendar, day: DayNumber): DayNumber {
  let d = day;
  for (let i = 0; i < 60 && !calendar.isWorkingDay(d); i++) d++;
  return d;
}

/** Sorts and merges overlapping or touching intervals. */
export function mergeIntervals(intervals: readonly DayInterval[]): DayInterval[] {
  const sorted = [...intervals].sort((a, b) => a.from - b.from);
  const out: DayInterval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && (last.until === null || i.from <= last.until)) {
      last.until = last.until === null || i.until === null ? null : Math.max(last.until, i.until);
    } else out.push({ from: i.from, until: i.until });
  }
  return out;
}

