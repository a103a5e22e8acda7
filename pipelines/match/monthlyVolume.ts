import { inWindow, type MonthKey } from './eventMonth.ts';

/** Netted fen per event-time month. */
export type MonthlyVolume = Map<MonthKey, number>;

export function addToMonth(volume: MonthlyVolume, month: MonthKey, fen: number): void {
  volume.set(month, (volume.get(month) ?? 0) + fen);
}

/** Sum over the recent window ending with `asOf` (integer fen). */
export function recentFen(volume: MonthlyVolume | undefined, asOf: MonthKey, windowMonths: number): number {
  if (!volume) return 0;
  let sum = 0;
  for (const [month, fen] of volume) if (inWindow(month, asOf, windowMonths)) sum += fen;
  return sum;
}

/** Months of the window with a positive netted flow. */
export function activeMonths(volume: MonthlyVolume | undefined, asOf: MonthKey, windowMonths: number): number {
  if (!volume) return 0;
  let n = 0;
  for (const [month, fen] of volume) if (fen > 0 && inWindow(month, asOf, windowMonths)) n++;
  return n;
}

/** Drops months older than `oldest`, so memory stays bounded as event time moves on. */
export function trimBefore(volume: MonthlyVolume, oldest: MonthKey): void {
  for (const month of volume.keys()) if (month < oldest) volume.delete(month);
}
