import type { ClickHouseClient } from '@clickhouse/client';

/**
 * Fault injection for the ClickHouse outage scenario (harness only, never in
 * production code). In embedded mode ClickHouse is chDB inside the pipeline
 * process, so it cannot be taken down on its own; instead every call of the
 * client the pipelines use fails, for the outage's duration, with the error a
 * real `@clickhouse/client` raises when the server refuses connections
 * (`connect ECONNREFUSED`). The pipelines' own boundary
 * (sinks/clickhouse/clickhouseErrors.ts) then types it exactly as it would a
 * real outage.
 */
export interface ClickHouseOutageSwitch {
  /** The client to hand to the pipelines. */
  client: ClickHouseClient;
  /** Makes every call fail for `ms` milliseconds from now. */
  startOutage(ms: number): void;
  isDown(): boolean;
  /** Calls refused so far. */
  refusedCalls(): number;
}

const INTERCEPTED = new Set(['query', 'insert', 'exec', 'command', 'ping']);

function connectionRefused(): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error('connect ECONNREFUSED 127.0.0.1:8123');
  error.code = 'ECONNREFUSED';
  error.errno = -111;
  error.syscall = 'connect';
  return error;
}

export function withClickHouseOutage(real: ClickHouseClient, now: () => number = Date.now): ClickHouseOutageSwitch {
  let downUntil = 0;
  let refused = 0;
  const isDown = () => now() < downUntil;
  const client = new Proxy(real, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (typeof property !== 'string' || !INTERCEPTED.has(property)) return (value as (...a: unknown[]) => unknown).bind(target);
      return async (...args: unknown[]) => {
        if (isDown()) {
          refused++;
          // A refused connection fails fast in real life too, but not instantly.
          await new Promise((r) => setTimeout(r, 5));
          throw connectionRefused();
        }
        return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
  return {
    client,
    startOutage(ms) {
      downUntil = now() + ms;
    },
    isDown,
    refusedCalls: () => refused,
  };
}
