import type { InvoiceKind } from '../domain/invoiceEvent.ts';
import { goodsItem, type GoodsItem } from './goodsCatalog.ts';
import { SUNDRY_GOODS } from './industryCatalog.ts';
import type { SimFirm } from './firmRegistry.ts';
import type { Prng } from './prng.ts';

export type LinkPattern = 'REGULAR' | 'SPORADIC';

/**
 * A recurring (or sporadic) flow of goods from one seller to one buyer. The
 * simulator only ever issues invoices along links, so the network is the
 * ground truth of who normally trades with whom.
 */
export interface TradeLink {
  index: number;
  seller: number;
  buyer: number;
  goods: GoodsItem[];
  /** Negotiated unit price per goods line, fen. */
  unit_price_fen: number[];
  pattern: LinkPattern;
  /** REGULAR: working days between invoices (the "usual gap"); SPORADIC: 0. */
  gap: number;
  /** REGULAR: working-day ordinal offset of the schedule. */
  phase: number;
  /** Chance of an invoicing occasion on a working day (REGULAR: about 1/gap). */
  daily_probability: number;
  /** Expected flow per working day, fen. */
  daily_flow_fen: number;
  invoices_per_occasion: number;
  invoice_kind: InvoiceKind;
  /** Share of the buyer's expected purchases / the seller's expected sales. */
  buyer_share: number;
  seller_share: number;
  /** The buyer's largest regular supplier. */
  main_supplier: boolean;
}

export interface TradeNetwork {
  firms: SimFirm[];
  links: TradeLink[];
  /** Link indices per firm: as buyer (incoming) and as seller (outgoing). */
  incoming: number[][];
  outgoing: number[][];
  /** Expected share of working days on which the firm issues at least one invoice. */
  invoicing_day_share: number[];
}

const MAX_REGULAR_SUPPLIERS_ZONE = 6;
/** Traders and builders outside the zone buy from many firms in it. */
const MAX_REGULAR_SUPPLIERS_OUTSIDE = 40;
/** Occasions bigger than this are split over several invoices, as a sales clerk would (face-value limits). */
const INVOICE_SPLIT_FEN = 50_000_000;
/** Units of its goods the smallest line of an ordinary invoice holds at least (see addLink). */
const MIN_UNITS_PER_LINE = 20;

/**
 * Builds the supply chains: every firm buys its inputs from 2–6 regular
 * suppliers (the main one 30–50 % of its inputs, a second seller of the same
 * main good as the natural replacement), sells to several regular buyers, and
 * has a few sporadic partners for sundry services. Trade crosses districts
 * freely; a partner outside the zone only trades with zone firms, since no
 * district feed would carry an invoice between two outsiders.
 */
export function buildTradeNetwork(prng: Prng, firms: SimFirm[]): TradeNetwork {
  const links: TradeLink[] = [];
  const pairs = new Set<number>();
  const pairKey = (s: number, b: number): number => s * 1_000_003 + b;
  const sellersOf = new Map<string, number[]>();
  for (const f of firms) for (const g of f.sells) (sellersOf.get(g.key) ?? sellersOf.set(g.key, []).get(g.key)!).push(f.index);
  const buyersOf = new Map<string, number[]>();
  for (const f of firms) for (const g of f.buys) (buyersOf.get(g.key) ?? buyersOf.set(g.key, []).get(g.key)!).push(f.index);
  /** Firms that buy any of `seller`'s goods, ascending by index (deterministic order). */
  const prospects = (seller: SimFirm): number[] =>
    [...new Set(seller.sells.flatMap((g) => buyersOf.get(g.key) ?? []))].sort((a, b) => a - b);
  const regularSuppliers = new Array<number>(firms.length).fill(0);
  const regularBuyers = new Array<number>(firms.length).fill(0);

  const canTrade = (s: number, b: number): boolean =>
    s !== b && (firms[s]!.district !== null || firms[b]!.district !== null) && !pairs.has(pairKey(s, b));
  const supplierCap = (b: number): number => (firms[b]!.district ? MAX_REGULAR_SUPPLIERS_ZONE : MAX_REGULAR_SUPPLIERS_OUTSIDE);
  const affinity = (s: number, b: number): number => {
    const a = firms[s]!;
    const c = firms[b]!;
    const place = a.district && a.district === c.district ? 3 : a.district && c.district ? 2 : 1.2;
    const size = a.size === 'LARGE' ? 2 : a.size === 'MEDIUM' ? 1.5 : 1;
    return place * size;
  };
  /**
   * Draws partners from `among` one at a time: each draw is prng.weightedIndex over the firms `open` admits,
   * weighted by `weightOf`, and a firm once drawn is not drawn again; null, drawing nothing, when none is left.
   * `open` is asked once per firm, at the first draw, and the weights kept (0 for a firm it refuses or one drawn):
   * exact as long as only the draws themselves close firms in between, which holds for every use below (a draw
   * adds the one pair it drew). At 14,000 firms, filtering candidate lists thousands long afresh for each of
   * ~100,000 draws took ~15 s.
   */
  const partnerDraw = (among: readonly number[], open: (i: number) => boolean, weightOf: (i: number) => number): (() => number | null) => {
    let weights: Float64Array | null = null;
    return () => {
      if (weights === null) {
        weights = new Float64Array(among.length);
        for (let j = 0; j < among.length; j++) if (open(among[j]!)) weights[j] = weightOf(among[j]!);
      }
      const w = weights;
      const k = prng.weightedIndexOf(among.length, (j) => w[j]!);
      if (k < 0) return null;
      w[k] = 0;
      return among[k]!;
    };
  };
  const everyFirm = firms.map((f) => f.index);
  const traders = firms.filter((f) => f.industry.key === 'trading').map((f) => f.index);

  const addLink = (seller: number, buyer: number, main: GoodsItem, pattern: LinkPattern, flowFen: number, gap: number, occasionFen?: number): void => {
    const s = firms[seller]!;
    const b = firms[buyer]!;
    const goods = [main];
    const extra = s.sells.filter((g) => g.key !== main.key && b.buys.some((x) => x.key === g.key));
    if (extra.length > 0 && prng.chance(0.3)) goods.push(prng.pick(extra));
    const dailyProbability = pattern === 'REGULAR' ? (gap === 1 ? 0.95 : 1 / gap) : prng.range(0.02, 0.06);
    const occasion = pattern === 'REGULAR' ? flowFen * gap : (occasionFen ?? flowFen);
    const perOccasion = Math.min(3, Math.max(1, Math.ceil(occasion / INVOICE_SPLIT_FEN)));
    const special = s.taxpayer === 'SMALL_SCALE' ? prng.chance(0.3) : prng.chance(0.9);
    // Invoices carry whole units, so a unit price near a line's amount would round every invoice to one unit and
    // make the realised flow drift far from the planned one the ground truth is derived from (an ¥18k order of
    // ¥53k machines invoices ¥53k). A link trades a grade of its goods that fits its orders: at least
    // MIN_UNITS_PER_LINE units on its smallest line (the first line takes 30–70 % of a two-goods invoice).
    const smallestLineFen = (occasion / perOccasion) * (goods.length > 1 ? 0.3 : 1);
    const maxUnitPrice = Math.max(1, Math.round(smallestLineFen / MIN_UNITS_PER_LINE));
    links.push({
      index: links.length,
      seller,
      buyer,
      goods,
      unit_price_fen: goods.map((g) => Math.max(1, Math.min(Math.round(prng.range(g.unit_price_fen[0], g.unit_price_fen[1])), maxUnitPrice))),
      pattern,
      gap: pattern === 'REGULAR' ? gap : 0,
      phase: pattern === 'REGULAR' ? prng.int(0, gap - 1) : 0,
      daily_probability: dailyProbability,
      daily_flow_fen: pattern === 'REGULAR' ? flowFen : Math.round(dailyProbability * occasion),
      invoices_per_occasion: perOccasion,
      invoice_kind: special ? 'VAT_SPECIAL' : 'VAT_GENERAL',
      buyer_share: 0,
      seller_share: 0,
      main_supplier: false,
    });
    pairs.add(pairKey(seller, buyer));
    if (pattern === 'REGULAR') {
      regularSuppliers[buyer]!++;
      regularBuyers[seller]!++;
    }
  };

  // Phase A: every buyer sources its inputs.
  for (const buyer of firms) {
    if (buyer.buys.length === 0) continue;
    const budget = buyer.daily_sales_target_fen * buyer.industry.input_ratio;
    const planned: { seller: number; good: GoodsItem; weight: number; gap: number }[] = [];
    buyer.buys.forEach((good, goodIndex) => {
      const isMain = goodIndex === 0 && buyer.district !== null;
      const wanted = isMain ? prng.int(2, 3) : prng.int(1, 2);
      const draw = partnerDraw(sellersOf.get(good.key) ?? [], (s) => canTrade(s, buyer.index), (s) => affinity(s, buyer.index));
      for (let k = 0; k < wanted && planned.length < supplierCap(buyer.index); k++) {
        const seller = draw();
        if (seller === null) break;
        const weight = isMain
          ? k === 0 ? prng.range(0.3, 0.5) : k === 1 ? prng.range(0.1, 0.25) : prng.range(0.05, 0.12)
          : k === 0 ? prng.range(0.08, 0.25) : prng.range(0.05, 0.1);
        const gap = isMain && k === 0 ? prng.int(2, 5) : usualGap(prng);
        planned.push({ seller, good, weight, gap });
        pairs.add(pairKey(seller, buyer.index));
      }
    });
    const totalWeight = planned.reduce((sum, p) => sum + p.weight, 0);
    for (const p of planned) {
      pairs.delete(pairKey(p.seller, buyer.index));
      addLink(p.seller, buyer.index, p.good, 'REGULAR', Math.max(100_00, Math.round((budget * p.weight) / Math.max(totalWeight, 1))), p.gap);
    }
  }

  // Phase B: every seller reaches a few regular buyers (finished goods go to traders, builders, assemblers).
  for (const seller of firms) {
    if (seller.sells.length === 0) continue;
    const target = seller.size === 'SMALL' ? prng.int(3, 4) : seller.size === 'MEDIUM' ? prng.int(4, 6) : prng.int(5, 8);
    const interested = prospects(seller);
    // Services (class 3) are bought by every kind of firm; finished goods nobody in the scenario uses go to traders.
    const fallback = seller.sells.some((g) => g.tax_code.startsWith('3')) ? everyFirm : traders;
    const open = (b: number): boolean => regularSuppliers[b]! < supplierCap(b) && canTrade(seller.index, b);
    const weightOf = (b: number): number => affinity(seller.index, b);
    const fromInterested = partnerDraw(interested, open, weightOf);
    const fromFallback = partnerDraw(fallback, open, weightOf);
    while (regularBuyers[seller.index]! < target) {
      const buyer = fromInterested() ?? fromFallback();
      if (buyer === null) break;
      const wanted = seller.sells.filter((g) => firms[buyer]!.buys.some((x) => x.key === g.key));
      const goods = wanted.length > 0 ? wanted : seller.sells;
      const flow = Math.round(seller.daily_sales_target_fen * prng.range(0.1, 0.3));
      addLink(seller.index, buyer, prng.pick(goods), 'REGULAR', flow, usualGap(prng));
    }
  }

  // What each firm really sells to its regular buyers a day: its buyers' budgets may leave it far under target.
  const regularSales = firms.map(() => 0);
  for (const l of links) if (l.pattern === 'REGULAR') regularSales[l.seller]! += l.daily_flow_fen;

  // Sporadic partners: sundry services bought now and then, and the odd one-off customer.
  for (const firm of firms) {
    if (firm.district === null) continue;
    const sporadicSuppliers = prng.int(1, 2);
    for (let k = 0; k < sporadicSuppliers; k++) {
      const goodKey = prng.pick(SUNDRY_GOODS);
      const seller = partnerDraw(sellersOf.get(goodKey) ?? [], (s) => canTrade(s, firm.index), () => 1)();
      if (seller === null) continue;
      addLink(seller, firm.index, goodsItem(goodKey), 'SPORADIC', 0, 0, Math.round(prng.range(500, 20_000)) * 100);
    }
    if (firm.sells.length > 0 && prng.chance(0.5)) {
      const buyer = partnerDraw(prospects(firm), (b) => canTrade(firm.index, b), () => 1)();
      if (buyer !== null) {
        const goods = firm.sells.filter((g) => firms[buyer]!.buys.some((x) => x.key === g.key));
        // A one-off order is sized by what the customer needs (a day or two of its inputs), not by the seller's
        // capacity: a big seller's odd order must not make up half of a small buyer's purchases.
        const b = firms[buyer]!;
        const need = b.daily_sales_target_fen * b.industry.input_ratio;
        // Nor by the seller's target when its regular buyers take far less (seed 86420: a seller selling ¥320k a
        // day got ¥2M orders about monthly, 37 % of its sales in lumps, so a quiet fortnight read as a collapse).
        const capacity = regularSales[firm.index]! > 0 ? Math.min(firm.daily_sales_target_fen, regularSales[firm.index]!) : firm.daily_sales_target_fen;
        const scale = need > 0 ? Math.min(capacity, need) : capacity;
        addLink(firm.index, buyer, prng.pick(goods), 'SPORADIC', 0, 0, Math.round(scale * prng.range(0.5, 2)));
      }
    }
  }

  const incoming: number[][] = firms.map(() => []);
  const outgoing: number[][] = firms.map(() => []);
  for (const l of links) {
    incoming[l.buyer]!.push(l.index);
    outgoing[l.seller]!.push(l.index);
  }
  for (const f of firms) {
    const inTotal = incoming[f.index]!.reduce((sum, i) => sum + links[i]!.daily_flow_fen, 0);
    const outTotal = outgoing[f.index]!.reduce((sum, i) => sum + links[i]!.daily_flow_fen, 0);
    for (const i of incoming[f.index]!) links[i]!.buyer_share = inTotal > 0 ? links[i]!.daily_flow_fen / inTotal : 0;
    for (const i of outgoing[f.index]!) links[i]!.seller_share = outTotal > 0 ? links[i]!.daily_flow_fen / outTotal : 0;
    let main: TradeLink | null = null;
    for (const i of incoming[f.index]!) {
      const l = links[i]!;
      if (l.pattern === 'REGULAR' && (main === null || l.daily_flow_fen > main.daily_flow_fen)) main = l;
    }
    if (main) main.main_supplier = true;
  }
  const invoicing_day_share = firms.map((f) => 1 - outgoing[f.index]!.reduce((p, i) => p * (1 - links[i]!.daily_probability), 1));
  return { firms, links, incoming, outgoing, invoicing_day_share };
}

/** Most regular partners invoice every 1–4 working days; some weekly or slower. */
function usualGap(prng: Prng): number {
  const r = prng.next();
  return r < 0.25 ? 1 : r < 0.75 ? prng.int(2, 4) : r < 0.93 ? prng.int(5, 6) : prng.int(7, 8);
}
