import { dayOfInstant, type DayNumber } from '../../src/calendar/workingCalendar.ts';
import { DISTRICTS, isDistrict, type District } from '../../src/domain/district.ts';

/**
 * Event-time watermarks of one partition of `yunlian.invoice-legs`.
 *
 * Legs reach a partition from every (feed, feed-topic partition) "source".
 * Each source is in rough event-time order (within the allowed lateness),
 * but ingest may process one source far ahead of another while catching up
 * on a backlog, so one watermark per source is kept — its newest event time
 * minus the allowed lateness — and the partition's clock is the slowest
 * active source (Flink's per-channel watermarks).
 *
 * Idle sources: a source that delivered nothing while the partition took in
 * `idleAfterRecords` legs from other sources (a quiet district at night, a
 * feed outage) stops holding the others back. Idleness is counted in records,
 * not wall-clock time, so pauses (rebalances, retries, a slow replay) change
 * nothing and the clock depends on the partition's record order alone: the
 * same legs give the same signals at any speed. Firms keep closing days no
 * faster than their own home feed's watermark, so a district whose feed went
 * quiet gets no false SILENCE; its events, once they flow again, are on time
 * for its firms.
 */
export interface WatermarkConfig {
  allowedLatenessMs: number;
  idleAfterRecords: number;
}

export const DEFAULT_WATERMARK_CONFIG: WatermarkConfig = {
  allowedLatenessMs: 2 * 86_400_000 + 3 * 3600_000,
  idleAfterRecords: 20_000,
};

export interface SerializedClock {
  /** Newest event time per source key `feed:partition`. */
  sources: Record<string, number>;
  /** Legs observed so far, and per source the count when it last delivered. */
  observed?: number;
  lastSeenAt?: Record<string, number>;
}

interface Source {
  feed: District;
  maxEventMs: number;
  /** Value of `observed` when this source last delivered. */
  lastSeenAt: number;
}

export class WatermarkClock {
  private readonly sources = new Map<string, Source>();
  private observed = 0;

  /**
   * @param expectedSources source keys (`feed:partition`) known to exist; until each has delivered (or
   *   `idleAfterRecords` legs have passed without it) the clock does not advance past it.
   */
  constructor(
    private readonly config: WatermarkConfig,
    snapshot?: SerializedClock,
    private readonly expectedSources: readonly string[] = [],
  ) {
    this.observed = snapshot?.observed ?? 0;
    for (const [key, maxEventMs] of Object.entries(snapshot?.sources ?? {})) {
      const feed = key.split(':')[0];
      if (isDistrict(feed)) this.sources.set(key, { feed, maxEventMs, lastSeenAt: snapshot?.lastSeenAt?.[key] ?? this.observed });
    }
  }

  /** Records an event from a source; returns true when it moved the clock (a source's watermark or the set of active sources). */
  observe(feed: District, sourcePartition: number, eventMs: number): boolean {
    const key = `${feed}:${sourcePartition}`;
    this.observed++;
    const source = this.sources.get(key);
    if (source === undefined) {
      this.sources.set(key, { feed, maxEventMs: eventMs, lastSeenAt: this.observed });
      return true;
    }
    // A source turning idle also moves the clock: check every idleAfterRecords legs.
    const idleCheck = this.observed % this.config.idleAfterRecords === 0;
    source.lastSeenAt = this.observed;
    if (source.maxEventMs >= eventMs) return idleCheck;
    source.maxEventMs = eventMs;
    return true;
  }

  private isActive(source: Source): boolean {
    return this.observed - source.lastSeenAt <= this.config.idleAfterRecords;
  }

  /** True while an expected source has never delivered and the grace of idleAfterRecords legs has not passed. */
  private waitingForExpected(): boolean {
    if (this.observed > this.config.idleAfterRecords) return false;
    return this.expectedSources.some((key) => !this.sources.has(key));
  }

  /** The slowest active source of `feed` (or of all feeds), as a watermark; -Infinity before any event. */
  private slowest(feed: District | null): number {
    let min = Infinity;
    let newest = -Infinity;
    for (const s of this.sources.values()) {
      if (feed !== null && s.feed !== feed) continue;
      newest = Math.max(newest, s.maxEventMs);
      if (this.isActive(s)) min = Math.min(min, s.maxEventMs);
    }
    // A feed whose sources are all idle stands at its own newest event.
    const basis = min === Infinity ? newest : min;
    return basis === -Infinity ? -Infinity : basis - this.config.allowedLatenessMs;
  }

  feedWatermark(feed: District): number {
    return this.slowest(feed);
  }

  /** The partition-wide watermark: the slowest active source. */
  globalWatermark(): number {
    return this.waitingForExpected() ? -Infinity : this.slowest(null);
  }

  /** The watermark an enterprise's timers run on: never ahead of its own feed. */
  enterpriseWatermark(home: District | null): number {
    const global = this.globalWatermark();
    return home === null ? global : Math.min(global, this.feedWatermark(home));
  }

  /** The last day wholly before `watermark` (null before any event). */
  static closedThrough(watermark: number): DayNumber | null {
    return Number.isFinite(watermark) ? dayOfInstant(watermark) - 1 : null;
  }

  /** Newest event time seen on a feed, for the watermark-delay metric. */
  newestEventMs(feed: District): number | undefined {
    let newest: number | undefined;
    for (const s of this.sources.values()) if (s.feed === feed && (newest === undefined || s.maxEventMs > newest)) newest = s.maxEventMs;
    return newest;
  }

  serialize(): SerializedClock {
    return {
      sources: Object.fromEntries([...this.sources].map(([k, s]) => [k, s.maxEventMs])),
      observed: this.observed,
      lastSeenAt: Object.fromEntries([...this.sources].map(([k, s]) => [k, s.lastSeenAt])),
    };
  }
}

/** Source keys of the district feeds' topic partitions. */
export function feedSourceKeys(partitionsPerFeed: Readonly<Partial<Record<District, number>>>): string[] {
  return DISTRICTS.flatMap((d) => Array.from({ length: partitionsPerFeed[d] ?? 0 }, (_, p) => `${d}:${p}`));
}
