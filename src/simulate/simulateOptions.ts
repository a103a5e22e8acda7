import type { DayNumber, WorkingCalendar } from '../calendar/workingCalendar.ts';
import { ConfigError } from '../runtime/errors.ts';
import { defaultDisruptionCounts, PLANNED_DISRUPTION_TYPES, type DisruptionCounts, type PlannedDisruptionType } from './disruptionPlan.ts';

export interface SimulateProgress {
  /** The simulated day just finished (every calendar day, working or not). */
  day: DayNumber;
  /** Events delivered to the feeds so far, duplicates included. */
  events: number;
}

/** Everything `yunlian simulate` (or `yunlian up`) passes to the simulator. */
export interface SimulateOptions {
  seed: number;
  /** Firms in all, about 78 % of them in the zone; ≥ 30. */
  firms: number;
  from: DayNumber;
  /** Inclusive. */
  to: DayNumber;
  /** Which days are worked; the 2020 shutdown must come from it (a regional closure override). */
  calendar: WorkingCalendar;
  /** Injected disruptions per type; missing types use defaultDisruptionCounts. */
  disruptions?: DisruptionCounts;
  /** Share of events delivered twice (same event_id). Default 0.01. */
  duplicateRate?: number;
  /** Share of events delivered late (2 hours up to maxLatenessHours). Default 0.02. */
  lateRate?: number;
  /** Upper bound on event-time-to-arrival delay, hours. Default 48. */
  maxLatenessHours?: number;
  /** Normal share of invoices voided within the month. Default 0.015. */
  voidRate?: number;
  /** Normal chance that an invoicing occasion also carries a red-letter correction. Default 0.008. */
  redLetterRate?: number;
  onProgress?: (progress: SimulateProgress) => void;
}

export interface ResolvedSimulateOptions extends Required<Omit<SimulateOptions, 'onProgress' | 'disruptions'>> {
  disruptions: Record<PlannedDisruptionType, number>;
  onProgress: ((progress: SimulateProgress) => void) | null;
}

/** Applies defaults; throws ConfigError on values the simulator cannot honour. */
export function resolveSimulateOptions(options: SimulateOptions): ResolvedSimulateOptions {
  const fail = (message: string): never => {
    throw new ConfigError(`simulate: ${message}`, { code: 'SIMULATE_OPTIONS' });
  };
  if (!Number.isSafeInteger(options.seed) || options.seed < 0) fail(`seed must be a non-negative integer, got ${options.seed}`);
  if (!Number.isInteger(options.firms) || options.firms < 30) fail(`firms must be an integer ≥ 30, got ${options.firms}`);
  if (!Number.isInteger(options.from) || !Number.isInteger(options.to) || options.to < options.from) {
    fail(`from/to must be day numbers with from ≤ to, got ${options.from}..${options.to}`);
  }
  const rate = (name: string, value: number | undefined, fallback: number): number => {
    const v = value ?? fallback;
    if (!(v >= 0 && v <= 1)) fail(`${name} must be within [0, 1], got ${v}`);
    return v;
  };
  const maxLatenessHours = options.maxLatenessHours ?? 48;
  if (!(maxLatenessHours > 0 && maxLatenessHours <= 24 * 30)) fail(`maxLatenessHours must be within (0, 720], got ${maxLatenessHours}`);
  const disruptions = defaultDisruptionCounts(options.firms, options.from, options.to);
  for (const [type, count] of Object.entries(options.disruptions ?? {})) {
    if (!(PLANNED_DISRUPTION_TYPES as readonly string[]).includes(type)) fail(`unknown disruption type ${type}`);
    if (!Number.isInteger(count) || count! < 0) fail(`disruption count for ${type} must be a non-negative integer`);
    disruptions[type as PlannedDisruptionType] = count!;
  }
  return {
    seed: options.seed,
    firms: options.firms,
    from: options.from,
    to: options.to,
    calendar: options.calendar,
    disruptions,
    duplicateRate: rate('duplicateRate', options.duplicateRate, 0.01),
    lateRate: rate('lateRate', options.lateRate, 0.02),
    maxLatenessHours,
    voidRate: rate('voidRate', options.voidRate, 0.015),
    redLetterRate: rate('redLetterRate', options.redLetterRate, 0.008),
    onProgress: options.onProgress ?? null,
  };
}

