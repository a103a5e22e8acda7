import { dayToIso, type DayNumber, type WorkingCalendar } from '../../src/calendar/workingCalendar.ts';
import { districtOfCode, type District } from '../../src/domain/district.ts';
import { tableColumns } from '../../sinks/clickhouse/insertRows.ts';
import type { EnterpriseState } from './enterpriseState.ts';

/** Row of `yunlian.enterprise_daily`. */
export type EnterpriseDailyRow = {
  day: string;
  enterprise_tax_id: string;
  direction: 'SALES' | 'PURCHASES';
  district: District | 'other';
  amount_fen: number;
  gross_fen: number;
  corrections_fen: number;
  legs: number;
};

export const ENTERPRISE_DAILY_COLUMNS = tableColumns<EnterpriseDailyRow>({ day: true, enterprise_tax_id: true, direction: true, district: true, amount_fen: true, gross_fen: true, corrections_fen: true, legs: true });

/** Row of `yunlian.links_daily`. */
export type LinkDailyRow = {
  day: string;
  seller_tax_id: string;
  buyer_tax_id: string;
  seller_district_code: string;
  buyer_district_code: string;
  gross_fen: number;
};

export const LINKS_DAILY_COLUMNS = tableColumns<LinkDailyRow>({ day: true, seller_tax_id: true, buyer_tax_id: true, seller_district_code: true, buyer_district_code: true, gross_fen: true });

/** Rows of `yunlian.enterprise_daily` and `yunlian.links_daily` for days about to close. */
export interface DailyRollups {
  enterpriseDaily: EnterpriseDailyRow[];
  linksDaily: LinkDailyRow[];
}

/**
 * Reads the figures of the working days in (lastClosedDay, through] from the
 * state's open days, before closeDay folds them into the rings. Legs issued
 * on a non-working day count towards the next working day (as the detectors
 * count them), so rows exist for working days only. Links are written from
 * the seller's side only, so each seller × buyer × day has one writer.
 */
export function rollupsBeforeClose(state: EnterpriseState, through: DayNumber, calendar: WorkingCalendar, out: DailyRollups): void {
  if (state.openDays.size === 0) return;
  const from = state.lastClosedDay === null ? (state.firstLegDay ?? through) : state.lastClosedDay + 1;
  const district = districtOfCode(state.profile.districtCode) ?? 'other';
  for (let d = from; d <= through; d++) {
    if (!calendar.isWorkingDay(d)) continue;
    const open = state.openDays.get(calendar.workingOrdinal(d));
    if (open === undefined) continue;
    const day = dayToIso(d);
    if (open.grossOut !== 0 || open.sales !== 0) {
      out.enterpriseDaily.push({ day, enterprise_tax_id: state.taxId, direction: 'SALES', district, amount_fen: open.sales, gross_fen: open.grossOut, corrections_fen: open.correctionFen, legs: open.legIds.size });
    }
    if (open.grossIn !== 0 || open.purchases !== 0) {
      out.enterpriseDaily.push({ day, enterprise_tax_id: state.taxId, direction: 'PURCHASES', district, amount_fen: open.purchases, gross_fen: open.grossIn, corrections_fen: 0, legs: open.legIds.size });
    }
    for (const link of open.links.values()) {
      if (link.direction !== 'DOWNSTREAM') continue;
      out.linksDaily.push({
        day,
        seller_tax_id: state.taxId,
        buyer_tax_id: link.partnerTaxId,
        seller_district_code: state.profile.districtCode,
        buyer_district_code: link.partner.districtCode,
        gross_fen: link.grossFen,
      });
    }
  }
}
