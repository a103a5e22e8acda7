import type { DayNumber } from '../../src/calendar/workingCalendar.ts';
import { bufferWithRoom } from '../../src/runtime/bufferWithRoom.ts';
import type { AppliedLeg } from './enterpriseDetector.ts';
import { BOTH_NAMES, PARTNER_KNOWN, PARTNER_NAMES, namesKept, type LeanLeg } from './leanLeg.ts';

/**
 * An enterprise's logged legs as bytes, written as each leg is applied: the fields leanLeg() keeps, without
 * building its tuple. A log row carries them as base64 (`leg-bytes` rows, incrementalSnapshot.ts), and a
 * restore reads them back as the LeanLeg tuples leanLeg() would have made.
 *
 * Why: the tuples, and the decoded strings they pointed at, lived until the next snapshot, so scavenges copied
 * them, and the snapshot then ran them through JSON.stringify. Written as bytes when applied, with the row's
 * text built by hand (entryStateJson) and unsorted rows, a warm 14,000-firm partition's legs cost ~2.4 µs less
 * each, of ~15 (docs/performance.md, "Session 23").
 *
 * A leg: a flags byte, issued_at_ms and amount_fen as float64 (both safe integers), closedBefore as int32 when
 * not null, then its strings: leg_id, invoice_no, original_invoice_no when present, partner_tax_id, and the
 * names leanLeg() keeps (partner name and district, or those (null when known) and the enterprise's). A string
 * is its UTF-8 length (one byte below 254; 255 and a uint32 above) and its bytes; 254 is null. UTF-8 cannot
 * hold a lone surrogate, which a leg decoded from Avro (UTF-8 too) never has.
 */
const EVENT_TYPES: readonly AppliedLeg['event_type'][] = ['ISSUED', 'VOIDED', 'RED_LETTER'];
const EVENT_MASK = 0b11;
const BUYER = 1 << 2;
const HAS_ORIGINAL = 1 << 3;
const HAS_CLOSED_BEFORE = 1 << 4;
/** Bits 5–6: which names follow (namesKept). */
const NAMES_SHIFT = 5;
const NULL_STRING = 254;
const LONG_STRING = 255;
/** Arena bytes kept between snapshots; a larger arena (a burst of legs) is given back after the snapshot. */
const KEEP_BYTES = 4 * 1024 * 1024;
/** Before each leg: the arena offset of the enterprise's next leg (-1: none yet) and the leg's byte length. */
const LINK_BYTES = 8;

/** Where an enterprise's legs are in the arena. */
interface Chain {
  first: number;
  last: number;
  count: number;
  bytes: number;
}

/**
 * The legs applied to each enterprise since its last row, as bytes in one arena per partition (a Buffer each
 * would cost an allocation and a backing store per enterprise and snapshot). An enterprise's legs are chained
 * through the arena in the order applied; base64Of() copies them out, and clear() starts the arena over.
 */
export class PendingLegBytes {
  private arena: Buffer = Buffer.allocUnsafe(64 * 1024);
  private used = 0;
  private readonly chains = new Map<string, Chain>();
  private scratch = Buffer.allocUnsafe(4096);

  /** Enterprises with legs pending. */
  keys(): IterableIterator<string> {
    return this.chains.keys();
  }

  /** Legs pending for the enterprise. */
  count(taxId: string): number {
    return this.chains.get(taxId)?.count ?? 0;
  }

  /** Forgets the enterprise's legs (its next row is a base). */
  delete(taxId: string): void {
    this.chains.delete(taxId);
  }

  /** Writes what leanLeg(leg, closedBefore, known) keeps, after the enterprise's earlier legs. */
  append(taxId: string, leg: AppliedLeg, closedBefore: DayNumber | null, known: number): void {
    const at = this.used;
    this.reserve(LINK_BYTES);
    this.used += LINK_BYTES;
    this.writeLeg(leg, closedBefore, known);
    const a = this.arena;
    a.writeInt32LE(-1, at);
    a.writeInt32LE(this.used - at - LINK_BYTES, at + 4);
    const chain = this.chains.get(taxId);
    if (chain === undefined) this.chains.set(taxId, { first: at, last: at, count: 1, bytes: this.used - at - LINK_BYTES });
    else {
      a.writeInt32LE(at, chain.last);
      chain.last = at;
      chain.count++;
      chain.bytes += this.used - at - LINK_BYTES;
    }
  }

  /** The enterprise's pending legs as a `leg-bytes` row carries them (base64), '' when none. */
  base64Of(taxId: string): string {
    const chain = this.chains.get(taxId);
    if (chain === undefined) return '';
    if (this.scratch.length < chain.bytes) this.scratch = Buffer.allocUnsafe(Math.max(chain.bytes, this.scratch.length * 2));
    let out = 0;
    for (let at = chain.first; at !== -1; at = this.arena.readInt32LE(at)) {
      const length = this.arena.readInt32LE(at + 4);
      this.arena.copy(this.scratch, out, at + LINK_BYTES, at + LINK_BYTES + length);
      out += length;
    }
    return this.scratch.toString('base64', 0, out);
  }

  /** Forgets every enterprise's legs. */
  clear(): void {
    this.chains.clear();
    this.used = 0;
    if (this.arena.length > KEEP_BYTES) this.arena = Buffer.allocUnsafe(KEEP_BYTES);
    if (this.scratch.length > KEEP_BYTES) this.scratch = Buffer.allocUnsafe(4096);
  }

  private writeLeg(leg: AppliedLeg, closedBefore: DayNumber | null, known: number): void {
    const partnerKnown = (known & PARTNER_KNOWN) !== 0;
    const names = namesKept(known);
    const eventType = EVENT_TYPES.indexOf(leg.event_type);
    if (eventType < 0) throw new RangeError(`leg ${leg.leg_id} has event type ${String(leg.event_type)}`);
    this.reserve(21);
    const b = this.arena;
    b[this.used++] =
      eventType | (leg.role === 'BUYER' ? BUYER : 0) | (leg.original_invoice_no !== null ? HAS_ORIGINAL : 0) | (closedBefore !== null ? HAS_CLOSED_BEFORE : 0) | (names << NAMES_SHIFT);
    this.used = b.writeDoubleLE(leg.issued_at_ms, this.used);
    this.used = b.writeDoubleLE(leg.amount_fen, this.used);
    if (closedBefore !== null) this.used = b.writeInt32LE(closedBefore, this.used);
    this.string(leg.leg_id);
    this.string(leg.invoice_no);
    if (leg.original_invoice_no !== null) this.string(leg.original_invoice_no);
    this.string(leg.partner_tax_id);
    if (names === PARTNER_NAMES) {
      this.string(leg.partner_name);
      this.string(leg.partner_district_code);
    } else if (names === BOTH_NAMES) {
      this.string(partnerKnown ? null : leg.partner_name);
      this.string(partnerKnown ? null : leg.partner_district_code);
      this.string(leg.enterprise_name);
      this.string(leg.enterprise_district_code);
    }
  }

  private string(s: string | null): void {
    if (s === null) {
      this.reserve(1);
      this.arena[this.used++] = NULL_STRING;
      return;
    }
    const n = s.length;
    if (n < NULL_STRING) {
      // Most strings here are ASCII (IDs, invoice numbers): copied by hand, their length is their byte count.
      this.reserve(1 + n);
      const b = this.arena;
      const at = this.used + 1;
      let i = 0;
      while (i < n) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[at + i] = c;
        i++;
      }
      if (i === n) {
        b[this.used] = n;
        this.used = at + n;
        return;
      }
    }
    const length = Buffer.byteLength(s, 'utf8');
    this.reserve(5 + length);
    if (length < NULL_STRING) this.arena[this.used++] = length;
    else {
      this.arena[this.used++] = LONG_STRING;
      this.used = this.arena.writeUInt32LE(length, this.used);
    }
    this.used += this.arena.write(s, this.used, length, 'utf8');
  }

  private reserve(more: number): void {
    this.arena = bufferWithRoom(this.arena, this.used, more);
  }
}

/** The LeanLeg tuples of a `leg-bytes` row's `legs` (PendingLegBytes.base64Of). Throws RangeError when they are not `count` whole legs. */
export function leanLegsOfBytes(taxId: string, base64: string, count: number): LeanLeg[] {
  const r = new LegBytesReader(taxId, Buffer.from(base64, 'base64'));
  const legs: LeanLeg[] = [];
  while (!r.done) legs.push(r.leg());
  if (legs.length !== count) throw r.malformed();
  return legs;
}

/**
 * Reads legs as PendingLegBytes wrote them. A class, not closures in leanLegsOfBytes: tsx names every closure
 * it creates (keepNames), a defineProperty call each, which was a tenth of a restore.
 */
class LegBytesReader {
  private at = 0;

  constructor(
    private readonly taxId: string,
    private readonly b: Buffer,
  ) {}

  get done(): boolean {
    return this.at >= this.b.length;
  }

  malformed(): RangeError {
    return new RangeError(`log row of ${this.taxId} holds malformed leg bytes`);
  }

  leg(): LeanLeg {
    const b = this.b;
    this.need(17);
    const flags = b[this.at++]!;
    const eventType = EVENT_TYPES[flags & EVENT_MASK];
    const names = flags >> NAMES_SHIFT;
    if (eventType === undefined || names > BOTH_NAMES) throw this.malformed();
    const issuedAtMs = b.readDoubleLE(this.at);
    const amountFen = b.readDoubleLE(this.at + 8);
    this.at += 16;
    let closedBefore: DayNumber | null = null;
    if ((flags & HAS_CLOSED_BEFORE) !== 0) {
      this.need(4);
      closedBefore = b.readInt32LE(this.at);
      this.at += 4;
    }
    const legId = this.text();
    const invoiceNo = this.text();
    const original = (flags & HAS_ORIGINAL) !== 0 ? this.text() : null;
    const partnerTaxId = this.text();
    const lean: LeanLeg = [legId, eventType, invoiceNo, original, (flags & BUYER) !== 0 ? 'BUYER' : 'SELLER', partnerTaxId, issuedAtMs, amountFen, closedBefore];
    if (names === PARTNER_NAMES) lean.push(this.text(), this.text());
    else if (names === BOTH_NAMES) lean.push(this.string(), this.string(), this.text(), this.text());
    return lean;
  }

  private need(n: number): void {
    if (this.at + n > this.b.length) throw this.malformed();
  }

  private string(): string | null {
    this.need(1);
    const head = this.b[this.at++]!;
    if (head === NULL_STRING) return null;
    let length = head;
    if (head === LONG_STRING) {
      this.need(4);
      length = this.b.readUInt32LE(this.at);
      this.at += 4;
    }
    this.need(length);
    const s = this.b.toString('utf8', this.at, this.at + length);
    this.at += length;
    return s;
  }

  private text(): string {
    const s = this.string();
    if (s === null) throw this.malformed();
    return s;
  }
}
