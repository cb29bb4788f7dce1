/**
 * Transports against real peers: a temp directory for the file transport, a node:http server on
 * 127.0.0.1 for the HTTP transport (retries, timeouts, auth), captured writes for the console.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CompositeTransport,
  ConsoleTransport,
  createLineageClient,
  FileTransport,
  HttpTransport,
  validateRunEvent,
  type LineageTransport,
  type RunEvent,
} from '../src/lineage/index.js';
import type { LineageRunSpec } from '../src/lineage/types.js';

const spec: LineageRunSpec = {
  jobName: 'sparkle.read.postgres.test.public.users',
  operation: 'read',
  connectionType: 'postgres',
  inputs: [{ namespace: 'postgres://127.0.0.1:5432', name: 'test.public.users' }],
  outputs: [],
  metadata: { table: 'public.users' },
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sparkle-lineage-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lines = async (path: string) => (await readFile(path, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as RunEvent);

describe('file transport', () => {
  it('appends one event per line, creating directories; a run is START then COMPLETE', async () => {
    const path = join(dir, 'nested', 'deeper', 'events.ndjson');
    const client = createLineageClient({ transport: new FileTransport({ path }) });
    const run = client.run(spec);
    await run.start();
    await run.complete({ rows: 3, bytes: 120 });
    const second = client.run({ ...spec, operation: 'write', inputs: [], outputs: spec.inputs });
    await second.start();
    await second.fail(new Error('duplicate key'));
    await client.close();

    const events = await lines(path);
    expect(events.map((e) => e.eventType)).toEqual(['START', 'COMPLETE', 'START', 'FAIL']);
    for (const e of events) expect(validateRunEvent(e)).toEqual([]);
    expect(events[0]!.run.runId).toBe(events[1]!.run.runId);
    expect(events[2]!.run.runId).not.toBe(events[0]!.run.runId);
    expect(events[1]!.inputs[0]!.inputFacets!.inputStatistics).toMatchObject({ rowCount: 3, size: 120 });
    expect(events[3]!.run.facets!.errorMessage!.message).toBe('Error: duplicate key');
  });

  it('append: false writes one file per event (OpenLineage file-per-event mode)', async () => {
    const base = join(dir, 'split', 'ol');
    const client = createLineageClient({ transport: { type: 'file', log_file_path: base, append: false }, ignoreEnvironment: true });
    const run = client.run(spec);
    await run.start();
    await run.complete();
    await client.close();
    const files = (await readdir(join(dir, 'split'))).sort();
    expect(files).toHaveLength(2);
    const types = await Promise.all(files.map(async (f) => (await lines(join(dir, 'split', f)))[0]!.eventType));
    expect(types.sort()).toEqual(['COMPLETE', 'START']);
  });

  it('an unwritable path becomes a warning, never an error in the data operation', async () => {
    const warnings: string[] = [];
    const blocker = join(dir, 'events.ndjson'); // a file where a directory is needed
    await new FileTransport({ path: blocker }).emit(JSON.parse('{"eventType":"OTHER"}'));
    const client = createLineageClient({ transport: new FileTransport({ path: join(blocker, 'x.ndjson') }), onWarning: (m) => warnings.push(m) });
    const run = client.run(spec);
    await expect(run.start()).resolves.toBeUndefined();
    await expect(run.complete()).resolves.toBeUndefined();
    await client.close();
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/file transport failed to deliver a START event/);
  });
});

describe('console transport', () => {
  it('writes exactly one JSON line per event to the given logger', async () => {
    const out: string[] = [];
    const client = createLineageClient({ transport: new ConsoleTransport({ write: (line) => out.push(line) }) });
    const run = client.run(spec);
    await run.start();
    await run.complete({ rows: 1 });
    expect(out).toHaveLength(2);
    for (const line of out) {
      expect(line).not.toContain('\n');
      expect(validateRunEvent(JSON.parse(line))).toEqual([]);
    }
  });

  it('defaults to stdout', async () => {
    const written: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      const client = createLineageClient({ transport: { type: 'console' }, ignoreEnvironment: true });
      await client.run(spec).start();
    } finally {
      process.stdout.write = original;
    }
    expect(written).toHaveLength(1);
    expect(written[0]!.endsWith('\n')).toBe(true);
    expect(JSON.parse(written[0]!).eventType).toBe('START');
  });
});

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** A local OpenLineage endpoint: records requests; `reply` decides each answer (or hangs). */
async function lineageServer(reply: (req: Recorded, n: number) => number | 'hang') {
  const requests: Recorded[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(rec);
      const status = reply(rec, requests.length);
      if (status === 'hang') return; // never answer
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    events: () => requests.map((r) => JSON.parse((r.headers['content-encoding'] === 'gzip' ? gunzipSync(r.body) : r.body).toString('utf8')) as RunEvent),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('http transport', () => {
  const servers: Array<{ close: () => Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('POSTs JSON to url + endpoint with a Bearer key', async () => {
    const server = await lineageServer(() => 201);
    servers.push(server);
    const client = createLineageClient({
      transport: { type: 'http', url: `${server.url}/`, endpoint: '/api/v1/lineage', auth: { type: 'api_key', apiKey: 'key-123' } },
      ignoreEnvironment: true,
    });
    const run = client.run(spec);
    await run.start();
    await run.complete({ rows: 10 });
    await client.close();
    expect(server.requests.map((r) => [r.method, r.url])).toEqual([
      ['POST', '/api/v1/lineage'],
      ['POST', '/api/v1/lineage'],
    ]);
    expect(server.requests[0]!.headers.authorization).toBe('Bearer key-123');
    expect(server.requests[0]!.headers['content-type']).toBe('application/json');
    const events = server.events();
    expect(events.map((e) => e.eventType)).toEqual(['START', 'COMPLETE']);
    for (const e of events) expect(validateRunEvent(e)).toEqual([]);
  });

  it('gzip compression and custom headers', async () => {
    const server = await lineageServer(() => 200);
    servers.push(server);
    const transport = new HttpTransport({ url: server.url, compression: 'gzip', headers: { 'x-team': 'data' } });
    const client = createLineageClient({ transport });
    await client.run(spec).start();
    await client.close();
    expect(server.requests[0]!.headers['content-encoding']).toBe('gzip');
    expect(server.requests[0]!.headers['x-team']).toBe('data');
    expect(server.events()[0]!.eventType).toBe('START');
  });

  it('retries a 500 and delivers on the next attempt', async () => {
    const server = await lineageServer((_r, n) => (n === 1 ? 500 : 200));
    servers.push(server);
    const warnings: string[] = [];
    const client = createLineageClient({ transport: new HttpTransport({ url: server.url, backoffMs: 20 }), onWarning: (m) => warnings.push(m) });
    await client.run(spec).start();
    await client.close();
    expect(server.requests).toHaveLength(2);
    expect(server.events()[1]!.eventType).toBe('START');
    expect(warnings).toEqual([]);
  });

  it('does not retry a 400; gives up after bounded retries on persistent 503, warning without the key', async () => {
    const bad = await lineageServer(() => 400);
    const down = await lineageServer(() => 503);
    servers.push(bad, down);
    const warnings: string[] = [];
    const onWarning = (m: string) => warnings.push(m);
    const c1 = createLineageClient({ transport: new HttpTransport({ url: bad.url, apiKey: 'key-should-not-leak' }), onWarning });
    await c1.run(spec).start();
    await c1.close();
    expect(bad.requests).toHaveLength(1);
    const c2 = createLineageClient({ transport: new HttpTransport({ url: down.url, retries: 2, backoffMs: 10 }), onWarning });
    await c2.run(spec).start();
    await c2.close();
    expect(down.requests).toHaveLength(3);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/answered HTTP 400/);
    expect(warnings[1]).toMatch(/answered HTTP 503/);
    expect(warnings.join('\n')).not.toContain('key-should-not-leak');
  });

  it('a hanging server: run steps return within maxWaitMs; close() ends after timeout × attempts', async () => {
    const server = await lineageServer(() => 'hang');
    servers.push(server);
    const warnings: string[] = [];
    const client = createLineageClient({
      transport: new HttpTransport({ url: server.url, timeoutMs: 250, retries: 1, backoffMs: 10 }),
      onWarning: (m) => warnings.push(m),
      maxWaitMs: 100,
    });
    const run = client.run(spec);
    let t = performance.now();
    await run.start();
    await run.complete();
    expect(performance.now() - t).toBeLessThan(600); // two bounded waits, not two timeouts
    t = performance.now();
    await client.close();
    const closeMs = performance.now() - t;
    expect(closeMs).toBeLessThan(3000); // 2 events × 2 attempts × 250 ms, plus backoff
    expect(server.requests).toHaveLength(4);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/did not answer within 250 ms/);
  });

  it('an unreachable endpoint becomes a warning', async () => {
    const server = await lineageServer(() => 200);
    const url = server.url;
    await server.close(); // nothing listens on this port now
    const warnings: string[] = [];
    const client = createLineageClient({ transport: new HttpTransport({ url, retries: 1, backoffMs: 5 }), onWarning: (m) => warnings.push(m) });
    await client.run(spec).start();
    await client.close();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/unreachable/);
  });
});

describe('composite transport and the queue', () => {
  it('sends to every member; one failing member does not stop the others', async () => {
    const path = join(dir, 'composite.ndjson');
    const out: string[] = [];
    const failing: LineageTransport = { kind: 'broken', emit: async () => Promise.reject(new Error('boom')) };
    const warnings: string[] = [];
    const client = createLineageClient({
      transport: new CompositeTransport({ transports: [failing, new FileTransport({ path }), new ConsoleTransport({ write: (l) => out.push(l) })] }),
      onWarning: (m) => warnings.push(m),
    });
    await client.run(spec).start();
    await client.close();
    expect((await lines(path)).map((e) => e.eventType)).toEqual(['START']);
    expect(out).toHaveLength(1);
    expect(warnings).toEqual([expect.stringContaining('boom')]);
  });

  it('continue_on_success: false makes later members fallbacks', async () => {
    const a: string[] = [];
    const b: string[] = [];
    const t = new CompositeTransport({
      transports: [new ConsoleTransport({ write: (l) => a.push(l) }), new ConsoleTransport({ write: (l) => b.push(l) })],
      continueOnSuccess: false,
    });
    await t.emit(JSON.parse('{"eventType":"OTHER"}'));
    expect([a.length, b.length]).toEqual([1, 0]);
  });

  it('keeps events in order behind a slow transport and drops beyond maxQueue', async () => {
    const delivered: string[] = [];
    const slow: LineageTransport = {
      kind: 'slow',
      emit: async (e) => {
        await new Promise((r) => setTimeout(r, 5));
        delivered.push(`${e.eventType}:${e.job.name}`);
      },
    };
    const warnings: string[] = [];
    const client = createLineageClient({ transport: slow, maxQueue: 4, maxWaitMs: 0, onWarning: (m) => warnings.push(m) });
    for (let i = 0; i < 6; i++) await client.run({ ...spec, jobName: `job${i}` }).start();
    expect(client.pending).toBe(4);
    await client.close();
    expect(delivered).toEqual(['START:job0', 'START:job1', 'START:job2', 'START:job3']);
    expect(warnings).toEqual([expect.stringContaining('queue is full')]);
    // After close, events are dropped with a warning rather than written to a closed transport.
    await client.run(spec).start();
    expect(delivered).toHaveLength(4);
  });

  it('run cycle: RUNNING between, ABORT for cancellation, finish without start still starts, extra calls ignored', async () => {
    const out: RunEvent[] = [];
    const client = createLineageClient({ transport: new ConsoleTransport({ write: (l) => out.push(JSON.parse(l)) }) });
    const a = client.run(spec);
    await a.running(); // before start: ignored
    await a.start();
    await a.start();
    await a.running({ rows: 500 });
    await a.abort(new DOMException('The operation was aborted', 'AbortError'));
    await a.complete(); // after finish: ignored
    const b = client.run(spec);
    await b.complete({ rows: 1 });
    await client.close();
    expect(out.map((e) => `${e.eventType}:${e.run.runId === a.runId ? 'a' : 'b'}`)).toEqual(['START:a', 'RUNNING:a', 'ABORT:a', 'START:b', 'COMPLETE:b']);
    for (const e of out) expect(validateRunEvent(e)).toEqual([]);
    expect(out[2]!.run.facets!.errorMessage!.message).toBe('AbortError: The operation was aborted');
  });
});
