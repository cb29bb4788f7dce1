/**
 * Issue 10 item 18: lineage never holds a finished command. With an endpoint that accepts and
 * never answers, close() gives up after `closeTimeoutMs`, says how many events were dropped,
 * and aborts the request still in flight (the server sees its socket closed). The test's own
 * timeout (well under the transport's 4 × 5 s of attempts) is the bound; nothing is timed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpTransport, OpenLineageClient } from '../src/index.js';
import type { LineageRunSpec } from '../src/lineage/types.js';

let server: Server;
let url: string;
const sockets = new Set<Socket>();
const closedSockets: Socket[] = [];

beforeAll(async () => {
  // Reads the request and never answers.
  server = createServer(() => undefined);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => closedSockets.push(socket));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

const spec: LineageRunSpec = { jobName: 'sparkle.copy.x', operation: 'copy', connectionType: 'postgres', inputs: [], outputs: [] };

describe('lineage close is bounded', () => {
  it('drops what an unanswering endpoint has not taken, warns once, and aborts the request', async () => {
    const warnings: string[] = [];
    const client = new OpenLineageClient(new HttpTransport({ url, timeoutMs: 60_000, retries: 3 }), { closeTimeoutMs: 300, maxWaitMs: 50, onWarning: (m) => warnings.push(m) });
    const run = client.run(spec);
    await run.start();
    await run.complete({ rows: 1 });
    expect(client.pending).toBeGreaterThan(0);
    await client.close();
    expect(warnings).toEqual([expect.stringMatching(/did not deliver 2 event\(s\) within 300 ms of close; they were dropped/)]);
    // The request in flight was aborted: the server sees the client's socket go away.
    await expect.poll(() => closedSockets.length, { timeout: 5_000 }).toBeGreaterThan(0);
    await expect.poll(() => client.pending, { timeout: 5_000 }).toBe(0);
  }, 10_000);
});
