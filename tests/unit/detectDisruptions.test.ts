import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dayToIso, isoToDay, startOfDay, type WorkingCalendar } from '../../src/calendar/workingCalendar.ts';
import type { InvoiceLeg, LegRole } from '../../src/domain/invoiceLeg.ts';
import type { DisruptionSignal, SignalType } from '../../src/domain/signal.ts';
import {
  BUYER,
  FIRM,
  OTHER_BUYER,
  SPORADIC,
  SUPPLIER,
  detectorContext,
  everyNthWorkingDay,
  fakeCalendar,
  leg,
  replay,
  workingDays,
  type Firm,
} from '../helpers/detectFixtures.ts';

/** Weekends off, National Day week 2019 and the 2020 Spring Festival + zone shutdown (24 Jan – 9 Feb). */
const calendar: WorkingCalendar = fakeCalendar([
  ['2019-10-01', '2019-10-07'],
  ['2020-01-24', '2020-02-09'],
]);
const ctx = detectorContext(calendar);
const START = '2019-07-01';

function stream(partner: Firm, role: LegRole, from: string, to: string, amountFen: number, step = 1, firm: Firm = FIRM, seq = 0): InvoiceLeg[] {
  return everyNthWorkingDay(calendar, from, to, step).map((day) => leg({ firm, partner, role, day, amountFen, seq }));
}

/** A steady firm: sells ¥10,000 a day to BUYER and ¥8,000 every third working day to OTHER_BUYER, buys ¥30,000 every fourth from SUPPLIER. */
function steadyBusiness(to: string, except: { sales?: boolean; otherSales?: boolean; purchases?: boolean } = {}): InvoiceLeg[] {
  return [
    ...(except.sales ? [] : stream(BUYER, 'SELLER', START, to, 1_000_000)),
    ...(except.otherSales ? [] : stream(OTHER_BUYER, 'SELLER', START, to, 800_000, 3)),
    ...(except.purchases ? [] : stream(SUPPLIER, 'BUYER', START, to, 3_000_000, 4)),
  ];
}

function ofType(signals: DisruptionSignal[], type: SignalType, partner: string | null = null): DisruptionSignal[] {
  return signals.filter((s) => s.signal_type === type && s.partner_tax_id === partner);
}

function expectedId(type: SignalType, partner: string | null, windowStart: string): string {
  return createHash('sha1').update(`${FIRM.taxId}|${type}|${partner ?? ''}|${windowStart}`).digest('hex');
}

function nthWorkingDayFrom(from: string, n: number): string {
  const day = workingDays(calendar, from, '2020-12-31')[n - 1];
  if (day === undefined) throw new RangeError('no such working day');
  return dayToIso(day);
}

describe('SALES_DROP', () => {
  const legs = [
    ...steadyBusiness('2020-01-31', { sales: true, otherSales: true }),
    ...stream(BUYER, 'SELLER', START, '2019-11-29', 1_000_000),
    ...stream(BUYER, 'SELLER', '2019-12-02', '2020-01-01', 100_000),
    ...stream(BUYER, 'SELLER', '2020-01-02', '2020-01-31', 1_000_000),
  ];
  const { signals } = replay(legs, ctx, { from: START, to: '2020-01-31' });
  const drops = ofType(signals, 'SALES_DROP');

  it('fires when the 10-working-day output falls under 40 % of the rolling median baseline', () => {
    const open = drops[0];
    expect(open).toBeDefined();
    if (open === undefined) return;
    // Sales fall from ¥10,000 to ¥1,000 a day: 10M − 900k·k < 4M first holds on the 7th working day, and has held
    // for dropConfirmDays = 3 consecutive days on the 9th.
    expect(open.status).toBe('OPEN');
    expect(open.window_end).toBe('2019-12-12');
    expect(open.window_start).toBe(dayToIso(calendar.addWorkingDays(isoToDay('2019-12-12'), -9)));
    expect(open.signal_id).toBe(expectedId('SALES_DROP', null, open.window_start));
    expect(open.event_time_ms).toBe(startOfDay(isoToDay('2019-12-13')));
    expect(open.enterprise_tax_id).toBe(FIRM.taxId);
    expect(open.district).toBe('jiashan');
    expect(open.partner_tax_id).toBeNull();
    expect(open.baseline_fen).toBe(10_000_000);
    expect(open.current_fen).toBe(1_900_000);
    // The latest days run at about 10 % of normal, so the drop is severe even though the window sits near 40 %.
    expect(open.severity).toBe('HIGH');
    expect(open.explanation_en).toContain('sales over the last 10 working days (2019-11-29 to 2019-12-12)');
    expect(open.explanation_zh).toContain('嘉善 嘉善恒达电子有限公司');
    expect(open.explanation_zh).toContain('销售额¥19,000.00，仅为前60个工作日基线¥100,000.00的19%');
    expect(open.explanation_en).toContain('lower than all 51 earlier rolling 10-working-day windows');
    expect(open.explanation_en).not.toMatch(/holiday/i);
  });

  it('resolves the same signal as RECOVERED once the window is back above 70 % of the frozen baseline', () => {
    expect(drops).toHaveLength(2);
    const [open, resolved] = drops;
    expect(resolved?.status).toBe('RESOLVED');
    expect(resolved?.resolution).toBe('RECOVERED');
    expect(resolved?.signal_id).toBe(open?.signal_id);
    expect(resolved?.window_start).toBe(open?.window_start);
    expect(resolved?.baseline_fen).toBe(open?.baseline_fen);
    expect(resolved?.current_fen).toBeGreaterThanOrEqual(0.7 * (open?.baseline_fen ?? 0));
    // Back at ¥10,000 a day from 2 January: (10 − k)·100k + k·1M ≥ 7M first holds on the 7th working day.
    expect(resolved?.window_end).toBe(nthWorkingDayFrom('2020-01-02', 7));
    expect(resolved?.current_fen).toBe(7_300_000);
  });

  it('grades a partial drop by how deep the latest days run', () => {
    const partial = [
      ...steadyBusiness('2019-12-31', { sales: true, otherSales: true }),
      ...stream(BUYER, 'SELLER', START, '2019-11-29', 1_000_000),
      ...stream(BUYER, 'SELLER', '2019-12-02', '2019-12-31', 250_000),
    ];
    const open = ofType(replay(partial, ctx, { from: START, to: '2019-12-31' }).signals, 'SALES_DROP')[0];
    expect(open?.severity).toBe('MEDIUM');
    expect(open?.baseline_fen).toBe(10_000_000);
    // 10M − 750k·k < 4M first holds on the 9th working day and is confirmed on the 11th: 10 × 250k.
    expect(open?.current_fen).toBe(2_500_000);
    expect(open?.window_end).toBe('2019-12-16');
  });
});

describe('PURCHASE_DROP', () => {
  it('fires when inputs collapse and recovers with the same id', () => {
    const legs = [
      ...steadyBusiness('2020-01-31', { purchases: true }),
      ...stream(SUPPLIER, 'BUYER', START, '2019-11-29', 2_000_000),
      ...stream(SUPPLIER, 'BUYER', '2019-12-02', '2019-12-31', 500_000),
      ...stream(SUPPLIER, 'BUYER', '2020-01-02', '2020-01-31', 2_000_000),
    ];
    const drops = ofType(replay(legs, ctx, { from: START, to: '2020-01-31' }).signals, 'PURCHASE_DROP');
    expect(drops.map((s) => s.status)).toEqual(['OPEN', 'RESOLVED']);
    const [open, resolved] = drops;
    expect(open?.baseline_fen).toBe(20_000_000);
    // 20M − 1.5M·k < 8M first holds on the 9th working day and is confirmed on the 11th: 10 × 500k.
    expect(open?.current_fen).toBe(5_000_000);
    expect(open?.window_end).toBe('2019-12-16');
    expect(open?.severity).toBe('MEDIUM');
    expect(open?.explanation_en).toContain('purchases');
    expect(open?.explanation_en).toContain('¥200,000.00');
    expect(resolved?.signal_id).toBe(open?.signal_id);
    expect(resolved?.resolution).toBe('RECOVERED');
  });
});

describe('SILENCE', () => {
  const legs = [
    ...steadyBusiness('2020-01-31', { sales: true, otherSales: true }),
    ...stream(BUYER, 'SELLER', START, '2019-11-29', 1_000_000),
    ...stream(OTHER_BUYER, 'SELLER', START, '2019-11-29', 800_000, 3),
    ...stream(BUYER, 'SELLER', '2019-12-20', '2020-01-31', 1_000_000),
  ];
  const { signals } = replay(legs, ctx, { from: START, to: '2020-01-31' });

  it('fires from the timer on the 7th silent working day of a firm that invoiced every day', () => {
    const [open] = ofType(signals, 'SILENCE');
    expect(open?.status).toBe('OPEN');
    expect(open?.window_start).toBe('2019-12-02');
    expect(open?.window_end).toBe('2019-12-10');
    expect(open?.signal_id).toBe(expectedId('SILENCE', null, '2019-12-02'));
    expect(open?.severity).toBe('HIGH');
    expect(open?.current_fen).toBe(0);
    expect(open?.baseline_fen).toBeGreaterThan(7 * 1_000_000);
    expect(open?.explanation_en).toContain('no sales invoice for 7 working days since 2019-12-02');
    expect(open?.explanation_zh).toContain('连续7个工作日未开具销售发票');
  });

  it('resolves RECOVERED with the same id on the first day the firm invoices again', () => {
    const silence = ofType(signals, 'SILENCE');
    expect(silence).toHaveLength(2);
    expect(silence[1]?.status).toBe('RESOLVED');
    expect(silence[1]?.resolution).toBe('RECOVERED');
    expect(silence[1]?.window_end).toBe('2019-12-20');
    expect(silence[1]?.signal_id).toBe(silence[0]?.signal_id);
  });

  it('raises no SALES_DROP while the silence explains it', () => {
    const silenceEnd = isoToDay('2019-12-20');
    expect(ofType(signals, 'SALES_DROP').filter((s) => isoToDay(s.window_end) < silenceEnd)).toEqual([]);
  });

  it('also raises SALES_DROP during a silence when configured to', () => {
    const both = replay(legs, detectorContext(calendar, { salesDropDuringSilence: true }), { from: START, to: '2019-12-31' }).signals;
    expect(ofType(both, 'SALES_DROP')[0]?.status).toBe('OPEN');
  });

  it('breaks the link to the daily buyer after 10 silent working days and restores it when sales resume', () => {
    const links = ofType(signals, 'DOWNSTREAM_BROKEN', BUYER.taxId);
    expect(links.map((s) => [s.status, s.window_start, s.window_end])).toEqual([
      ['OPEN', '2019-12-02', '2019-12-13'],
      ['RESOLVED', '2019-12-02', '2019-12-20'],
    ]);
    expect(links[1]?.resolution).toBe('LINK_RESTORED');
  });
});

describe('UPSTREAM_BROKEN', () => {
  const lastSupply = everyNthWorkingDay(calendar, START, '2019-11-29', 4).at(-1) ?? 0;
  const legs = [
    ...steadyBusiness('2020-01-31', { purchases: true }),
    ...stream(SUPPLIER, 'BUYER', START, '2019-11-29', 3_000_000, 4),
    ...stream(SUPPLIER, 'BUYER', '2020-01-06', '2020-01-31', 3_000_000, 4),
    // A small sundry supplier that never matters.
    ...stream(SPORADIC, 'BUYER', START, '2020-01-31', 20_000, 9),
  ];
  const { signals } = replay(legs, ctx, { from: START, to: '2020-01-31' });
  const broken = ofType(signals, 'UPSTREAM_BROKEN', SUPPLIER.taxId);

  it('fires when a regular supplier misses max(2 × its usual gap, 10) working days', () => {
    const open = broken[0];
    const firstSilent = calendar.addWorkingDays(lastSupply, 1);
    expect(open?.status).toBe('OPEN');
    expect(open?.partner_tax_id).toBe(SUPPLIER.taxId);
    expect(open?.window_start).toBe(dayToIso(firstSilent));
    expect(open?.window_end).toBe(dayToIso(calendar.addWorkingDays(lastSupply, 10)));
    expect(open?.signal_id).toBe(expectedId('UPSTREAM_BROKEN', SUPPLIER.taxId, dayToIso(firstSilent)));
    expect(open?.severity).toBe('HIGH');
    expect(open?.current_fen).toBe(0);
    expect(open?.baseline_fen).toBe(15 * 3_000_000);
    expect(open?.explanation_en).toContain(SUPPLIER.name);
    expect(open?.explanation_en).toContain('Wujiang');
    expect(open?.explanation_en).toContain('invoiced every 4 working days');
    expect(open?.explanation_en).toContain('stopped 10 working days ago');
    expect(open?.explanation_zh).toContain('通常每4个工作日开票一次');
    expect(open?.explanation_zh).toMatch(/占其采购的\d+%/);
  });

  it('resolves LINK_RESTORED with the same id when the supplier invoices again', () => {
    expect(broken).toHaveLength(2);
    expect(broken[1]?.status).toBe('RESOLVED');
    expect(broken[1]?.resolution).toBe('LINK_RESTORED');
    expect(broken[1]?.window_end).toBe('2020-01-06');
    expect(broken[1]?.signal_id).toBe(broken[0]?.signal_id);
    expect(broken[1]?.current_fen).toBe(3_000_000);
  });

  it('never flags the small sundry supplier', () => {
    expect(ofType(signals, 'UPSTREAM_BROKEN', SPORADIC.taxId)).toEqual([]);
  });

  it('waits twice the usual gap when that is longer than 10 working days', () => {
    const weekly = [
      ...steadyBusiness('2020-01-31', { purchases: true }),
      ...stream(SUPPLIER, 'BUYER', START, '2019-11-29', 3_000_000, 7),
    ];
    const last = everyNthWorkingDay(calendar, START, '2019-11-29', 7).at(-1) ?? 0;
    const open = ofType(replay(weekly, ctx, { from: START, to: '2020-01-31' }).signals, 'UPSTREAM_BROKEN', SUPPLIER.taxId)[0];
    expect(open?.window_end).toBe(dayToIso(calendar.addWorkingDays(last, 14)));
  });
});

describe('DOWNSTREAM_BROKEN', () => {
  it('fires for a regular buyer with a fair share of sales that stops buying', () => {
    const legs = [
      ...steadyBusiness('2020-01-31', { otherSales: true }),
      ...stream(OTHER_BUYER, 'SELLER', START, '2019-11-29', 800_000, 3),
    ];
    const last = everyNthWorkingDay(calendar, START, '2019-11-29', 3).at(-1) ?? 0;
    const { signals } = replay(legs, ctx, { from: START, to: '2020-01-31' });
    const broken = ofType(signals, 'DOWNSTREAM_BROKEN', OTHER_BUYER.taxId);
    expect(broken).toHaveLength(1);
    expect(broken[0]?.window_end).toBe(dayToIso(calendar.addWorkingDays(last, 10)));
    expect(broken[0]?.severity).toBe('MEDIUM');
    expect(broken[0]?.explanation_en).toContain('sales to its regular buyer');
    // Losing a fifth of sales is a broken link, not a sales collapse.
    expect(ofType(signals, 'SALES_DROP')).toEqual([]);
  });
});

describe('VOID_SPIKE', () => {
  const voids = (days: string[], amountFen: number): InvoiceLeg[] =>
    days.map((day) => leg({ partner: BUYER, role: 'SELLER', day, amountFen: -amountFen, type: 'VOIDED', seq: 1 }));

  it('fires when corrections jump far above the firm’s own norm and resolves when they stop', () => {
    // A spotless firm cancels five of its orders in five days: at its own rate (two corrections granted as a prior
    // per 60 working days) five in ten days is a 1-in-30,000 event; four would be 1 in 2,200, too common across a
    // tax bureau (seed 7 of the 2020 scenario: four routine corrections in a quiet fortnight of a small firm).
    const legs = [...steadyBusiness('2020-01-31', { otherSales: true }), ...voids(['2019-12-02', '2019-12-03', '2019-12-04', '2019-12-05', '2019-12-06'], 600_000)];
    const spikes = ofType(replay(legs, ctx, { from: START, to: '2020-01-31' }).signals, 'VOID_SPIKE');
    expect(spikes.map((s) => [s.status, s.window_end])).toEqual([
      ['OPEN', '2019-12-06'],
      ['RESOLVED', '2019-12-18'],
    ]);
    expect(spikes[0]?.current_fen).toBe(3_000_000);
    expect(spikes[0]?.baseline_fen).toBe(0);
    // ¥30,000 of the ¥100,000 issued in the window: 30 %.
    expect(spikes[0]?.severity).toBe('MEDIUM');
    expect(spikes[0]?.signal_id).toBe(expectedId('VOID_SPIKE', null, spikes[0]?.window_start ?? ''));
    expect(spikes[1]?.signal_id).toBe(spikes[0]?.signal_id);
    expect(spikes[0]?.explanation_en).toContain('5 voided or red-letter invoices worth ¥30,000.00');
  });

  it('does not fire on four cancellations of a spotless firm in a fortnight, a routine cluster', () => {
    const legs = [...steadyBusiness('2020-01-31', { otherSales: true }), ...voids(['2019-12-02', '2019-12-03', '2019-12-04', '2019-12-05'], 600_000)];
    expect(ofType(replay(legs, ctx, { from: START, to: '2020-01-31' }).signals, 'VOID_SPIKE')).toEqual([]);
  });

  it('does not fire when a few large invoices are voided but the share of invoices cancelled stays low', () => {
    // Eight invoices a day; five large ones voided in a fortnight: 60 % of the output in fen, 6 % of the invoices.
    const busy = [2, 3, 4, 5, 6, 7, 8, 9].flatMap((seq) =>
      workingDays(calendar, START, '2020-01-31').map((day) => leg({ partner: OTHER_BUYER, role: 'SELLER', day, amountFen: 100_000, seq })),
    );
    const legs = [...steadyBusiness('2020-01-31', { otherSales: true }), ...busy, ...voids(['2019-12-02', '2019-12-03', '2019-12-04', '2019-12-05', '2019-12-06'], 4_000_000)];
    expect(ofType(replay(legs, ctx, { from: START, to: '2020-01-31' }).signals, 'VOID_SPIKE')).toEqual([]);
  });

  it('does not fire for a firm that always corrects that much', () => {
    const routine = everyNthWorkingDay(calendar, START, '2019-11-29', 5).map((day) =>
      leg({ partner: BUYER, role: 'SELLER', day, amountFen: -1_500_000, type: 'RED_LETTER', seq: 1 }),
    );
    const legs = [...steadyBusiness('2020-01-31'), ...routine, ...voids(['2019-12-02', '2019-12-03', '2019-12-04'], 700_000)];
    expect(ofType(replay(legs, ctx, { from: START, to: '2020-01-31' }).signals, 'VOID_SPIKE')).toEqual([]);
  });

  it('does not fire on fewer corrections than the minimum count', () => {
    const legs = [...steadyBusiness('2020-01-31'), ...voids(['2019-12-02', '2019-12-03'], 2_000_000)];
    expect(ofType(replay(legs, ctx, { from: START, to: '2020-01-31' }).signals, 'VOID_SPIKE')).toEqual([]);
  });
});

describe('what is not a disruption', () => {
  it('stays quiet through a holiday week and the long 2020 shutdown, with dips around them', () => {
    const edges = new Set(
      ['2019-09-26', '2019-09-27', '2019-09-30', '2019-10-08', '2019-10-09', '2020-01-21', '2020-01-22', '2020-01-23', '2020-02-10', '2020-02-11', '2020-02-12'].map(isoToDay),
    );
    const legs = [
      ...steadyBusiness('2020-04-30', { sales: true }),
      ...workingDays(calendar, START, '2020-04-30').map((day) =>
        leg({ partner: BUYER, role: 'SELLER', day, amountFen: edges.has(day) ? 400_000 : 1_000_000 }),
      ),
    ];
    expect(replay(legs, ctx, { from: START, to: '2020-04-30' }).signals).toEqual([]);
  });

  it('stays quiet through month-end spikes', () => {
    const monthEnds = new Set<number>();
    const days = workingDays(calendar, START, '2020-04-30');
    days.forEach((day, i) => {
      const next = days[i + 1];
      const nextNext = days[i + 2];
      const monthOf = (d: number | undefined): string => (d === undefined ? '' : dayToIso(d).slice(0, 7));
      if (monthOf(next) !== monthOf(day) || monthOf(nextNext) !== monthOf(day)) monthEnds.add(day);
    });
    const legs = [
      ...steadyBusiness('2020-04-30'),
      ...[...monthEnds].map((day) => leg({ partner: BUYER, role: 'SELLER', day, amountFen: 4_000_000, seq: 1 })),
    ];
    expect(replay(legs, ctx, { from: START, to: '2020-04-30' }).signals).toEqual([]);
  });

  it('keeps the history of a firm that migrates its registration district, and of a migrating supplier', () => {
    const migrated: Firm = { ...FIRM, districtCode: '320509' };
    const movedSupplier: Firm = { ...SUPPLIER, districtCode: '310118' };
    const legs = [
      ...stream(BUYER, 'SELLER', START, '2019-11-15', 1_000_000),
      ...stream(SUPPLIER, 'BUYER', START, '2019-11-15', 3_000_000, 4),
      ...stream(BUYER, 'SELLER', '2019-11-18', '2020-01-31', 1_000_000, 1, migrated),
      ...stream(movedSupplier, 'BUYER', '2019-11-18', '2020-01-31', 3_000_000, 4, migrated),
    ];
    const { signals, states } = replay(legs, ctx, { from: START, to: '2020-01-31' });
    expect(signals).toEqual([]);
    expect(states.size).toBe(1);
    expect(states.get(FIRM.taxId)?.profile.districtCode).toBe('320509');
  });

  it('reports a later drop of a migrated firm under its new district, against its old baseline', () => {
    const migrated: Firm = { ...FIRM, districtCode: '320509' };
    const legs = [
      ...stream(BUYER, 'SELLER', START, '2019-11-15', 1_000_000),
      ...stream(BUYER, 'SELLER', '2019-11-18', '2019-11-29', 1_000_000, 1, migrated),
      ...stream(BUYER, 'SELLER', '2019-12-02', '2019-12-31', 100_000, 1, migrated),
    ];
    const drop = ofType(replay(legs, ctx, { from: START, to: '2019-12-31' }).signals, 'SALES_DROP')[0];
    expect(drop?.district).toBe('wujiang');
    expect(drop?.baseline_fen).toBe(10_000_000);
    expect(drop?.explanation_zh).toContain('吴江 ');
  });

  it('never flags a sporadic supplier, however large, when it pauses', () => {
    // Irregular gaps (some already longer than a break), then a 25-working-day pause.
    const gaps = [1, 9, 2, 13, 3, 1, 11, 4, 1, 8, 2, 14, 1, 3, 12, 2, 6, 1, 10, 2, 5, 1, 15];
    const days = workingDays(calendar, START, '2020-01-31');
    const sporadicDays: number[] = [];
    for (let i = 0, g = 0; i < days.length && (days[i] ?? 0) < isoToDay('2019-12-02'); i += gaps[g++ % gaps.length] ?? 1) {
      sporadicDays.push(days[i] ?? 0);
    }
    // And a burst: six days in a row, then nothing.
    const burst = workingDays(calendar, '2019-11-04', '2019-11-11');
    const legs = [
      ...steadyBusiness('2020-01-31'),
      ...sporadicDays.map((day) => leg({ partner: SPORADIC, role: 'BUYER', day, amountFen: 2_500_000 })),
      ...burst.map((day) => leg({ partner: OTHER_BUYER, role: 'BUYER', day, amountFen: 5_000_000 })),
    ];
    const { signals } = replay(legs, ctx, { from: START, to: '2020-01-31' });
    expect(signals.filter((s) => s.signal_type === 'UPSTREAM_BROKEN')).toEqual([]);
  });

  it('does not judge a firm with too little history', () => {
    // A new firm trades for 15 working days, goes quiet for 16, then trades again.
    const legs = [
      ...stream(BUYER, 'SELLER', '2019-11-01', '2019-11-21', 1_000_000),
      ...stream(SUPPLIER, 'BUYER', '2019-11-01', '2019-11-21', 3_000_000, 2),
      ...stream(BUYER, 'SELLER', '2019-12-16', '2020-01-31', 1_000_000),
      ...stream(SUPPLIER, 'BUYER', '2019-12-16', '2020-01-31', 3_000_000, 2),
    ];
    expect(replay(legs, ctx, { from: '2019-11-01', to: '2020-01-31' }).signals).toEqual([]);
  });
});
