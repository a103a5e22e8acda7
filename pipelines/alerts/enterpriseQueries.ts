import type { ClickHouseClient } from '@clickhouse/client';
import { dayToIso, isoToDay, type WorkingCalendar } from '../../src/calendar/workingCalendar.ts';
import type { DisruptionSignal } from '../../src/domain/signal.ts';
import { dailyAgainstBaseline, type DailyPoint, type EnterpriseDailyRow } from './dailyBaseline.ts';
import { mainPartners, type BrokenLink, type LinkTotal, type MainPartner } from './mainPartners.ts';
import { selectRows } from './selectRows.ts';
import { SIGNAL_COLUMNS, toDisruptionSignal, type SignalRow } from './signalRow.ts';

/** Everything the enterprise page shows except matches (matchQueries.ts) and cases. */
export interface EnterpriseDetail {
  tax_id: string;
  name: string | null;
  district: string | null;
  signals: DisruptionSignal[];
  daily: DailyPoint[];
  suppliers: MainPartner[];
  buyers: MainPartner[];
}

/** Calendar days of links and daily history read for one page: 120 working days plus holidays fit with room to spare. */
const LOOKBACK_CALENDAR_DAYS = 240;
const MAX_SIGNALS = 200;
/**
 * links_daily carries issued (gross) flow per seller × buyer × working day;
 * corrections are netted only per enterprise, so shares are of issued flow.
 * Links per direction summed for shares; a firm with more partners than this is ranked on its largest ones. */
const MAX_LINKS = 500;

async function linkTotals(client: ClickHouseClient, taxId: string, side: 'suppliers' | 'buyers', fromDay: string): Promise<LinkTotal[]> {
  // Two constant query texts (aliases differ from column names: ClickHouse resolves aliases inside expressions).: the column names depend only on `side`, never on input.
  const sql =
    side === 'suppliers'
      ? `SELECT seller_tax_id AS partner_tax_id, sum(gross_fen) AS total_fen, count() AS active_days, toString(max(day)) AS last_day
         FROM yunlian.links_daily FINAL WHERE buyer_tax_id = {id:String} AND day >= {from:Date}
         GROUP BY partner_tax_id ORDER BY total_fen DESC LIMIT {limit:UInt32}`
      : `SELECT buyer_tax_id AS partner_tax_id, sum(gross_fen) AS total_fen, count() AS active_days, toString(max(day)) AS last_day
         FROM yunlian.links_daily FINAL WHERE seller_tax_id = {id:String} AND day >= {from:Date}
         GROUP BY partner_tax_id ORDER BY total_fen DESC LIMIT {limit:UInt32}`;
  const rows = await selectRows<{ partner_tax_id: string; total_fen: string; active_days: string; last_day: string }>(client, sql, { id: taxId, from: fromDay, limit: MAX_LINKS });
  return rows.map((r) => ({ partner_tax_id: r.partner_tax_id, amount_fen: Number(r.total_fen), active_days: Number(r.active_days), last_day: r.last_day }));
}

/** Names as last invoiced; invoices is the only table that carries every firm's name. */
async function namesOf(client: ClickHouseClient, taxIds: readonly string[]): Promise<Map<string, string>> {
  if (taxIds.length === 0) return new Map();
  const rows = await selectRows<{ tax_id: string; name: string }>(
    client,
    `SELECT tax_id, argMax(name, issued_at) AS name FROM (
       SELECT seller_tax_id AS tax_id, seller_name AS name, issued_at FROM yunlian.invoices WHERE seller_tax_id IN {ids:Array(String)}
       UNION ALL
       SELECT buyer_tax_id AS tax_id, buyer_name AS name, issued_at FROM yunlian.invoices WHERE buyer_tax_id IN {ids:Array(String)}
     ) GROUP BY tax_id`,
    { ids: taxIds },
  );
  return new Map(rows.map((r) => [r.tax_id, r.name]));
}

function brokenLinks(signals: readonly DisruptionSignal[], type: 'UPSTREAM_BROKEN' | 'DOWNSTREAM_BROKEN'): BrokenLink[] {
  return signals
    .filter((s) => s.signal_type === type && s.partner_tax_id !== null)
    .map((s) => ({ partner_tax_id: s.partner_tax_id!, signal_id: s.signal_id, status: s.status, window_start: s.window_start }));
}

/** Null when yunlian knows nothing about the enterprise (no signal, no daily flow, no link). */
export async function enterpriseDetail(client: ClickHouseClient, taxId: string, calendar: WorkingCalendar): Promise<EnterpriseDetail | null> {
  const signals = (
    await selectRows<SignalRow>(
      client,
      `SELECT ${SIGNAL_COLUMNS} FROM yunlian.signals FINAL WHERE enterprise_tax_id = {id:String} ORDER BY event_time DESC, signal_id LIMIT {limit:UInt32}`,
      { id: taxId, limit: MAX_SIGNALS },
    )
  ).map(toDisruptionSignal);
  // The ISO day gets its own alias: aliasing it `day` would shadow the Date column in WHERE.
  const dailyRows = await selectRows<{ day_iso: string; direction: EnterpriseDailyRow['direction']; amount_fen: string | number; district: string }>(
    client,
    `SELECT toString(day) AS day_iso, direction, district, amount_fen FROM yunlian.enterprise_daily FINAL
     WHERE enterprise_tax_id = {id:String}
       AND day >= (SELECT max(day) FROM yunlian.enterprise_daily WHERE enterprise_tax_id = {id:String}) - {lookback:UInt32}
     ORDER BY day`,
    { id: taxId, lookback: LOOKBACK_CALENDAR_DAYS },
  );
  const newestDay = dailyRows.at(-1)?.day_iso ?? signals[0]?.window_end ?? null;
  const fromDay = newestDay === null ? '1970-01-01' : dayToIso(isoToDay(newestDay) - LOOKBACK_CALENDAR_DAYS);
  const [supplierLinks, buyerLinks] = await Promise.all([linkTotals(client, taxId, 'suppliers', fromDay), linkTotals(client, taxId, 'buyers', fromDay)]);
  if (signals.length === 0 && dailyRows.length === 0 && supplierLinks.length === 0 && buyerLinks.length === 0) return null;

  const supplierBreaks = brokenLinks(signals, 'UPSTREAM_BROKEN');
  const buyerBreaks = brokenLinks(signals, 'DOWNSTREAM_BROKEN');
  const draftSuppliers = mainPartners(supplierLinks, supplierBreaks, new Map());
  const draftBuyers = mainPartners(buyerLinks, buyerBreaks, new Map());
  const names = await namesOf(client, [taxId, ...draftSuppliers.map((p) => p.partner_tax_id), ...draftBuyers.map((p) => p.partner_tax_id)]);
  const daily = dailyAgainstBaseline(
    dailyRows.map((r) => ({ day: r.day_iso, direction: r.direction, amount_fen: Number(r.amount_fen) })),
    { calendar },
  );
  return {
    tax_id: taxId,
    name: signals[0]?.enterprise_name ?? names.get(taxId) ?? null,
    district: signals[0]?.district ?? dailyRows.at(-1)?.district ?? null,
    signals,
    daily,
    suppliers: mainPartners(supplierLinks, supplierBreaks, names),
    buyers: mainPartners(buyerLinks, buyerBreaks, names),
  };
}
