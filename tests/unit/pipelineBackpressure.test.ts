import { describe, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import { pipelineLagGates } from '../../src/embedded/pipelineBackpressure.ts';
import { createLogger } from '../../src/runtime/log.ts';
import { GROUPS, TOPICS } from '../../src/kafka/topics.ts';

/** An admin whose every group has read every topic to its end, recording which (group, topic) each gate asked about. */
function recordingAdmin(asked: string[]): Admin {
  return {
    fetchTopicOffsets: async () => [{ partition: 0, offset: '10', high: '10', low: '0' }],
    fetchOffsets: async ({ groupId, topics }: { groupId: string; topics: string[] }) => {
      asked.push(`${groupId} ${topics.join(',')}`);
      return topics.map((topic) => ({ topic, partitions: [{ partition: 0, offset: '10' }] }));
    },
  } as unknown as Admin;
}

const logger = createLogger('test', { level: 'error' });

describe('pipelineLagGates', () => {
  it('holds a producer back on the lag of every consumer group reading the legs: detect and match', async () => {
    const asked: string[] = [];
    const gates = pipelineLagGates(recordingAdmin(asked), ['ingest', 'detect', 'match'], logger, 'p-');
    for (const gate of gates) await gate.waitForRoom();
    expect(asked.filter((a) => a.endsWith(TOPICS.invoiceLegs)).sort()).toEqual([`p-${GROUPS.detect} ${TOPICS.invoiceLegs}`, `p-${GROUPS.match} ${TOPICS.invoiceLegs}`]);
    expect(asked.filter((a) => a.startsWith(`p-${GROUPS.ingest} `))).toHaveLength(3);
  });

  it('has no gate for a pipeline that is not running', async () => {
    const asked: string[] = [];
    for (const gate of pipelineLagGates(recordingAdmin(asked), ['ingest', 'detect'], logger)) await gate.waitForRoom();
    expect(asked.some((a) => a.startsWith(GROUPS.match))).toBe(false);
    expect(asked.some((a) => a.startsWith(GROUPS.detect))).toBe(true);
  });
});
