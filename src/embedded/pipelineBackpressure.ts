import type { Admin } from 'kafkajs';
import { DISTRICTS, invoiceTopic } from '../domain/district.ts';
import { createLagGate, type LagGate } from '../kafka/lagGate.ts';
import { GROUPS, TOPICS, type PipelineName } from '../kafka/topics.ts';
import type { Logger } from '../runtime/log.ts';

/**
 * Lag gates for a producer feeding the embedded pipelines: ingest's lag on
 * each district topic and, when detect runs, detect's lag on the legs topic
 * (each invoice becomes two legs there), so no consumer falls further behind
 * than the mock cluster's 5 MiB per partition keeps.
 */
/**
 * An invoice record is ~300 B of Avro, so 8,000 records keep the lag under
 * half of the 5 MiB the mock keeps per partition while letting the producer
 * run a few coalesced writes ahead (1,000 throttled it to the gate's poll).
 */
const INGEST_MAX_LAG = 8_000;

/**
 * A leg takes ~580 B of the mock's 5 MiB per partition (a 14,000-firm replay
 * lost legs when detect's committed lag passed ~9,000 on a partition), and
 * detect commits only with its state snapshots, seconds apart. 4,000 leaves
 * room for one more ingest write (at most 6,000 invoices, i.e. ~3,000 legs a
 * partition) on top. For every group reading the legs (detect, match).
 */
export const LEGS_MAX_LAG = 4_000;

export function pipelineLagGates(admin: Admin, pipelines: readonly PipelineName[], logger: Logger, groupIdPrefix = ''): LagGate[] {
  const gates: LagGate[] = [];
  if (pipelines.includes('ingest')) {
    for (const d of DISTRICTS) gates.push(createLagGate({ admin, groupId: groupIdPrefix + GROUPS.ingest, topic: invoiceTopic(d), maxLagPerPartition: INGEST_MAX_LAG, logger }));
  }
  if (pipelines.includes('detect')) {
    gates.push(createLagGate({ admin, groupId: groupIdPrefix + GROUPS.detect, topic: TOPICS.invoiceLegs, maxLagPerPartition: LEGS_MAX_LAG, logger }));
  }
  return gates;
}
