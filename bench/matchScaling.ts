/**
 * Shows that one re-match costs the same for 1k and 100k firms (issue 5):
 * the candidate index keeps a bounded number of firms per goods prefix and
 * district, so ranking one list scans the same number of candidates however
 * big the region is.
 *
 *   npx tsx bench/matchScaling.ts [firms…]        (default: 1000 100000)
 *
 * For each size it builds the index from synthetic invoice legs (three months,
 * every firm selling one or two goods of a 48-code catalogue and buying two),
 * then times (a) opening a list for an UPSTREAM_BROKEN signal and (b) the
 * re-rank one new invoice of the lost goods triggers. Prints a table and
 * writes bench/results/match-scaling.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { MatchEngine } from '../pipelines/match/matchEngine.ts';
import { DISTRICT_CODES } from '../src/domain/district.ts';
import type { InvoiceLeg, LegRole } from '../src/domain/invoiceLeg.ts';
import type { DisruptionSignal } from '../src/domain/signal.ts';
import { createPrng, type Prng } from '../src/simulate/prng.ts';

const DIVISIONS = [DISTRICT_CODES.qingpu, DISTRICT_CODES.jiashan, DISTRICT_CODES.wujiang, '320505', '330411', '310115'];
/** 48 codes in 12 categories of 4, so prefix matching has something to do. */
const CODES = Array.from({ length: 48 }, (_, i) => `10${String(Math.floor(i / 4) + 10).padStart(2, '0')}${String((i % 4) + 1).padStart(2, '0')}010`.padEnd(19, '0'));
const SIGNALS = 200;
const MONTHS = ['2020-03', '2020-04', '2020-05'];

interface Firm {
  tax_id: string;
  name: string;
  division: string;
  sells: string[];
  buys: string[];
  suppliers: number[];
}

function firms(prng: Prng, n: number): Firm[] {
  const out: Firm[] = [];
  for (let i = 0; i < n; i++) {
    const sells = [CODES[prng.int(0, CODES.length - 1)]!];
    if (prng.chance(0.4)) sells.push(CODES[prng.int(0, CODES.length - 1)]!);
    out.push({ tax_id: `F${String(i).padStart(8, '0')}`, name: `企业${i}`, division: DIVISIONS[prng.int(0, DIVISIONS.length - 1)]!, sells, buys: [CODES[prng.int(0, CODES.length - 1)]!, CODES[prng.int(0, CODES.length - 1)]!], suppliers: [] });
  }
  // Each firm buys from two sellers of its goods (or anyone when no seller is known yet).
  const sellersOf = new Map<string, number[]>();
  out.forEach((f, i) => f.sells.forEach((c) => (sellersOf.get(c) ?? sellersOf.set(c, []).get(c)!).push(i)));
  out.forEach((f, i) => {
    for (const c of f.buys) {
      const s = sellersOf.get(c) ?? [];
      const pick = s.length > 0 ? s[prng.int(0, s.length - 1)]! : prng.int(0, n - 1);
      if (pick !== i) f.suppliers.push(pick);
    }
  });
  return out;
}

let seq = 0;
function legs(seller: Firm, buyer: Firm, day: string, code: string, fen: number): InvoiceLeg[] {
  const id = `e${++seq}`;
  const leg = (role: LegRole): InvoiceLeg => {
    const [self, other] = role === 'SELLER' ? [seller, buyer] : [buyer, seller];
    return {
      leg_id: `${id}:${role}`, event_id: id, event_type: 'ISSUED', invoice_no: id, original_invoice_no: null, role,
      enterprise_tax_id: self.tax_id, enterprise_name: self.name, enterprise_district_code: self.division,
      partner_tax_id: other.tax_id, partner_name: other.name, partner_district_code: other.division, feed_district: 'jiashan',
      issued_at_ms: Date.parse(`${day}T10:00:00+08:00`), amount_fen: fen, tax_fen: 0, goods: [{ tax_code: code, amount_fen: fen }],
    };
  };
  return [leg('SELLER'), leg('BUYER')];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

interface SizeResult {
  firms: number;
  legs: number;
  build_seconds: number;
  legs_per_second: number;
  postings: number;
  open_list: { median_us: number; p95_us: number; mean_scanned: number; mean_candidates: number };
  rerank_after_invoice: { median_us: number; p95_us: number; mean_scanned: number };
}

function run(n: number): SizeResult {
  const prng = createPrng(20200210 + n);
  const all = firms(prng, n);
  const engine = new MatchEngine();
  let legCount = 0;
  const t0 = performance.now();
  for (const month of MONTHS) {
    all.forEach((buyer) => {
      buyer.suppliers.forEach((s, k) => {
        const seller = all[s]!;
        const code = seller.sells.includes(buyer.buys[k]!) ? buyer.buys[k]! : seller.sells[0]!;
        for (const leg of legs(seller, buyer, `${month}-${String(5 + k * 7).padStart(2, '0')}`, code, 100_000 + prng.int(0, 5_000_000))) {
          engine.onLeg(leg);
          legCount++;
        }
      });
    });
  }
  engine.flush(0);
  const buildSeconds = (performance.now() - t0) / 1000;

  const openTimes: number[] = [];
  const rerankTimes: number[] = [];
  let scanned = 0;
  let candidates = 0;
  let rerankScanned = 0;
  for (let i = 0; i < SIGNALS; i++) {
    const firm = all[prng.int(0, n - 1)]!;
    if (firm.suppliers.length === 0) continue;
    const partner = all[firm.suppliers[0]!]!;
    const signal: DisruptionSignal = {
      signal_id: `bench-${n}-${i}`, enterprise_tax_id: firm.tax_id, enterprise_name: firm.name, district: 'jiashan', signal_type: 'UPSTREAM_BROKEN',
      partner_tax_id: partner.tax_id, severity: 'HIGH', status: 'OPEN', resolution: null, window_start: '2020-05-11', window_end: '2020-05-25',
      event_time_ms: Date.parse('2020-05-25T18:00:00+08:00'), baseline_fen: 0, current_fen: 0, explanation_zh: '', explanation_en: '', detected_at_ms: 0,
    };
    let t = performance.now();
    engine.onSignal(signal);
    const [list] = engine.flush(1);
    openTimes.push((performance.now() - t) * 1000);
    scanned += engine.lastFlush.scanned;
    candidates += list?.candidates.length ?? 0;
    // One new invoice of the lost goods from some seller: only the lists watching that code are re-ranked.
    const lostCode = list?.lost_goods[0]?.tax_code ?? CODES[0]!;
    const newcomer = all[prng.int(0, n - 1)]!;
    t = performance.now();
    for (const leg of legs(newcomer, all[prng.int(0, n - 1)]!, '2020-05-26', lostCode, 50_000_000)) engine.onLeg(leg);
    engine.flush(2);
    const reranked = Math.max(1, engine.lastFlush.reranked);
    rerankTimes.push(((performance.now() - t) * 1000) / reranked);
    rerankScanned += engine.lastFlush.scanned / reranked;
    // Close the list again, so every measurement sees the same number of open lists.
    engine.onSignal({ ...signal, status: 'RESOLVED' });
    engine.flush(3);
  }
  openTimes.sort((a, b) => a - b);
  rerankTimes.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    firms: n,
    legs: legCount,
    build_seconds: round(buildSeconds),
    legs_per_second: Math.round(legCount / buildSeconds),
    postings: engine.index.postingCount(),
    open_list: { median_us: round(percentile(openTimes, 0.5)), p95_us: round(percentile(openTimes, 0.95)), mean_scanned: round(scanned / openTimes.length), mean_candidates: round(candidates / openTimes.length) },
    rerank_after_invoice: { median_us: round(percentile(rerankTimes, 0.5)), p95_us: round(percentile(rerankTimes, 0.95)), mean_scanned: round(rerankScanned / rerankTimes.length) },
  };
}

const sizes = process.argv.slice(2).map(Number).filter((x) => Number.isInteger(x) && x > 0);
const results = (sizes.length > 0 ? sizes : [1_000, 100_000]).map(run);
console.log('firms    legs       build s  legs/s   open list µs (p50/p95)  scanned  re-rank µs (p50/p95)  scanned');
for (const r of results) {
  console.log(
    `${String(r.firms).padEnd(8)} ${String(r.legs).padEnd(10)} ${String(r.build_seconds).padEnd(8)} ${String(r.legs_per_second).padEnd(8)} ` +
      `${`${r.open_list.median_us} / ${r.open_list.p95_us}`.padEnd(23)} ${String(r.open_list.mean_scanned).padEnd(8)} ` +
      `${`${r.rerank_after_invoice.median_us} / ${r.rerank_after_invoice.p95_us}`.padEnd(21)} ${r.rerank_after_invoice.mean_scanned}`,
  );
}
const first = results[0]!;
const last = results[results.length - 1]!;
console.log(`one re-match at ${last.firms} firms costs ${(last.open_list.median_us / first.open_list.median_us).toFixed(2)}× the ${first.firms}-firm cost (open) and ${(last.rerank_after_invoice.median_us / first.rerank_after_invoice.median_us).toFixed(2)}× (re-rank)`);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/match-scaling.json', import.meta.url), JSON.stringify({ node: process.version, signals_per_size: SIGNALS, results }, null, 2) + '\n');
