import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventRing, LiveEvent } from './eventRing.ts';

/**
 * Server-Sent Events to every open dashboard. Each event is first put in the
 * ring, then written to the live clients, so a client that reconnects with
 * `Last-Event-ID` gets exactly what it missed (or a `reset` event when the
 * ring no longer holds it: the page then reloads its lists).
 */
export type LiveEventType = 'signal' | 'match' | 'case';

export interface SseHub {
  publish(type: LiveEventType, data: unknown): LiveEvent;
  /** Takes over the response; returns false (and answers 503) when at capacity. */
  attach(req: IncomingMessage, res: ServerResponse, lastEventId: string | null): boolean;
  clientCount(): number;
  /** Ends every stream (server shutdown); clients reconnect elsewhere. */
  close(): void;
}

export interface SseHubOptions {
  ring: EventRing;
  maxClients?: number;
  heartbeatMs?: number;
  /** A client whose socket buffer passes this is dropped; it reconnects and replays from the ring. */
  maxBufferedBytes?: number;
  /** Browser reconnect delay sent as the SSE `retry` field. */
  retryMs?: number;
  onClientCount?: (n: number) => void;
}

function frame(event: LiveEvent): string {
  // JSON.stringify escapes newlines inside strings, so the payload is one `data:` line.
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

export function createSseHub(opts: SseHubOptions): SseHub {
  const clients = new Set<ServerResponse>();
  const maxBuffered = opts.maxBufferedBytes ?? 1024 * 1024;
  const changed = () => opts.onClientCount?.(clients.size);
  const drop = (res: ServerResponse) => {
    if (!clients.delete(res)) return;
    changed();
    res.end();
  };
  const write = (res: ServerResponse, text: string) => {
    res.write(text);
    if (res.writableLength > maxBuffered) drop(res);
  };
  const heartbeat = setInterval(() => {
    for (const res of clients) write(res, ': keep-alive\n\n');
  }, opts.heartbeatMs ?? 15_000);
  heartbeat.unref();

  return {
    publish(type, data) {
      const event = opts.ring.push(type, data);
      const text = frame(event);
      for (const res of clients) write(res, text);
      return event;
    },
    attach(req, res, lastEventId) {
      if (clients.size >= (opts.maxClients ?? 500)) {
        res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '10' }).end(JSON.stringify({ error: { code: 'TOO_MANY_STREAMS', message: 'too many live dashboards; retry later' } }));
        return false;
      }
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
        // Tells nginx-style proxies not to buffer the stream.
        'X-Accel-Buffering': 'no',
      });
      req.socket.setNoDelay(true);
      req.socket.setKeepAlive(true);
      // Replay and registration happen in one synchronous step: no event can slip in between.
      const replay = opts.ring.since(lastEventId);
      let text = `retry: ${opts.retryMs ?? 2000}\n\n`;
      if (replay.kind === 'gap') text += `event: reset\ndata: ${JSON.stringify({ boot: opts.ring.boot })}\n\n`;
      else for (const event of replay.events) text += frame(event);
      clients.add(res);
      changed();
      write(res, text);
      const gone = () => drop(res);
      req.once('close', gone);
      res.once('close', gone);
      return true;
    },
    clientCount: () => clients.size,
    close() {
      clearInterval(heartbeat);
      for (const res of [...clients]) drop(res);
    },
  };
}
