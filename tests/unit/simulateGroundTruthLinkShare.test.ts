import { describe, expect, it } from 'vitest';
import { createWorkingCalendar } from '../../src/calendar/chineseWorkingCalendar.ts';
import { loadClosures } from '../../src/calendar/loadClosures.ts';
import { isoToDay } from '../../src/calendar/workingCalendar.ts';
import type { DisruptionPlan } from '../../src/simulate/disruptionPlan.ts';
import type { SimFirm } from '../../src/simulate/firmRegistry.ts';
import { deriveGroundTruth } from '../../src/simulate/groundTruth.ts';
import type { TradeLink, TradeNetwork } from '../../src/simulate/tradeNetwork.ts';

const firm = (index: number): SimFirm => ({ index, tax_id: `91310118${String(index).padStart(9, '0')}X`, name: `F${index}`, district_code: '310118' }) as unknown as SimFirm;

function link(index: number, seller: number, gap: number, dailyFlowFen: number, buyerShare: number): TradeLink {
  return {
    index, seller, buyer: 0, goods: [], unit_price_fen: [100], pattern: 'REGULAR', gap, phase: 0,
    daily_probability: gap === 1 ? 0.95 : 1 / gap, daily_flow_fen: dailyFlowFen, invoices_per_occasion: 1,
    invoice_kind: 'VAT_SPECIAL', buyer_share: buyerShare, seller_share: 0.5, main_supplier: gap === 1,
  };
}

describe('broken-link labels measure a link\'s share on the days its schedule invoices', () => {
  it('labels the buyer side of a stopped 10-day link whose month-end extras lift it over the implied share', () => {
    const calendar = createWorkingCalendar({ closures: loadClosures() });
    const from = isoToDay('2020-03-02');
    const to = isoToDay('2020-09-30');
    // Planned at 7.2 % of the buyer's purchases: below the 7.5 % implied links use. Each month-end extra adds half
    // an occasion, five days of this link's flow, and almost nothing to the daily supplier.
    const links = [link(0, 1, 1, 928_000, 0.928), link(1, 2, 10, 72_000, 0.072)];
    const network: TradeNetwork = {
      firms: [firm(0), firm(1), firm(2)], links, incoming: [[0, 1], [], []], outgoing: [[], [0], [1]], invoicing_day_share: [0, 1, 1],
    };
    const plan: DisruptionPlan = {
      primaries: [], link_effects: [[], [{ kind: 'STOP', from: isoToDay('2020-07-01'), until: null }]] as DisruptionPlan['link_effects'],
      silences: [[], [], []], void_spikes: [[], [], []], migrations: [null, null, null], notes: [],
    };
    const truth = deriveGroundTruth({ seed: 3, network, plan, calendar, from, to, delivery: { duplicate_rate: 0, late_rate: 0, max_lateness_hours: 0 } });
    const upstream = truth.labels.filter((l) => l.type === 'UPSTREAM_BROKEN');
    expect(upstream).toHaveLength(1);
    expect(upstream[0]).toMatchObject({ enterprise_tax_id: network.firms[0]!.tax_id, partner_tax_id: network.firms[2]!.tax_id, start_day: '2020-07-01' });
    expect(upstream[0]!.details.share_bp).toBeGreaterThanOrEqual(750);
  });
});
