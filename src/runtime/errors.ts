/**
 * Base error of yunlian. Retriability is data on the error (STYLE.md habit 4):
 * infrastructure faults (broker, registry or ClickHouse unreachable) are
 * retriable; bad input and programmer errors are not.
 */
export interface ErrorContext {
  topic?: string;
  partition?: number;
  offset?: string;
  [key: string]: unknown;
}

export class YunlianError extends Error {
  readonly retriable: boolean;
  readonly code: string;
  readonly context: ErrorContext;

  constructor(message: string, opts: { code: string; retriable: boolean; context?: ErrorContext; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = opts.code;
    this.retriable = opts.retriable;
    this.context = opts.context ?? {};
  }
}

/** A fault of a service we depend on; worth retrying with backoff. */
export class InfrastructureError extends YunlianError {
  constructor(message: string, opts: { code: string; context?: ErrorContext; cause?: unknown }) {
    super(message, { ...opts, retriable: true });
  }
}

/** A record that can never be processed as it is; it belongs in the DLQ. */
export class PoisonRecordError extends YunlianError {
  constructor(message: string, opts: { code: string; context?: ErrorContext; cause?: unknown }) {
    super(message, { ...opts, retriable: false });
  }
}

/** Bad configuration or usage: report it to the user and stop. */
export class ConfigError extends YunlianError {
  constructor(message: string, opts: { code?: string; context?: ErrorContext } = {}) {
    super(message, { code: opts.code ?? 'CONFIG', retriable: false, context: opts.context });
  }
}

/**
 * Whether trying again may succeed: a YunlianError that says so, or a Kafka
 * client error that says so (kafkajs marks a connection timeout or a leader
 * election `retriable`; one that ran out of the client's own retries is not).
 * A pipelined write that fails is final and stops its consumer, so a broker
 * that answered late under load must not count as a failure. Anything else,
 * programmer errors included, is never retried.
 */
export function isRetriable(error: unknown): boolean {
  if (error instanceof YunlianError) return error.retriable;
  return error instanceof Error && error.name.startsWith('KafkaJS') && (error as { retriable?: unknown }).retriable === true;
}
