import type { MatchNeed } from '../../src/domain/matchList.ts';
import type { DisruptionType } from '../../src/domain/signal.ts';
import { sameDirectionTypes } from './needOfSignal.ts';

export type Exclusion =
  | { kind: 'SELF' }
  | { kind: 'BROKEN_PARTNER' }
  | { kind: 'SAME_DIRECTION_DISRUPTION'; signal_type: DisruptionType }
  | { kind: 'SILENT' }
  | { kind: 'PARTNER_SILENT'; partner_tax_id: string };

export interface ExclusionContext {
  enterpriseTaxId: string;
  brokenPartnerTaxId: string | null;
  need: MatchNeed;
}

/**
 * Why a firm must never appear on a list, or null if it may: the enterprise
 * itself, the partner that just broke away, a firm that stopped invoicing
 * altogether (SILENCE), and a firm with its own open disruption on the side
 * the enterprise needs (a supplier short of inputs cannot take on a customer;
 * a buyer that lost its own customers will not buy more), and a firm whose
 * regular partner on that side went silent (the same shortage, seen before
 * the firm's own signal fires; `silentPartnerTaxId` from silentPartner.ts).
 */
export function exclusionOf(candidateTaxId: string, openTypes: ReadonlySet<DisruptionType>, ctx: ExclusionContext, silentPartnerTaxId: string | null = null): Exclusion | null {
  if (candidateTaxId === ctx.enterpriseTaxId) return { kind: 'SELF' };
  if (ctx.brokenPartnerTaxId !== null && candidateTaxId === ctx.brokenPartnerTaxId) return { kind: 'BROKEN_PARTNER' };
  if (openTypes.has('SILENCE')) return { kind: 'SILENT' };
  for (const t of sameDirectionTypes(ctx.need)) if (openTypes.has(t)) return { kind: 'SAME_DIRECTION_DISRUPTION', signal_type: t };
  if (silentPartnerTaxId !== null) return { kind: 'PARTNER_SILENT', partner_tax_id: silentPartnerTaxId };
  return null;
}
