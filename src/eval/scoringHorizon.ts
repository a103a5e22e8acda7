import { dayOfInstant, type DayNumber, type WorkingCalendar } from '../calendar/workingCalendar.ts';
import type { DetectorConfig } from '../../pipelines/detect/detectorConfig.ts';

/** Calendar days the watermark trails the newest event (the allowed lateness): days after that never closed. */
const UNCLOSED_TAIL_DAYS = 4;

/**
 * The last day a label may become observable and still be scored for recall.
 * The run's last closed day is the newest event's day less the allowed
 * lateness; a drop on a lumpy flow must then hold for up to
 * dropMaxConfirmDays working days before it may open, so a label observable
 * in that tail cannot be found yet by design and is left out (censored), not
 * counted as a miss. Precision still counts every signal.
 */
export function scoringHorizon(calendar: WorkingCalendar, newestEventMs: number, config: DetectorConfig): DayNumber {
  let lastClosed = dayOfInstant(newestEventMs) - UNCLOSED_TAIL_DAYS;
  while (!calendar.isWorkingDay(lastClosed)) lastClosed--;
  return calendar.addWorkingDays(lastClosed, -config.dropMaxConfirmDays);
}
