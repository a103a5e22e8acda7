import { dayOfInstant } from '../../src/calendar/workingCalendar.ts';
import type { InvoiceLeg, LegRole } from '../../src/domain/invoiceLeg.ts';
import { BUYER, FIRM, OTHER_BUYER, SUPPLIER, detectorContext, everyNthWorkingDay, fakeCalendar, leg, type Firm } from './detectFixtures.ts';
import type { IncrementalSnapshot } from '../../pipelines/detect/incrementalSnapshot.ts';
import { emptyOutput, PartitionProcessor } from '../../pipelines/detect/runtimePartition.ts';
import { DEFAULT_WATERMARK_CONFIG } from '../../pipelines/detect/watermarkClock.ts';

/**
 * The legs of tests/fixtures/detectSnapshotV1.json: two firms over seven
 * months with regular partners, broken and restored links, a sales drop,
 * and red-letter corrections of earlier invoices (so a snapshot holds open
 * days, open signals, link histories and the invoice-day index). That
 * fixture is a PartitionProcessor snapshot written by the version-1
 * serializer from the legs issued before SNAPSHOT_V1_CUT; keep this function
 * unchanged, or the fixture no longer matches it.
 */
export const snapshotCalendar = fakeCalendar([['2019-10-01', '2019-10-07']]);
/** The fixture holds the state after the legs issued before this day (a broken link and a sales drop are open then). */
export const SNAPSHOT_V1_CUT = '2019-12-20';

/** In Jiashan like FIRM, so the Jiashan feed's watermark closes its days too. */
const SECOND_FIRM: Firm = { taxId: '91330421MA2B000099', name: '嘉善盛泽丝绸有限公司', districtCode: '330421' };

function stream(partner: Firm, role: LegRole, from: string, to: string, amountFen: number, step: number, firm: Firm = FIRM): InvoiceLeg[] {
  return everyNthWorkingDay(snapshotCalendar, from, to, step).map((day) => leg({ firm, partner, role, day, amountFen }));
}

export function snapshotScenarioLegs(): InvoiceLeg[] {
  const start = '2019-07-01';
  const end = '2020-01-31';
  const sales = stream(BUYER, 'SELLER', start, '2019-11-29', 1_000_000, 1);
  // Red-letter corrections of invoices issued a few working days earlier, netted on the original's day.
  const corrections = sales
    .filter((_, i) => i % 9 === 4)
    .map((original) => ({
      ...leg({ partner: BUYER, role: 'SELLER', day: dayOfInstant(original.issued_at_ms) + 3, amountFen: -250_000, type: 'RED_LETTER', seq: 3 }),
      original_invoice_no: original.invoice_no,
    }));
  const legs = [
    ...sales,
    ...corrections,
    ...stream(BUYER, 'SELLER', '2019-12-16', end, 1_000_000, 1),
    ...stream(OTHER_BUYER, 'SELLER', start, '2019-11-29', 300_000, 2),
    ...stream(OTHER_BUYER, 'SELLER', '2019-12-16', end, 300_000, 2),
    ...stream(SUPPLIER, 'BUYER', start, '2019-11-22', 3_000_000, 4),
    ...stream(SUPPLIER, 'BUYER', '2020-01-06', end, 3_000_000, 4),
    ...stream(SUPPLIER, 'SELLER', start, '2019-12-06', 2_000_000, 1, SECOND_FIRM),
    ...stream(SUPPLIER, 'SELLER', '2019-12-09', end, 300_000, 1, SECOND_FIRM),
    ...stream(OTHER_BUYER, 'BUYER', start, end, 700_000, 3, SECOND_FIRM),
  ];
  // In event-time order (ties by leg id), as a partition would carry them.
  return legs.sort((a, b) => a.issued_at_ms - b.issued_at_ms || (a.leg_id < b.leg_id ? -1 : a.leg_id > b.leg_id ? 1 : 0));
}

/** Snapshots of the two-firm scenario, for snapshot stores: base rows of new enterprises, then log rows, then a tombstone. */
export function scenarioSnapshots(): IncrementalSnapshot[] {
  const processor = new PartitionProcessor(detectorContext(snapshotCalendar), DEFAULT_WATERMARK_CONFIG);
  const out = emptyOutput();
  const taken: IncrementalSnapshot[] = [];
  snapshotScenarioLegs().forEach((l, i) => {
    processor.process(l, out, i);
    if (i === 200 || i === 260) taken.push(processor.snapshot(i + 1));
  });
  const last = processor.snapshot(1000);
  taken.push({ ...last, entries: [{ taxId: SECOND_FIRM.taxId, coversOffset: 1000, slot: null, state: null }] });
  return taken;
}
