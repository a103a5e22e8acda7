import type { MatchNeed } from '../../src/domain/matchList.ts';
import type { DisruptionType, SignalType } from '../../src/domain/signal.ts';
import type { LegRole } from '../../src/domain/invoiceLeg.ts';

/**
 * DESIGN.md section 5: a firm whose supplier broke or whose purchases
 * collapsed needs suppliers; one whose buyer broke or whose sales collapsed
 * needs buyers. Other signal types open no match list.
 */
export function needOfSignal(type: SignalType): MatchNeed | null {
  switch (type) {
    case 'UPSTREAM_BROKEN':
    case 'PURCHASE_DROP':
      return 'SUPPLIER';
    case 'DOWNSTREAM_BROKEN':
    case 'SALES_DROP':
      return 'BUYER';
    default:
      return null;
  }
}

/** The disruptions "of the same direction" as a need: a candidate with one open is itself short on that side. */
export function sameDirectionTypes(need: MatchNeed): readonly DisruptionType[] {
  return need === 'SUPPLIER' ? ['UPSTREAM_BROKEN', 'PURCHASE_DROP'] : ['DOWNSTREAM_BROKEN', 'SALES_DROP'];
}

/** The role a candidate plays on the invoices it would issue or receive: a supplier sells. */
export function candidateRole(need: MatchNeed): LegRole {
  return need === 'SUPPLIER' ? 'SELLER' : 'BUYER';
}

/** The role of the enterprise itself on those invoices. */
export function enterpriseRole(need: MatchNeed): LegRole {
  return need === 'SUPPLIER' ? 'BUYER' : 'SELLER';
}
