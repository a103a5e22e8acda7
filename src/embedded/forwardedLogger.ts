import { redact, type Logger, type LogLevel } from '../runtime/log.ts';

/** One log call of a worker thread, as data. `namespaces` are the child() names below the worker's root logger. */
export interface ForwardedLogEntry {
  level: LogLevel;
  namespaces: string[];
  message: string;
  context?: Record<string, unknown>;
}

/**
 * A logger for a worker thread that hands every call to `post` (towards the
 * main thread), so worker logs go through the main logger: its level, its
 * sink, its namespace. Contexts are redacted here, which also turns errors
 * into plain objects that survive the structured clone.
 */
export function createForwardedLogger(post: (entry: ForwardedLogEntry) => void, namespaces: string[] = []): Logger {
  const emit = (level: LogLevel, message: string, context?: Record<string, unknown>) =>
    post({ level, namespaces, message, ...(context ? { context: redact(context) as Record<string, unknown> } : {}) });
  return {
    debug: (m, c) => emit('debug', m, c),
    info: (m, c) => emit('info', m, c),
    warn: (m, c) => emit('warn', m, c),
    error: (m, c) => emit('error', m, c),
    child: (ns) => createForwardedLogger(post, [...namespaces, ns]),
  };
}

/** Writes a worker's log entry through `logger` (the main thread's logger for that worker). */
export function logForwarded(logger: Logger, entry: ForwardedLogEntry): void {
  let target = logger;
  for (const ns of entry.namespaces) target = target.child(ns);
  target[entry.level](entry.message, entry.context);
}
