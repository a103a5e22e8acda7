import { describe, expect, it } from 'vitest';
import { createKafka } from '../../src/kafka/kafkaClient.ts';
import { createLogger } from '../../src/runtime/log.ts';

/** A kafkajs client whose logs land in `lines` (parsed), and the kafkajs root logger that writes to it. */
function clientLogs(onOffsetOutOfRange?: (info: { topic: string; partition: number; groupId: string }) => void) {
  const lines: { level: string; ns: string; msg: string; error?: string }[] = [];
  const logger = createLogger('test', { level: 'debug', sink: { write: (line) => lines.push(JSON.parse(line)) } });
  const kafka = createKafka({ config: { clientId: 'yunlian-test', brokers: ['127.0.0.1:1'] } as never, logger, onOffsetOutOfRange });
  return { lines, kafkajs: kafka.logger() };
}

describe('kafkajs logs in yunlian\'s logger', () => {
  it('logs a heartbeat answered "rebalancing" as info: the consumer rejoins by itself', () => {
    const { lines, kafkajs } = clientLogs();
    kafkajs.error('Response Heartbeat(key: 12, version: 3)', { error: 'The group is rebalancing, so a rejoin is needed', correlationId: 7 });
    expect(lines).toEqual([expect.objectContaining({ level: 'info', ns: 'test:kafkajs', msg: 'Response Heartbeat(key: 12, version: 3)' })]);
  });

  it('keeps other error responses, a heartbeat\'s included, at error level', () => {
    const { lines, kafkajs } = clientLogs();
    kafkajs.error('Response Heartbeat(key: 12, version: 3)', { error: 'The coordinator is not aware of this member' });
    kafkajs.error('Response JoinGroup(key: 11, version: 5)', { error: 'The group is rebalancing, so a rejoin is needed' });
    kafkajs.warn('Connection timeout', { broker: '127.0.0.1:1' });
    expect(lines.map((l) => l.level)).toEqual(['error', 'error', 'warn']);
  });

  it('turns kafkajs\'s offset-out-of-range notice into the data-loss callback', () => {
    const lost: unknown[] = [];
    const { kafkajs } = clientLogs((info) => lost.push(info));
    kafkajs.error('Offset out of range, resetting to default offset', { topic: 'yunlian.invoice-legs', partition: 2, groupId: 'yunlian-detect' });
    expect(lost).toEqual([{ topic: 'yunlian.invoice-legs', partition: 2, groupId: 'yunlian-detect' }]);
  });
});
