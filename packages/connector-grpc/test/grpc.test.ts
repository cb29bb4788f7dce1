/**
 * GrpcConnection against a real grpc-js server (test/server.ts) on 127.0.0.1: unary and
 * server-streaming reads with schemas from the proto, unary/batched/client-streaming writes,
 * status codes as typed errors, metadata auth, and no token in errors or inspect output.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataType, Table, type RecordBatch } from 'apache-arrow';
import { getConnection, SparkleError } from '@sparkle/core';
import '../src/index.js';
import { PROTO, startGrpcServer, TOKEN, type GrpcTestServer } from './server.js';

let server: GrpcTestServer;

/** Every batch of a read, as one Arrow table (the read's errors surface here). */
async function tableOf(frame: unknown): Promise<Table> {
  const batches: RecordBatch[] = [];
  for await (const batch of frame as AsyncIterable<RecordBatch>) batches.push(batch);
  return new Table(batches);
}
beforeAll(async () => {
  server = await startGrpcServer();
});
afterAll(async () => {
  await server?.close();
});

function config(extra: Record<string, unknown> = {}) {
  return {
    address: server.address,
    insecure: true,
    proto: PROTO,
    service: 'sparkle.test.Inventory',
    metadata: { authorization: `Bearer ${TOKEN}` },
    reads: {
      items: { method: 'ListItems', request: { category: 'tools' }, resultPath: '/items' },
      stream: { method: 'StreamItems', request: { limit: 4 } },
      tags: { method: 'ListItems', request: { limit: 3 }, resultPath: '/items/0/tags' },
      boom: { method: 'ListItems', request: { category: 'boom' }, resultPath: '/items' },
      busy: { method: 'StreamItems', request: { category: 'busy' } },
    },
    writes: {
      addItems: { method: 'AddItems', recordsField: 'items', request: { batch: 'b1' }, batchSize: 2 },
    },
    ...extra,
  };
}

async function open(extra: Record<string, unknown> = {}) {
  return getConnection('grpc', { config: config(extra) });
}

async function caught(p: Promise<unknown>): Promise<SparkleError> {
  const e = await p.then(() => undefined, (error: unknown) => error);
  expect(SparkleError.isInstance(e), String(e)).toBe(true);
  return e as SparkleError;
}

describe('reads', () => {
  it('reads a unary method at resultPath with the schema of the proto message', async () => {
    await using conn = await open();
    const table = await tableOf(await conn.readTable('items'));
    expect(table.numRows).toBe(5);
    const types = Object.fromEntries(table.schema.fields.map((f) => [f.name, f.type]));
    expect(DataType.isInt(types.id) && (types.id as { bitWidth: number }).bitWidth).toBe(64);
    expect(DataType.isInt(types.count) && (types.count as { bitWidth: number }).bitWidth).toBe(64);
    expect(DataType.isFloat(types.price)).toBe(true);
    expect(DataType.isFloat(types.weight)).toBe(true);
    expect(DataType.isBool(types.active)).toBe(true);
    expect(DataType.isUtf8(types.kind)).toBe(true);
    expect(DataType.isBinary(types.blob)).toBe(true);
    expect(DataType.isList(types.tags)).toBe(true);
    expect(DataType.isStruct(types.size)).toBe(true);
    expect((types.size as { children: Array<{ name: string }> }).children.map((c) => c.name)).toEqual(['width', 'height']);
    expect(DataType.isList(types.parts) && DataType.isStruct((types.parts as { children: Array<{ type: DataType }> }).children[0]!.type)).toBe(true);
    const rows = table.toArray().map((r) => r.toJSON());
    expect(rows[0].id).toBe(9_007_199_254_740_993n); // beyond 2^53: exact through int64
    expect(rows[0].count).toBe(4_000_000_000n);
    expect(rows[2].name).toBe('item-2');
    expect(rows[1].kind).toBe('PART');
    expect(rows[1].size).toBeNull();
    expect(rows[2].size.toJSON()).toEqual({ width: 2, height: 4 });
    expect([...rows[1].tags]).toEqual(['t1', 'x']);
    expect([...rows[3].blob]).toEqual([3, 255]);
  });

  it('reads a server-streaming method, each message a row', async () => {
    await using conn = await open();
    const table = await tableOf(await conn.readTable('stream'));
    expect(table.numRows).toBe(4);
    expect(table.getChild('name')!.toArray()).toEqual(['item-0', 'item-1', 'item-2', 'item-3']);
  });

  it('reads a method by name, the request merged from options', async () => {
    await using conn = await open();
    const table = await tableOf(await conn.readTable('StreamItems', { options: { request: '{"limit":2}' } }));
    expect(table.numRows).toBe(2);
  });

  it('reads a repeated scalar as one value column', async () => {
    await using conn = await open();
    const table = await tableOf(await conn.readTable('tags'));
    expect(table.numRows).toBe(0); // item 0 has no tags
    server.items[0]!.tags = ['a', 'b'];
    const again = await tableOf(await conn.readTable('tags'));
    expect(again.getChild('value')!.toArray()).toEqual(['a', 'b']);
    server.items[0]!.tags = [];
  });

  it('refuses a resultPath the proto does not have, naming the fields', async () => {
    await using conn = await open({ reads: { bad: { method: 'ListItems', resultPath: '/itemz' } } });
    const e = await caught(conn.readTable('bad').then(tableOf));
    expect(e.message).toContain("has no field 'itemz'");
    expect(e.message).toContain('items, next');
  });
});

describe('writes', () => {
  it('calls a unary method per record', async () => {
    await using conn = await open();
    server.received.length = 0;
    const result = await conn.writeTable([{ id: 1n, name: 'a', tags: ['x'], size: { width: 1, height: 2 } }, { id: 2n, name: 'b', tags: [], size: null }], 'AddItem', { mode: 'append' });
    expect(result.rows).toBe(2);
    expect(server.received.map((r) => [r.id, r.name, r.tags])).toEqual([['1', 'a', ['x']], ['2', 'b', []]].sort(() => 0));
  });

  it('sends batches of records through a repeated field', async () => {
    await using conn = await open();
    server.received.length = 0;
    const before = server.calls.get('AddItems') ?? 0;
    const result = await conn.writeTable([1, 2, 3, 4, 5].map((i) => ({ id: BigInt(i), name: `n${i}` })), 'addItems', { mode: 'append' });
    expect(result.rows).toBe(5);
    expect((server.calls.get('AddItems') ?? 0) - before).toBe(3);
    expect(server.received.map((r) => r.name).sort()).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    expect(server.received.every((r) => r.batch === 'b1')).toBe(true);
  });

  it('streams every record through a client-streaming method', async () => {
    await using conn = await open();
    server.received.length = 0;
    const result = await conn.writeTable(Array.from({ length: 50 }, (_, i) => ({ id: BigInt(i), name: `s${i}`, price: i / 2 })), 'UploadItems', { mode: 'append' });
    expect(result.rows).toBe(50);
    expect(server.received).toHaveLength(50);
    expect(server.received[49]).toMatchObject({ id: '49', name: 's49', price: 24.5 });
  });

  it('fails a write with the status of the rejected call', async () => {
    await using conn = await open();
    const e = await caught(conn.writeTable([{ id: 1n, name: 'ok' }, { id: 2n, name: 'reject-me' }], 'AddItem', { mode: 'append' }));
    expect(e.message).toContain('INVALID_ARGUMENT');
    expect(e.message).toContain('reject-me is not allowed');
  });

  it("refuses mode 'overwrite'", async () => {
    await using conn = await open();
    const e = await caught(conn.writeTable([{ id: 1n }], 'AddItem', { mode: 'overwrite' }));
    expect(e.code).toBe('UNSUPPORTED');
  });
});

describe('status codes and auth', () => {
  it('maps FAILED_PRECONDITION to a query error naming the method', async () => {
    await using conn = await open();
    const e = await caught(conn.readTable('boom').then(tableOf));
    expect(e.code).toBe('QUERY_FAILED');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain("method 'ListItems'");
    expect(e.message).toContain('category boom is closed');
    expect(e.details.status).toBe('FAILED_PRECONDITION');
  });

  it('maps UNAVAILABLE from a stream to a retryable connection error', async () => {
    await using conn = await open();
    const e = await caught(conn.readTable('busy').then(tableOf));
    expect(e.code).toBe('CONNECTION_FAILED');
    expect(e.retryable).toBe(true);
  });

  it('maps a refused token to an authentication error without printing the token', async () => {
    const wrong = 'grpc-Wrong-Token-3b8e5d11';
    await using conn = await open({ metadata: { authorization: `Bearer ${wrong}`, 'x-request-source': 'tests' }, healthMethod: 'Ping' });
    const e = await caught(conn.readTable('items').then(tableOf));
    expect(e.code).toBe('AUTHENTICATION_FAILED');
    expect(e.retryable).toBe(false);
    const shown = [e.message, JSON.stringify(e), inspect(conn), JSON.stringify(conn), String(conn)].join('\n');
    expect(shown).not.toContain(wrong);
    expect(inspect(conn)).toContain('tests'); // metadata not named like a secret stays readable
    const report = await conn.check();
    expect(report.ok).toBe(false);
    expect(report.steps.find((s) => s.status === 'failed')?.tier).toBe('auth');
    expect(JSON.stringify(report)).not.toContain(wrong);
  });

  it('passes the health check with the token (Ping checks the metadata)', async () => {
    await using conn = await open({ healthMethod: 'Ping' });
    const report = await conn.check();
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
  });

  it('maps a missed deadline to a retryable timeout', async () => {
    await using conn = await open({ address: '127.0.0.1:1', deadlineMs: 300 });
    const e = await caught(conn.readTable('items').then(tableOf));
    expect(['TIMEOUT', 'CONNECTION_FAILED']).toContain(e.code);
    expect(e.retryable).toBe(true);
  });

  it('names the services of the proto when the service is wrong', async () => {
    await using conn = await open({ service: 'sparkle.test.Nope' });
    const e = await caught(conn.readTable('items').then(tableOf));
    expect(e.message).toContain('sparkle.test.Inventory');
  });
});
