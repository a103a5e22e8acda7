import type { WorkingCalendar } from '../../src/calendar/workingCalendar.ts';
import type { DetectorConfig } from './detectorConfig.ts';
import type { StringInterner } from './stringInterner.ts';

/**
 * Everything the pure detectors depend on, injected by the runtime (STYLE.md
 * habit 9). `now` only stamps `detected_at_ms`; it never influences which
 * signals fire, so replays at any speed give the same signals.
 */
export interface DetectorContext {
  readonly calendar: WorkingCalendar;
  readonly config: DetectorConfig;
  readonly now: () => number;
  /** Shares the party strings state keeps among the firms of a partition (memory only; without it each keeps its own copies). */
  readonly strings?: StringInterner;
}
