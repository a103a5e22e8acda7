import { Kafka, logLevel, type LogEntry, type SASLOptions } from 'kafkajs';
import type { KafkaConfig } from '../runtime/config.ts';
import type { Logger } from '../runtime/log.ts';

export interface KafkaClientOptions {
  config: KafkaConfig;
  logger: Logger;
  /** Called when kafkajs resets a partition after OFFSET_OUT_OF_RANGE: records were deleted before we read them. */
  onOffsetOutOfRange?: (info: { topic: string; partition: number; groupId: string }) => void;
}

/** kafkajs's text for REBALANCE_IN_PROGRESS (error code 27); kafkajs exports no constant for it. */
const REBALANCE_IN_PROGRESS = 'The group is rebalancing, so a rejoin is needed';

/**
 * kafkajs logs every error response at error level, but a heartbeat answered REBALANCE_IN_PROGRESS is how the
 * group coordinator tells a member to rejoin (another member joined or left: a stop, a scale-out), and the
 * consumer rejoins by itself. Logged as an error, every graceful stop of one of several detect threads looked
 * like a fault.
 */
function isRoutineRejoin(message: unknown, context: Record<string, unknown>): boolean {
  return typeof message === 'string' && message.startsWith('Response Heartbeat') && context.error === REBALANCE_IN_PROGRESS;
}

/**
 * One place that builds kafkajs clients: routes kafkajs logs into our
 * structured logger and turns its offset-out-of-range reset (which kafkajs
 * only logs) into a data-loss callback.
 */
export function createKafka(opts: KafkaClientOptions): Kafka {
  const { config, logger } = opts;
  const log = logger.child('kafkajs');
  const sasl = config.sasl ? ({ mechanism: config.sasl.mechanism, username: config.sasl.username, password: config.sasl.password } as SASLOptions) : undefined;
  return new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    ssl: config.ssl,
    sasl,
    logLevel: logLevel.WARN,
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 10_000 },
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, timestamp: _ts, logger: _l, ...context } = entry as LogEntry['log'] & { logger?: string };
        if (typeof message === 'string' && message.startsWith('Offset out of range')) {
          const c = context as { topic?: string; partition?: number; groupId?: string };
          opts.onOffsetOutOfRange?.({ topic: String(c.topic), partition: Number(c.partition), groupId: String(c.groupId) });
        }
        // The v2 partitioner notice is noise for a project that never used v1.
        if (typeof message === 'string' && message.includes('switched default partitioner')) return;
        if (isRoutineRejoin(message, context)) log.info(message, context);
        else if (level === logLevel.ERROR || level === logLevel.NOTHING) log.error(message, context);
        else if (level === logLevel.WARN) log.warn(message, context);
        else if (level === logLevel.INFO) log.info(message, context);
        else log.debug(message, context);
      },
  });
}
