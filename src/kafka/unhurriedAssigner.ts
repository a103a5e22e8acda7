import { PartitionAssigners, type Assigner, type PartitionAssigner } from 'kafkajs';

/**
 * How long the group leader waits before sending its assignment. librdkafka's mock cluster (the embedded
 * stack's Kafka) completes a SyncGroup round as soon as the leader has assigned every member, then refuses
 * the SyncGroup of a follower that arrives after the leader's with INVALID_REQUEST (rdkafka_mock_cgrp.c,
 * `rd_kafka_mock_cgrp_sync_check`; librdkafka 2.0.2). kafkajs crashes on it, the consumer rejoins, and the
 * mock holds that rebalance for the session timeout less 1 s: ~29 s without the pipeline, seen on about
 * every other start of two detect threads, whose follower thread is often busy when the JoinGroup answer
 * comes. A real broker makes followers wait for the leader's SyncGroup, so there the delay only lengthens a
 * rebalance by this much.
 */
export const LEADER_ASSIGNMENT_DELAY_MS = 1000;

/**
 * kafkajs's round-robin assigner, whose leader waits `delayMs` before assigning when the group has other
 * members (see LEADER_ASSIGNMENT_DELAY_MS). Same protocol name and version as the default, so members with either
 * assigner agree on the group protocol (a rolling upgrade mixes them).
 */
export function unhurriedRoundRobin(delayMs: number = LEADER_ASSIGNMENT_DELAY_MS, inner: PartitionAssigner = PartitionAssigners.roundRobin): PartitionAssigner {
  return (config) => {
    const assigner: Assigner = inner(config);
    return {
      name: assigner.name,
      version: assigner.version,
      protocol: (subscription) => assigner.protocol(subscription),
      assign: async (group) => {
        // A group of one has no follower to wait for.
        if (group.members.length > 1) await new Promise((resolve) => setTimeout(resolve, delayMs));
        return assigner.assign(group);
      },
    };
  };
}
