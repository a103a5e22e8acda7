import { describe, expect, it } from 'vitest';
import { createWorkingCalendar } from '../../src/calendar/chineseWorkingCalendar.ts';
import { loadClosures } from '../../src/calendar/loadClosures.ts';
import { isoToDay, type DayNumber } from '../../src/calendar/workingCalendar.ts';
import type { DisruptionPlan } from '../../src/simulate/disruptionPlan.ts';
import type { SimFirm } from '../../src/simulate/firmRegistry.ts';
import { deriveGroundTruth } from '../../src/simulate/groundTruth.ts';
import { extraOccasion, regularOccasion } from '../../src/simulate/regularOccasion.ts';
import { buildActivityProfile } from '../../src/simulate/activityProfile.ts';
import type { TradeLink, TradeNetwork } from '../../src/simulate/tradeNetwork.ts';

const firm = (index: number): SimFirm => ({ index, tax_id: `91310118${String(index).padStart(9, '0')}X`, name: `F${index}`, district_code: '310118' }) as unknown as SimFirm;
const SEED = 5;
const calendar = createWorkingCalendar({ closures: loadClosures() });
const from = isoToDay('2020-03-02');
const to = isoToDay('2020-09-30');

// A supplier invoicing every 3 working days (half the buyer's purchases) and a daily one.
const supplier: TradeLink = {
  index: 1, seller: 2, buyer: 0, goods: [], unit_price_fen: [100], pattern: 'REGULAR', gap: 3, phase: 0,
  daily_probability: 1 / 3, daily_flow_fen: 500_000, invoices_per_occasion: 1,
  invoice_kind: 'VAT_SPECIAL', buyer_share: 0.5, seller_share: 0.5, main_supplier: false,
};
const daily: TradeLink = { ...supplier, index: 0, seller: 1, gap: 1, daily_probability: 0.95, main_supplier: true };
const network: TradeNetwork = {
  firms: [firm(0), firm(1), firm(2)], links: [daily, supplier], incoming: [[0, 1], [], []], outgoing: [[], [0], [1]], invoicing_day_share: [0, 1, 1],
};

/** Whether the 3-day supplier invoices on `day` (its schedule, a postponed occasion or a month-end extra). */
const profile = buildActivityProfile(calendar, from, to);
const invoices = (day: DayNumber): boolean =>
  regularOccasion(SEED, supplier, calendar.workingOrdinal(day)) || extraOccasion(SEED, supplier, calendar.workingOrdinal(day), profile.at(day));

/**
 * An invoice day `last` of the supplier in the middle of the run after which the schedule is plain: invoices
 * 3, 6, 9 and 12 working days later and on no day between 9 and 12.
 */
function plainStretch(): DayNumber {
  for (let last = isoToDay('2020-06-01'); last < isoToDay('2020-08-01'); last++) {
    if (!calendar.isWorkingDay(last) || !invoices(last)) continue;
    const at = (n: number): boolean => invoices(calendar.addWorkingDays(last, n));
    if ([1, 2, 4, 5, 7, 8, 10, 11].every((n) => !at(n)) && [3, 6, 9, 12].every(at)) return last;
  }
  throw new Error('no plain stretch in the schedule');
}

function upstreamLabels(stopFrom: DayNumber, until: DayNumber): ReturnType<typeof deriveGroundTruth>['labels'] {
  const plan: DisruptionPlan = {
    primaries: [], link_effects: [[], [{ kind: 'STOP', from: stopFrom, until }]] as DisruptionPlan['link_effects'],
    silences: [[], [], []], void_spikes: [[], [], []], migrations: [null, null, null], notes: [],
  };
  const truth = deriveGroundTruth({ seed: SEED, network, plan, calendar, from, to, delivery: { duplicate_rate: 0, late_rate: 0, max_lateness_hours: 0 } });
  return truth.labels.filter((l) => l.type === 'UPSTREAM_BROKEN');
}

describe('a stopped link is silent until its next invoice, not until the stop ends', () => {
  const last = plainStretch();
  const stopFrom = calendar.addWorkingDays(last, 1);

  it('labels a 3-day supplier stopped for 9 working days whose next occasion is 3 days after the stop: 11 silent days', () => {
    // The stop holds the occasions 3, 6 and 9 days after the last invoice and ends on day 10; the next occasion
    // is day 12, so the buyer sees no invoice for 11 working days, over the 10 a broken link needs.
    const labels = upstreamLabels(stopFrom, calendar.addWorkingDays(last, 10));
    expect(labels).toHaveLength(1);
    expect(labels[0]).toMatchObject({ enterprise_tax_id: network.firms[0]!.tax_id, partner_tax_id: network.firms[2]!.tax_id });
  });

  it('does not label one stopped for 6 working days: it invoices again on day 9, after 8 silent days', () => {
    expect(upstreamLabels(stopFrom, calendar.addWorkingDays(last, 7))).toEqual([]);
  });
});
