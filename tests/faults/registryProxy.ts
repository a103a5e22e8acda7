import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A Schema Registry as the pipelines see it over the network, with a switch:
 * an HTTP pass-through to the real (embedded) registry that can stop
 * listening (clients get ECONNREFUSED, as when the registry host is down) and
 * come back on the same port. It also counts requests per path, which shows
 * whether unknown schema ids are cached or asked for again per record.
 */
export interface RegistryProxy {
  url: string;
  /** Requests seen whose path starts with `prefix`. */
  requests(prefix: string): number;
  goDown(): Promise<void>;
  comeBack(): Promise<void>;
  close(): Promise<void>;
}

export async function startRegistryProxy(upstreamUrl: string): Promise<RegistryProxy> {
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const forward = async (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'accept', 'authorization']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    try {
      const upstream = await fetch(upstreamUrl + path, { method: req.method, headers, body: chunks.length > 0 ? Buffer.concat(chunks) : undefined });
      const body = Buffer.from(await upstream.arrayBuffer());
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      res.end(body);
    } catch (error) {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error_code: 50201, message: `proxy: ${(error as Error).message}` }));
    }
  };
  let server: Server | null = null;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((req, res) => {
        forward(req, res).catch((error: unknown) => {
          res.destroy(error instanceof Error ? error : new Error(String(error)));
        });
      });
      s.on('connection', (socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as AddressInfo).port;
        server = s;
        resolve();
      });
    });
  const shut = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = null;
      if (!s) return resolve();
      s.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  await listen();
  return {
    url: `http://127.0.0.1:${port}`,
    requests: (prefix) => [...counts].filter(([p]) => p.startsWith(prefix)).reduce((s, [, n]) => s + n, 0),
    goDown: shut,
    comeBack: listen,
    close: shut,
  };
}
