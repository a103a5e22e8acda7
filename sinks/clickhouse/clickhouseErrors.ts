import { ClickHouseError } from '@clickhouse/client';
import { InfrastructureError, YunlianError } from '../../src/runtime/errors.ts';

/** Server error codes that describe a transient state of the server, not a bad query. */
const TRANSIENT_CODES = new Set([
  '159', // TIMEOUT_EXCEEDED
  '164', // READONLY (replica in read-only mode)
  '202', // TOO_MANY_SIMULTANEOUS_QUERIES
  '209', // SOCKET_TIMEOUT
  '210', // NETWORK_ERROR
  '236', // ABORTED
  '241', // MEMORY_LIMIT_EXCEEDED
  '242', // TABLE_IS_READ_ONLY
  '252', // TOO_MANY_PARTS
  '319', // UNKNOWN_STATUS_OF_INSERT
  '999', // KEEPER_EXCEPTION
]);

const NETWORK_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/**
 * Types a failure of a ClickHouse call at the boundary (STYLE.md habit 5):
 * transport faults and transient server states become retriable
 * InfrastructureErrors; everything else (syntax, types, unknown table) is a
 * non-retriable YunlianError carrying the server code.
 */
export function toClickHouseFailure(error: unknown, context: Record<string, unknown> = {}): YunlianError {
  if (error instanceof YunlianError) return error;
  if (error instanceof ClickHouseError) {
    const code = String(error.code);
    if (TRANSIENT_CODES.has(code)) return new InfrastructureError(`ClickHouse is temporarily unable to serve: ${error.message}`, { code: 'CLICKHOUSE_UNAVAILABLE', context: { ...context, clickhouseCode: code, type: error.type }, cause: error });
    return new YunlianError(`ClickHouse rejected the query: ${error.message}`, { code: 'CLICKHOUSE_QUERY_FAILED', retriable: false, context: { ...context, clickhouseCode: code, type: error.type }, cause: error });
  }
  // chDB's native calls (raw insert) throw ChdbError with the server code alongside.
  const chdbCode = (error as { clickhouseCode?: unknown } | undefined)?.clickhouseCode;
  if (typeof chdbCode === 'number') {
    const code = String(chdbCode);
    const message = error instanceof Error ? error.message : String(error);
    if (TRANSIENT_CODES.has(code)) return new InfrastructureError(`ClickHouse is temporarily unable to serve: ${message}`, { code: 'CLICKHOUSE_UNAVAILABLE', context: { ...context, clickhouseCode: code }, cause: error });
    return new YunlianError(`ClickHouse rejected the query: ${message}`, { code: 'CLICKHOUSE_QUERY_FAILED', retriable: false, context: { ...context, clickhouseCode: code }, cause: error });
  }
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if ((errno && NETWORK_ERRNO.has(errno)) || /timeout|socket hang up|ECONNREFUSED|ECONNRESET|fetch failed/i.test(message)) {
    return new InfrastructureError(`ClickHouse is unreachable: ${message}`, { code: 'CLICKHOUSE_UNAVAILABLE', context, cause: error });
  }
  return new YunlianError(`ClickHouse call failed: ${message}`, { code: 'CLICKHOUSE_FAILED', retriable: false, context, cause: error });
}
