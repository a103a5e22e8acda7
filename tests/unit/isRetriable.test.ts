import { describe, expect, it } from 'vitest';
import { KafkaJSConnectionError, KafkaJSError, KafkaJSNumberOfRetriesExceeded } from 'kafkajs';
import { ConfigError, InfrastructureError, isRetriable, PoisonRecordError } from '../../src/runtime/errors.ts';

describe('isRetriable', () => {
  it('retries what yunlian marks retriable and nothing it marks final', () => {
    expect(isRetriable(new InfrastructureError('ClickHouse unreachable', { code: 'CH_DOWN' }))).toBe(true);
    expect(isRetriable(new PoisonRecordError('bad amount', { code: 'LEG_AMOUNT' }))).toBe(false);
    expect(isRetriable(new ConfigError('bad flag'))).toBe(false);
  });

  it('retries a Kafka client error the client marks retriable (a connection timeout under load), not one that exhausted its own retries', () => {
    expect(isRetriable(new KafkaJSConnectionError('Connection timeout'))).toBe(true);
    expect(isRetriable(new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection timeout'), { retryCount: 5, retryTime: 3000 }))).toBe(false);
    expect(isRetriable(new KafkaJSError('the broker refused the request', { retriable: false }))).toBe(false);
  });

  it('never retries programmer errors or non-errors, even ones carrying a retriable flag', () => {
    expect(isRetriable(new TypeError('x is undefined'))).toBe(false);
    expect(isRetriable(Object.assign(new Error('looks retriable'), { retriable: true }))).toBe(false);
    expect(isRetriable('timeout')).toBe(false);
  });
});
