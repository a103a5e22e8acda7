import { describe, expect, it } from 'vitest';
import { createWorkingCalendar } from '../../src/calendar/chineseWorkingCalendar.ts';
import { loadClosures } from '../../src/calendar/loadClosures.ts';
import { isoToDay } from '../../src/calendar/workingCalendar.ts';
import { generateFirms } from '../../src/simulate/firmRegistry.ts';
import { createPrng } from '../../src/simulate/prng.ts';
import { createScenario, simulateScenario } from '../../src/simulate/simulateScenario.ts';
import { buildTradeNetwork } from '../../src/simulate/tradeNetwork.ts';

const calendar = createWorkingCalendar({ closures: loadClosures() });

describe('simulated invoicing behaves like real invoicing', () => {
  it('reissues most routine voids (作废重开) the same day, and never a void of a VOID_SPIKE', () => {
    const result = simulateScenario({
      seed: 11, firms: 60, from: isoToDay('2020-03-02'), to: isoToDay('2020-07-31'), calendar, duplicateRate: 0,
      disruptions: { VOID_SPIKE: 3 },
    });
    const events = Object.values(result.events).flat();
    const issued = events.filter((e) => e.event_type === 'ISSUED');
    const spikes = result.truth.labels.filter((l) => l.type === 'VOID_SPIKE');
    const inSpike = (seller: string, day: string): boolean =>
      spikes.some((l) => l.enterprise_tax_id === seller && day >= l.start_day && (l.end_day === null || day < l.end_day));
    let routine = 0;
    let routineReissued = 0;
    let spikeVoids = 0;
    for (const v of events.filter((e) => e.event_type === 'VOIDED')) {
      const day = v.issued_at.slice(0, 10);
      const reissued = issued.some(
        (e) => e.invoice_no !== v.invoice_no && e.issued_at.slice(0, 10) === day && e.issued_at > v.issued_at &&
          e.seller.tax_id === v.seller.tax_id && e.buyer.tax_id === v.buyer.tax_id && e.total_amount_fen === v.total_amount_fen,
      );
      // A void belongs to the spike when the invoice it cancels was issued during the spike: a routine void of an
      // earlier invoice may land on a spike day, and a spike invoice may be voided a day or two after the spike.
      const original = issued.find((e) => e.invoice_no === v.original_invoice_no);
      if (original !== undefined && inSpike(v.seller.tax_id, original.issued_at.slice(0, 10))) {
        spikeVoids++;
        expect(reissued).toBe(false);
      } else {
        routine++;
        if (reissued) routineReissued++;
      }
    }
    expect(spikeVoids).toBeGreaterThan(10);
    expect(routine).toBeGreaterThan(30);
    // 85 % are reissued, minus the evening voids that cannot be reissued in business hours.
    expect(routineReissued / routine).toBeGreaterThan(0.6);
    expect(routineReissued / routine).toBeLessThan(0.9);
  });

  it('sizes a sporadic order by what the buyer needs, so no odd order dominates a small buyer’s purchases', () => {
    const firms = generateFirms(createPrng(5).fork(1), 200);
    const network = buildTradeNetwork(createPrng(5).fork(2), firms);
    const sporadic = network.links.filter((l) => l.pattern === 'SPORADIC');
    expect(sporadic.length).toBeGreaterThan(50);
    for (const l of sporadic) {
      const buyer = firms[l.buyer]!;
      const need = buyer.daily_sales_target_fen * buyer.industry.input_ratio;
      const occasion = l.daily_flow_fen / l.daily_probability;
      // One-off orders: at most two days of the buyer's inputs; sundry services: at most ¥20,000.
      expect(occasion).toBeLessThanOrEqual(Math.max(2 * need, 2_000_000) * 1.01 + 1);
    }
  });

  it('sizes a one-off order by what the seller really sells, so no odd customer carries a big share of its sales in lumps', () => {
    const firms = generateFirms(createPrng(5).fork(1), 200);
    const network = buildTradeNetwork(createPrng(5).fork(2), firms);
    const regularSales = firms.map(() => 0);
    for (const l of network.links) if (l.pattern === 'REGULAR') regularSales[l.seller]! += l.daily_flow_fen;
    const oneOff = network.links.filter((l) => l.pattern === 'SPORADIC' && regularSales[l.seller]! > 0 && l.daily_flow_fen / l.daily_probability > 2_000_000);
    expect(oneOff.length).toBeGreaterThan(20);
    for (const l of oneOff) expect(l.daily_flow_fen / l.daily_probability).toBeLessThanOrEqual(2 * regularSales[l.seller]! * 1.01 + 1);
  });

  it('labels the real break of a link planned a little under 10 % of a firm’s flow, but only as implied', () => {
    const truth = createScenario({ seed: 2020, firms: 300, from: isoToDay('2020-01-02'), to: isoToDay('2020-12-31'), calendar }).truth;
    const links = truth.labels.filter((l) => l.type === 'UPSTREAM_BROKEN' || l.type === 'DOWNSTREAM_BROKEN');
    expect(links.every((l) => (l.details.share_bp ?? 0) >= 750)).toBe(true);
    expect(links.filter((l) => !l.implied).every((l) => (l.details.share_bp ?? 0) >= 1000)).toBe(true);
    expect(links.some((l) => l.implied && (l.details.share_bp ?? 0) < 1000)).toBe(true);
  });
});
