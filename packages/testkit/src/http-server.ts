/**
 * A real `node:http` server on 127.0.0.1 for connector tests: each test gives a handler; the
 * server records every request (method, URL, headers, raw body) and closes when asked.
 * @example
 * const server = await startHttpServer((req, res) => res.writeHead(200).end('[]'));
 * // … point a connection at server.url …
 * await server.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenHttpRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  /** The body as UTF-8 text. */
  body: string;
  /** The body's bytes, for binary uploads. */
  rawBody: Buffer;
}

export type HttpHandler = (req: SeenHttpRequest, res: ServerResponse, n: number) => unknown;

export interface TestHttpServer {
  url: string;
  requests: SeenHttpRequest[];
  close(): Promise<void>;
}

export async function startHttpServer(handler: HttpHandler): Promise<TestHttpServer> {
  const requests: SeenHttpRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const seen: SeenHttpRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: rawBody.toString('utf8'), rawBody };
      requests.push(seen);
      Promise.resolve(handler(seen, res, requests.length)).catch((error: unknown) => {
        res.writeHead(599).end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Sends `body` as JSON with `status` and extra headers. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}
