import type { Admin } from 'kafkajs';
import { DISTRICTS, invoiceTopic } from '../domain/district.ts';
import { createLagGate, type LagGate } from '../kafka/lagGate.ts';
import { GROUPS, LEGS_READERS, TOPICS, type PipelineName } from '../kafka/topics.ts';
import type { Logger } from '../runtime/log.ts';

/**
 * An invoice record is ~300 B of Avro, so 8,000 records keep the lag under
 * half of the 5 MiB the mock keeps per partition while letting the producer
 * run a few coalesced writes ahead (1,000 throttled it to the gate's poll).
 */
const INGEST_MAX_LAG = 8_000;

/**
 * A leg takes ~315 B of the mock's 5 MiB a partition (~297 B of key and Avro
 * value, measured on the bench scenario, plus record framing): ~16,000 legs.
 * 10,000 leaves room for one more ingest write on top (at most 6,000
 * invoices, i.e. ~3,000 legs a partition, more where keys cluster). For every
 * group reading the legs (detect, match), and for ingest itself, which keeps
 * turning queued invoices into legs when only the producers wait.
 */
export const LEGS_MAX_LAG = 10_000;

/**
 * Lag gates for a producer feeding the embedded pipelines: ingest's lag on
 * each district topic and, for each of detect and match that runs, its lag
 * on the legs topic (each invoice becomes two legs there; the two are
 * separate consumer groups, so one's gate does not hold the other), so no
 * consumer falls further behind than the mock cluster's 5 MiB per partition
 * keeps. Without match's gate, `yunlian up --scenario eval --rate 20000`
 * logged DATA LOSS for match on every run (legs deleted before it read them).
 */
export function pipelineLagGates(admin: Admin, pipelines: readonly PipelineName[], logger: Logger, groupIdPrefix = ''): LagGate[] {
  const gates: LagGate[] = [];
  if (pipelines.includes('ingest')) {
    for (const d of DISTRICTS) gates.push(createLagGate({ admin, groupId: groupIdPrefix + GROUPS.ingest, topic: invoiceTopic(d), maxLagPerPartition: INGEST_MAX_LAG, logger }));
  }
  for (const legsReader of LEGS_READERS) {
    if (pipelines.includes(legsReader)) {
      gates.push(createLagGate({ admin, groupId: groupIdPrefix + GROUPS[legsReader], topic: TOPICS.invoiceLegs, maxLagPerPartition: LEGS_MAX_LAG, logger }));
    }
  }
  return gates;
}
