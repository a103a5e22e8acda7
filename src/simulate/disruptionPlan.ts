import type { DayNumber, WorkingCalendar } from '../calendar/workingCalendar.ts';
import { DISTRICT_CODES, DISTRICTS } from '../domain/district.ts';
import { DISRUPTION_TYPES, type DisruptionType } from '../domain/signal.ts';
import type { ActivityProfile } from './activityProfile.ts';
import type { Prng } from './prng.ts';
import type { TradeLink, TradeNetwork } from './tradeNetwork.ts';

/** What the simulator can inject: the disruption types, plus MIGRATION, a change that is not a disruption. */
export type PlannedDisruptionType = DisruptionType | 'MIGRATION';
export const PLANNED_DISRUPTION_TYPES: readonly PlannedDisruptionType[] = [...DISRUPTION_TYPES, 'MIGRATION'];
export type DisruptionCounts = Partial<Record<PlannedDisruptionType, number>>;

/** A span of days; `until` is exclusive (the first day back to normal), null = to the end of the scenario. */
export interface DayInterval {
  from: DayNumber;
  until: DayNumber | null;
}

export type LinkEffect = (DayInterval & { kind: 'STOP' }) | (DayInterval & { kind: 'SCALE'; factor: number });

/** One injected change, as planned (firm and link indices into the trade network). */
export interface PrimaryDisruption {
  type: PlannedDisruptionType;
  firm: number;
  /** The partner firm for link types (the main supplier, the lost buyer). */
  partner: number | null;
  start: DayNumber;
  until: DayNumber | null;
  /** Level of the collapsed flow relative to normal (drops). */
  factor: number | null;
  /** The existing supplier that takes over (UPSTREAM_BROKEN), or the buyer's new supplier (DOWNSTREAM_BROKEN). */
  replacement: number | null;
  /** MIGRATION: the division code of the new district. */
  to_district_code: string | null;
}

export interface DisruptionPlan {
  primaries: PrimaryDisruption[];
  /** Per link index: the stops and scalings that apply to it. */
  link_effects: LinkEffect[][];
  /** Per firm: days it issues nothing at all (SILENCE). */
  silences: DayInterval[][];
  /** Per firm: days its voided and red-letter share spikes. */
  void_spikes: DayInterval[][];
  /** Per firm: the day its registration moves and the new division code. */
  migrations: ({ day: DayNumber; district_code: string } | null)[];
  /** Why fewer disruptions than asked were placed, if so. */
  notes: string[];
}

/**
 * A VOID_SPIKE needs a firm that issues at least this many invoices over the spike's 10 working days: a spike
 * cancels about 40 % of them (SPIKE_VOID_RATE voids plus SPIKE_RED_LETTER_RATE red-letter invoices per
 * occasion), so 20 invoices give about 8 cancellations, 5 of them by the label's observable day (start + 5).
 * With 12 invoices a spike showed 4 or 5 cancellations in all, as many as routine corrections (1.5 % voided
 * without reissue 15 % of the time, 0.8 % red-letter per occasion) pile up by chance in one fortnight of a small
 * firm in every few thousand: such a label is no observable spike, and no detector can tell it from chance.
 */
const MIN_SPIKE_INVOICES = 20;

/** Expected sales invoices a firm issues per working day, over all its outgoing links. */
export function invoicesPerWorkingDay(network: TradeNetwork, firm: number): number {
  let total = 0;
  for (const i of network.outgoing[firm]!) {
    const l = network.links[i]!;
    total += l.invoices_per_occasion * (l.pattern === 'REGULAR' ? (l.gap === 1 ? l.daily_probability : 1 / l.gap) : l.daily_probability);
  }
  return total;
}

/**
 * During a VOID_SPIKE: share of invoices voided, and red-letter corrections per
 * invoice; (0.3 + 0.2) / 1.2 ≈ 42 % of the output events are cancellations.
 */
export const SPIKE_VOID_RATE = 0.3;
export const SPIKE_RED_LETTER_RATE = 0.2;
/**
 * The net flow of a link whose seller is in a VOID_SPIKE, relative to normal: 30 % of its invoices are voided
 * (never reissued) and a red-letter invoice per five invoices takes back on average about two thirds of one (half
 * of them in full, half 20–80 % of the first line), so about 1 − 0.3 − 0.2 × 0.65 ≈ 57 % of the flow is left —
 * above the 40 % drop line, but near enough that the seller's sales and its buyers' purchases can dip below it.
 */
export const SPIKE_NET_FLOW_SHARE = 1 - SPIKE_VOID_RATE - SPIKE_RED_LETTER_RATE * 0.65;
/**
 * … and what it can leave in an unlucky fortnight. Each invoice is cancelled or not on its own, so over the ten
 * or so invoices of a 10-day window the cancelled share scatters by about 0.15 around its mean: two standard
 * deviations down, a spiking seller's links carry 0.3 of their flow. A buyer that gets 81 % of its inputs from such
 * a seller then sits at a third of its baseline (seed 424243 at 600 firms: full red-letter and void of most
 * invoices in a week), and a detector reporting its PURCHASE_DROP is right: the implied drop labels use this share.
 */
export const SPIKE_NET_FLOW_UNLUCKY_SHARE = 0.3;

/**
 * Injected SALES_DROP / PURCHASE_DROP levels, relative to normal. The drop line is 40 % of the baseline, and a
 * 10-day sum of lumpy invoices (amounts ±35 %, a main partner invoicing every few days) scatters by a quarter
 * around its expected level: a collapse to 34 % sits in a window above the line as often as below it, which is a
 * flow that is thinner, not one that collapsed. At most 30 % the drop is visible in nearly every window.
 * Near-threshold consequences stay labelled as implied drops (groundTruth.ts IMPLIED_DROP_LEVEL).
 */
export const MIN_DROP_LEVEL = 0.15;
export const MAX_DROP_LEVEL = 0.3;

/**
 * An injected link break takes a partner with at least this planned share of the firm's purchases (sales). The
 * regular-partner line is 10 %, measured on sampled invoices over the 60 working days before the break, which
 * scatter a point or two around the plan (and the weeks before the 2020 shutdown weigh other partners
 * differently): a link planned at 11 % is seen at 9.8 % as often as at 10.5 %, so its break is not clearly
 * observable. Implied link labels keep the lower IMPLIED_SHARE of groundTruth.ts for precision.
 */
export const MIN_BREAK_SHARE = 0.15;

/**
 * A link is only broken once it is an established regular partner. The detector, like a tax steward, calls a
 * partner regular from 6 invoice days spanning 25 working days (detectorConfig linkMinInvoiceDays,
 * linkMinSpanDays): DESIGN.md's "recurring". An early break (soon after the 2020 resumption, about 31 working
 * days into the year) of a link with a 7-day beat came after 4 invoices (seed 2020 at 600 firms): no regular
 * partner yet, so no break a detector could see. A break needs MIN_BEATS_BEFORE_BREAK beats of history (its phase
 * can cost one) and MIN_SPAN_BEFORE_BREAK working days plus a beat.
 */
const MIN_BEATS_BEFORE_BREAK = 7;
const MIN_SPAN_BEFORE_BREAK = 25;

/** Working days of history the 60-day baselines need before a disruption can be measured. */
export const BASELINE_WORKING_DAYS = 70;
/** Share of link breaks and silences placed soon after the 2020 resumption (the story's early cases). */
const EARLY_SHARE = 0.2;

/**
 * Defaults: about 12 of each type for 300 firms over a year, scaled by firms
 * and length, never fewer than 2 — enough for precision/recall statistics.
 */
export function defaultDisruptionCounts(firms: number, from: DayNumber, to: DayNumber): Record<PlannedDisruptionType, number> {
  const n = Math.max(2, Math.round((12 * firms * (to - from + 1)) / (300 * 365)));
  return Object.fromEntries(PLANNED_DISRUPTION_TYPES.map((t) => [t, n])) as Record<PlannedDisruptionType, number>;
}

interface PlanContext {
  prng: Prng;
  network: TradeNetwork;
  calendar: WorkingCalendar;
  profile: ActivityProfile;
}

/**
 * Places the injected disruptions. Each primary has its own enterprise;
 * starts are spread evenly over the window where they can be observed —
 * after BASELINE_WORKING_DAYS of history, except a few link breaks and
 * silences right after the resumption — and end early enough to be
 * observable before the scenario ends.
 */
export function planDisruptions(ctx: PlanContext, counts: Record<PlannedDisruptionType, number>): DisruptionPlan {
  const { prng, network, calendar, profile } = ctx;
  const { firms, links } = network;
  const plan: DisruptionPlan = {
    primaries: [],
    link_effects: links.map(() => []),
    silences: firms.map(() => []),
    void_spikes: firms.map(() => []),
    migrations: firms.map(() => null),
    notes: [],
  };
  const used = new Set<number>();
  const W = profile.working_days;
  const resumptionIndex = profile.resumption === null ? 0 : Math.max(0, W.indexOf(profile.resumption));
  const earlyLo = Math.min(W.length - 1, resumptionIndex + 15);
  const lateLo = Math.max(earlyLo, Math.min(BASELINE_WORKING_DAYS, W.length - 1));
  const addWd = (day: DayNumber, n: number): DayNumber => calendar.addWorkingDays(day, n);
  // Built once: every placement asks each zone firm for its regular links (planning a 14,000-firm year took 24 s, now 6).
  const regularOf = (ids: readonly number[]): TradeLink[] => ids.map((i) => links[i]!).filter((l) => l.pattern === 'REGULAR');
  const regularIns = network.incoming.map(regularOf);
  const regularOuts = network.outgoing.map(regularOf);
  const regularIn = (f: number): readonly TradeLink[] => regularIns[f]!;
  const regularOut = (f: number): readonly TradeLink[] => regularOuts[f]!;
  const workingIndex = new Map(W.map((day, i) => [day, i]));
  const zone = firms.filter((f) => f.district !== null).map((f) => f.index);

  const pickTarget = (eligible: (f: number) => boolean, weight: (f: number) => number = () => 1): number | null => {
    const candidates = zone.filter((f) => !used.has(f) && eligible(f));
    if (candidates.length === 0) return null;
    const chosen = candidates[prng.weightedIndex(candidates.map(weight))]!;
    used.add(chosen);
    return chosen;
  };
  /** Evenly spread start days for `count` disruptions needing `tail` working days after the start. */
  const starts = (count: number, tail: number, early: boolean): DayNumber[] => {
    const hi = W.length - 1 - tail;
    const earlyCount = early && earlyLo < lateLo ? Math.floor(count * EARLY_SHARE) : 0;
    const out: DayNumber[] = [];
    const spread = (n: number, lo: number, top: number): void => {
      if (n <= 0 || top < lo) return;
      for (let i = 0; i < n; i++) out.push(W[lo + Math.floor(((i + prng.next()) * (top - lo + 1)) / n)]!);
    };
    spread(earlyCount, earlyLo, Math.min(lateLo - 1, hi));
    spread(count - earlyCount, lateLo, hi);
    return out;
  };
  const stop = (link: number, from: DayNumber, until: DayNumber | null): void => {
    plan.link_effects[link]!.push({ kind: 'STOP', from, until });
  };
  const scale = (link: number, from: DayNumber, until: DayNumber | null, factor: number): void => {
    plan.link_effects[link]!.push({ kind: 'SCALE', from, until, factor });
  };
  const push = (p: Omit<PrimaryDisruption, 'factor' | 'replacement' | 'to_district_code'> & Partial<PrimaryDisruption>): void => {
    plan.primaries.push({ factor: null, replacement: null, to_district_code: null, ...p });
  };
  /**
   * Whether a link is untouched over the baseline before `start`: no stop or scaling of its own, its seller
   * neither silent nor cancelling orders, its buyer not silent. A break is only a break of a regular link
   * (DESIGN.md section 4); a supplier just back from its own silence, or one whose flow to the firm was cut,
   * has no beat a detector could see break, so breaking that link would label the undetectable.
   */
  // One placement asks this of every zone firm with the same start: the baseline's first day is worked out once.
  let baselineFrom = { start: Number.NaN, lo: Number.NaN };
  const quietBefore = (link: TradeLink, start: DayNumber): boolean => {
    if (baselineFrom.start !== start) baselineFrom = { start, lo: addWd(start, -BASELINE_WORKING_DAYS) };
    const lo = baselineFrom.lo;
    return (
      !touchesAny(plan.link_effects[link.index]!, start, lo) &&
      !touchesAny(plan.silences[link.seller]!, start, lo) &&
      !touchesAny(plan.silences[link.buyer]!, start, lo) &&
      !touchesAny(plan.void_spikes[link.seller]!, start, lo)
    );
  };
  /** Whether the link has invoiced long enough before `start` to be a regular partner (MIN_BEATS_BEFORE_BREAK). */
  const establishedBefore = (link: TradeLink, start: DayNumber): boolean =>
    (workingIndex.get(start) ?? -1) >= Math.max(MIN_BEATS_BEFORE_BREAK * link.gap, MIN_SPAN_BEFORE_BREAK + link.gap);
  const place = (type: PlannedDisruptionType, tail: number, early: boolean, one: (start: DayNumber) => boolean): void => {
    const wanted = counts[type];
    const days = starts(wanted, tail, early);
    let placed = 0;
    for (const day of days) if (one(day)) placed++;
    if (placed < wanted) plan.notes.push(`${type}: placed ${placed} of ${wanted} (too few eligible firms or too short a scenario)`);
  };

  place('SALES_DROP', 15, false, (start) => {
    const firm = pickTarget(
      (f) => regularOut(f).length >= 2,
      // The 2020 story: exporters (a hardware and zipper maker above all) lost overseas orders.
      (f) => (firms[f]!.sells.some((g) => g.key === 'zipper') ? 6 : firms[f]!.industry.exporter ? 3 : 1),
    );
    if (firm === null) return false;
    const factor = round2(prng.range(MIN_DROP_LEVEL, MAX_DROP_LEVEL));
    const until = addWd(start, prng.int(20, 25));
    for (const i of network.outgoing[firm]!) scale(i, start, until, factor);
    push({ type: 'SALES_DROP', firm, partner: null, start, until, factor });
    return true;
  });

  place('PURCHASE_DROP', 15, false, (start) => {
    const firm = pickTarget((f) => regularIn(f).length >= 2);
    if (firm === null) return false;
    const factor = round2(prng.range(MIN_DROP_LEVEL, MAX_DROP_LEVEL));
    const until = addWd(start, prng.int(20, 25));
    for (const i of network.incoming[firm]!) scale(i, start, until, factor);
    push({ type: 'PURCHASE_DROP', firm, partner: null, start, until, factor });
    return true;
  });

  place('SILENCE', 12, true, (start) => {
    const firm = pickTarget((f) => network.invoicing_day_share[f]! >= 0.85 && regularOut(f).length >= 2);
    if (firm === null) return false;
    const until = prng.chance(0.7) ? addWd(start, prng.int(15, 30)) : null;
    for (const i of [...network.incoming[firm]!, ...network.outgoing[firm]!]) stop(i, start, until);
    plan.silences[firm]!.push({ from: start, until });
    push({ type: 'SILENCE', firm, partner: null, start, until });
    return true;
  });

  place('UPSTREAM_BROKEN', 18, true, (start) => {
    // The replacement's sales grow by the lost flow: never a firm with an injected disruption of its own, whose
    // drop or silence the boost would hide (its label would describe a flow that never happened).
    const replacementFor = (main: TradeLink): TradeLink | undefined =>
      regularIn(main.buyer).find(
        (l) => l !== main && l.seller !== main.seller && !used.has(l.seller) && l.goods.some((g) => main.goods.some((m) => m.key === g.key)),
      );
    const mainOf = (f: number): TradeLink | undefined => regularIn(f).find((l) => l.main_supplier && l.buyer_share >= MIN_BREAK_SHARE);
    const firm = pickTarget(
      (f) => {
        const main = mainOf(f);
        return main !== undefined && quietBefore(main, start) && establishedBefore(main, start) && replacementFor(main) !== undefined;
      },
      // Cross-district chains are the story: the lost supplier usually sits in another district.
      (f) => (firms[mainOf(f)!.seller]!.district === firms[f]!.district ? 1 : 2),
    );
    if (firm === null) return false;
    const main = mainOf(firm)!;
    const replacement = replacementFor(main)!;
    // Its flows grow for good: no later disruption of its own is placed on it (its shares are no longer the plan's).
    used.add(replacement.seller);
    const until = prng.chance(0.25) ? addWd(start, prng.int(30, 45)) : null;
    stop(main.index, start, until);
    scale(replacement.index, start, until, 1 + main.daily_flow_fen / replacement.daily_flow_fen);
    push({ type: 'UPSTREAM_BROKEN', firm, partner: main.seller, start, until, replacement: replacement.seller });
    return true;
  });

  place('DOWNSTREAM_BROKEN', 18, true, (start) => {
    const breakable = (l: TradeLink): boolean => l.seller_share >= MIN_BREAK_SHARE && quietBefore(l, start) && establishedBefore(l, start);
    const firm = pickTarget((f) => regularOut(f).some(breakable));
    if (firm === null) return false;
    const lost = prng.pick(regularOut(firm).filter(breakable));
    const until = prng.chance(0.25) ? addWd(start, prng.int(30, 45)) : null;
    stop(lost.index, start, until);
    // The buyer went to a competitor it already knew, if it had one for these goods (not one with an injected
    // disruption of its own: a boost of its sales would cancel the drop it is labelled with).
    const competitor = regularIn(lost.buyer).find(
      (l) => l !== lost && !used.has(l.seller) && l.goods.some((g) => lost.goods.some((m) => m.key === g.key)),
    );
    if (competitor) {
      scale(competitor.index, start, until, 1 + lost.daily_flow_fen / competitor.daily_flow_fen);
      // A competitor whose sales just multiplied is not a firm whose planned link shares mean anything any more.
      used.add(competitor.seller);
    }
    push({ type: 'DOWNSTREAM_BROKEN', firm, partner: lost.buyer, start, until, replacement: competitor?.seller ?? null });
    return true;
  });

  place('VOID_SPIKE', 11, false, (start) => {
    const firm = pickTarget(
      (f) => network.invoicing_day_share[f]! >= 0.6 && regularOut(f).length >= 2 && invoicesPerWorkingDay(network, f) * 10 >= MIN_SPIKE_INVOICES,
    );
    if (firm === null) return false;
    const until = addWd(start, 10);
    plan.void_spikes[firm]!.push({ from: start, until });
    push({ type: 'VOID_SPIKE', firm, partner: null, start, until });
    return true;
  });

  place('MIGRATION', 10, true, (start) => {
    const firm = pickTarget((f) => network.outgoing[f]!.length + network.incoming[f]!.length >= 2);
    if (firm === null) return false;
    const target = prng.pick(DISTRICTS.filter((d) => d !== firms[firm]!.district));
    plan.migrations[firm] = { day: start, district_code: DISTRICT_CODES[target] };
    push({ type: 'MIGRATION', firm, partner: null, start, until: null, to_district_code: DISTRICT_CODES[target] });
    return true;
  });

  return plan;
}

/** Whether any interval begins before `start` and lasts past `lo`. */
function touchesAny(intervals: readonly DayInterval[], start: DayNumber, lo: DayNumber): boolean {
  for (const i of intervals) if (i.from < start && (i.until === null || i.until > lo)) return true;
  return false;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Multiplier a link's flow gets on a day: 0 when stopped, else the product of its scalings. */
export function linkFactor(effects: readonly LinkEffect[], day: DayNumber): number {
  let factor = 1;
  for (const e of effects) {
    if (day < e.from || (e.until !== null && day >= e.until)) continue;
    if (e.kind === 'STOP') return 0;
    factor *= e.factor;
  }
  return factor;
}

export function inIntervals(intervals: readonly DayInterval[], day: DayNumber): boolean {
  for (const i of intervals) if (day >= i.from && (i.until === null || day < i.until)) return true;
  return false;
}
