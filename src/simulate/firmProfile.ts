import type { District } from '../domain/district.ts';
import type { FirmSize, TaxpayerStatus } from './firmRegistry.ts';
import type { LinkPattern, TradeLink, TradeNetwork } from './tradeNetwork.ts';

/** One partner of a firm as the simulator wired it (written to firms.json). */
export interface PartnerLink {
  tax_id: string;
  name: string;
  pattern: LinkPattern;
  /** Working days between invoices on a REGULAR link; null for a SPORADIC one. */
  gap_working_days: number | null;
  /** Share of this firm's expected purchases (suppliers) or sales (buyers), basis points. */
  share_bp: number;
  /** The firm's main supplier (largest regular share); always false for buyers. */
  main: boolean;
  tax_codes: string[];
}

/** A simulated enterprise, as the evaluation and the demo see it. */
export interface FirmProfile {
  tax_id: string;
  name: string;
  /** Zone district at the start, or null for a partner outside the zone. */
  district: District | null;
  /** Division code where it files at the start (a MIGRATION in truth.json changes it later). */
  district_code: string;
  industry: string;
  taxpayer: TaxpayerStatus;
  size: FirmSize;
  /** Rate it charges on its main goods; small-scale taxpayers 300 (100 from 2020-03-01). */
  vat_rate_bp: number;
  /** REGULAR: issues invoices on most (≥ 60 %) working days; SPORADIC otherwise; BUYER_ONLY: never sells in the scenario. */
  invoicing: 'REGULAR' | 'SPORADIC' | 'BUYER_ONLY';
  invoicing_day_share: number;
  expected_daily_sales_fen: number;
  expected_daily_purchases_fen: number;
  sells: { tax_code: string; item_name: string; unit: string; rate_bp: number }[];
  buys: { tax_code: string; item_name: string }[];
  suppliers: PartnerLink[];
  buyers: PartnerLink[];
}

export function describeFirms(network: TradeNetwork): FirmProfile[] {
  const { firms, links } = network;
  const partner = (l: TradeLink, side: 'seller' | 'buyer'): PartnerLink => {
    const other = firms[side === 'seller' ? l.seller : l.buyer]!;
    return {
      tax_id: other.tax_id,
      name: other.name,
      pattern: l.pattern,
      gap_working_days: l.pattern === 'REGULAR' ? l.gap : null,
      share_bp: Math.round((side === 'seller' ? l.buyer_share : l.seller_share) * 10_000),
      main: side === 'seller' && l.main_supplier,
      tax_codes: l.goods.map((g) => g.tax_code),
    };
  };
  const byShare = (a: PartnerLink, b: PartnerLink): number => b.share_bp - a.share_bp || (a.tax_id < b.tax_id ? -1 : 1);
  return firms.map((f) => {
    const share = network.invoicing_day_share[f.index]!;
    const suppliers = network.incoming[f.index]!.map((i) => partner(links[i]!, 'seller')).sort(byShare);
    const buyers = network.outgoing[f.index]!.map((i) => partner(links[i]!, 'buyer')).sort(byShare);
    return {
      tax_id: f.tax_id,
      name: f.name,
      district: f.district,
      district_code: f.district_code,
      industry: f.industry.key,
      taxpayer: f.taxpayer,
      size: f.size,
      vat_rate_bp: f.taxpayer === 'SMALL_SCALE' ? 300 : (f.sells[0]?.rate_bp ?? 1300),
      invoicing: buyers.length === 0 ? 'BUYER_ONLY' : share >= 0.6 ? 'REGULAR' : 'SPORADIC',
      invoicing_day_share: Math.round(share * 1000) / 1000,
      expected_daily_sales_fen: Math.round(network.outgoing[f.index]!.reduce((s, i) => s + links[i]!.daily_flow_fen, 0)),
      expected_daily_purchases_fen: Math.round(network.incoming[f.index]!.reduce((s, i) => s + links[i]!.daily_flow_fen, 0)),
      sells: f.sells.map((g) => ({ tax_code: g.tax_code, item_name: g.item_name, unit: g.unit, rate_bp: g.rate_bp })),
      buys: f.buys.map((g) => ({ tax_code: g.tax_code, item_name: g.item_name })),
      suppliers,
      buyers,
    };
  });
}
