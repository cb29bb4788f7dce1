/**
 * A tiny HTTP proxy in front of moto for faults a fake cannot be asked for: it forwards every
 * request unchanged unless a rule answers it with an S3 error response (status, `<Error><Code>`
 * XML, as S3 sends them): throttling `503 SlowDown`, `403 InvalidAccessKeyId` … It counts what
 * it sees. Loopback only; closed by the test.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An S3 error to answer with. */
export interface InjectedError {
  status: number;
  code: string;
  message: string;
}

export interface FaultProxy {
  url: string;
  /** Requests seen (method and path), injected or forwarded. */
  seen: Array<{ method: string; path: string; injected?: string }>;
  /** Decides per request; `undefined` forwards it. */
  rule: (req: IncomingMessage, index: number) => InjectedError | undefined;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const proxy: FaultProxy = { url: '', seen: [], rule: () => undefined, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const index = proxy.seen.length;
    const injected = proxy.rule(req, index);
    proxy.seen.push({ method: req.method ?? 'GET', path: req.url ?? '/', ...(injected ? { injected: injected.code } : {}) });
    if (injected) {
      // The body is drained first, as a server does before answering.
      req.resume();
      req.on('end', () => {
        const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${injected.code}</Code><Message>${injected.message}</Message><RequestId>injected</RequestId></Error>`;
        res.writeHead(injected.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
        res.end(req.method === 'HEAD' ? undefined : body);
      });
      return;
    }
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    forward.on('error', (error) => res.destroy(error));
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () => new Promise((resolve) => server.close(() => resolve()));
  return proxy;
}
