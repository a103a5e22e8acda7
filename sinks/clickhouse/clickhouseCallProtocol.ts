import { ClickHouseError } from '@clickhouse/client';
import type { ClickHouseConnection, RawInsert } from './clickhouseClient.ts';

/**
 * The messages a worker thread's forwarded ClickHouse connection
 * (forwardedConnection.ts) and the main thread's call server
 * (clickhouseCallServer.ts) exchange over a MessagePort. chDB allows one
 * engine per process, so workers reach it only through the main thread.
 *
 * Bodies travel as Uint8Array and are transferred, not cloned, whenever the
 * sender owns the whole ArrayBuffer (see `transferListOf`).
 */
type ConnectionParams<M extends 'query' | 'insert' | 'exec' | 'command' | 'ping'> = Parameters<ClickHouseConnection[M]>[0];

/** Call parameters without what cannot cross a thread: the abort signal, and stream bodies (sent as bytes instead). */
export type PortableQueryParams = Omit<ConnectionParams<'query'>, 'abort_signal'>;
export type PortableCommandParams = Omit<ConnectionParams<'command'>, 'abort_signal'>;
export type PortablePingParams = Omit<ConnectionParams<'ping'>, 'abort_signal'>;
export type PortableInsertParams = Omit<ConnectionParams<'insert'>, 'abort_signal' | 'values'> & { values: Uint8Array };
export type PortableExecParams = Omit<ConnectionParams<'exec'>, 'abort_signal' | 'values'> & { values?: Uint8Array };
export type PortableRawInsertParams = Omit<Parameters<RawInsert>[0], 'values'> & { values: Uint8Array };

export type ClickHouseCall =
  | { id: number; op: 'query'; params: PortableQueryParams }
  | { id: number; op: 'exec'; params: PortableExecParams }
  | { id: number; op: 'insert'; params: PortableInsertParams }
  | { id: number; op: 'command'; params: PortableCommandParams }
  | { id: number; op: 'ping'; params: PortablePingParams }
  | { id: number; op: 'rawInsert'; params: PortableRawInsertParams };

/** What a result is made of, minus its stream: the stream's bytes travel alongside as `body`. */
export type ClickHouseReply =
  | { id: number; ok: true; result: Record<string, unknown>; body?: Uint8Array }
  | { id: number; ok: false; error: PortableError };

/** An error as data: enough to rebuild what toClickHouseFailure (clickhouseErrors.ts) classifies. */
export interface PortableError {
  /** 'clickhouse': a ClickHouseError (server code + type); 'other': anything else, with chDB's or errno's code if any. */
  kind: 'clickhouse' | 'other';
  name: string;
  message: string;
  stack?: string;
  code?: string;
  type?: string;
  /** chDB's native calls (raw insert) put the server code here. */
  clickhouseCode?: number;
}

export function toPortableError(error: unknown): PortableError {
  if (!(error instanceof Error)) return { kind: 'other', name: 'Error', message: String(error) };
  const e = error as Error & { code?: unknown; type?: unknown; clickhouseCode?: unknown };
  // chDB's connection throws client-common's ClickHouseError from its own copy of the package, so match the shape too.
  const clickhouse = error instanceof ClickHouseError || (typeof e.code === 'string' && typeof e.type === 'string' && /^\d+$/.test(e.code));
  return {
    kind: clickhouse ? 'clickhouse' : 'other',
    name: error.name,
    message: error.message,
    stack: error.stack,
    ...(typeof e.code === 'string' || typeof e.code === 'number' ? { code: String(e.code) } : {}),
    ...(typeof e.type === 'string' ? { type: e.type } : {}),
    ...(typeof e.clickhouseCode === 'number' ? { clickhouseCode: e.clickhouseCode } : {}),
  };
}

export function fromPortableError(p: PortableError): Error {
  const error: Error & { code?: string; clickhouseCode?: number } =
    p.kind === 'clickhouse' ? new ClickHouseError({ message: p.message, code: p.code ?? '', type: p.type }) : new Error(p.message);
  if (p.kind === 'other') {
    error.name = p.name;
    if (p.code !== undefined) error.code = p.code;
  }
  if (p.clickhouseCode !== undefined) error.clickhouseCode = p.clickhouseCode;
  // The thread that failed has the useful stack; the caller's is where the promise rejected.
  if (p.stack) error.stack = `${p.stack}\n    --- forwarded from the main thread ---`;
  return error;
}

/**
 * Transfers a body's memory instead of copying it when the view owns its whole
 * ArrayBuffer. Small Buffers are slices of Node's shared 8 KiB pool: detaching
 * that would break every other Buffer in the pool, so those are cloned.
 * The sender must not use a transferred buffer afterwards (it is detached).
 */
export function transferListOf(body: Uint8Array | undefined): ArrayBuffer[] {
  if (!body) return [];
  const buffer = body.buffer;
  if (!(buffer instanceof ArrayBuffer)) return [];
  return body.byteOffset === 0 && body.byteLength === buffer.byteLength ? [buffer] : [];
}
