import type { ConsumerConfig, Kafka } from 'kafkajs';

/**
 * Consumer group timings for the short fault runs (harness only). librdkafka's
 * mock cluster holds every rebalance of a running group open for the group's
 * session timeout minus one second (rdkafka_mock_cgrp.c,
 * `rd_kafka_mock_cgrp_rebalance`) and drops a killed member only after its
 * session timeout, so with the production 30 s every kill or scale step costs
 * about 30 s. The mock enforces no minimum session timeout.
 */
export interface ConsumerTimeouts {
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
}

/** What the short fault tests use: a rebalance settles in ~2 s on the mock cluster. */
export const SHORT_CONSUMER_TIMEOUTS: ConsumerTimeouts = { sessionTimeoutMs: 3000, heartbeatIntervalMs: 500, rebalanceTimeoutMs: 6000 };

/**
 * The same Kafka client, except that every consumer it creates uses
 * `timeouts` instead of what the pipeline asked for. Wrapping the client
 * keeps the pipelines' production defaults untouched: they never learn they
 * run under the harness.
 */
export function withConsumerTimeouts(kafka: Kafka, timeouts: ConsumerTimeouts): Kafka {
  const consumer = (config: ConsumerConfig) =>
    kafka.consumer({ ...config, sessionTimeout: timeouts.sessionTimeoutMs, heartbeatInterval: timeouts.heartbeatIntervalMs, rebalanceTimeout: timeouts.rebalanceTimeoutMs });
  return new Proxy(kafka, {
    get(target, property, receiver) {
      if (property === 'consumer') return consumer;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
