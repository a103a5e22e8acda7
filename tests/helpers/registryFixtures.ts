import { randomUUID } from 'node:crypto';
import { loadSchemaText, valueSubject } from '../../schemas/index.ts';
import type { InvoiceEvent } from '../../src/domain/invoiceEvent.ts';
import { createLogger } from '../../src/runtime/log.ts';

/** Shared fixtures of the schema registry and serde tests. */
export const silent = createLogger('test', { sink: { write: () => undefined } });
export const V1 = loadSchemaText('InvoiceEvent');
export const V2 = loadSchemaText('InvoiceEventV2');

/** Each test gets its own subject, so tests share one registry without interfering. */
export const uniqueSubject = () => valueSubject(`yunlian.invoices.qingpu.${randomUUID().slice(0, 8)}`);

export function sampleInvoice(overrides: Partial<InvoiceEvent> = {}): InvoiceEvent {
  return {
    event_id: randomUUID(),
    event_type: 'ISSUED',
    invoice_no: '20312000000000012345',
    original_invoice_no: null,
    invoice_kind: 'DIGITAL_SPECIAL',
    issued_at: '2020-02-11T09:30:00+08:00',
    district: 'qingpu',
    seller: { tax_id: '91310118MA1JL0000X', name: '上海青浦五金制品有限公司', district_code: '310118' },
    buyer: { tax_id: '91320509MA1MX0000Y', name: '苏州吴江拉链有限公司', district_code: '320509' },
    lines: [{ tax_code: '1080413010000000000', item_name: '*五金制品*拉链', quantity: '1000', unit: '条', amount_fen: 123400, tax_rate_bp: 1300, tax_fen: 16042 }],
    total_amount_fen: 123400,
    total_tax_fen: 16042,
    ...overrides,
  };
}

/** InvoiceEvent v1 with one more required field: not BACKWARD compatible. */
export function withRequiredField(schemaText: string): string {
  const schema = JSON.parse(schemaText) as { fields: unknown[] };
  return JSON.stringify({ ...schema, fields: [...schema.fields, { name: 'batch_no', type: 'string' }] });
}

/** Avro's zigzag varint encoding of a long, written by hand to get values avsc refuses to write. */
export function zigzagVarint(value: bigint): Buffer {
  let n = value >= 0n ? value << 1n : (-value << 1n) - 1n;
  const bytes: number[] = [];
  while (n >= 0x80n) {
    bytes.push(Number((n & 0x7fn) | 0x80n));
    n >>= 7n;
  }
  bytes.push(Number(n));
  return Buffer.from(bytes);
}

export interface RawResponse {
  status: number;
  contentType: string | null;
  body: unknown;
}

export async function call(base: string, method: string, path: string, body?: unknown): Promise<RawResponse> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, contentType: response.headers.get('content-type'), body: await response.json() };
}

export async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}
