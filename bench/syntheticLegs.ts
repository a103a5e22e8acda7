import { startOfDay, type DayNumber, type WorkingCalendar } from '../src/calendar/workingCalendar.ts';
import { DISTRICT_CODES } from '../src/domain/district.ts';
import type { InvoiceLeg, LegRole } from '../src/domain/invoiceLeg.ts';

export interface SyntheticTradeOptions {
  firms: number;
  /** Buyers each firm sells to on a beat; each such pair is two tracked links (one per side). */
  buyersPerFirm: number;
  /** Working days to run: enough to fill the 60-day baseline and the link histories. */
  workingDays: number;
  firstDay: DayNumber;
  calendar: WorkingCalendar;
}

/**
 * Legs of a regular trade network, generated without the simulator so that
 * 20k–100k firms take seconds: firm i sells to `buyersPerFirm` buyers, each
 * on its own beat of 3–5 working days, all in Jiashan on the Jiashan feed,
 * in event-time order. Every call yields a fresh leg object (the detector
 * keeps what it needs, nothing more).
 */
export function* syntheticLegs(opts: SyntheticTradeOptions): Generator<InvoiceLeg> {
  const { firms, buyersPerFirm, calendar } = opts;
  const code = DISTRICT_CODES.jiashan;
  const taxId = (i: number) => `91330421SYN${String(i).padStart(7, '0')}`;
  const stride = Math.max(1, Math.floor(firms / (buyersPerFirm + 1)));
  let seq = 0;
  let worked = 0;
  for (let day = opts.firstDay; worked < opts.workingDays; day++) {
    if (!calendar.isWorkingDay(day)) continue;
    worked++;
    const issuedAt = startOfDay(day) + 10 * 3600_000;
    for (let i = 0; i < firms; i++) {
      for (let k = 0; k < buyersPerFirm; k++) {
        const gap = 3 + (k % 3);
        if ((worked + i + k) % gap !== 0) continue;
        const buyer = (i + 1 + k * stride) % firms;
        if (buyer === i) continue;
        const amount = 200_000 + ((i * 31 + k * 17 + worked * 7) % 800_000);
        const id = `syn-${++seq}`;
        for (const role of ['SELLER', 'BUYER'] as LegRole[]) {
          const [self, partner] = role === 'SELLER' ? [i, buyer] : [buyer, i];
          yield {
            leg_id: `${id}:${role}`,
            event_id: id,
            event_type: 'ISSUED',
            invoice_no: String(seq).padStart(20, '0'),
            original_invoice_no: null,
            role,
            enterprise_tax_id: taxId(self),
            enterprise_name: `合成企业${self}`,
            enterprise_district_code: code,
            partner_tax_id: taxId(partner),
            partner_name: `合成企业${partner}`,
            partner_district_code: code,
            feed_district: 'jiashan',
            source_partition: 0,
            issued_at_ms: issuedAt,
            amount_fen: amount,
            tax_fen: Math.round(amount * 0.13),
            goods: [{ tax_code: '1090101010000000000', amount_fen: amount }],
          };
        }
      }
    }
  }
}
