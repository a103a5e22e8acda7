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

/** Programmer errors must never be retried. */
export function isRetriable(error: unknown): boolean {
  if (error instanceof YunlianError) return error.retriable;
  if (error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError) return false;
  return false;
}
