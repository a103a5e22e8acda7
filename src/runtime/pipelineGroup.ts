import type { Logger } from './log.ts';
import type { RunningPipeline } from './pipeline.ts';
import { settleAll } from './settleAll.ts';

/**
 * Several running copies of one pipeline (members of the same consumer group,
 * e.g. detect in two worker threads) as the one RunningPipeline callers know:
 * `yunlian up` and the bench wait on `done` and stop through `stop()` without
 * knowing how many members there are.
 *
 * `stop()` stops every member at once and settles when all have stopped,
 * throwing the first member's stop failure. `done` rejects with the first
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

  return {
    name,
    done,
    stop: () => settleAll(members.map(stopMember)),
  };
}
