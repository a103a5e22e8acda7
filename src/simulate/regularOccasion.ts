import type { DayActivity } from './activityProfile.ts';
import { hashUnit4 } from './prng.ts';
import type { TradeLink } from './tradeNetwork.ts';

/** A regular link postpones a scheduled invoice by one working day this often (never skips one). */
export const POSTPONE_RATE = 0.1;

/**
 * Whether a REGULAR link has its scheduled invoicing occasion on working
 * ordinal `ordinal`: every `gap` working days from its phase, one day later
 * when postponed; a daily link skips a day now and then, never two in a row.
 * Stateless (hashes of seed, link and ordinal), so the simulator and the
 * ground truth see the same schedule.
 */
export function regularOccasion(seed: number, link: TradeLink, ordinal: number): boolean {
  if (link.gap === 1) {
    return !skipsDay(seed, link, ordinal) || skipsDay(seed, link, ordinal - 1);
  }
  const k = Math.floor((ordinal - link.phase) / link.gap);
  const scheduled = link.phase + k * link.gap;
  if (ordinal === scheduled) return hashUnit4(seed, link.index, k, 2) >= POSTPONE_RATE;
  if (ordinal === scheduled + 1) return hashUnit4(seed, link.index, k, 2) < POSTPONE_RATE;
  return false;
}

/** Whether a daily link skips working ordinal `ordinal`. */
function skipsDay(seed: number, link: TradeLink, ordinal: number): boolean {
  return hashUnit4(seed, link.index, ordinal, 1) >= link.daily_probability;
}

/** Whether a REGULAR link also invoices off-schedule on this working day (the month-end billing rush). */
export function extraOccasion(seed: number, link: TradeLink, ordinal: number, activity: DayActivity): boolean {
  return activity.extra_occasion > 0 && hashUnit4(seed, link.index, ordinal, 3) < activity.extra_occasion;
}
