import type { InvoiceEvent, InvoiceLine } from '../../src/domain/invoiceEvent.ts';
import { EVENT_TYPES, INVOICE_KINDS } from '../../src/domain/invoiceEvent.ts';
import { checkUscc } from '../../src/domain/uscc.ts';
import { districtOfCode, isDistrict } from '../../src/domain/district.ts';
import { parseIssuedAt } from '../../src/domain/issuedAt.ts';

/** Why an invoice event is rejected; these codes appear in the DLQ's `x-dlq.reason` header. */
export type InvalidReason =
  | 'INVALID_EVENT_ID'
  | 'UNKNOWN_EVENT_TYPE'
  | 'UNKNOWN_INVOICE_KIND'
  | 'UNKNOWN_DISTRICT'
  | 'FEED_MISMATCH'
  | 'INVALID_INVOICE_NO'
  | 'TIMESTAMP_INVALID'
  | 'TIMESTAMP_IN_FUTURE'
  | 'SELLER_USCC_INVALID'
  | 'BUYER_USCC_INVALID'
  | 'SELF_INVOICE'
  | 'INVALID_DISTRICT_CODE'
  | 'INVALID_TEXT_ENCODING'
  | 'FIELD_TOO_LONG'
  | 'NO_LINES'
  | 'TOO_MANY_LINES'
  | 'INVALID_TAX_CODE'
  | 'INVALID_TAX_RATE'
  | 'INVALID_QUANTITY'
  | 'AMOUNT_NOT_INTEGER'
  | 'SIGN_MISMATCH'
  | 'LINE_TAX_MISMATCH'
  | 'TOTAL_AMOUNT_MISMATCH'
  | 'TOTAL_TAX_MISMATCH'
  | 'REFERENCE_INVALID'
  | 'RED_LETTER_NO_REFERENCE'
  | 'VOID_REFERENCE_MISMATCH';

/** A valid event carries its parsed `issued_at`, so callers need not parse it again. */
export type Validation = { kind: 'valid'; issuedAtMs: number } | { kind: 'invalid'; reason: InvalidReason; detail: string };

export interface ValidationContext {
  /** Wall clock, epoch ms; events more than `maxFutureMs` ahead of it are rejected. */
  now: number;
  maxFutureMs?: number;
  /** The district of the topic the record came from, when known. */
  topicDistrict?: string;
}

const MAX_TEXT = 300;
const MAX_LINES = 2000;
const INVOICE_NO = /^(\d{20}|\d{18})$/;
const TAX_CODE = /^[1-6]\d{18}$/;
const DIVISION_CODE = /^\d{6}$/;
const QUANTITY = /^-?\d{1,15}(\.\d{1,8})?$/;

const invalid = (reason: InvalidReason, detail: string): Validation => ({ kind: 'invalid', reason, detail });

/** round(amount × rate_bp / 10000), half away from zero, exact in BigInt. */
export function expectedLineTax(amountFen: number, rateBp: number): number {
  const product = BigInt(amountFen) * BigInt(rateBp);
  const negative = product < 0n;
  const abs = negative ? -product : product;
  const rounded = (abs + 5000n) / 10000n;
  return Number(negative ? -rounded : rounded);
}

function checkLine(line: InvoiceLine, index: number, sign: 1 | -1): Validation | null {
  const at = `line ${index + 1}`;
  if (!TAX_CODE.test(line.tax_code)) return invalid('INVALID_TAX_CODE', `${at}: tax_code must be 19 digits starting 1-6`);
  if (line.item_name.length > MAX_TEXT || line.unit.length > MAX_TEXT) return invalid('FIELD_TOO_LONG', `${at}: item_name/unit longer than ${MAX_TEXT}`);
  if (!QUANTITY.test(line.quantity)) return invalid('INVALID_QUANTITY', `${at}: quantity '${line.quantity.slice(0, 40)}' is not a decimal`);
  if (!Number.isSafeInteger(line.amount_fen) || !Number.isSafeInteger(line.tax_fen)) return invalid('AMOUNT_NOT_INTEGER', `${at}: amounts must be integer fen`);
  if (!Number.isInteger(line.tax_rate_bp) || line.tax_rate_bp < 0 || line.tax_rate_bp > 1700) return invalid('INVALID_TAX_RATE', `${at}: tax_rate_bp ${line.tax_rate_bp} outside 0..1700`);
  if (line.amount_fen * sign < 0 || line.tax_fen * sign < 0) return invalid('SIGN_MISMATCH', `${at}: ${sign > 0 ? 'amounts must not be negative' : 'red-letter amounts must not be positive'}`);
  const expected = expectedLineTax(line.amount_fen, line.tax_rate_bp);
  if (Math.abs(expected - line.tax_fen) > 1) return invalid('LINE_TAX_MISMATCH', `${at}: tax ${line.tax_fen} fen, expected ${expected} ±1 (amount × rate)`);
  return null;
}

function checkParty(role: 'seller' | 'buyer', party: InvoiceEvent['seller'], reason: 'SELLER_USCC_INVALID' | 'BUYER_USCC_INVALID'): Validation | null {
  const check = checkUscc(party.tax_id);
  if (check.kind !== 'ok') return invalid(reason, `${role} tax_id: ${check.kind.replace(/_/g, ' ')}`);
  if (!DIVISION_CODE.test(party.district_code)) return invalid('INVALID_DISTRICT_CODE', `${role} district_code must be 6 digits`);
  if (party.name.length === 0 || party.name.length > MAX_TEXT) return invalid('FIELD_TOO_LONG', `${role} name must be 1..${MAX_TEXT} characters`);
  return null;
}

const lost = (text: string) => text.includes('\uFFFD');

/** Bytes that were not UTF-8 arrive decoded as U+FFFD (Avro strings, readline): the text is lost. */
function hasReplacementCharacter(event: InvoiceEvent): boolean {
  if (lost(event.event_id) || lost(event.invoice_no) || lost(event.seller.name) || lost(event.buyer.name)) return true;
  for (const l of event.lines) if (lost(l.item_name) || lost(l.unit) || lost(l.quantity)) return true;
  return false;
}

/**
 * The ingest rules of DESIGN.md section 3, applied to a structurally sound
 * event (types already enforced by Avro or parseInvoiceEvent). Pure.
 */
export function validateInvoice(event: InvoiceEvent, ctx: ValidationContext): Validation {
  if (event.event_id.length === 0 || event.event_id.length > 100) return invalid('INVALID_EVENT_ID', 'event_id must be 1..100 characters');
  if (!(EVENT_TYPES as readonly string[]).includes(event.event_type)) return invalid('UNKNOWN_EVENT_TYPE', `event_type '${String(event.event_type).slice(0, 40)}'`);
  if (!(INVOICE_KINDS as readonly string[]).includes(event.invoice_kind)) return invalid('UNKNOWN_INVOICE_KIND', `invoice_kind '${String(event.invoice_kind).slice(0, 40)}'`);
  if (!isDistrict(event.district)) return invalid('UNKNOWN_DISTRICT', `district '${String(event.district).slice(0, 40)}' is not qingpu, jiashan or wujiang`);
  if (ctx.topicDistrict !== undefined && ctx.topicDistrict !== event.district) return invalid('FEED_MISMATCH', `event says district ${event.district} but came on the ${ctx.topicDistrict} feed`);
  if (!INVOICE_NO.test(event.invoice_no)) return invalid('INVALID_INVOICE_NO', 'invoice_no must be 20 digits (or 18: code + number)');
  const issued = parseIssuedAt(event.issued_at);
  if (issued.kind === 'error') return invalid('TIMESTAMP_INVALID', issued.detail);
  if (issued.epochMs > ctx.now + (ctx.maxFutureMs ?? 86_400_000)) return invalid('TIMESTAMP_IN_FUTURE', `issued_at ${event.issued_at} is in the future`);

  const partyProblem = checkParty('seller', event.seller, 'SELLER_USCC_INVALID') ?? checkParty('buyer', event.buyer, 'BUYER_USCC_INVALID');
  if (partyProblem) return partyProblem;
  if (hasReplacementCharacter(event)) return invalid('INVALID_TEXT_ENCODING', 'a text field is not valid UTF-8');
  if (event.seller.tax_id === event.buyer.tax_id) return invalid('SELF_INVOICE', 'seller and buyer are the same enterprise');
  const feedOwner = districtOfCode(event.seller.district_code) ?? districtOfCode(event.buyer.district_code);
  if (feedOwner !== event.district) {
    return invalid('FEED_MISMATCH', feedOwner === null ? 'neither party files in the demonstration zone' : `the ${feedOwner} feed carries this invoice, not ${event.district}`);
  }

  if (event.lines.length === 0) return invalid('NO_LINES', 'an invoice needs at least one line');
  if (event.lines.length > MAX_LINES) return invalid('TOO_MANY_LINES', `more than ${MAX_LINES} lines`);
  const sign = event.event_type === 'RED_LETTER' ? -1 : 1;
  let amount = 0;
  let tax = 0;
  for (let i = 0; i < event.lines.length; i++) {
    const problem = checkLine(event.lines[i]!, i, sign);
    if (problem) return problem;
    amount += event.lines[i]!.amount_fen;
    tax += event.lines[i]!.tax_fen;
  }
  if (!Number.isSafeInteger(event.total_amount_fen) || !Number.isSafeInteger(event.total_tax_fen)) return invalid('AMOUNT_NOT_INTEGER', 'totals must be integer fen');
  if (!Number.isSafeInteger(amount) || amount !== event.total_amount_fen) return invalid('TOTAL_AMOUNT_MISMATCH', `total_amount_fen ${event.total_amount_fen} ≠ sum of lines ${amount}`);
  if (tax !== event.total_tax_fen) return invalid('TOTAL_TAX_MISMATCH', `total_tax_fen ${event.total_tax_fen} ≠ sum of lines ${tax}`);

  const ref = event.original_invoice_no;
  switch (event.event_type) {
    case 'ISSUED':
      if (ref !== null) return invalid('REFERENCE_INVALID', 'an ISSUED invoice must not reference another');
      break;
    case 'VOIDED':
      if (ref !== event.invoice_no) return invalid('VOID_REFERENCE_MISMATCH', 'a VOIDED event repeats the voided invoice: original_invoice_no must equal invoice_no');
      break;
    case 'RED_LETTER':
      if (ref === null || !INVOICE_NO.test(ref) || ref === event.invoice_no) return invalid('RED_LETTER_NO_REFERENCE', 'a RED_LETTER invoice must reference the invoice it corrects');
      break;
  }
  return { kind: 'valid', issuedAtMs: issued.epochMs };
}
