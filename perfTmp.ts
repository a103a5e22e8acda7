import { isoToDay } from '/work/main/src/calendar/workingCalendar.ts';
import type { InvoiceLeg } from '/work/main/src/domain/invoiceLeg.ts';
import { applyLeg, closeDay } from '/work/main/pipelines/detect/enterpriseDetector.ts';
import { createEnterpriseState, type EnterpriseState } from '/work/main/pipelines/detect/enterpriseState.ts';
import { BUYER, detectorContext, fakeCalendar, leg } from '/work/main/tests/helpers/detectFixtures.ts';
const calendar = fakeCalendar([['2019-10-01', '2019-10-07']]);
const ctx = detectorContext(calendar);
const firms = 10_000;
const from = isoToDay('2019-07-01');
const states: EnterpriseState[] = [];
for (let i = 0; i < firms; i++) states.push(createEnterpriseState(`firm-${i}`, `firm ${i}`, '330421'));
let tApply = 0, tClose = 0, signals = 0;
for (let d = from; d < from + 250; d++) {
  const working = calendar.isWorkingDay(d);
  const legs: (InvoiceLeg | null)[] = states.map((state, i) => working && (i + d) % 5 === 0 && !(i % 100 === 0 && d > from + 120) ? leg({ firm: { taxId: state.taxId, name: 'x', districtCode: '330421' }, partner: BUYER, role: 'SELLER', day: d, amountFen: 1_000_000 }) : null);
  let t = performance.now();
  for (let i = 0; i < firms; i++) { const l = legs[i]; if (l) applyLeg(states[i]!, l, ctx); }
  tApply += performance.now() - t; t = performance.now();
  for (let i = 0; i < firms; i++) signals += closeDay(states[i]!, d, ctx).length;
  tClose += performance.now() - t;
}
console.log({ tApply, tClose, signals });
