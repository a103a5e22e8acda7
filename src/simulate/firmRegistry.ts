import { DISTRICT_CODES, DISTRICTS, type District } from '../domain/district.ts';
import { makeUscc } from '../domain/uscc.ts';
import { goodsItem, type GoodsItem } from './goodsCatalog.ts';
import { INDUSTRIES, OUTSIDE_DIVISIONS, ZONE_PLACE, type Industry, type Region } from './industryCatalog.ts';
import { organisationCode } from './organisationCode.ts';
import type { Prng } from './prng.ts';

export type FirmSize = 'SMALL' | 'MEDIUM' | 'LARGE';
export type TaxpayerStatus = 'GENERAL' | 'SMALL_SCALE';

/** A simulated enterprise before the trade network is attached. */
export interface SimFirm {
  index: number;
  tax_id: string;
  name: string;
  /** Division code where it files at the start (USCC positions 3–8). */
  district_code: string;
  /** Zone district, or null for a partner outside the zone. */
  district: District | null;
  industry: Industry;
  taxpayer: TaxpayerStatus;
  size: FirmSize;
  /** Target sales per working day, fen (before the trade network settles the real flows). */
  daily_sales_target_fen: number;
  sells: GoodsItem[];
  buys: GoodsItem[];
}

const BRAND_CHARACTERS = [...'华恒盛鑫达通宏瑞丰永嘉信德泰隆昌源新金宝联创优精腾汇博星凯力升海天明光远诚益景和'];

/** Share of the firms that sit outside the zone as partners. */
const OUTSIDE_SHARE = 0.22;
const DISTRICT_SHARE: Readonly<Record<District, number>> = { wujiang: 0.36, jiashan: 0.3, qingpu: 0.34 };
/** A good the zone buys should have at least this many sellers, so replacement partners exist. */
const MIN_SELLERS_PER_GOOD = 3;

/**
 * `count` firms: about 78 % in the three districts (split Wujiang 36 %, Jiashan
 * 30 %, Qingpu 34 %), the rest partners in Suzhou, Jiaxing and Shanghai.
 * Throws RangeError for fewer than 30 firms (too few for a network with
 * alternative suppliers).
 */
export function generateFirms(prng: Prng, count: number): SimFirm[] {
  if (!Number.isInteger(count) || count < 30) throw new RangeError(`need at least 30 firms, got ${count}`);
  const outsideCount = Math.round(count * OUTSIDE_SHARE);
  const zoneCount = count - outsideCount;
  const regions: Region[] = [];
  let assigned = 0;
  for (const d of DISTRICTS) {
    const n = d === DISTRICTS[DISTRICTS.length - 1] ? zoneCount - assigned : Math.round(zoneCount * DISTRICT_SHARE[d]);
    for (let i = 0; i < n; i++) regions.push(d);
    assigned += n;
  }
  for (let i = 0; i < outsideCount; i++) regions.push('outside');

  const names = new Set<string>();
  const serials = new Set<string>();
  const seenInRegion = new Map<Region, number>();
  const firms: SimFirm[] = regions.map((region, index) => {
    const nth = seenInRegion.get(region) ?? 0;
    seenInRegion.set(region, nth + 1);
    const industry = pickIndustry(prng, region, nth);
    const district = region === 'outside' ? null : region;
    const outside = district === null ? prng.pick(OUTSIDE_DIVISIONS) : null;
    const districtCode = district ? DISTRICT_CODES[district] : outside!.code;
    const place = district ? ZONE_PLACE[district] : outside!.place;
    const size = pickSize(prng, industry, district);
    const taxpayer: TaxpayerStatus = district && size === 'SMALL' && industry.sells.length > 0 && prng.chance(0.35) ? 'SMALL_SCALE' : 'GENERAL';
    // Individual businesses (个体工商户) carry entity type 2 in the USCC and trade under a 经营部 name.
    const individual = taxpayer === 'SMALL_SCALE' && prng.chance(0.3);
    const name = uniqueName(prng, names, place, industry, size, individual, district === 'wujiang' && industry.key === 'weaving');
    const tax_id = makeUscc(districtCode, uniqueSerial(prng, serials), '9', individual ? '2' : '1');
    return {
      index,
      tax_id,
      name,
      district_code: districtCode,
      district,
      industry,
      taxpayer,
      size,
      daily_sales_target_fen: dailySalesTarget(prng, size),
      sells: pickSubset(prng, industry.sells, district ? 1 : 2, 3).map(goodsItem),
      buys: pickInputs(prng, industry, district),
    };
  });
  ensureSellersForEveryInput(prng, firms);
  return firms;
}

function pickIndustry(prng: Prng, region: Region, nthInRegion: number): Industry {
  const candidates = INDUSTRIES.filter((i) => (i.weight[region] ?? 0) > 0);
  // The first firms of each region cycle through its industries, so even a small scenario has every industry.
  if (nthInRegion < candidates.length) return candidates[nthInRegion]!;
  return candidates[prng.weightedIndex(candidates.map((i) => i.weight[region]!))]!;
}

function pickSize(prng: Prng, industry: Industry, district: District | null): FirmSize {
  const heavy = ['elevator', 'optical_cable', 'chemical_fibre', 'metals', 'petrochemical', 'trading'].includes(industry.key);
  const r = prng.next();
  if (district === null) return r < 0.25 ? 'SMALL' : r < 0.7 ? 'MEDIUM' : 'LARGE';
  if (heavy) return r < 0.2 ? 'SMALL' : r < 0.6 ? 'MEDIUM' : 'LARGE';
  return r < 0.45 ? 'SMALL' : r < 0.87 ? 'MEDIUM' : 'LARGE';
}

function dailySalesTarget(prng: Prng, size: FirmSize): number {
  const yuan = size === 'SMALL' ? prng.range(8_000, 40_000) : size === 'MEDIUM' ? prng.range(50_000, 300_000) : prng.range(400_000, 2_000_000);
  return Math.round(yuan) * 100;
}

function pickSubset<T>(prng: Prng, items: readonly T[], min: number, max: number): T[] {
  if (items.length === 0) return [];
  const n = Math.min(items.length, prng.int(Math.min(min, items.length), Math.min(max, items.length)));
  const pool = [...items];
  const chosen: T[] = [];
  for (let i = 0; i < n; i++) chosen.push(pool.splice(Math.floor(prng.next() * pool.length), 1)[0]!);
  return chosen;
}

function pickInputs(prng: Prng, industry: Industry, district: District | null): GoodsItem[] {
  if (industry.buys.length === 0) return [];
  if (district === null) return pickSubset(prng, industry.buys, 3, 6).map(goodsItem);
  // Zone producers keep their main input first and buy one to three goods in all.
  const [main, ...rest] = industry.buys;
  return [main!, ...pickSubset(prng, rest, 0, 2)].map(goodsItem);
}

function uniqueSerial(prng: Prng, serials: Set<string>): string {
  for (;;) {
    const body = String(prng.int(10_000_000, 99_999_999));
    if (serials.has(body)) continue;
    serials.add(body);
    return organisationCode(body);
  }
}

function uniqueName(
  prng: Prng,
  names: Set<string>,
  place: string,
  industry: Industry,
  size: FirmSize,
  individual: boolean,
  shengze: boolean,
): string {
  for (let attempt = 0; ; attempt++) {
    const brandLength = attempt < 20 ? 2 : 3;
    let brand = '';
    for (let i = 0; i < brandLength; i++) brand += prng.pick(BRAND_CHARACTERS);
    if (brand[0] === brand[1]) continue;
    const name = individual
      ? `${place}${place === '上海' ? '市青浦区' : place === '嘉善' ? '县' : '区'}${brand}${industry.name_word}经营部`
      : `${place}${shengze ? '盛泽' : ''}${brand}${industry.name_word}${suffix(prng, industry, size)}`;
    if (names.has(name)) continue;
    names.add(name);
    return name;
  }
}

function suffix(prng: Prng, industry: Industry, size: FirmSize): string {
  if (industry.key === 'trading') return '有限公司';
  if (industry.key === 'logistics' && prng.chance(0.4)) return '供应链管理有限公司';
  if (size === 'LARGE' && prng.chance(0.5)) return '股份有限公司';
  return prng.chance(0.15) ? '科技有限公司' : '有限公司';
}

/**
 * Every good a firm buys gets at least MIN_SELLERS_PER_GOOD sellers, by
 * adding it to the range of firms whose industry can make it; without this a
 * small scenario could leave a firm with a single possible supplier and no
 * replacement for the match service.
 */
function ensureSellersForEveryInput(prng: Prng, firms: SimFirm[]): void {
  const needed = new Set<string>();
  for (const f of firms) for (const g of f.buys) needed.add(g.key);
  for (const key of [...needed].sort()) {
    const sellsIt = (f: SimFirm): boolean => f.sells.some((g) => g.key === key);
    let missing = MIN_SELLERS_PER_GOOD - firms.filter(sellsIt).length;
    const sameIndustry = firms.filter((f) => f.industry.sells.includes(key) && !sellsIt(f));
    // Fallback for tiny scenarios: materials traders outside the zone (大宗贸易) carry the good.
    const traders = firms.filter((f) => f.district === null && f.industry.sells.length > 0 && !f.industry.sells.includes(key));
    for (const pool of [sameIndustry, traders]) {
      while (missing > 0 && pool.length > 0) {
        const firm = pool.splice(Math.floor(prng.next() * pool.length), 1)[0]!;
        firm.sells.push(goodsItem(key));
        missing--;
      }
    }
  }
}
