import { describe, expect, it } from 'vitest';
import { EnterpriseWriteLog } from '../../pipelines/detect/enterpriseWriteLog.ts';
import { createEnterpriseState, type EnterpriseState } from '../../pipelines/detect/enterpriseState.ts';
import type { TakenEntry, TakenEntryState } from '../../pipelines/detect/incrementalSnapshot.ts';
import { packLeg, type PackedLeg } from '../../pipelines/detect/packedLeg.ts';
import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';
import { BUYER, FIRM, SUPPLIER, leg, type Firm } from '../helpers/detectFixtures.ts';

const OTHER: Firm = { taxId: '91330421MA2B000055', name: '嘉善县恒通精密机械制造有限公司', districtCode: '330421' };
/** Thirty firms: each row stays under MAX_LOG_LEGS while the partition's legs add up to ~1 MB of JSON. */
const FIRMS: Firm[] = [FIRM, OTHER, ...Array.from({ length: 28 }, (_, i) => ({ taxId: `91320509MA1X${String(i).padStart(6, '0')}`, name: `吴江第${i}纺织有限公司`, districtCode: '320509' }))];

const states = new Map<string, EnterpriseState>(FIRMS.map((f) => [f.taxId, createEnterpriseState(f.taxId, f.name, f.districtCode)]));
const stateOf = (taxId: string) => states.get(taxId);
const baseOf = (): TakenEntryState => ({ kind: 'base', closes: 0, enterprise: {} as never, openedAtMs: {} });

/** `count` legs of `firms` in turn, with long Chinese partner names, as one partition would carry them. */
function interleaved(firms: readonly Firm[], count: number, from = 0): InvoiceLeg[] {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    const l = leg({ firm: firms[n % firms.length]!, partner: n % 3 === 0 ? SUPPLIER : BUYER, role: n % 3 === 0 ? 'BUYER' : 'SELLER', day: '2020-02-10', amountFen: 1_000 + n, seq: n });
    return { ...l, partner_name: `${l.partner_name}第${n}分公司（苏州吴江汾湖高新技术产业开发区）` };
  });
}

/** The rows as EnterpriseWriteLog packed them before its legs were JSON: each firm's legs, each packed after the previous. */
function packedRows(legs: readonly InvoiceLeg[], closedBefore: number | null): Map<string, PackedLeg[]> {
  const rows = new Map<string, PackedLeg[]>();
  const previous = new Map<string, InvoiceLeg>();
  for (const l of legs) {
    const row = rows.get(l.enterprise_tax_id) ?? [];
    row.push(packLeg(l, closedBefore, previous.get(l.enterprise_tax_id) ?? null));
    rows.set(l.enterprise_tax_id, row);
    previous.set(l.enterprise_tax_id, l);
  }
  return rows;
}

/** The legs of each log row, parsed from its JSON. */
function loggedLegs(entries: readonly TakenEntry[]): Map<string, unknown> {
  const rows = new Map<string, unknown>();
  for (const e of entries) {
    if (e.state?.kind !== 'packed-legs') throw new Error(`${e.taxId}: not a log row`);
    rows.set(e.taxId, JSON.parse(Buffer.from(e.state.legsJson).toString('utf8')));
  }
  return rows;
}

describe('enterprise write log', () => {
  it("takes each enterprise's legs as the JSON of the tuples packLeg gives, however many and however interleaved", () => {
    const log = new EnterpriseWriteLog();
    for (const taxId of states.keys()) log.restored(taxId, 0, 0);
    // 200 legs a firm, ~1 MB of JSON: the log's bytes grow several times over.
    const legs = interleaved(FIRMS, 200 * FIRMS.length);
    for (const l of legs) log.applied(l.enterprise_tax_id, l, 18_300);
    const first = log.take(legs.length, 1, stateOf, baseOf);
    expect(first.map((e) => [e.taxId, e.slot])).toEqual(FIRMS.map((f) => [f.taxId, 0]).sort());
    const expected = packedRows(legs, 18_300);
    expect(loggedLegs(first)).toEqual(expected);

    // The next snapshot's legs start over in the same bytes; what the first took is its own.
    const more = interleaved([FIRM, OTHER], 7, legs.length);
    for (const l of more) log.applied(l.enterprise_tax_id, l, null);
    const second = log.take(legs.length + 7, 1, stateOf, baseOf);
    expect(loggedLegs(second)).toEqual(packedRows(more, null));
    expect(second.map((e) => e.slot)).toEqual([1, 1]);
    expect(loggedLegs(first)).toEqual(expected);
  });

  it('writes an enterprise whole, not its legs, when it is new or its log is long', () => {
    const log = new EnterpriseWriteLog();
    log.created(FIRM.taxId);
    log.restored(OTHER.taxId, 0, 250);
    for (const l of interleaved([FIRM, OTHER], 20)) log.applied(l.enterprise_tax_id, l, null);
    expect(log.take(20, 1, stateOf, baseOf).map((e) => [e.taxId, e.slot, e.state?.kind])).toEqual(
      [[FIRM.taxId, null, 'base'], [OTHER.taxId, null, 'base']].sort(),
    );
  });
});
