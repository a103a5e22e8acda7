import type { ClickHouseClient } from '@clickhouse/client';
import { isDistrict } from '../../src/domain/district.ts';
import type { InvoiceEvent } from '../../src/domain/invoiceEvent.ts';
import type { InvoiceLeg } from '../../src/domain/invoiceLeg.ts';
import { toClickHouseFailure } from '../../sinks/clickhouse/clickhouseErrors.ts';
import { invoiceLegs } from '../ingest/invoiceLegs.ts';
import type { InvoiceRow } from '../ingest/invoiceRows.ts';
import { monthOfInstant } from './eventMonth.ts';

/** An invoice as the query below reads it back from the table ingest writes: Int64 figures may arrive quoted, the instant as epoch ms. */
type StoredInvoice = Pick<
  InvoiceRow,
  'event_id' | 'event_type' | 'invoice_no' | 'original_invoice_no' | 'invoice_kind' | 'seller_tax_id' | 'seller_name' | 'seller_district_code' | 'buyer_tax_id' | 'buyer_name' | 'buyer_district_code'
> & {
  issued_at_ms: string | number;
  district: string;
  total_amount_fen: string | number;
  total_tax_fen: string | number;
};

interface LineRow {
  event_id: string;
  tax_code: string;
  amount_fen: string | number;
}

/** First instant (epoch ms, Asia/Shanghai) of the month `monthsBack` months before the month of `epochMs`. */
export function monthStartBefore(epochMs: number, monthsBack: number): number {
  const m = monthOfInstant(epochMs) - monthsBack;
  const year = Math.floor(m / 12);
  const month = m - year * 12;
  return Date.UTC(year, month, 1) - 8 * 3600_000;
}

/**
 * The invoice legs of the recent months, reconstructed from ClickHouse
 * (`invoices FINAL` + `invoice_lines FINAL`) with ingest's own leg function,
 * so leg_ids and netting are exactly those on `yunlian.invoice-legs`: the
 * index rebuilt from them and then fed from the topic never double-counts.
 * `months`: how many months before the newest invoice's month to include.
 * Calls `onLeg` in event-time order. Returns the number of invoices read.
 */
export async function replayStoredLegs(client: ClickHouseClient, months: number, onLeg: (leg: InvoiceLeg) => void): Promise<number> {
  try {
    const newest = await (await client.query({ query: 'SELECT toUnixTimestamp64Milli(max(issued_at)) AS ms, count() AS n FROM yunlian.invoices', format: 'JSONEachRow' })).json<{ ms: string | number; n: string | number }>();
    if (Number(newest[0]?.n ?? 0) === 0) return 0;
    const fromMs = monthStartBefore(Number(newest[0]!.ms), months);
    const params = { fromMs };
    const invoices = await (
      await client.query({
        query: `SELECT event_id, event_type, invoice_no, original_invoice_no, invoice_kind, toUnixTimestamp64Milli(issued_at) AS issued_at_ms, district,
                       seller_tax_id, seller_name, seller_district_code, buyer_tax_id, buyer_name, buyer_district_code, total_amount_fen, total_tax_fen
                FROM yunlian.invoices FINAL WHERE issued_at >= fromUnixTimestamp64Milli({fromMs:Int64}) ORDER BY issued_at, event_id`,
        query_params: params,
        format: 'JSONEachRow',
      })
    ).json<StoredInvoice>();
    const lines = await (
      await client.query({
        query: `SELECT event_id, tax_code, amount_fen FROM yunlian.invoice_lines FINAL WHERE issued_at >= fromUnixTimestamp64Milli({fromMs:Int64}) ORDER BY event_id, line_no`,
        query_params: params,
        format: 'JSONEachRow',
      })
    ).json<LineRow>();
    const linesOf = new Map<string, LineRow[]>();
    for (const l of lines) {
      const list = linesOf.get(l.event_id);
      if (list) list.push(l);
      else linesOf.set(l.event_id, [l]);
    }
    for (const row of invoices) {
      if (!isDistrict(row.district)) continue;
      const event: InvoiceEvent = {
        event_id: row.event_id,
        event_type: row.event_type,
        invoice_no: row.invoice_no,
        original_invoice_no: row.original_invoice_no,
        invoice_kind: row.invoice_kind,
        issued_at: '',
        district: row.district,
        seller: { tax_id: row.seller_tax_id, name: row.seller_name, district_code: row.seller_district_code },
        buyer: { tax_id: row.buyer_tax_id, name: row.buyer_name, district_code: row.buyer_district_code },
        // Only what legs carry: the code and amount of each line.
        lines: (linesOf.get(row.event_id) ?? []).map((l) => ({ tax_code: l.tax_code, item_name: '', quantity: '', unit: '', amount_fen: Number(l.amount_fen), tax_rate_bp: 0, tax_fen: 0 })),
        total_amount_fen: Number(row.total_amount_fen),
        total_tax_fen: Number(row.total_tax_fen),
      };
      for (const leg of invoiceLegs(event, Number(row.issued_at_ms))) onLeg(leg);
    }
    return invoices.length;
  } catch (error) {
    throw toClickHouseFailure(error, { operation: 'rebuild match index' });
  }
}
