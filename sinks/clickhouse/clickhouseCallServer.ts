import { Readable } from 'node:stream';
import type { MessagePort } from 'node:worker_threads';
import type { ClickHouseClient } from '@clickhouse/client';
import { ConfigError } from '../../src/runtime/errors.ts';
import type { Logger } from '../../src/runtime/log.ts';
import { connectionOf, rawInsertOf } from './clickhouseClient.ts';
import { toPortableError, transferListOf, type ClickHouseCall, type ClickHouseReply } from './clickhouseCallProtocol.ts';

/**
 * The main thread's half of a forwarded ClickHouse connection
 * (forwardedConnection.ts): runs each call arriving on `port` on the
 * connection under `client` (chDB, which lives only on this thread) and
 * answers with its result, its stream read whole into one transferred buffer,
 * or its error as data. Calls run concurrently, as they would on the client.
 * They are counted (busy time, calls by table) by the metered connection the
 * embedded client is built on (meteredConnection.ts), with the main thread's own.
 *
 * Throws ConfigError when `client` was not built on an injected connection
 * (clientOnConnection). Returns a function that stops serving.
 */
export function serveClickHouseCalls(port: MessagePort, client: ClickHouseClient, logger: Logger): () => void {
  const connection = connectionOf(client);
  if (!connection) throw new ConfigError('ClickHouse calls can be forwarded only to a client on an injected connection (chDB)', { code: 'CLICKHOUSE_FORWARD' });
  const rawInsert = rawInsertOf(client);

  async function run(call: ClickHouseCall): Promise<{ result: Record<string, unknown>; body?: Uint8Array }> {
    switch (call.op) {
      case 'query': {
        const { stream, ...result } = await connection!.query(call.params);
        return { result: { ...result }, body: await drained(stream) };
      }
      case 'exec': {
        const { values, ...params } = call.params;
        const { stream, ...result } = await connection!.exec({ ...params, ...(values ? { values: Readable.from([asBuffer(values)], { objectMode: false }) } : {}) });
        return { result: { ...result }, body: await drained(stream) };
      }
      case 'insert': {
        const { values, ...params } = call.params;
        return { result: { ...(await connection!.insert({ ...params, values: Readable.from([asBuffer(values)], { objectMode: false }) })) } };
      }
      case 'command':
        return { result: { ...(await connection!.command(call.params)) } };
      case 'ping': {
        const outcome = await connection!.ping(call.params);
        if (!outcome.success) throw outcome.error;
        return { result: {} };
      }
      case 'rawInsert': {
        if (!rawInsert) throw new ConfigError('this ClickHouse client has no raw insert', { code: 'CLICKHOUSE_FORWARD' });
        await rawInsert({ ...call.params, values: asBuffer(call.params.values) });
        return { result: {} };
      }
    }
  }

  const onMessage = (call: ClickHouseCall): void => {
    run(call).then(
      ({ result, body }) => reply({ id: call.id, ok: true, result, ...(body ? { body } : {}) }, body),
      (error: unknown) => reply({ id: call.id, ok: false, error: toPortableError(error) }),
    );
  };
  const reply = (message: ClickHouseReply, body?: Uint8Array): void => {
    try {
      port.postMessage(message, transferListOf(body));
    } catch (error) {
      // A closed port means the worker is gone and nobody waits for this answer.
      logger.warn('could not answer a forwarded ClickHouse call', { id: message.id, error });
    }
  };
  port.on('message', onMessage);
  return () => {
    port.off('message', onMessage);
    port.close();
  };
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A result stream as one byte array (chDB hands over a single buffer; HTTP streams come in chunks). */
async function drained(stream: Readable): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer | string>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}
