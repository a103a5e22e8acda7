import type { Admin } from 'kafkajs';
import type { Logger } from '../runtime/log.ts';
import { fetchTopicOffsets } from './topicOffsets.ts';

/**
 * Backpressure for producers: the embedded Kafka keeps only the newest 5 MiB
 * per partition, so a producer must not run further ahead of the consumer
 * group than that (real Kafka's retention is far larger, but a bound on lag
 * is healthy there too). `waitForRoom` resolves once every partition's lag is
 * at most `maxLagPerPartition` records.
 */
export interface LagGate {
  /** Rejects with a LagGateAbortedError when `signal` aborts first (a pipeline stopping while it waits). */
  waitForRoom(signal?: AbortSignal): Promise<void>;
}

export class LagGateAbortedError extends Error {
  constructor(groupId: string, topic: string) {
    super(`stopped while waiting for ${groupId} to catch up on ${topic}`);
    this.name = 'LagGateAbortedError';
  }
}

export interface LagGateOptions {
  admin: Admin;
  groupId: string;
  topic: string;
  maxLagPerPartition: number;
  logger: Logger;
  /**
   * How often a closed gate reads the lag again (default 50 ms). Room appears when the consumer commits, and a
   * writer waits on average half a poll past that: at 250 ms, ingest's legs gate held 4 of the 17 writes of the
   * bench's 100k-event run for 180–260 ms each after their inserts were done, and at 50 ms the run drained ~9 %
   * sooner (docs/performance.md, "Session 29"). A poll is two small admin requests, and only a closed gate polls.
   */
  pollMs?: number;
  /** Give up waiting (with a warning) when the lag has not shrunk for this long: no consumer is running. Infinity: never. */
  stallTimeoutMs?: number;
  /** Called while waiting, for progress output. */
  onWait?: (lag: number) => void;
}

/**
 * Records each partition of `topic` holds beyond what `groupId` has committed. A partition missing from the
 * committed answer counts from the log start: kafkajs's metadata race (see fetchTopicOffsets) can leave a topic's
 * partitions out of `fetchOffsets` too, and this way it overstates a lag for one poll rather than report a
 * consumer caught up that is not.
 */
export async function partitionLags(admin: Admin, groupId: string, topic: string): Promise<Map<number, number>> {
  const [high, committed] = await Promise.all([fetchTopicOffsets(admin, topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
  const committedBy = new Map<number, bigint>();
  for (const t of committed) for (const p of t.partitions) committedBy.set(p.partition, BigInt(p.offset === '-1' || p.offset === '' ? '-1' : p.offset));
  const lags = new Map<number, number>();
  for (const p of high) {
    const done = committedBy.get(p.partition) ?? -1n;
    const start = done >= 0n ? done : BigInt(p.low);
    lags.set(p.partition, Number(BigInt(p.high) - start));
  }
  return lags;
}

export function createLagGate(opts: LagGateOptions): LagGate {
  const pollMs = opts.pollMs ?? 50;
  const stallMs = opts.stallTimeoutMs ?? 20_000;
  return {
    async waitForRoom(signal?: AbortSignal) {
      // DescribeGroups is not served by librdkafka's mock cluster, so a missing
      // consumer is recognised by its lag not shrinking rather than by membership.
      let lastProgressAt = Date.now();
      let lastWorst = Infinity;
      for (;;) {
        if (signal?.aborted) throw new LagGateAbortedError(opts.groupId, opts.topic);
        const lags = await partitionLags(opts.admin, opts.groupId, opts.topic);
        const worst = Math.max(0, ...lags.values());
        if (worst <= opts.maxLagPerPartition) return;
        if (worst < lastWorst) {
          lastWorst = worst;
          lastProgressAt = Date.now();
        } else if (Date.now() - lastProgressAt > stallMs) {
          opts.logger.warn('the consumer group makes no progress; producing without backpressure', { groupId: opts.groupId, topic: opts.topic, lag: worst });
          return;
        }
        opts.onWait?.(worst);
        await new Promise((r) => setTimeout(r, pollMs));
      }
    },
  };
}
