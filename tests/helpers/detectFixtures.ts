import type { PartnerLink } from '../../pipelines/detect/enterpriseState.ts';
import { LinkHistory } from '../../pipelines/detect/linkHistory.ts';
import { dayOfInstant, isoToDay, startOfDay, type DayNumber, type WorkingCalendar } from '../../src/calendar/workingCalendar.ts';
import type { EventType } from '../../src/domain/invoiceEvent.ts';
import type { InvoiceLeg, LegRole } from '../../src/domain/invoiceLeg.ts';
import type { DisruptionSignal } from '../../src/domain/signal.ts';
import { createDetectorConfig, type DetectorConfig } from '../../pipelines/detect/detectorConfig.ts';
import type { DetectorContext } from '../../pipelines/detect/detectorContext.ts';
import { applyLeg, closeDay } from '../../pipelines/detect/enterpriseDetector.ts';
import { createEnterpriseState, linkKey, type EnterpriseState } from '../../pipelines/detect/enterpriseState.ts';
import type { AppliedLeg } from '../../pipelines/detect/enterpriseDetector.ts';

/**
 * Shared fakes for the detect tests: the fake calendar (re-exported, so the
 * detect tests keep one import), invoice-leg builders and a day-by-day replay
 * harness.
 */
export { fakeCalendar } from './fakeCalendar.ts';

export function detectorContext(calendar: WorkingCalendar, overrides: Partial<DetectorConfig> = {}): DetectorContext {
  return { calendar, config: createDetectorConfig(overrides), now: () => 1_700_000_000_000 };
}

export interface Firm {
  taxId: string;
  name: string;
  districtCode: string;
}

export const FIRM: Firm = { taxId: '91330421MA2B000001', name: '嘉善恒达电子有限公司', districtCode: '330421' };
export const SUPPLIER: Firm = { taxId: '91320509MA1M000002', name: '吴江永盛铜箔有限公司', districtCode: '320509' };
export const BUYER: Firm = { taxId: '91310118MA1J000003', name: '上海青浦鑫源五金有限公司', districtCode: '310118' };
export const OTHER_BUYER: Firm = { taxId: '91320500MA1X000004', name: '苏州华瑞进出口有限公司', districtCode: '320500' };
export const SPORADIC: Firm = { taxId: '91330400MA2C000005', name: '嘉兴顺达物流有限公司', districtCode: '330400' };

export interface LegSpec {
  firm?: Firm;
  partner: Firm;
  role: LegRole;
  day: DayNumber | string;
  amountFen: number;
  type?: EventType;
  /** Distinguishes several legs of one firm, partner and day; defaults to 0. */
  seq?: number;
  /** Hour of the day (Shanghai), default 10. */
  hour?: number;
}

/** One party's view of one invoice event, with a deterministic event_id. */
export function leg(spec: LegSpec): InvoiceLeg {
  const firm = spec.firm ?? FIRM;
  const day = typeof spec.day === 'string' ? isoToDay(spec.day) : spec.day;
  const type = spec.type ?? 'ISSUED';
  const eventId = `${firm.taxId}-${spec.partner.taxId}-${spec.role}-${type}-${day}-${spec.seq ?? 0}`;
  return {
    leg_id: `${eventId}:${spec.role}`,
    event_id: eventId,
    event_type: type,
    invoice_no: eventId,
    original_invoice_no: type === 'ISSUED' ? null : `orig-${eventId}`,
    role: spec.role,
    enterprise_tax_id: firm.taxId,
    enterprise_name: firm.name,
    enterprise_district_code: firm.districtCode,
    partner_tax_id: spec.partner.taxId,
    partner_name: spec.partner.name,
    partner_district_code: spec.partner.districtCode,
    feed_district: 'jiashan',
    issued_at_ms: startOfDay(day) + (spec.hour ?? 10) * 3_600_000,
    amount_fen: spec.amountFen,
    tax_fen: Math.round(spec.amountFen * 0.13),
    goods: [{ tax_code: '1090511010000000000', amount_fen: spec.amountFen }],
  };
}

/** What applyLeg reads of a leg (AppliedLeg), spelled out independently of pipelines/detect/enterpriseDetector.ts. */
export function appliedFields(l: InvoiceLeg): AppliedLeg {
  const { leg_id, event_type, invoice_no, original_invoice_no, role, enterprise_tax_id, enterprise_name, enterprise_district_code, partner_tax_id, partner_name, partner_district_code, issued_at_ms, amount_fen } = l;
  return { leg_id, event_type, invoice_no, original_invoice_no, role, enterprise_tax_id, enterprise_name, enterprise_district_code, partner_tax_id, partner_name, partner_district_code, issued_at_ms, amount_fen };
}

/** Working days in [from, to]. */
export function workingDays(calendar: WorkingCalendar, from: string, to: string): DayNumber[] {
  const out: DayNumber[] = [];
  for (let d = isoToDay(from); d <= isoToDay(to); d++) if (calendar.isWorkingDay(d)) out.push(d);
  return out;
}

/** Every `step`-th working day in [from, to], starting with the first. */
export function everyNthWorkingDay(calendar: WorkingCalendar, from: string, to: string, step: number): DayNumber[] {
  return workingDays(calendar, from, to).filter((_, i) => i % step === 0);
}

/** The signals of one type, in the order they were emitted. */
export function ofType(signals: readonly DisruptionSignal[], type: string): DisruptionSignal[] {
  return signals.filter((s) => s.signal_type === type);
}

export interface ReplayResult {
  signals: DisruptionSignal[];
  states: Map<string, EnterpriseState>;
}

export interface ReplayOptions {
  from: string | DayNumber;
  to: string | DayNumber;
  /** Continue from these states (mutated in place). */
  states?: Map<string, EnterpriseState>;
  /** Reorders one day's legs before they are applied (default: as given). */
  orderDay?: (legs: InvoiceLeg[]) => InvoiceLeg[];
}

/**
 * Feeds legs day by day as a runtime would: each leg before its day closes,
 * then closes the day for every tracked enterprise (in tax-ID order).
 */
export function replay(legs: readonly InvoiceLeg[], ctx: DetectorContext, opts: ReplayOptions): ReplayResult {
  const from = typeof opts.from === 'string' ? isoToDay(opts.from) : opts.from;
  const to = typeof opts.to === 'string' ? isoToDay(opts.to) : opts.to;
  const states = opts.states ?? new Map<string, EnterpriseState>();
  const byDay = new Map<DayNumber, InvoiceLeg[]>();
  for (const l of legs) {
    const d = dayOfInstant(l.issued_at_ms);
    if (d < from || d > to) continue;
    const list = byDay.get(d);
    if (list === undefined) byDay.set(d, [l]);
    else list.push(l);
  }
  const signals: DisruptionSignal[] = [];
  for (let d = from; d <= to; d++) {
    const today = byDay.get(d) ?? [];
    for (const l of opts.orderDay ? opts.orderDay(today) : today) {
      let state = states.get(l.enterprise_tax_id);
      if (state === undefined) {
        state = createEnterpriseState(l.enterprise_tax_id, l.enterprise_name, l.enterprise_district_code);
        states.set(l.enterprise_tax_id, state);
      }
      applyLeg(state, l, ctx);
    }
    for (const taxId of [...states.keys()].sort()) {
      const state = states.get(taxId);
      if (state !== undefined) signals.push(...closeDay(state, d, ctx));
    }
  }
  return { signals, states };
}

/** A deterministic PRNG (mulberry32) for shuffles and noisy patterns. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fresh UPSTREAM link to SUPPLIER that invoiced on these working-day ordinals (regularity not yet judged). */
export function supplierLinkOn(ordinals: number[]): PartnerLink {
  return {
    direction: 'UPSTREAM',
    partnerTaxId: SUPPLIER.taxId,
    key: linkKey('UPSTREAM', SUPPLIER.taxId),
    partner: { name: SUPPLIER.name, districtCode: SUPPLIER.districtCode, asOfMs: 0, legRank: 0 },
    history: LinkHistory.of(ordinals, ordinals.map(() => 1_000_000)),
    lastOrdinal: ordinals[ordinals.length - 1]!,
    lastDay: 0,
    regularity: null,
    deadlineOrdinal: null,
    timerOrdinal: null,
  };
}
