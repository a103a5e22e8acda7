import type { LegRole } from '../../src/domain/invoiceLeg.ts';
import type { MonthlyVolume } from './monthlyVolume.ts';

/** One direction of an enterprise's trade (sales as seller, purchases as buyer) over recent months. */
export interface FlowLedger {
  /** Netted flow per tax code. */
  byCode: Map<string, MonthlyVolume>;
  /** Issued flow before corrections, and the voided + red-letter amount (positive): the void rate. */
  gross: MonthlyVolume;
  corrections: MonthlyVolume;
  /** Per partner tax ID, the netted flow per tax code: who it already trades which goods with. */
  partners: Map<string, Map<string, MonthlyVolume>>;
}

/** What the match index knows about one enterprise, built from its invoice legs. */
export interface FirmLedger {
  tax_id: string;
  name: string;
  /** Division code of the newest leg (a migrated firm moves bucket). */
  district_code: string;
  /** Event time of the newest leg, epoch ms. */
  last_issued_at_ms: number;
  sales: FlowLedger;
  purchases: FlowLedger;
}

export function emptyFlowLedger(): FlowLedger {
  return { byCode: new Map(), gross: new Map(), corrections: new Map(), partners: new Map() };
}

export function newFirmLedger(taxId: string, name: string, districtCode: string): FirmLedger {
  return { tax_id: taxId, name, district_code: districtCode, last_issued_at_ms: Number.NEGATIVE_INFINITY, sales: emptyFlowLedger(), purchases: emptyFlowLedger() };
}

/** The ledger of the direction a leg's enterprise trades in: a SELLER leg is a sale. */
export function ledgerOf(firm: FirmLedger, role: LegRole): FlowLedger {
  return role === 'SELLER' ? firm.sales : firm.purchases;
}
