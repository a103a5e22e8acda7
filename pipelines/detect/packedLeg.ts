import type { DayNumber } from '../../src/calendar/workingCalendar.ts';
import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';
import type { AppliedLeg } from './enterpriseDetector.ts';

/**
 * A logged leg as log rows wrote it before LeanLeg (still read, no longer written): a positional tuple, with the
 * day the enterprise's state had closed through just before it. The enterprise's tax ID is the row's; its name
 * and district were left out when they equalled the previous leg's in the same row.
 */
export type PackedLeg = [
  legId: string,
  eventType: InvoiceLeg['event_type'],
  invoiceNo: string,
  originalInvoiceNo: string | null,
  role: InvoiceLeg['role'],
  partnerTaxId: string,
  partnerName: string,
  partnerDistrictCode: string,
  issuedAtMs: number,
  amountFen: number,
  closedBefore: DayNumber | null,
  enterpriseName?: string,
  enterpriseDistrictCode?: string,
];

/**
 * The legs of one log row of `taxId`, in order, with the day closed through before each. Throws RangeError
 * for a tuple of the wrong shape (a row this version did not write), rather than applying a partial leg.
 */
export function unpackLegs(taxId: string, packed: readonly PackedLeg[]): { leg: AppliedLeg; closedBefore: DayNumber | null }[] {
  const out: { leg: AppliedLeg; closedBefore: DayNumber | null }[] = [];
  let name: string | null = null;
  let district: string | null = null;
  for (const p of packed) {
    if (!Array.isArray(p) || (p.length !== 11 && p.length !== 13)) throw new RangeError(`log row of ${taxId} holds a leg of unknown shape`);
    if (p.length === 13) {
      name = p[11]!;
      district = p[12]!;
    }
    if (name === null || district === null) throw new RangeError(`log row of ${taxId} starts with a leg without the enterprise's name`);
    const [leg_id, event_type, invoice_no, original_invoice_no, role, partner_tax_id, partner_name, partner_district_code, issued_at_ms, amount_fen, closedBefore] = p;
    out.push({
      leg: { leg_id, event_type, invoice_no, original_invoice_no, role, enterprise_tax_id: taxId, enterprise_name: name, enterprise_district_code: district, partner_tax_id, partner_name, partner_district_code, issued_at_ms, amount_fen },
      closedBefore,
    });
  }
  return out;
}
