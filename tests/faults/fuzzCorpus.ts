/**
 * Hostile input for the poison scenario: at least 1000 Kafka records and a
 * JSON-lines file for `yunlian produce`, each labelled with what is wrong
 * with it. Deterministic for a seed. Pure: encoding is injected.
 */
import { createPrng, type Prng } from '../../src/simulate/prng.ts';
import { encodeWireFormat } from '../../schemas/serde/wireFormat.ts';
import type { District } from '../../src/domain/district.ts';
import type { InvoiceEvent } from '../../src/domain/invoiceEvent.ts';
import { issuedInvoice } from '../helpers/invoiceFixtures.ts';

export type HostileCategory =
  | 'truncated-avro'
  | 'wrong-magic-byte'
  | 'huge-string'
  | 'wrong-type'
  | 'invalid-uscc'
  | 'negative-total'
  | 'future-timestamp'
  | 'non-utf8'
  | 'megabyte-value'
  | 'empty-value';

export interface HostileRecord {
  /** Unique (`fuzz-<n>`), so the record can be found again in the DLQ by its key. */
  key: string;
  value: Buffer;
  category: HostileCategory;
  /** What exactly was done to it, for the report. */
  variant: string;
}

export interface FuzzEncoders {
  /** The district feed's v1 codec. */
  encode(event: InvoiceEvent): Buffer;
  /** Schema id of the feed's value subject. */
  invoiceSchemaId: number;
  /** A registered schema id of another record type (InvoiceLeg), and a value of it. */
  foreignSchemaId: number;
  foreignValue: Buffer;
}

const MARK = 'Zq9Zq9Zq9Zq9Zq9Z';

function hostileEvent(district: District, n: number): InvoiceEvent {
  return issuedInvoice({ district, n, seller: 1 + (n % 9), buyer: 30 + (n % 4), amounts: [5_000 + (n % 977)] });
}

/** Replaces the bytes of `mark` in `buf` with invalid UTF-8 of the same length (Avro strings are length-prefixed bytes). */
function corruptUtf8(buf: Buffer, mark: string, prng: Prng): Buffer {
  const at = buf.indexOf(Buffer.from(mark, 'utf8'));
  if (at < 0) throw new Error('marker not found in the encoded record');
  const out = Buffer.from(buf);
  const bad = [0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0xed, 0xa0, 0x80];
  for (let i = 0; i < mark.length; i++) out[at + i] = bad[(i + prng.int(0, bad.length - 1)) % bad.length]!;
  return out;
}

/** `count` hostile records (≥ 1000 for the suite) for a district feed, categories interleaved. */
export function hostileRecords(opts: { count: number; seed: number; district: District; firstInvoice: number; encoders: FuzzEncoders; megabyteValues?: number }): HostileRecord[] {
  const prng = createPrng(opts.seed);
  const enc = opts.encoders;
  const out: HostileRecord[] = [];
  const add = (category: HostileCategory, variant: string, value: Buffer) => out.push({ key: `fuzz-${out.length}`, value, category, variant });
  const megabytes = opts.megabyteValues ?? 2;
  for (let i = 0; i < megabytes; i++) {
    // Just under the mock broker's 1 MB message limit: the DLQ must be able to carry the original bytes too.
    add('megabyte-value', 'a 0.9 MB JSON line instead of Avro', Buffer.from(`{"event_id":"${'x'.repeat(900_000)}"}`));
  }
  for (let i = 0; out.length < opts.count; i++) {
    const base = hostileEvent(opts.district, opts.firstInvoice + i);
    const good = enc.encode(base);
    switch (i % 11) {
      case 0:
        add('truncated-avro', 'cut inside the body', good.subarray(0, prng.int(6, good.length - 1)));
        break;
      case 1:
        add('truncated-avro', 'shorter than the 5-byte header', good.subarray(0, prng.int(1, 4)));
        break;
      case 2: {
        const bad = Buffer.from(good);
        bad[0] = prng.int(1, 255);
        add('wrong-magic-byte', `magic byte ${bad[0]}`, bad);
        break;
      }
      case 3: {
        const size = prng.chance(0.05) ? 100_000 : prng.int(301, 5_000);
        const variant = prng.chance(0.5) ? 'item_name' : 'seller name';
        const event = variant === 'item_name' ? { ...base, lines: base.lines.map((l) => ({ ...l, item_name: '拉'.repeat(size) })) } : { ...base, seller: { ...base.seller, name: '某'.repeat(size) } };
        add('huge-string', `${variant} of ${size} characters`, enc.encode(event));
        break;
      }
      case 4: {
        const v = prng.int(0, 2);
        if (v === 0) add('wrong-type', 'an InvoiceLeg on an invoice topic', enc.foreignValue);
        else if (v === 1) add('wrong-type', 'random bytes after a valid header', encodeWireFormat(enc.invoiceSchemaId, Buffer.from(Array.from({ length: prng.int(1, 200) }, () => prng.int(0, 255)))));
        else add('wrong-type', 'invoice body framed with the InvoiceLeg schema id', encodeWireFormat(enc.foreignSchemaId, good.subarray(5)));
        break;
      }
      case 5: {
        const who = prng.chance(0.5) ? 'seller' : 'buyer';
        const party = base[who];
        const last = party.tax_id[17] === 'A' ? 'B' : 'A';
        add('invalid-uscc', `${who} check character changed`, enc.encode({ ...base, [who]: { ...party, tax_id: party.tax_id.slice(0, 17) + last } }));
        break;
      }
      case 6: {
        const lines = base.lines.map((l) => ({ ...l, amount_fen: -l.amount_fen, tax_fen: -l.tax_fen }));
        const event = prng.chance(0.5)
          ? { ...base, lines, total_amount_fen: -base.total_amount_fen, total_tax_fen: -base.total_tax_fen }
          : { ...base, total_amount_fen: -base.total_amount_fen };
        add('negative-total', 'negative amounts on an ISSUED invoice', enc.encode(event));
        break;
      }
      case 7: {
        const year = prng.pick(['2031', '2099', '9999']);
        add('future-timestamp', `issued in ${year}`, enc.encode({ ...base, issued_at: `${year}-03-01T10:00:00+08:00` }));
        break;
      }
      case 8: {
        const field = prng.pick(['invoice_no', 'seller tax_id', 'seller name'] as const);
        const event =
          field === 'invoice_no'
            ? { ...base, invoice_no: MARK.slice(0, 16) + '0000' }
            : field === 'seller tax_id'
              ? { ...base, seller: { ...base.seller, tax_id: MARK.slice(0, 18) } }
              : { ...base, seller: { ...base.seller, name: MARK } };
        add('non-utf8', `invalid UTF-8 bytes in ${field}`, corruptUtf8(enc.encode(event), field === 'invoice_no' ? MARK.slice(0, 16) : field === 'seller tax_id' ? MARK.slice(0, 18) : MARK, prng));
        break;
      }
      case 9:
        add('empty-value', 'null value (tombstone)', Buffer.alloc(0));
        break;
      case 10:
        add('wrong-magic-byte', 'a JSON line instead of Avro', Buffer.from(JSON.stringify(base)));
        break;
    }
  }
  return out;
}

/** One line of a hostile JSON-lines file. */
export interface HostileLine {
  /** 1-based line number in the file. */
  line: number;
  /** Raw bytes of the line (may be invalid UTF-8), without the newline. */
  bytes: Buffer;
  category: string;
  /** invoice_no it carries when it is well-formed JSON of the right shape (then ingest must dead-letter it). */
  invoiceNo: string | null;
  /** null = a valid line that must be published and ingested. */
  hostile: boolean;
  eventId: string | null;
}

/**
 * A JSON-lines file for `yunlian produce`: `valid` good lines and at least
 * `hostile` bad ones, interleaved, plus lines over 1 MiB and one `giantLineBytes` line.
 */
export function hostileJsonLines(opts: { hostile: number; valid: number; seed: number; district: District; firstInvoice: number; giantLineBytes: number }): HostileLine[] {
  const prng = createPrng(opts.seed);
  const out: HostileLine[] = [];
  const push = (bytes: Buffer, category: string, hostile: boolean, event: InvoiceEvent | null) =>
    out.push({ line: out.length + 1, bytes, category, hostile, invoiceNo: event?.invoice_no ?? null, eventId: event?.event_id ?? null });
  const json = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8');
  let n = opts.firstInvoice;
  let validLeft = opts.valid;
  let hostileLeft = opts.hostile;
  push(Buffer.from(`{"event_id":"${'y'.repeat(opts.giantLineBytes)}"}`), 'giant line', true, null);
  push(Buffer.from(`{"event_id":"${'z'.repeat(1_100_000)}"}`), 'line over 1 MiB', true, null);
  for (let i = 0; validLeft > 0 || hostileLeft > 0; i++) {
    const event = hostileEvent(opts.district, n++);
    if (validLeft > 0 && (hostileLeft === 0 || prng.chance(opts.valid / (opts.valid + opts.hostile)))) {
      validLeft--;
      push(json(event), 'valid', false, event);
      continue;
    }
    hostileLeft--;
    switch (i % 9) {
      case 0: {
        const text = JSON.stringify(event);
        push(Buffer.from(text.slice(0, prng.int(1, text.length - 1))), 'truncated JSON', true, null);
        break;
      }
      case 1:
        push(json({ ...event, total_amount_fen: String(event.total_amount_fen) }), 'wrong type (amount as string)', true, null);
        break;
      case 2:
        push(json({ ...event, lines: undefined }), 'missing lines', true, null);
        break;
      case 3:
        push(json({ ...event, district: opts.district === 'qingpu' ? 'jiashan' : 'qingpu' }), 'other district', true, null);
        break;
      case 4: {
        const party = event.seller;
        push(json({ ...event, seller: { ...party, tax_id: party.tax_id.slice(0, 17) + (party.tax_id[17] === 'A' ? 'B' : 'A') } }), 'invalid USCC', true, event);
        break;
      }
      case 5:
        push(json({ ...event, total_amount_fen: -event.total_amount_fen }), 'negative total', true, event);
        break;
      case 6:
        push(json({ ...event, issued_at: '2099-01-01T10:00:00+08:00' }), 'future timestamp', true, event);
        break;
      case 7: {
        const text = Buffer.from(JSON.stringify({ ...event, seller: { ...event.seller, name: MARK } }), 'utf8');
        push(corruptUtf8(text, MARK, prng), 'non-UTF-8 bytes in a name', true, event);
        break;
      }
      case 8:
        push(json({ ...event, seller: { ...event.seller, name: '某'.repeat(5_000) } }), 'huge string', true, event);
        break;
    }
  }
  return out;
}
