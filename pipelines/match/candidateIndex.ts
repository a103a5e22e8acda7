import { districtOfCode, type District } from '../../src/domain/district.ts';
import type { InvoiceLeg, LegRole } from '../../src/domain/invoiceLeg.ts';
import { monthOfInstant, type MonthKey } from './eventMonth.ts';
import { ledgerOf, newFirmLedger, type FirmLedger, type FlowLedger } from './firmLedger.ts';
import { addToMonth, recentFen, trimBefore } from './monthlyVolume.ts';
import { indexKeysOf } from './taxCodePrefixes.ts';
import { TopVolumeList } from './topVolumeList.ts';

export type DistrictBucket = District | 'other';
const BUCKETS: readonly DistrictBucket[] = ['qingpu', 'jiashan', 'wujiang', 'other'];

export interface CandidateIndexOptions {
  /** Months of "recent" volume (the window ends with the as-of month). */
  windowMonths: number;
  /** Members per posting (prefix × direction × district bucket): bounds the work of one re-match. */
  postingCapacity: number;
}

export const DEFAULT_INDEX_OPTIONS: CandidateIndexOptions = { windowMonths: 3, postingCapacity: 40 };

/** What applying one leg did: `watchKeys` are the `${role}|${prefix}` keys whose postings changed. */
export type LegEffect = { kind: 'applied'; watchKeys: string[] } | { kind: 'duplicate' } | { kind: 'too_old' };

export function bucketOf(districtCode: string): DistrictBucket {
  return districtOfCode(districtCode) ?? 'other';
}

/** `${role}|${prefix}`: what a match list watches and what a leg touches. */
export function watchKey(role: LegRole, prefix: string): string {
  return `${role}|${prefix}`;
}

/**
 * The goods index of the match service: tax-code prefixes → the sellers and
 * buyers of those goods with their recent volumes, plus each enterprise's own
 * ledger (goods, partners, void rate). Built from invoice legs only, so it can
 * be rebuilt at start from ClickHouse (the same facts) and kept up to date from
 * `yunlian.invoice-legs`. Applying the same leg twice is a no-op (leg_id is
 * remembered for the retained months), so a redelivery or the overlap between
 * a rebuild and the topic never double-counts.
 */
export class CandidateIndex {
  readonly options: CandidateIndexOptions;
  readonly firms = new Map<string, FirmLedger>();
  /** Newest event-time month seen. */
  newestMonth: MonthKey = Number.NEGATIVE_INFINITY;
  private readonly seen = new Map<MonthKey, Set<string>>();
  private readonly postings = new Map<string, TopVolumeList>();
  private readonly refreshedMonth = new Map<string, MonthKey>();
  private readonly memberships = new Map<string, Set<string>>();
  private readonly trimmedMonth = new Map<string, MonthKey>();

  constructor(options: Partial<CandidateIndexOptions> = {}) {
    this.options = { ...DEFAULT_INDEX_OPTIONS, ...options };
  }

  /** Months kept: the window plus slack for lists ranked a little behind the newest event time. */
  get oldestRetainedMonth(): MonthKey {
    return this.newestMonth - this.options.windowMonths - 1;
  }

  applyLeg(leg: InvoiceLeg): LegEffect {
    const month = monthOfInstant(leg.issued_at_ms);
    if (month < this.oldestRetainedMonth) return { kind: 'too_old' };
    let seenInMonth = this.seen.get(month);
    if (seenInMonth?.has(leg.leg_id)) return { kind: 'duplicate' };
    if (!seenInMonth) this.seen.set(month, (seenInMonth = new Set()));
    seenInMonth.add(leg.leg_id);
    if (month > this.newestMonth) {
      this.newestMonth = month;
      for (const m of this.seen.keys()) if (m < this.oldestRetainedMonth) this.seen.delete(m);
    }

    const firm = this.firmFor(leg);
    this.trimFirm(firm);
    const ledger = ledgerOf(firm, leg.role);
    let partner = ledger.partners.get(leg.partner_tax_id);
    if (!partner) ledger.partners.set(leg.partner_tax_id, (partner = new Map()));
    for (const g of leg.goods) {
      let byCode = ledger.byCode.get(g.tax_code);
      if (!byCode) ledger.byCode.set(g.tax_code, (byCode = new Map()));
      addToMonth(byCode, month, g.amount_fen);
      let partnerByCode = partner.get(g.tax_code);
      if (!partnerByCode) partner.set(g.tax_code, (partnerByCode = new Map()));
      addToMonth(partnerByCode, month, g.amount_fen);
    }
    if (leg.event_type === 'ISSUED') addToMonth(ledger.gross, month, leg.amount_fen);
    else addToMonth(ledger.corrections, month, Math.abs(leg.amount_fen));

    const watchKeys: string[] = [];
    for (const g of leg.goods) {
      for (const prefix of indexKeysOf(g.tax_code)) {
        this.offer(firm, leg.role, prefix);
        watchKeys.push(watchKey(leg.role, prefix));
      }
    }
    return { kind: 'applied', watchKeys: [...new Set(watchKeys)] };
  }

  /** Recent netted flow of `firm` in the goods under `prefix` (a full code or a category prefix). */
  volumeUnder(firm: FirmLedger, role: LegRole, prefix: string, asOf: MonthKey = this.newestMonth): number {
    let sum = 0;
    for (const [code, volume] of ledgerOf(firm, role).byCode) if (code.startsWith(prefix)) sum += recentFen(volume, asOf, this.options.windowMonths);
    return sum;
  }

  /** Recent netted flow per tax code of one direction (positive flows only). */
  recentByCode(ledger: FlowLedger | Map<string, Map<MonthKey, number>>, asOf: MonthKey): Map<string, number> {
    const byCode = 'byCode' in ledger ? ledger.byCode : ledger;
    const out = new Map<string, number>();
    for (const [code, volume] of byCode) {
      const fen = recentFen(volume, asOf, this.options.windowMonths);
      if (fen > 0) out.set(code, fen);
    }
    return out;
  }

  /**
   * Firms in the postings of the given codes' index keys, in every district
   * bucket: at most (keys × 4 buckets × postingCapacity), independent of how
   * many firms the region has.
   */
  candidatesFor(role: LegRole, taxCodes: readonly string[]): Set<string> {
    const out = new Set<string>();
    for (const code of taxCodes) {
      for (const prefix of indexKeysOf(code)) {
        for (const bucket of BUCKETS) {
          const posting = this.postings.get(`${role}|${prefix}|${bucket}`);
          if (posting) for (const id of posting.taxIds()) out.add(id);
        }
      }
    }
    return out;
  }

  postingCount(): number {
    return this.postings.size;
  }

  private firmFor(leg: InvoiceLeg): FirmLedger {
    let firm = this.firms.get(leg.enterprise_tax_id);
    if (!firm) {
      firm = newFirmLedger(leg.enterprise_tax_id, leg.enterprise_name, leg.enterprise_district_code);
      this.firms.set(firm.tax_id, firm);
    }
    if (leg.issued_at_ms >= firm.last_issued_at_ms) {
      firm.last_issued_at_ms = leg.issued_at_ms;
      firm.name = leg.enterprise_name;
      if (firm.district_code !== leg.enterprise_district_code) {
        // A migrated firm moves to its new district's postings (its USCC stays the same).
        const moved = bucketOf(firm.district_code) !== bucketOf(leg.enterprise_district_code);
        firm.district_code = leg.enterprise_district_code;
        if (moved) this.rebucket(firm);
      }
    }
    return firm;
  }

  private offer(firm: FirmLedger, role: LegRole, prefix: string): void {
    const key = `${role}|${prefix}|${bucketOf(firm.district_code)}`;
    let posting = this.postings.get(key);
    if (!posting) this.postings.set(key, (posting = new TopVolumeList(this.options.postingCapacity)));
    if ((this.refreshedMonth.get(key) ?? Number.NEGATIVE_INFINITY) < this.newestMonth) {
      // Event time entered a new month: old snapshots overstate firms that stopped trading.
      posting.refresh((id) => {
        const f = this.firms.get(id);
        return f ? this.volumeUnder(f, role, prefix) : 0;
      });
      this.refreshedMonth.set(key, this.newestMonth);
    }
    const { entered, evicted } = posting.offer(firm.tax_id, this.volumeUnder(firm, role, prefix));
    if (entered) this.membershipsOf(firm.tax_id).add(key);
    if (evicted !== null) this.memberships.get(evicted)?.delete(key);
  }

  private rebucket(firm: FirmLedger): void {
    const keys = this.membershipsOf(firm.tax_id);
    const moved = [...keys];
    keys.clear();
    for (const key of moved) {
      this.postings.get(key)?.remove(firm.tax_id);
      const [role, prefix] = key.split('|') as [LegRole, string];
      this.offer(firm, role, prefix);
    }
  }

  private membershipsOf(taxId: string): Set<string> {
    let keys = this.memberships.get(taxId);
    if (!keys) this.memberships.set(taxId, (keys = new Set()));
    return keys;
  }

  /** Drops a firm's months that no window can reach any more, once per month per firm. */
  private trimFirm(firm: FirmLedger): void {
    const oldest = this.oldestRetainedMonth;
    if ((this.trimmedMonth.get(firm.tax_id) ?? Number.NEGATIVE_INFINITY) >= this.newestMonth) return;
    this.trimmedMonth.set(firm.tax_id, this.newestMonth);
    for (const ledger of [firm.sales, firm.purchases]) {
      for (const v of ledger.byCode.values()) trimBefore(v, oldest);
      trimBefore(ledger.gross, oldest);
      trimBefore(ledger.corrections, oldest);
      for (const p of ledger.partners.values()) for (const v of p.values()) trimBefore(v, oldest);
    }
  }
}
