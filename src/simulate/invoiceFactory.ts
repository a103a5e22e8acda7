import { dayToIso, isoToDay, type DayNumber } from '../calendar/workingCalendar.ts';
import type { InvoiceLine } from '../domain/invoiceEvent.ts';
import type { GoodsItem } from './goodsCatalog.ts';
import { mixSeed } from './prng.ts';

/** Small-scale taxpayers' levy rate was cut from 3 % to 1 % on 2020-03-01 (outside Hubei). */
const SMALL_SCALE_CUT = isoToDay('2020-03-01');

export function smallScaleRateBp(day: DayNumber): number {
  return day < SMALL_SCALE_CUT ? 300 : 100;
}

/** Line tax: amount × rate, rounded half away from zero so a red-letter line mirrors its original exactly. */
export function lineTaxFen(amountFen: number, rateBp: number): number {
  const t = Math.round((Math.abs(amountFen) * rateBp) / 10_000);
  return amountFen < 0 ? -t : t;
}

/**
 * Deterministic identifiers. event_id is UUID-shaped (version nibble 4) and
 * unique per seed: its last 32 bits are a bijection of the event counter.
 * invoice_no is 20 digits: 2-digit year, 2-digit province of the seller, and a
 * 16-digit serial from a seed-dependent offset, so numbers never repeat.
 */
export class IdSource {
  private events = 0;
  private invoices = 0;
  private readonly seed: number;
  private readonly eventSalt: number;
  private readonly invoiceOffset: number;

  constructor(seed: number) {
    this.seed = seed;
    this.eventSalt = mixSeed(seed, 0xe7e7);
    this.invoiceOffset = mixSeed(seed, 0x1a1a) * 1000;
  }

  nextEventId(): string {
    const n = this.events++;
    const w0 = hex8(mixSeed(this.seed, n, 1));
    const w1 = hex8(mixSeed(this.seed, n, 2));
    const w2 = hex8(mixSeed(this.seed, n, 3));
    const w3 = hex8((n + this.eventSalt) >>> 0);
    const variant = '89ab'[parseInt(w2[0]!, 16) & 3]!;
    return `${w0}-${w1.slice(0, 4)}-4${w1.slice(5, 8)}-${variant}${w2.slice(1, 4)}-${w2.slice(4, 8)}${w3}`;
  }

  nextInvoiceNo(sellerDistrictCode: string, day: DayNumber): string {
    const serial = this.invoiceOffset + this.invoices++;
    return `${isoOf(day).slice(2, 4)}${sellerDistrictCode.slice(0, 2)}${String(serial).padStart(16, '0')}`;
  }
}

let memoDay = Number.NaN;
let memoIso = '';
/** dayToIso, remembering the last day: events come day by day, and Date formatting dominated the profile. */
function isoOf(day: DayNumber): string {
  if (day !== memoDay) {
    memoIso = dayToIso(day);
    memoDay = day;
  }
  return memoIso;
}

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** 8 hex digits; a byte table, because toString(16).padStart showed up in the generator's profile. */
function hex8(x: number): string {
  return HEX_BYTE[(x >>> 24) & 255]! + HEX_BYTE[(x >>> 16) & 255]! + HEX_BYTE[(x >>> 8) & 255]! + HEX_BYTE[x & 255]!;
}

/** `2020-02-11T09:30:00+08:00` for a second of a Shanghai day. */
export function formatIssuedAt(day: DayNumber, secondOfDay: number): string {
  const s = Math.floor(secondOfDay);
  const hh = String(Math.floor(s / 3600)).padStart(2, '0');
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return `${isoOf(day)}T${hh}:${mm}:${ss}+08:00`;
}

/** A line as issued, with what a later red-letter invoice needs to re-price part of it. */
export interface PricedLine {
  line: InvoiceLine;
  unit_price_fen: number;
  quantity_decimals: number;
  /** Quantity in units of 10^-decimals. */
  quantity_units: number;
}

/**
 * One invoice line worth about `targetFen`: quantity = target / price rounded
 * to the unit's decimals (at least one unit), amount = quantity × price.
 */
export function priceLine(goods: GoodsItem, unitPriceFen: number, rateBp: number, targetFen: number): PricedLine {
  const scale = 10 ** goods.quantity_decimals;
  const units = Math.max(1, Math.round((targetFen / unitPriceFen) * scale));
  return pricedFromUnits(goods.tax_code, goods.item_name, goods.unit, unitPriceFen, goods.quantity_decimals, rateBp, units);
}

/** The negative counterpart of `original` for `units` of its quantity (all of it for a full red-letter invoice). */
export function redLetterLine(original: PricedLine, units: number): PricedLine {
  const l = original.line;
  return pricedFromUnits(l.tax_code, l.item_name, l.unit, original.unit_price_fen, original.quantity_decimals, l.tax_rate_bp, -units);
}

function pricedFromUnits(
  taxCode: string,
  itemName: string,
  unit: string,
  unitPriceFen: number,
  decimals: number,
  rateBp: number,
  units: number,
): PricedLine {
  const scale = 10 ** decimals;
  // Rounded on the magnitude, so a full red-letter line is exactly the negated original.
  const magnitude = Math.round((Math.abs(units) * unitPriceFen) / scale);
  const amount = units < 0 ? -magnitude : magnitude;
  return {
    line: {
      tax_code: taxCode,
      item_name: itemName,
      quantity: formatQuantity(units, decimals),
      unit,
      amount_fen: amount,
      tax_rate_bp: rateBp,
      tax_fen: lineTaxFen(amount, rateBp),
    },
    unit_price_fen: unitPriceFen,
    quantity_decimals: decimals,
    quantity_units: units,
  };
}

/** Decimal string without trailing zeros: 6250 units at 3 decimals → "6.25". */
export function formatQuantity(units: number, decimals: number): string {
  const sign = units < 0 ? '-' : '';
  const abs = Math.abs(units);
  if (decimals === 0) return `${sign}${abs}`;
  const scale = 10 ** decimals;
  const whole = Math.floor(abs / scale);
  const frac = String(abs % scale).padStart(decimals, '0').replace(/0+$/, '');
  return frac ? `${sign}${whole}.${frac}` : `${sign}${whole}`;
}

export function totals(lines: readonly InvoiceLine[]): { total_amount_fen: number; total_tax_fen: number } {
  let amount = 0;
  let tax = 0;
  for (const l of lines) {
    amount += l.amount_fen;
    tax += l.tax_fen;
  }
  return { total_amount_fen: amount, total_tax_fen: tax };
}
