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
 * A VOID_SPIKE needs a firm that issues at least this many invoices over the spike's 10 working days: with
 * about half of them cancelled that is 6 cancellations, a run no routine correction rate explains. A firm
 * issuing five invoices a fortnight cannot show a spike anyone could tell from two routine corrections.
 */
const MIN_SPIKE_INVOICES = 12;

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
  const regularIn = (f: number): TradeLink[] => network.incoming[f]!.map((i) => links[i]!).filter((l) => l.pattern === 'REGULAR');
  const regularOut = (f: number): TradeLink[] => network.outgoing[f]!.map((i) => links[i]!).filter((l) => l.pattern === 'REGULAR');
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
    const factor = round2(prng.range(0.2, 0.35));
    const until = addWd(start, prng.int(20, 25));
    for (const i of network.outgoing[firm]!) scale(i, start, until, factor);
    push({ type: 'SALES_DROP', firm, partner: null, start, until, factor });
    return true;
  });

  place('PURCHASE_DROP', 15, false, (start) => {
    const firm = pickTarget((f) => regularIn(f).length >= 2);
    if (firm === null) return false;
    const factor = round2(prng.range(0.2, 0.35));
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
    const replacementFor = (main: TradeLink): TradeLink | undefined =>
      regularIn(main.buyer).find((l) => l !== main && l.seller !== main.seller && l.goods.some((g) => main.goods.some((m) => m.key === g.key)));
    const mainOf = (f: number): TradeLink | undefined => regularIn(f).find((l) => l.main_supplier && l.buyer_share >= 0.1);
    const firm = pickTarget(
      (f) => {
        const main = mainOf(f);
        return main !== undefined && replacementFor(main) !== undefined;
      },
      // Cross-district chains are the story: the lost supplier usually sits in another district.
      (f) => (firms[mainOf(f)!.seller]!.district === firms[f]!.district ? 1 : 2),
    );
    if (firm === null) return false;
    const main = mainOf(firm)!;
    const replacement = replacementFor(main)!;
    const until = prng.chance(0.25) ? addWd(start, prng.int(30, 45)) : null;
    stop(main.index, start, until);
    scale(replacement.index, start, until, 1 + main.daily_flow_fen / replacement.daily_flow_fen);
    push({ type: 'UPSTREAM_BROKEN', firm, partner: main.seller, start, until, replacement: replacement.seller });
    return true;
  });

  place('DOWNSTREAM_BROKEN', 18, true, (start) => {
    const firm = pickTarget((f) => regularOut(f).some((l) => l.seller_share >= 0.1));
    if (firm === null) return false;
    const lost = prng.pick(regularOut(firm).filter((l) => l.seller_share >= 0.1));
    const until = prng.chance(0.25) ? addWd(start, prng.int(30, 45)) : null;
    stop(lost.index, start, until);
    // The buyer went to a competitor it already knew, if it had one for these goods.
    const competitor = regularIn(lost.buyer).find((l) => l !== lost && l.goods.some((g) => lost.goods.some((m) => m.key === g.key)));
    if (competitor) scale(competitor.index, start, until, 1 + lost.daily_flow_fen / competitor.daily_flow_fen);
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
