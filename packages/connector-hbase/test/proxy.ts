/**
 * A forwarding HTTP proxy in front of the real REST gateway, for what a healthy server will not
 * do on demand: cut the connection mid-scan, report more regions than a fresh table has, and
 * record what the connector asked for (scanner bodies, headers).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxyHooks {
  /** Returns true to destroy the socket instead of answering (a server going down). */
  cut?(req: IncomingMessage, body: Buffer): boolean;
  /** Rewrites a JSON answer. */
  rewrite?(req: IncomingMessage, json: unknown): unknown;
}

export interface Proxy {
  url: string;
  requests: Array<{ method: string; path: string; headers: IncomingMessage['headers']; body: string }>;
  close(): Promise<void>;
}

export async function startProxy(target: string, hooks: ProxyHooks = {}): Promise<Proxy> {
  const requests: Proxy['requests'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method!, path: req.url!, headers: req.headers, body: body.toString('utf8') });
      if (hooks.cut?.(req, body)) {
        req.socket.destroy();
        return;
      }
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length', 'accept-encoding'].includes(k))) as Record<string, string>;
      fetch(target + req.url, { method: req.method!, headers, ...(body.length ? { body } : {}) })
        .then(async (answer) => {
          let out = Buffer.from(await answer.arrayBuffer());
          if (hooks.rewrite && answer.headers.get('content-type')?.includes('json') && out.length) out = Buffer.from(JSON.stringify(hooks.rewrite(req, JSON.parse(out.toString('utf8')))));
          const location = answer.headers.get('location');
          res.writeHead(answer.status, { ...(answer.headers.get('content-type') ? { 'content-type': answer.headers.get('content-type')! } : {}), ...(location ? { location } : {}) });
          res.end(out);
        })
        .catch(() => req.socket.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
