import type { DayNumber } from '../../src/calendar/workingCalendar.ts';
import { legLinkKey, type EnterpriseState, type PartyProfile } from './enterpriseState.ts';
import type { AppliedLeg } from './enterpriseDetector.ts';

/**
 * A logged leg as log rows write it: a positional tuple of what applyLeg reads, without the names and districts
 * the enterprise's state already held when the leg was applied. A restore replays a row's legs onto the same
 * state (a base, then the legs and closes in order), so it finds those names where the live state had them.
 *
 * Why: nearly every leg names the enterprise and its partner in Chinese. Carried in every row, they made each
 * row a two-byte string, whose JSON and UTF-8 encoding were most of the snapshots' cost on detect's thread
 * (docs/performance.md, "Session 15"). Without them most rows are ASCII.
 *
 * Shapes: 9 fields when both parties are known; 11 with the partner's name and district; 13 with the
 * enterprise's as well (the partner's pair is then null when known).
 */
export type LeanLeg = [
  legId: string,
  eventType: AppliedLeg['event_type'],
  invoiceNo: string,
  originalInvoiceNo: string | null,
  role: AppliedLeg['role'],
  partnerTaxId: string,
  issuedAtMs: number,
  amountFen: number,
  closedBefore: DayNumber | null,
  partnerName?: string | null,
  partnerDistrictCode?: string | null,
  enterpriseName?: string,
  enterpriseDistrictCode?: string,
];

/** knownParties bits: the state names the enterprise / the partner as the leg does. */
export const ENTERPRISE_KNOWN = 1;
export const PARTNER_KNOWN = 2;

/**
 * The partner's profile as the state knows it under link `key` (legLinkKey of a leg): its closed link's. Packing
 * and unpacking must agree on this, or a restore would fill in names the live state did not compare against.
 */
function knownPartner(state: EnterpriseState, key: string): PartyProfile | undefined {
  return state.links.get(key)?.partner;
}

/**
 * Which of the leg's parties `state` (before the leg is applied) already names exactly as the leg does: the
 * enterprise by its profile, the partner by its closed link under `key` (legLinkKey of the leg).
 */
export function knownParties(state: EnterpriseState, leg: AppliedLeg, key: string): number {
  let known = 0;
  if (state.profile.name === leg.enterprise_name && state.profile.districtCode === leg.enterprise_district_code) known |= ENTERPRISE_KNOWN;
  const partner = knownPartner(state, key);
  if (partner !== undefined && partner.name === leg.partner_name && partner.districtCode === leg.partner_district_code) known |= PARTNER_KNOWN;
  return known;
}

/** namesKept's answers: the 9-, 11- and 13-field shapes of LeanLeg. */
export const NO_NAMES = 0;
export const PARTNER_NAMES = 1;
export const BOTH_NAMES = 2;

/**
 * Which names a logged leg keeps, given `known` (knownParties): none, the partner's name and district, or the
 * partner's (null when known) and then the enterprise's. The one rule for the tuples and the bytes alike.
 */
export function namesKept(known: number): typeof NO_NAMES | typeof PARTNER_NAMES | typeof BOTH_NAMES {
  if ((known & ENTERPRISE_KNOWN) === 0) return BOTH_NAMES;
  return (known & PARTNER_KNOWN) === 0 ? PARTNER_NAMES : NO_NAMES;
}

/**
 * Packs `leg`, applied to a state that had closed through `closedBefore` and knew `known` (knownParties) of it.
 * The write log writes the same fields as bytes (PendingLegBytes), which a restore reads back as this tuple.
 */
export function leanLeg(leg: AppliedLeg, closedBefore: DayNumber | null, known: number): LeanLeg {
  const lean: LeanLeg = [leg.leg_id, leg.event_type, leg.invoice_no, leg.original_invoice_no, leg.role, leg.partner_tax_id, leg.issued_at_ms, leg.amount_fen, closedBefore];
  const names = namesKept(known);
  const partnerKnown = (known & PARTNER_KNOWN) !== 0;
  if (names === BOTH_NAMES) {
    lean.push(partnerKnown ? null : leg.partner_name, partnerKnown ? null : leg.partner_district_code, leg.enterprise_name, leg.enterprise_district_code);
  } else if (names === PARTNER_NAMES) {
    lean.push(leg.partner_name, leg.partner_district_code);
  }
  return lean;
}

/** The day the state had closed through before the leg. Throws RangeError for a tuple this version did not write. */
export function leanClosedBefore(taxId: string, lean: LeanLeg): DayNumber | null {
  if (!Array.isArray(lean) || (lean.length !== 9 && lean.length !== 11 && lean.length !== 13)) throw new RangeError(`log row of ${taxId} holds a leg of unknown shape`);
  return lean[8];
}

/**
 * The leg as applyLeg reads it, with the names it left out taken from `state`: the enterprise's state replayed
 * up to just before this leg (after closing through leanClosedBefore). Throws RangeError when the state does
 * not know a party the row says it knew: the row does not belong to this chain of rows.
 */
export function unpackLeanLeg(taxId: string, lean: LeanLeg, state: EnterpriseState): AppliedLeg {
  const [leg_id, event_type, invoice_no, original_invoice_no, role, partner_tax_id, issued_at_ms, amount_fen] = lean;
  let partnerName = lean[9] ?? null;
  let partnerDistrict = lean[10] ?? null;
  if (partnerName === null || partnerDistrict === null) {
    const partner = knownPartner(state, legLinkKey({ role, partner_tax_id }));
    if (partner === undefined) throw new RangeError(`log row of ${taxId} leaves out partner ${partner_tax_id}, which its state does not know`);
    partnerName = partner.name;
    partnerDistrict = partner.districtCode;
  }
  const enterpriseName = lean.length === 13 ? lean[11]! : state.profile.name;
  const enterpriseDistrict = lean.length === 13 ? lean[12]! : state.profile.districtCode;
  return {
    leg_id,
    event_type,
    invoice_no,
    original_invoice_no,
    role,
    enterprise_tax_id: taxId,
    enterprise_name: enterpriseName,
    enterprise_district_code: enterpriseDistrict,
    partner_tax_id,
    partner_name: partnerName,
    partner_district_code: partnerDistrict,
    issued_at_ms,
    amount_fen,
  };
}
