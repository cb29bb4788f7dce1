/**
 * Issue 10 item 9: a TLS failure is the transport's, not the credentials'. A server that answers
 * PostgreSQL's SSLRequest with 'N' (no SSL) makes `ssl=true` fail; the health check reports it
 * under the network tier as CONNECTION_FAILED, never as an authentication failure.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection } from '@sparkle/core';
import '../src/index.js';

let server: Server;
let port: number;
const sockets = new Set<Socket>();

beforeAll(async () => {
  // Reads the 8-byte SSLRequest and declines, as a server without SSL does.
  server = createServer((socket) => {
    sockets.add(socket);
    socket.once('data', () => socket.write('N'));
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

describe('TLS failures', () => {
  it('are reported under the network tier as CONNECTION_FAILED, not as auth', async () => {
    await using conn = await getConnection('postgres', {
      config: { url: `jdbc:postgresql://127.0.0.1:${port}/db`, user: 'app', password: 'not-the-problem', properties: { ssl: 'true', sslmode: 'require' } },
      dotenv: false,
      variables: {},
    });
    const report = await conn.check({ timeoutMs: 10_000 });
    expect(report.ok).toBe(false);
    expect(report.failedTier).toBe('network');
    const network = report.steps.find((s) => s.tier === 'network')!;
    expect(network.status).toBe('failed');
    expect(network.error?.code).toBe('CONNECTION_FAILED');
    expect(network.message).toMatch(/TLS\/SSL negotiation failed: .*does not support SSL/);
    expect(report.steps.find((s) => s.tier === 'auth')?.status).toBe('skipped');
    expect(JSON.stringify(report)).not.toMatch(/AUTHENTICATION_FAILED|credentials/);
  });
});
