import { ConfigError } from '../../src/runtime/errors.ts';

/**
 * Thresholds of every detector (DESIGN.md section 4). All windows are counted
 * in working days, never calendar days, so holidays and regional closures
 * simply do not exist for the detectors.
 */
export interface DetectorConfig {
  /** Length of the "current" window of SALES_DROP / PURCHASE_DROP / VOID_SPIKE. */
  readonly windowDays: number;
  /** Working days before the current window that form the firm's own norm. */
  readonly baselineDays: number;
  /** A firm needs this many working days of history inside the baseline before any firm-level signal. */
  readonly minHistoryDays: number;

  /** Opens a drop when current < dropRatio × baseline. */
  readonly dropRatio: number;
  /** Resolves an open drop when current ≥ dropResolveRatio × the baseline frozen at open time (hysteresis). */
  readonly dropResolveRatio: number;
  /** ratio < dropHighRatio → HIGH, < dropMediumRatio → MEDIUM, else LOW. */
  readonly dropHighRatio: number;
  readonly dropMediumRatio: number;
  /**
   * A drop opens once current < dropRatio × baseline has held on this many consecutive closed working days
   * (each day against its own baseline), so one unlucky window is not a collapse; lumpy flows wait longer
   * (dropMaxConfirmDays).
   */
  readonly dropConfirmDays: number;
  /**
   * A lumpy flow's drop must hold for the spacing of its invoices (see confirmDaysFor), at most this many working
   * days; the rings keep that many extra days (see ringSizeFor).
   */
  readonly dropMaxConfirmDays: number;
  /**
   * A lumpy flow with invoices on at least this share of its baseline's working days is confirmed on its span as a
   * whole (most windows and their mean below dropRatio; see confirmedOverSpan); a sparser one, whose windows count
   * its few invoices, may lift only one window of the span above the line.
   */
  readonly dropSpanMinTradingShare: number;
  /** … and provided none of the span's windows read this ratio of the baseline or more (hovering, not a fresh fall). */
  readonly dropSpanMaxRatio: number;
  /**
   * … and at most this share of the baseline's rolling windows were as low as the current one. A flow that was
   * often that low (a firm selling only to an occasional customer: half its windows hold no invoice) has not
   * collapsed, whatever its median says; DESIGN.md: a pattern that was always sporadic is not a disruption.
   */
  readonly dropMaxLowWindowShare: number;
  /** Baselines below this (fen per window) are too small to call a drop. */
  readonly minBaselineFen: number;

  /** SILENCE: working days without a new sales invoice. */
  readonly silenceDays: number;
  /** SILENCE only for firms that invoiced on at least this share of the baseline days before the silence. */
  readonly silenceMinActiveShare: number;
  /** Emit SALES_DROP while SILENCE is open for the same firm (false: the silence is the one alert). */
  readonly salesDropDuringSilence: boolean;

  /**
   * A regular partner invoiced on at least this many distinct working days in the baseline window. Five days of
   * a partner invoicing "now and then" (2–6 % of days) keep a beat by chance in about 3 % of 60-day windows, six
   * in under 1 %: re-judged every time it invoices, the weaker bar makes a sporadic partner look regular once a
   * year, and its next long pause a broken link.
   */
  readonly linkMinInvoiceDays: number;
  /**
   * … spanning at least this many working days from its first to its last invoice day in the window (a burst is
   * not a pattern). Shorter than minHistoryDays: a supplier on a 4-day beat since 2 January is plainly regular
   * when the 2020 zone resumed (10 February), though its invoices span fewer than 30 working days by early March.
   */
  readonly linkMinSpanDays: number;
  /** … and carried at least this share of the firm's purchases (or sales) in that window. */
  readonly linkMinShare: number;
  /** … with a median gap no longer than this (working days). */
  readonly linkMaxUsualGapDays: number;
  /**
   * … and gaps this regular: coefficient of variation (std / mean) of its gaps at most this. Geometric
   * (memoryless, "now and then") gaps have a CV near 1; a partner invoicing on a beat far less.
   */
  readonly linkMaxGapVariation: number;
  /**
   * … and on a beat: at least this share of its gaps lie within [usual gap / 2, 1.5 × usual gap + 1]. A partner
   * invoicing "now and then" can show a low CV on a handful of gaps by chance; it rarely keeps most gaps on a beat.
   */
  readonly linkMinOnBeatShare: number;
  /**
   * A partner whose gaps only keep the beat once its off-beat extra invoices are merged away (the month-end
   * billing rush splits a beat in two; see scheduledGaps) is regular when at most this many of its invoice days in
   * the baseline window are such extras: one per month end of a 60-working-day window. More, and the partner
   * invoices "now and then" with a beat found only by discarding what does not fit.
   */
  readonly linkMaxExtraInvoiceDays: number;
  /** A link breaks after max(linkGapMultiplier × usual gap, linkMinSilenceDays) silent working days. */
  readonly linkGapMultiplier: number;
  readonly linkMinSilenceDays: number;

  /**
   * VOID_SPIKE when the share of the window's invoices that were cancelled ≥ max(voidShareMultiplier × norm,
   * norm + voidShareExcess), the norm being that share over the baseline …
   */
  readonly voidShareMultiplier: number;
  readonly voidShareExcess: number;
  /** … and at least this many corrections (voided or red-letter legs) in the window … */
  readonly voidMinCount: number;
  /**
   * … and that many corrections would be this improbable at the firm's own correction rate per working day
   * (Poisson upper tail; the baseline count gets one extra correction as a prior, so a firm with a spotless
   * history is not judged against a rate of zero). One large invoice voided in a quiet window can push the
   * share up; only a run of corrections is a spike.
   */
  readonly voidSurpriseProbability: number;
  /**
   * Corrections the firm is assumed to have made in its baseline on top of those seen, as a prior of that test:
   * a clean record over 60 working days does not prove a rate near zero (a firm issuing two invoices a day at
   * routine rates makes about one cancellation in two months). With one, four routine cancellations in a quiet
   * fortnight of such a firm looked like a spike once in a few thousand windows: one false alert per 300 firms a year.
   */
  readonly voidPriorCorrections: number;
  /** Resolves when share < max(voidResolveMultiplier × norm, norm + voidResolveExcess) or too few corrections. */
  readonly voidResolveMultiplier: number;
  readonly voidResolveExcess: number;
}

export const DEFAULT_DETECTOR_CONFIG: DetectorConfig = Object.freeze({
  windowDays: 10,
  baselineDays: 60,
  minHistoryDays: 30,
  dropRatio: 0.4,
  dropResolveRatio: 0.7,
  dropHighRatio: 0.15,
  dropMediumRatio: 0.3,
  dropConfirmDays: 3,
  dropMaxConfirmDays: 8,
  dropSpanMinTradingShare: 0.5,
  dropSpanMaxRatio: 0.5,
  dropMaxLowWindowShare: 0.1,
  minBaselineFen: 500_000,
  silenceDays: 7,
  silenceMinActiveShare: 0.6,
  salesDropDuringSilence: false,
  linkMinInvoiceDays: 6,
  linkMinSpanDays: 25,
  linkMinShare: 0.1,
  linkMaxUsualGapDays: 15,
  linkMaxGapVariation: 0.5,
  linkMinOnBeatShare: 0.75,
  linkMaxExtraInvoiceDays: 3,
  linkGapMultiplier: 2,
  linkMinSilenceDays: 10,
  voidShareMultiplier: 3,
  voidShareExcess: 0.15,
  voidMinCount: 3,
  voidSurpriseProbability: 0.0001,
  voidPriorCorrections: 2,
  voidResolveMultiplier: 2,
  voidResolveExcess: 0.075,
});

/** Working days of per-day figures an enterprise keeps (see dayRing.ts for why this many). */
export function ringSizeFor(config: DetectorConfig): number {
  // A drop confirmed over P days reads the baseline of the window that ended P - 1 days ago: B + W + P - 1 slots.
  const confirm = Math.max(config.dropConfirmDays, config.dropMaxConfirmDays);
  return Math.max(config.baselineDays + config.windowDays + Math.max(2, confirm - 1), config.baselineDays + config.silenceDays);
}

/**
 * Defaults overridden by `overrides`; throws ConfigError when a value is out of
 * range or the combination cannot work (e.g. resolving below the open threshold).
 */
export function createDetectorConfig(overrides: Partial<DetectorConfig> = {}): DetectorConfig {
  const config: DetectorConfig = { ...DEFAULT_DETECTOR_CONFIG, ...overrides };
  const positiveInts: (keyof DetectorConfig)[] = [
    'windowDays', 'baselineDays', 'minHistoryDays', 'silenceDays', 'linkMinInvoiceDays', 'linkMinSpanDays',
    'linkMaxUsualGapDays', 'linkMinSilenceDays', 'voidMinCount', 'dropConfirmDays', 'dropMaxConfirmDays',
  ];
  for (const key of positiveInts) {
    const v = config[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new ConfigError(`detector config ${key} must be a positive integer, got ${String(v)}`, { context: { key } });
    }
  }
  const ratios: (keyof DetectorConfig)[] = [
    'dropRatio', 'dropResolveRatio', 'dropHighRatio', 'dropMediumRatio', 'dropMaxLowWindowShare', 'dropSpanMinTradingShare', 'dropSpanMaxRatio', 'silenceMinActiveShare', 'linkMinShare', 'linkMinOnBeatShare',
    'voidShareExcess', 'voidResolveExcess', 'voidSurpriseProbability',
  ];
  for (const key of ratios) {
    const v = config[key];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      throw new ConfigError(`detector config ${key} must be a share between 0 and 1, got ${String(v)}`, { context: { key } });
    }
  }
  if (config.dropResolveRatio <= config.dropRatio) {
    throw new ConfigError('dropResolveRatio must be above dropRatio, or a drop would flap open/resolved', { context: { key: 'dropResolveRatio' } });
  }
  if (config.dropSpanMaxRatio < config.dropRatio) {
    throw new ConfigError('dropSpanMaxRatio below dropRatio would leave no window of a span above the line', { context: { key: 'dropSpanMaxRatio' } });
  }
  if (config.minHistoryDays > config.baselineDays) {
    throw new ConfigError('minHistoryDays cannot exceed baselineDays', { context: { key: 'minHistoryDays' } });
  }
  if (!(Number.isInteger(config.linkMaxExtraInvoiceDays) && config.linkMaxExtraInvoiceDays >= 0)) {
    throw new ConfigError('linkMaxExtraInvoiceDays must be a non-negative integer', { context: { key: 'linkMaxExtraInvoiceDays' } });
  }
  if (!(config.minBaselineFen >= 0 && Number.isSafeInteger(config.minBaselineFen))) {
    throw new ConfigError('minBaselineFen must be a non-negative integer fen amount', { context: { key: 'minBaselineFen' } });
  }
  if (!(config.voidPriorCorrections > 0)) {
    throw new ConfigError('voidPriorCorrections must be positive, or a firm with no corrections yet could never be surprised', { context: { key: 'voidPriorCorrections' } });
  }
  for (const key of ['linkGapMultiplier', 'voidShareMultiplier', 'voidResolveMultiplier', 'linkMaxGapVariation'] as const) {
    if (!(config[key] > 0)) throw new ConfigError(`detector config ${key} must be positive`, { context: { key } });
  }
  return Object.freeze(config);
}
