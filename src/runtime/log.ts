/**
 * Structured logs: one JSON object a line on stderr, a namespace and a context
 * object, never interpolated state. Keys that look like secrets are redacted.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /pass(word)?|secret|token|authorization|api[_-]?key|sasl/i;

export interface Logger {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
  child(namespace: string): Logger;
}

export interface LogSink {
  write(line: string): void;
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: value.message, code: (value as { code?: unknown }).code };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

export function createLogger(namespace: string, opts: { level?: LogLevel; sink?: LogSink } = {}): Logger {
  const level = opts.level ?? ((process.env.YUNLIAN_LOG_LEVEL as LogLevel | undefined) ?? 'info');
  const sink = opts.sink ?? { write: (line: string) => process.stderr.write(line + '\n') };
  const emit = (lvl: LogLevel, message: string, context?: Record<string, unknown>) => {
    if (ORDER[lvl] < (ORDER[level] ?? 20)) return;
    sink.write(JSON.stringify({ ts: new Date().toISOString(), level: lvl, ns: namespace, msg: message, ...(context ? (redact(context) as object) : {}) }));
  };
  return {
    debug: (m, c) => emit('debug', m, c),
    info: (m, c) => emit('info', m, c),
    warn: (m, c) => emit('warn', m, c),
    error: (m, c) => emit('error', m, c),
    child: (ns) => createLogger(`${namespace}:${ns}`, { level, sink }),
  };
}
