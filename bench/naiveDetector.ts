import { dayOfInstant, type WorkingCalendar } from '../src/calendar/workingCalendar.ts';
import type { InvoiceLeg } from '../src/domain/invoiceLeg.ts';
import { countingOrdinalOf } from '../pipelines/detect/enterpriseDetector.ts';
import type { DetectorConfig } from '../pipelines/detect/detectorConfig.ts';

/** A drop the naive detector opened or resolved. */
export interface NaiveSignal {
  enterpriseTaxId: string;
  type: 'SALES_DROP' | 'PURCHASE_DROP';
  status: 'OPEN' | 'RESOLVED';
  ordinal: number;
}

interface NaiveDay {
  sales: number;
  purchases: number;
}

interface NaiveEnterprise {
  /** Every working day the firm ever traded, never trimmed. */
  days: Map<number, NaiveDay>;
  /** Every issued invoice per partner, never trimmed. */
  links: Map<string, Array<{ ordinal: number; fen: number }>>;
  firstOrdinal: number;
  open: Set<NaiveSignal['type']>;
  /** Every leg id of the firm ever seen, for dedup, never trimmed (one Set per firm: a JS Set holds at most 2^24 keys). */
  seenLegIds: Set<string>;
}

/**
 * The baseline a straightforward implementation would write: keep each
 * firm's full per-day history (and every invoice per partner, and every
 * leg id ever seen for dedup), and on every leg recompute the current
 * W-day window and the B-day baseline median of rolling W-day sums from that
 * history. It only covers SALES_DROP and PURCHASE_DROP (no silence, links,
 * voids, watermarks or calendar-driven closing), so it does less work than
 * yunlian's detector: the comparison flatters the baseline.
 */
export class NaiveDetector {
  private readonly enterprises = new Map<string, NaiveEnterprise>();

  constructor(
    private readonly calendar: WorkingCalendar,
    private readonly config: DetectorConfig,
  ) {}

  get size(): number {
    return this.enterprises.size;
  }

  apply(leg: InvoiceLeg, out: NaiveSignal[]): void {
    const ordinal = countingOrdinalOf(this.calendar, dayOfInstant(leg.issued_at_ms));
    let e = this.enterprises.get(leg.enterprise_tax_id);
    if (e === undefined) {
      e = { days: new Map(), links: new Map(), firstOrdinal: ordinal, open: new Set(), seenLegIds: new Set() };
      this.enterprises.set(leg.enterprise_tax_id, e);
    } else if (e.seenLegIds.has(leg.leg_id)) {
      return;
    }
    e.seenLegIds.add(leg.leg_id);
    e.firstOrdinal = Math.min(e.firstOrdinal, ordinal);
    let day = e.days.get(ordinal);
    if (day === undefined) {
      day = { sales: 0, purchases: 0 };
      e.days.set(ordinal, day);
    }
    if (leg.role === 'SELLER') day.sales += leg.amount_fen;
    else day.purchases += leg.amount_fen;
    if (leg.event_type === 'ISSUED' && leg.amount_fen > 0) {
      const key = `${leg.role}|${leg.partner_tax_id}`;
      const history = e.links.get(key) ?? [];
      history.push({ ordinal, fen: leg.amount_fen });
      e.links.set(key, history);
    }
    this.evaluate(leg.enterprise_tax_id, e, ordinal, 'SALES_DROP', out);
    this.evaluate(leg.enterprise_tax_id, e, ordinal, 'PURCHASE_DROP', out);
  }

  private evaluate(taxId: string, e: NaiveEnterprise, o: number, type: NaiveSignal['type'], out: NaiveSignal[]): void {
    const W = this.config.windowDays;
    const B = this.config.baselineDays;
    const value = (k: number): number => {
      const d = e.days.get(k);
      return d === undefined ? 0 : type === 'SALES_DROP' ? d.sales : d.purchases;
    };
    const windowSum = (end: number): number => {
      let s = 0;
      for (let k = end - W + 1; k <= end; k++) s += value(k);
      return s;
    };
    const current = windowSum(o);
    if (o - W - e.firstOrdinal + 1 < this.config.minHistoryDays) return;
    const sums: number[] = [];
    for (let end = Math.max(o - B, e.firstOrdinal + W - 1); end <= o - W; end++) sums.push(windowSum(end));
    if (sums.length === 0) return;
    sums.sort((a, b) => a - b);
    const mid = Math.floor(sums.length / 2);
    const baseline = sums.length % 2 === 1 ? sums[mid]! : (sums[mid - 1]! + sums[mid]!) / 2;
    if (baseline < this.config.minBaselineFen) return;
    if (!e.open.has(type) && current < this.config.dropRatio * baseline) {
      e.open.add(type);
      out.push({ enterpriseTaxId: taxId, type, status: 'OPEN', ordinal: o });
    } else if (e.open.has(type) && current >= this.config.dropResolveRatio * baseline) {
      e.open.delete(type);
      out.push({ enterpriseTaxId: taxId, type, status: 'RESOLVED', ordinal: o });
    }
  }
}
