import type { InvoiceEvent, InvoiceLine, Party } from './invoiceEvent.ts';

/**
 * Structural check of an untrusted JSON value against the InvoiceEvent
 * contract (DESIGN.md section 3): field presence and types only. Semantic rules
 * (check digits, totals, tax) are ingest's validateInvoice.
 */
export type ParsedEvent = { kind: 'ok'; event: InvoiceEvent } | { kind: 'error'; detail: string };

class ShapeError extends Error {}

function str(obj: Record<string, unknown>, key: string, path: string): string {
  const v = obj[key];
  if (typeof v !== 'string') throw new ShapeError(`${path}${key} must be a string`);
  return v;
}

function int(obj: Record<string, unknown>, key: string, path: string): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new ShapeError(`${path}${key} must be an integer (fen / basis points)`);
  return v;
}

function record(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ShapeError(`${path} must be an object`);
  return v as Record<string, unknown>;
}

function party(v: unknown, path: string): Party {
  const o = record(v, path);
  return { tax_id: str(o, 'tax_id', `${path}.`), name: str(o, 'name', `${path}.`), district_code: str(o, 'district_code', `${path}.`) };
}

function line(v: unknown, path: string): InvoiceLine {
  const o = record(v, path);
  const p = `${path}.`;
  const quantity = o.quantity;
  return {
    tax_code: str(o, 'tax_code', p),
    item_name: str(o, 'item_name', p),
    quantity: typeof quantity === 'number' && Number.isFinite(quantity) ? String(quantity) : str(o, 'quantity', p),
    unit: str(o, 'unit', p),
    amount_fen: int(o, 'amount_fen', p),
    tax_rate_bp: int(o, 'tax_rate_bp', p),
    tax_fen: int(o, 'tax_fen', p),
  };
}

export function parseInvoiceEvent(value: unknown): ParsedEvent {
  try {
    const o = record(value, 'event');
    const lines = o.lines;
    if (!Array.isArray(lines)) throw new ShapeError('lines must be an array');
    const original = o.original_invoice_no;
    if (original !== null && original !== undefined && typeof original !== 'string') throw new ShapeError('original_invoice_no must be a string or null');
    const source = o.source_system;
    const event: InvoiceEvent = {
      event_id: str(o, 'event_id', ''),
      event_type: str(o, 'event_type', '') as InvoiceEvent['event_type'],
      invoice_no: str(o, 'invoice_no', ''),
      original_invoice_no: original ?? null,
      invoice_kind: str(o, 'invoice_kind', '') as InvoiceEvent['invoice_kind'],
      issued_at: str(o, 'issued_at', ''),
      district: str(o, 'district', '') as InvoiceEvent['district'],
      seller: party(o.seller, 'seller'),
      buyer: party(o.buyer, 'buyer'),
      lines: lines.map((l, i) => line(l, `lines[${i}]`)),
      total_amount_fen: int(o, 'total_amount_fen', ''),
      total_tax_fen: int(o, 'total_tax_fen', ''),
    };
    if (typeof source === 'string') event.source_system = source;
    return { kind: 'ok', event };
  } catch (error) {
    if (error instanceof ShapeError) return { kind: 'error', detail: error.message };
    throw error;
  }
}
