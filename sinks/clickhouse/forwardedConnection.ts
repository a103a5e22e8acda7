import { Readable } from 'node:stream';
import type { MessagePort } from 'node:worker_threads';
import type { ClickHouseClient } from '@clickhouse/client';
import { clientOnConnection, type ClickHouseConnection } from './clickhouseClient.ts';
import { fromPortableError, transferListOf, type ClickHouseCall, type ClickHouseReply } from './clickhouseCallProtocol.ts';

type Call = ClickHouseCall extends infer C ? (C extends { id: number } ? Omit<C, 'id'> : never) : never;

/**
 * A ClickHouse client for a worker thread: every call (query, exec, insert,
 * command, ping, and chDB's raw insert, which insertRows.ts prefers) is sent
 * over `port` to the main thread, which runs it on the one chDB engine of the
 * process (clickhouseCallServer.ts). Pipelines use it as any other client.
 *
 * Errors come back with their ClickHouse code and type (a ClickHouseError),
 * or chDB's `clickhouseCode`, so clickhouseErrors.ts classifies them as on
 * the main thread. Query results are read whole on the main thread (chDB
 * materialises them anyway) and arrive as one transferred buffer. An abort
 * signal cannot cross the port: a forwarded call runs to its end.
 * Closing the client closes the port; calls still pending then reject.
 */
export function createForwardedClickHouse(port: MessagePort): ClickHouseClient {
  const pending = new Map<number, { resolve: (reply: ClickHouseReply & { ok: true }) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let closed = false;

  port.on('message', (reply: ClickHouseReply) => {
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (reply.ok) waiter.resolve(reply);
    else waiter.reject(fromPortableError(reply.error));
  });
  port.on('close', () => failPending('the main thread closed the ClickHouse port'));

  function failPending(why: string): void {
    closed = true;
    for (const [id, waiter] of pending) {
      pending.delete(id);
      waiter.reject(new Error(`ClickHouse call not answered: ${why}`));
    }
  }

  function call(message: Call, body?: Uint8Array): Promise<ClickHouseReply & { ok: true }> {
    if (closed) return Promise.reject(new Error('the forwarded ClickHouse connection is closed'));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      try {
        port.postMessage({ id, ...message }, transferListOf(body));
      } catch (error) {
        pending.delete(id);
        reject(error as Error);
      }
    });
  }

  const resultOf = <T>(reply: ClickHouseReply & { ok: true }): T => reply.result as T;
  // A byte stream (not object mode), as the client's result sets expect from a connection.
  const withStream = <T>(reply: ClickHouseReply & { ok: true }): T =>
    ({ ...reply.result, stream: Readable.from(reply.body ? [Buffer.from(reply.body.buffer, reply.body.byteOffset, reply.body.byteLength)] : [], { objectMode: false }) }) as T;

  const connection: ClickHouseConnection = {
    async query(params) {
      const { abort_signal: _signal, ...portable } = params;
      return withStream(await call({ op: 'query', params: portable }));
    },
    async exec(params) {
      const { abort_signal: _signal, values, ...rest } = params;
      const body = values === undefined ? undefined : await bytesOf(values);
      return withStream(await call({ op: 'exec', params: { ...rest, ...(body ? { values: body } : {}) } }, body));
    },
    async insert(params) {
      const { abort_signal: _signal, values, ...rest } = params;
      const body = await bytesOf(values);
      return resultOf(await call({ op: 'insert', params: { ...rest, values: body } }, body));
    },
    async command(params) {
      const { abort_signal: _signal, ...portable } = params;
      return resultOf(await call({ op: 'command', params: portable }));
    },
    async ping(params) {
      const { abort_signal: _signal, ...portable } = params;
      try {
        await call({ op: 'ping', params: portable });
        return { success: true };
      } catch (error) {
        return { success: false, error: error as Error };
      }
    },
    async close() {
      failPending('the forwarded connection was closed');
      port.close();
    },
  };
  // The raw insert transfers `values` when it owns its memory: the caller must not reuse the buffer (insertRows.ts does not).
  return clientOnConnection(connection, async ({ values, ...rest }) => resultOf(await call({ op: 'rawInsert', params: { ...rest, values } }, values)));
}

/** An insert body as one byte array of its own (so transferring it never detaches the caller's buffers): a string is encoded once, a stream is gathered. */
async function bytesOf(values: string | Readable): Promise<Uint8Array> {
  if (typeof values === 'string') return Buffer.from(values);
  const chunks: Buffer[] = [];
  for await (const chunk of values as AsyncIterable<unknown>) {
    if (typeof chunk === 'string') chunks.push(Buffer.from(chunk));
    else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    else throw new TypeError(`unsupported insert chunk type: ${typeof chunk}`);
  }
  return Buffer.concat(chunks);
}
