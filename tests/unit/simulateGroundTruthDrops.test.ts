import { describe, expect, it } from 'vitest';
import { createWorkingCalendar } from '../../src/calendar/chineseWorkingCalendar.ts';
import { loadClosures } from '../../src/calendar/loadClosures.ts';
import { dayToIso, isoToDay } from '../../src/calendar/workingCalendar.ts';
import { invoicesPerWorkingDay, PLANNED_DISRUPTION_TYPES, type DisruptionCounts, type PlannedDisruptionType } from '../../src/simulate/disruptionPlan.ts';
import { generateFirms } from '../../src/simulate/firmRegistry.ts';
import { expectedDrops } from '../../src/simulate/expectedDrops.ts';
import { createPrng } from '../../src/simulate/prng.ts';
import { presetOptions } from '../../src/simulate/scenarioPresets.ts';
import { createScenario, simulateScenario, type ScenarioResult } from '../../src/simulate/simulateScenario.ts';
import { buildTradeNetwork } from '../../src/simulate/tradeNetwork.ts';

/** `days` working days at `level`, then the rest. */
function flow(...parts: [number, number][]): number[] {
  return parts.flatMap(([days, level]) => new Array<number>(days).fill(level));
}

describe('drop labels follow DESIGN.md on the expected flow', () => {
  it('labels a flow collapsing to 25 % from the first collapsed day, knowable on its 9th day', () => {
    const drops = expectedDrops(flow([80, 100], [30, 25], [40, 100]));
    expect(drops).toHaveLength(1);
    expect(drops[0]).toMatchObject({ start: 80, observable: 88, end: 110, level: 0.25 });
  });

  it('knows a flow that stops on its 7th silent day', () => {
    expect(expectedDrops(flow([80, 100], [20, 0], [20, 100]))[0]).toMatchObject({ start: 80, observable: 86, end: 100 });
  });

  it('does not label a fall to 50 %', () => {
    expect(expectedDrops(flow([80, 100], [60, 50]))).toEqual([]);
  });

  it('finds a fall to 50 % at the near-threshold level implied labels use, ending when the flow is back', () => {
    const drops = expectedDrops(flow([80, 100], [30, 50], [40, 100]), 0.6);
    expect(drops).toHaveLength(1);
    expect(drops[0]).toMatchObject({ start: 80, end: 110, level: 0.5 });
  });

  it('labels the end of a long boost as a drop against the boosted baseline, until the baseline absorbs it', () => {
    // A firm at 100 takes over a lost buyer's orders (×4) for 60 working days, then the buyer goes back.
    const drops = expectedDrops(flow([60, 100], [60, 400], [80, 100]));
    expect(drops).toHaveLength(1);
    const drop = drops[0]!;
    expect(drop.start).toBe(120);
    expect(drop.observable).toBeGreaterThan(120);
    expect(drop.observable).toBeLessThan(130);
    // Back to its old level for good: the episode ends once the 60-day median has come down to it.
    expect(drop.end).not.toBeNull();
    expect(drop.end!).toBeGreaterThan(140);
    expect(drop.end!).toBeLessThanOrEqual(200);
  });

  it('judges a flow only once 30 working days of history precede the window', () => {
    // Stops on day 15; the window ending on day 39 is the first with 30 days before it.
    const drops = expectedDrops(flow([15, 100], [45, 0]));
    expect(drops.map((d) => [d.start, d.observable])).toEqual([[15, 39]]);
  });

  it('labels a second collapse after a recovery, but not the tail of the first', () => {
    const drops = expectedDrops(flow([80, 100], [20, 0], [30, 100], [20, 0], [20, 100]));
    expect(drops.map((d) => [d.start, d.observable, d.end])).toEqual([
      [80, 86, 100],
      [130, 136, 150],
    ]);
  });
});

describe('simulated flows match the plan the labels are derived from', () => {
  const calendar = createWorkingCalendar({ closures: loadClosures() });
  const SEED = 5;
  const FIRMS = 120;
  // A type left out of the options gets its default count, so every type is set and only the test's own are non-zero.
  const NO_DISRUPTIONS = Object.fromEntries(PLANNED_DISRUPTION_TYPES.map((type) => [type, 0])) as Record<PlannedDisruptionType, number>;

  /** Jan–Sep 2020 with only `disruptions` planned and every event delivered once and on time, so the events show the plan alone. */
  function simulateOnly(disruptions: DisruptionCounts): ScenarioResult {
    return simulateScenario({
      seed: SEED,
      firms: FIRMS,
      from: isoToDay('2020-01-02'),
      to: isoToDay('2020-09-30'),
      calendar,
      disruptions: { ...NO_DISRUPTIONS, ...disruptions },
      duplicateRate: 0,
      lateRate: 0,
    });
  }

  it('prices every link so that its smallest invoice line holds many units', () => {
    const prng = createPrng(11);
    const firms = generateFirms(prng.fork(1), 300);
    const network = buildTradeNetwork(prng.fork(2), firms);
    for (const l of network.links) {
      const occasion = l.pattern === 'REGULAR' ? l.daily_flow_fen * l.gap : l.daily_flow_fen / l.daily_probability;
      const smallestLine = (occasion / l.invoices_per_occasion) * (l.goods.length > 1 ? 0.3 : 1);
      // (A sporadic link stores its daily flow rounded, so its occasion is recomputed to within a fen or two.)
      for (const price of l.unit_price_fen) expect(price).toBeLessThanOrEqual(Math.max(1, Math.round(smallestLine / 20)) * 1.001 + 1);
    }
  });

  it('places void spikes only on firms issuing enough invoices, and voids close to 30 % of their spike invoices', () => {
    const result = simulateOnly({ VOID_SPIKE: 4 });
    const spikes = result.truth.labels.filter((l) => l.type === 'VOID_SPIKE' && !l.implied);
    expect(spikes.length).toBeGreaterThanOrEqual(2);
    const prng = createPrng(SEED);
    const network = buildTradeNetwork(prng.fork(2), generateFirms(prng.fork(1), FIRMS));
    for (const label of spikes) {
      const firm = network.firms.find((f) => f.tax_id === label.enterprise_tax_id)!;
      expect(invoicesPerWorkingDay(network, firm.index) * 10).toBeGreaterThanOrEqual(12);
      const all = Object.values(result.events).flat();
      const inSpike = (issuedAt: string): boolean => issuedAt.slice(0, 10) >= label.start_day && (label.end_day === null || issuedAt.slice(0, 10) < label.end_day);
      const issued = all.filter((e) => e.event_type === 'ISSUED' && e.seller.tax_id === firm.tax_id && inSpike(e.issued_at));
      const voidedNos = new Set(all.filter((e) => e.event_type === 'VOIDED' && e.seller.tax_id === firm.tax_id).map((e) => e.original_invoice_no));
      const voided = issued.filter((e) => voidedNos.has(e.invoice_no)).length;
      expect(Math.abs(voided - 0.3 * issued.length)).toBeLessThanOrEqual(1);
    }
  });

  it('dates each broken-link label from the last invoice the link issued before it stopped', () => {
    const result = simulateOnly({ SILENCE: 2, UPSTREAM_BROKEN: 3, DOWNSTREAM_BROKEN: 3 });
    const issued = Object.values(result.events).flat().filter((e) => e.event_type === 'ISSUED');
    const links = result.truth.labels.filter((l) => l.type === 'UPSTREAM_BROKEN' || l.type === 'DOWNSTREAM_BROKEN');
    expect(links.length).toBeGreaterThanOrEqual(6);
    let laterThanTheStop = 0;
    for (const label of links) {
      const [seller, buyer] = label.type === 'UPSTREAM_BROKEN' ? [label.partner_tax_id, label.enterprise_tax_id] : [label.enterprise_tax_id, label.partner_tax_id];
      const days = issued
        .filter((e) => e.seller.tax_id === seller && e.buyer.tax_id === buyer && e.issued_at.slice(0, 10) < label.start_day)
        .map((e) => isoToDay(e.issued_at.slice(0, 10)));
      const last = Math.max(...days);
      const breakLength = Math.max(2 * label.details.usual_gap_working_days!, 10);
      // The detector fires when the link has been silent for the break length since that invoice.
      expect(label.observable_from).toBe(dayToIso(calendar.addWorkingDays(last, breakLength + 1)));
      if (isoToDay(label.observable_from) < calendar.addWorkingDays(isoToDay(label.start_day), breakLength)) laterThanTheStop++;
    }
    // Most links invoice every few days, so their silence mostly starts before the stop itself.
    expect(laterThanTheStop).toBeGreaterThan(0);
  });
});

describe('implied drops of a VOID_SPIKE seller\'s main buyers', () => {
  // Seed 424243 at 600 firms: a buyer getting 81 % of its inputs from a seller in a VOID_SPIKE. At the spike's mean
  // net flow (57 %) it keeps 65 % of its purchases, above the implied-drop line; but in the spike's second week the
  // seller voided or red-lettered most invoices in full, the buyer's netted purchases sat at a third of its baseline,
  // and the detector's PURCHASE_DROP was scored a false positive.
  const calendar = createWorkingCalendar({ closures: loadClosures() });
  const truth = createScenario(presetOptions('eval', calendar, { seed: 424243 })).truth;

  it('labels the purchase drop of a buyer that depends on the spiking seller, as implied by the spike', () => {
    const drops = truth.labels.filter((l) => l.type === 'PURCHASE_DROP' && l.enterprise_tax_id === '91320509744005912T');
    expect(drops.map((l) => [l.start_day, l.implied, l.cause])).toEqual([['2020-06-11', true, 'VOID_SPIKE of 91320509364171249E']]);
  });
});
