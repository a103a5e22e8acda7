import { describe, expect, it } from 'vitest';
import { createWorkingCalendar } from '../../src/calendar/chineseWorkingCalendar.ts';
import { loadClosures } from '../../src/calendar/loadClosures.ts';
import { isoToDay } from '../../src/calendar/workingCalendar.ts';
import { buildActivityProfile } from '../../src/simulate/activityProfile.ts';
import {
  BASELINE_WORKING_DAYS,
  defaultDisruptionCounts,
  invoicesPerWorkingDay,
  MAX_DROP_LEVEL,
  MIN_BREAK_SHARE,
  planDisruptions,
  type DayInterval,
} from '../../src/simulate/disruptionPlan.ts';
import { generateFirms } from '../../src/simulate/firmRegistry.ts';
import { createPrng } from '../../src/simulate/prng.ts';
import { buildTradeNetwork } from '../../src/simulate/tradeNetwork.ts';

const calendar = createWorkingCalendar({ closures: loadClosures() });
const from = isoToDay('2020-01-02');
const to = isoToDay('2020-12-31');

/** The plan createScenario makes for a full-year 2020 scenario (300 firms unless asked) and a seed, without generating invoices. */
function evalPlan(seed: number, firmCount = 300) {
  const prng = createPrng(seed);
  const firms = generateFirms(prng.fork(1), firmCount);
  const network = buildTradeNetwork(prng.fork(2), firms);
  const profile = buildActivityProfile(calendar, from, to);
  const plan = planDisruptions({ prng: prng.fork(3), network, calendar, profile }, defaultDisruptionCounts(firmCount, from, to));
  return { network, plan, profile };
}

describe('disruption plan: injected link breaks', () => {
  // Seed 271828 once broke the link to a supplier just back from its own injected SILENCE: no beat, no detectable break.
  it.each([271828, 7, 2020, 5150])('breaks only links untouched over the baseline before the break (seed %i)', (seed) => {
    const { network, plan } = evalPlan(seed);
    const breaks = plan.primaries.filter((p) => p.type === 'UPSTREAM_BROKEN' || p.type === 'DOWNSTREAM_BROKEN');
    expect(breaks.length).toBeGreaterThan(0);
    for (const p of breaks) {
      const [seller, buyer] = p.type === 'UPSTREAM_BROKEN' ? [p.partner!, p.firm] : [p.firm, p.partner!];
      const link = network.links.find((l) => l.seller === seller && l.buyer === buyer && l.pattern === 'REGULAR')!;
      expect(link).toBeDefined();
      // Clearly above the 10 % regular-partner line, which the detector measures on sampled invoices.
      expect(p.type === 'UPSTREAM_BROKEN' ? link.buyer_share : link.seller_share).toBeGreaterThanOrEqual(MIN_BREAK_SHARE);
      const lo = calendar.addWorkingDays(p.start, -BASELINE_WORKING_DAYS);
      const before = (i: DayInterval): boolean => i.from < p.start && (i.until === null || i.until > lo);
      const own = plan.link_effects[link.index]!.filter((e) => !(e.kind === 'STOP' && e.from === p.start));
      expect(own.filter(before), `link ${seller}->${buyer} effects before ${p.start}`).toEqual([]);
      expect(plan.silences[seller]!.filter(before), `silence of seller ${seller}`).toEqual([]);
      expect(plan.silences[buyer]!.filter(before), `silence of buyer ${buyer}`).toEqual([]);
      expect(plan.void_spikes[seller]!.filter(before), `void spike of seller ${seller}`).toEqual([]);
    }
  });
});

describe('disruption plan: only established links break', () => {
  // Seed 2020 at 600 firms once broke a 7-day link on 4 March, after 4 invoices since 2 January: no regular partner
  // yet (the detector wants 6 invoice days over 25 working days), so no break anyone could see.
  it.each([[2020, 600], [7, 600], [2020, 300]])('breaks a link only after 7 of its beats and 25 working days plus one (seed %i, %i firms)', (seed, firmCount) => {
    const { network, plan, profile } = evalPlan(seed, firmCount);
    const breaks = plan.primaries.filter((p) => p.type === 'UPSTREAM_BROKEN' || p.type === 'DOWNSTREAM_BROKEN');
    expect(breaks.length).toBe(2 * Math.round(firmCount / 25));
    for (const p of breaks) {
      const [seller, buyer] = p.type === 'UPSTREAM_BROKEN' ? [p.partner!, p.firm] : [p.firm, p.partner!];
      const link = network.links.find((l) => l.seller === seller && l.buyer === buyer && l.pattern === 'REGULAR')!;
      const history = profile.working_days.indexOf(p.start);
      expect(history, `${p.type} of firm ${p.firm}, gap ${link.gap}`).toBeGreaterThanOrEqual(Math.max(7 * link.gap, 25 + link.gap));
    }
  });
});

describe('disruption plan: injected drops', () => {
  // Seed 11 once made a SALES_DROP firm the competitor a lost buyer went to: a ×4.7 boost hid the injected drop.
  // (A PURCHASE_DROP firm may be the buyer that moved to a competitor: that boost only replaces the stopped flow.)
  it.each([11, 7, 2020, 5150])('never boosts the sales of a firm whose sales drop is injected (seed %i)', (seed) => {
    const { network, plan } = evalPlan(seed);
    const drops = plan.primaries.filter((p) => p.type === 'SALES_DROP');
    expect(drops.length).toBeGreaterThan(0);
    for (const p of drops) {
      for (const i of network.outgoing[p.firm]!) {
        const boosts = plan.link_effects[i]!.filter(
          (e) => e.kind === 'SCALE' && e.factor > 1 && (e.until === null || e.until > p.start) && (p.until === null || e.from < p.until),
        );
        expect(boosts, `${p.type} of firm ${p.firm}: link ${i}`).toEqual([]);
      }
    }
  });
});

describe('disruption plan: injected changes are observable', () => {
  it.each([7, 2020])('injects drops to at most 30 %% of normal, well under the 40 %% line (seed %i)', (seed) => {
    const { plan } = evalPlan(seed);
    const levels = plan.primaries.filter((p) => p.type === 'SALES_DROP' || p.type === 'PURCHASE_DROP').map((p) => p.factor!);
    expect(levels.length).toBe(24);
    expect(Math.max(...levels)).toBeLessThanOrEqual(MAX_DROP_LEVEL);
    expect(MAX_DROP_LEVEL).toBeLessThanOrEqual(0.3);
  });

  it.each([7, 2020])('spikes the voids of firms issuing at least 20 invoices a fortnight (seed %i)', (seed) => {
    const { network, plan } = evalPlan(seed);
    const spikes = plan.primaries.filter((p) => p.type === 'VOID_SPIKE');
    expect(spikes.length).toBe(12);
    for (const p of spikes) expect(invoicesPerWorkingDay(network, p.firm) * 10).toBeGreaterThanOrEqual(20);
  });
});

describe('disruption plan: firms that take over a lost flow', () => {
  // Seed 4242 once broke a link of the competitor an earlier lost buyer went to: its sales had grown ×25, the
  // link planned at 21 % of them carried 6 %, under the regular-partner line.
  it.each([4242, 7, 2020])('places no later disruption on a replacement supplier or competitor (seed %i)', (seed) => {
    const { plan } = evalPlan(seed);
    const takers = new Set(plan.primaries.map((p) => p.replacement).filter((r): r is number => r !== null));
    expect(takers.size).toBeGreaterThan(0);
    for (const p of plan.primaries) expect(takers.has(p.firm), `${p.type} of firm ${p.firm}`).toBe(false);
  });
});

