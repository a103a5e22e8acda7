import type { Logger } from './log.ts';
import type { RunningPipeline } from './pipeline.ts';
import { settleAll } from './settleAll.ts';

/**
 * Several running copies of one pipeline (members of the same consumer group,
 * e.g. detect in two worker threads) as the one RunningPipeline callers know:
 * `yunlian up` and the bench wait on `done` and stop through `stop()` without
 * knowing how many members there are.
 *
 * `stop()` first quiesces every member that can (RunningPipeline.quiesce:
 * their work in flight finishes and is committed while all are still in the
 * consumer group), then stops them all at once, and settles when all have
 * stopped, throwing the first member's stop failure. Quiescing first keeps
 * the members' leaving close together: one that left while another still
 * drained would make the group rebalance under the other, which kafkajs then
 * rejoins, and the mock cluster holds that join ~29 s. A member that fails to
 * quiesce is stopped all the same. `done` rejects with the first
 * member's failure as soon as it happens (as a single pipeline's would), and
 * the other members are then stopped: left running they would take over the
 * failed member's partitions and hide the failure behind a half-working
 * group. `done` resolves once every member has ended without failing.
 *
 * Throws RangeError for an empty group.
 */
export function pipelineGroup(name: string, members: readonly RunningPipeline[], logger: Logger): RunningPipeline {
  if (members.length === 0) throw new RangeError(`pipeline group ${name} has no members`);
  // One stop per member, whoever asks first (the group's stop() or a sibling's failure).
  const stops = new Map<RunningPipeline, Promise<void>>();
  const stopMember = (member: RunningPipeline): Promise<void> => {
    let stopping = stops.get(member);
    if (!stopping) {
      stopping = member.stop();
      stops.set(member, stopping);
    }
    return stopping;
  };

  let remaining = members.length;
  let failed: RunningPipeline | null = null;
  const done = new Promise<void>((resolve, reject) => {
    for (const member of members) {
      member.done.then(
        () => {
          if (--remaining === 0) resolve();
        },
        (error: unknown) => {
          failed ??= member;
          reject(error);
        },
      );
    }
  });
  // Attached here, so a failure is handled (as a single pipeline's `done` is) even when no caller waits on it.
  done.then(undefined, (error: unknown) => {
    const others = members.filter((m) => m !== failed && !stops.has(m));
    if (others.length === 0) return;
    logger.warn('a member of the pipeline group failed; stopping the others', { pipeline: name, members: members.length, error });
    for (const other of others) {
      stopMember(other).catch((stopError: unknown) => logger.warn('a member of a failed pipeline group did not stop cleanly', { pipeline: name, error: stopError }));
    }
  });

  const quiesceAll = async (): Promise<void> => {
    const outcomes = await Promise.allSettled(members.filter((m) => !stops.has(m)).map((m) => m.quiesce?.()));
    for (const o of outcomes) if (o.status === 'rejected') logger.warn('a member of the pipeline group did not quiesce; stopping it anyway', { pipeline: name, error: o.reason });
  };

  return {
    name,
    done,
    stop: async () => {
      await quiesceAll();
      await settleAll(members.map(stopMember));
    },
  };
}
