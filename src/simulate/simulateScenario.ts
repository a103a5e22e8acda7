import { dayToIso, startOfDay, type DayNumber } from '../calendar/workingCalendar.ts';
import { DISTRICTS, districtOfCode, type District } from '../domain/district.ts';
import type { InvoiceEvent, Party } from '../domain/invoiceEvent.ts';
import { buildActivityProfile, type ActivityProfile } from './activityProfile.ts';
import { ArrivalQueue } from './arrivalQueue.ts';
import { inIntervals, linkFactor, planDisruptions, SPIKE_RED_LETTER_RATE, SPIKE_VOID_RATE, type DisruptionPlan } from './disruptionPlan.ts';
import { describeFirms, type FirmProfile } from './firmProfile.ts';
import { generateFirms, type SimFirm } from './firmRegistry.ts';
import { deriveGroundTruth, type GroundTruth } from './groundTruth.ts';
import {
  formatIssuedAt,
  IdSource,
  priceLine,
  redLetterLine,
  smallScaleRateBp,
  totals,
  type PricedLine,
} from './invoiceFactory.ts';
import { createPrng, hashUnit, hashUnit4, mixSeed, type Prng } from './prng.ts';
import { extraOccasion, regularOccasion } from './regularOccasion.ts';
import { resolveSimulateOptions, type ResolvedSimulateOptions, type SimulateOptions } from './simulateOptions.ts';
import { buildTradeNetwork, type TradeLink, type TradeNetwork } from './tradeNetwork.ts';

/** One event as a district feed delivers it. */
export interface FeedArrival {
  feed: District;
  /** When it reaches the feed (epoch ms); ≥ its issued_at, at most maxLatenessHours later. */
  arrival_ms: number;
  event: InvoiceEvent;
}

/** Counts of one pass over the scenario; filled while `arrivals()` is consumed. */
export interface ScenarioStats {
  /** Events delivered, duplicates included. */
  events: number;
  by_feed: Record<District, number>;
  issued: number;
  voided: number;
  red_letter: number;
  duplicates: number;
  late: number;
  /** Largest event-time-to-arrival delay that occurred, hours. */
  max_lateness_hours: number;
}

export interface ScenarioStream {
  firms: FirmProfile[];
  truth: GroundTruth;
  /** Reset and refilled by each pass over `arrivals()`. */
  stats: ScenarioStats;
  /**
   * Events of all feeds merged in arrival order (so each feed's own sequence
   * is in its arrival order). Memory stays at about two days of events. Each
   * call replays the same sequence.
   */
  arrivals(): Generator<FeedArrival, void, undefined>;
}

export interface ScenarioResult {
  firms: FirmProfile[];
  truth: GroundTruth;
  stats: ScenarioStats;
  /** Per district feed, in arrival order. */
  events: Record<District, InvoiceEvent[]>;
}

/** Plans the scenario (firms, network, disruptions, truth) and returns a lazy event stream. Throws ConfigError on bad options. */
export function createScenario(options: SimulateOptions): ScenarioStream {
  const o = resolveSimulateOptions(options);
  const prng = createPrng(o.seed);
  const firms = generateFirms(prng.fork(1), o.firms);
  const network = buildTradeNetwork(prng.fork(2), firms);
  const profile = buildActivityProfile(o.calendar, o.from, o.to);
  const plan = planDisruptions({ prng: prng.fork(3), network, calendar: o.calendar, profile }, o.disruptions);
  const truth = deriveGroundTruth({
    seed: o.seed,
    network,
    plan,
    calendar: o.calendar,
    from: o.from,
    to: o.to,
    delivery: { duplicate_rate: o.duplicateRate, late_rate: o.lateRate, max_lateness_hours: o.maxLatenessHours },
  });
  const stats = emptyStats();
  return {
    firms: describeFirms(network),
    truth,
    stats,
    arrivals: () => generateArrivals({ o, network, plan, profile, stats }),
  };
}

/** The whole scenario in memory; fine for the presets, use createScenario for millions of events. */
export function simulateScenario(options: SimulateOptions): ScenarioResult {
  const scenario = createScenario(options);
  const events = Object.fromEntries(DISTRICTS.map((d) => [d, [] as InvoiceEvent[]])) as Record<District, InvoiceEvent[]>;
  for (const a of scenario.arrivals()) events[a.feed].push(a.event);
  return { firms: scenario.firms, truth: scenario.truth, stats: scenario.stats, events };
}

function emptyStats(): ScenarioStats {
  return {
    events: 0,
    by_feed: { qingpu: 0, jiashan: 0, wujiang: 0 },
    issued: 0,
    voided: 0,
    red_letter: 0,
    duplicates: 0,
    late: 0,
    max_lateness_hours: 0,
  };
}

interface GenerationContext {
  o: ResolvedSimulateOptions;
  network: TradeNetwork;
  plan: DisruptionPlan;
  profile: ActivityProfile;
  stats: ScenarioStats;
}

/** An issued invoice a later red-letter invoice may correct (only what the correction needs, to keep memory flat). */
interface Correctable {
  invoice_no: string;
  invoice_kind: InvoiceEvent['invoice_kind'];
  priced: PricedLine[];
  day: DayNumber;
  corrected: boolean;
}

/** Recent invoices per link a red-letter invoice may pick from. */
const RING_SIZE = 3;
const HOUR_MS = 3_600_000;
/** Invoices are issued 08:30–17:30; voids and red-letter invoices up to 20:00. */
const OPENING_SECOND = 8.5 * 3600;
const ISSUING_SECONDS = 9 * 3600;
const CLOSING_SECOND = 20 * 3600;
/**
 * Share of routine voids followed by a corrected invoice (作废重开): a routine void fixes a
 * clerical error, the sale itself goes ahead. Voids during a VOID_SPIKE are cancelled orders
 * (DESIGN.md section 4) and are never reissued.
 */
const REISSUE_RATE = 0.85;

function* generateArrivals(ctx: GenerationContext): Generator<FeedArrival, void, undefined> {
  const { o, network, plan, profile } = ctx;
  const { firms, links } = network;
  const calendar = o.calendar;
  const stats = ctx.stats;
  Object.assign(stats, emptyStats());
  const ids = new IdSource(o.seed);
  const queue = new ArrivalQueue<{ feed: District; event: InvoiceEvent; issued_ms: number }>();
  const rings: Correctable[][] = links.map(() => []);
  const parties = firms.map((f) => partiesOf(f, plan));
  const maxLateMs = o.maxLatenessHours * HOUR_MS;
  const minLateMs = Math.min(2 * HOUR_MS, maxLateMs / 2);
  let seq = 0;

  // A firm whose orders are being cancelled loses a steady share of them, not a coin toss per invoice: its
  // invoices during a VOID_SPIKE are voided at SPIKE_VOID_RATE by a running count (Bresenham-style), starting
  // from a per-firm phase, so a spike of N invoices always shows ⌊0.3 N⌋ or ⌈0.3 N⌉ voids.
  const spikeDebt = firms.map((f) => hashUnit(o.seed, f.index, 0x5b1c3));
  const spikeCancels = (firm: number): boolean => {
    const debt = (spikeDebt[firm] ?? 0) + SPIKE_VOID_RATE;
    const cancel = debt >= 1;
    spikeDebt[firm] = cancel ? debt - 1 : debt;
    return cancel;
  };

  const partyAt = (firm: number, day: DayNumber): Party => {
    const p = parties[firm]!;
    return p.after !== null && day >= p.day ? p.after : p.before;
  };

  const emit = (prng: Prng, event: InvoiceEvent, feed: District, issuedMs: number): void => {
    let arrival: number;
    if (prng.chance(o.lateRate)) {
      arrival = issuedMs + Math.round(prng.range(minLateMs, maxLateMs));
      stats.late++;
    } else {
      const upper = Math.min(15 * 60_000, maxLateMs);
      arrival = issuedMs + Math.round(prng.range(Math.min(2_000, upper), upper));
    }
    queue.push({ arrival_ms: arrival, seq: seq++, item: { feed, event, issued_ms: issuedMs } });
    if (prng.chance(o.duplicateRate)) {
      // At-least-once redelivery: the very same event (same event_id) once more, a little later.
      const again = Math.min(arrival + Math.round(prng.range(60_000, 6 * HOUR_MS)), issuedMs + maxLateMs);
      queue.push({ arrival_ms: again, seq: seq++, item: { feed, event: { ...event }, issued_ms: issuedMs } });
      stats.duplicates++;
    }
  };

  /** Numbers, times and emits an invoice the seller issues on `day` (not a void: that reuses its original's number). */
  const emitNewInvoice = (
    prng: Prng,
    kind: Pick<InvoiceEvent, 'event_type' | 'original_invoice_no' | 'invoice_kind'>,
    day: DayNumber,
    second: number,
    feed: District,
    trade: Pick<InvoiceEvent, 'seller' | 'buyer' | 'lines'>,
  ): InvoiceEvent => {
    // Keys in the order of the schema, as the feeds' JSON lines have always had them.
    const event: InvoiceEvent = {
      event_id: ids.nextEventId(),
      event_type: kind.event_type,
      invoice_no: ids.nextInvoiceNo(trade.seller.district_code, day),
      original_invoice_no: kind.original_invoice_no,
      invoice_kind: kind.invoice_kind,
      issued_at: formatIssuedAt(day, second),
      district: feed,
      seller: trade.seller,
      buyer: trade.buyer,
      lines: trade.lines,
      ...totals(trade.lines),
    };
    emit(prng, event, feed, startOfDay(day) + second * 1000);
    return event;
  };

  const scheduleVoid = (prng: Prng, link: TradeLink, event: InvoiceEvent, day: DayNumber, second: number, cancelled: boolean): void => {
    // Voiding (作废) is only possible within the month of issue; the clerk voids within a few working days.
    const month = dayToIso(day).slice(0, 7);
    let voidDay = day;
    for (let step = prng.int(0, 3); step > 0; step--) {
      const next = calendar.addWorkingDays(voidDay, 1);
      const sellerSilent = inIntervals(plan.silences[link.seller]!, next);
      if (next > o.to || dayToIso(next).slice(0, 7) !== month || sellerSilent || linkFactor(plan.link_effects[link.index]!, next) === 0) break;
      voidDay = next;
    }
    // Same day: 10 minutes to 2 hours after issue (issues end 17:30, so this stays before 20:00).
    const voidSecond =
      voidDay === day
        ? Math.min(second + prng.int(600, 7200), CLOSING_SECOND)
        : OPENING_SECOND + Math.floor(prng.next() * (CLOSING_SECOND - OPENING_SECOND));
    const voided: InvoiceEvent = {
      ...event,
      event_id: ids.nextEventId(),
      event_type: 'VOIDED',
      original_invoice_no: event.invoice_no,
      issued_at: formatIssuedAt(voidDay, voidSecond),
    };
    emit(prng, voided, event.district, startOfDay(voidDay) + voidSecond * 1000);
    stats.voided++;
    if (cancelled || !prng.chance(REISSUE_RATE)) return;
    // 作废重开: the clerk reissues the corrected invoice minutes after voiding the wrong one; the sale goes on.
    // Invoices are issued in business hours, so a void made in the evening is not reissued that day.
    const reissueSecond = voidSecond + prng.int(120, 1800);
    if (reissueSecond > OPENING_SECOND + ISSUING_SECONDS) return;
    emitNewInvoice(prng, event, voidDay, reissueSecond, event.district, event);
    stats.issued++;
  };

  const issueRedLetter = (prng: Prng, link: TradeLink, day: DayNumber, seller: Party, buyer: Party, feed: District): void => {
    const candidates = rings[link.index]!.filter((c) => c.day < day && !c.corrected);
    if (candidates.length === 0) return;
    const original = prng.pick(candidates);
    original.corrected = true;
    const priced = prng.chance(0.5)
      ? original.priced.map((p) => redLetterLine(p, p.quantity_units))
      : [redLetterLine(original.priced[0]!, Math.max(1, Math.round(original.priced[0]!.quantity_units * prng.range(0.2, 0.8))))];
    const lines = priced.map((p) => p.line);
    const second = OPENING_SECOND + Math.floor(prng.next() * (CLOSING_SECOND - OPENING_SECOND));
    emitNewInvoice(prng, { event_type: 'RED_LETTER', original_invoice_no: original.invoice_no, invoice_kind: original.invoice_kind }, day, second, feed, { seller, buyer, lines });
    stats.red_letter++;
  };

  const issueOccasion = (prng: Prng, link: TradeLink, day: DayNumber, amountScale: number): void => {
    const seller = partyAt(link.seller, day);
    const buyer = partyAt(link.buyer, day);
    const feed = districtOfCode(seller.district_code) ?? districtOfCode(buyer.district_code);
    if (feed === null) return; // never wired: outsiders only trade with zone firms
    const sellerFirm = firms[link.seller]!;
    const spike = inIntervals(plan.void_spikes[link.seller]!, day);
    const occasionFen = link.pattern === 'REGULAR' ? link.daily_flow_fen * link.gap : link.daily_flow_fen / link.daily_probability;
    const perInvoice = (occasionFen / link.invoices_per_occasion) * amountScale;
    for (let i = 0; i < link.invoices_per_occasion; i++) {
      const target = perInvoice * prng.logNormal(0.35);
      const split = link.goods.length > 1 ? prng.range(0.3, 0.7) : 1;
      const priced = link.goods.map((g, j) => {
        const rate = sellerFirm.taxpayer === 'SMALL_SCALE' ? smallScaleRateBp(day) : g.rate_bp;
        const price = Math.max(1, Math.round(link.unit_price_fen[j]! * prng.range(0.97, 1.03)));
        return priceLine(g, price, rate, target * (j === 0 ? split : 1 - split));
      });
      const lines = priced.map((p) => p.line);
      const second = OPENING_SECOND + Math.floor(prng.next() * ISSUING_SECONDS);
      const event = emitNewInvoice(prng, { event_type: 'ISSUED', original_invoice_no: null, invoice_kind: link.invoice_kind }, day, second, feed, { seller, buyer, lines });
      stats.issued++;
      if (spike ? spikeCancels(link.seller) : prng.chance(o.voidRate)) scheduleVoid(prng, link, event, day, second, spike);
      else {
        const ring = rings[link.index]!;
        ring.push({ invoice_no: event.invoice_no, invoice_kind: event.invoice_kind, priced, day, corrected: false });
        if (ring.length > RING_SIZE) ring.shift();
      }
    }
    const corrections = spike ? SPIKE_RED_LETTER_RATE * link.invoices_per_occasion : o.redLetterRate;
    if (prng.chance(corrections)) issueRedLetter(prng, link, day, seller, buyer, feed);
  };

  const simulateDay = (day: DayNumber): void => {
    const activity = profile.at(day);
    const ordinal = calendar.workingOrdinal(day);
    const prng = createPrng(mixSeed(o.seed, day, 0xda7));
    for (const link of links) {
      const factor = linkFactor(plan.link_effects[link.index]!, day);
      if (factor === 0) continue;
      let scale: number;
      if (link.pattern === 'REGULAR') {
        if (regularOccasion(o.seed, link, ordinal)) scale = 1;
        else if (extraOccasion(o.seed, link, ordinal, activity)) scale = 0.5;
        else continue;
      } else if (hashUnit4(o.seed, link.index, ordinal, 4) < link.daily_probability * activity.sporadic_factor) scale = 1;
      else continue;
      issueOccasion(prng, link, day, scale * factor * activity.amount_factor);
    }
  };

  const deliver = function* (limitMs: number): Generator<FeedArrival, void, undefined> {
    for (let next = queue.popBefore(limitMs); next !== undefined; next = queue.popBefore(limitMs)) {
      const { feed, event, issued_ms } = next.item;
      stats.events++;
      stats.by_feed[feed]++;
      const lateness = (next.arrival_ms - issued_ms) / HOUR_MS;
      if (lateness > stats.max_lateness_hours) stats.max_lateness_hours = Math.round(lateness * 1000) / 1000;
      yield { feed, arrival_ms: next.arrival_ms, event };
    }
  };

  for (let day = o.from; day <= o.to; day++) {
    if (profile.at(day).working) simulateDay(day);
    // Every later event is issued on a later day, so whatever arrives before tomorrow is final.
    yield* deliver(startOfDay(day + 1));
    o.onProgress?.({ day, events: stats.events });
  }
  yield* deliver(Number.POSITIVE_INFINITY);
}

/**
 * Whether a regular link invoices on this working-day ordinal: on schedule
 * (every `gap` working days from its phase), sometimes postponed by one
 * working day, never skipped — so the longest pause stays gap + 1 and a
 * healthy link never looks broken. Daily links (gap 1) skip about 5 % of days.
 */

function partiesOf(firm: SimFirm, plan: DisruptionPlan): { before: Party; after: Party | null; day: DayNumber } {
  const before: Party = { tax_id: firm.tax_id, name: firm.name, district_code: firm.district_code };
  const migration = plan.migrations[firm.index];
  if (!migration) return { before, after: null, day: Number.POSITIVE_INFINITY };
  return { before, after: { ...before, district_code: migration.district_code }, day: migration.day };
}
