/**
 * Bad input and faults against the REAL Blob API (Azurite): wrong and expired credentials, a
 * missing container, keys leaving the root, a glob matching nothing, empty and truncated Parquet
 * files, an object changed mid-read, an upload failing halfway, throttling (503 ServerBusy from
 * a local stand-in, since Azurite does not throttle) — each a typed error naming the object,
 * nothing half-written, no secret printed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainerSASPermissions, generateBlobSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import { getConnection, SparkleError } from '@sparkle/core';
import { collectRows } from '@sparkle/testkit';
import { tableFromArrays } from 'apache-arrow';
import '../src/index.js';
import type { AzureBlobConnection } from '../src/index.js';
import { azurite, freshContainer, rawService } from './azurite.js';

const open = (config: Record<string, unknown>) => getConnection<AzureBlobConnection>('azure_blob', { config, dotenv: false, variables: {} });

async function failure(promise: Promise<unknown>): Promise<SparkleError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(SparkleError.isInstance(error), `typed error, got ${String(error)}`).toBe(true);
  return error as SparkleError;
}

/** Everything an error could print: message, JSON, util.inspect with causes. */
const printed = (e: unknown) => `${String(e)}\n${JSON.stringify((e as SparkleError).toJSON?.() ?? {})}\n${inspect(e, { depth: 10 })}`;

const all = async <T>(items: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const i of items) out.push(i);
  return out;
};

let container: string;
let config: Record<string, unknown>;
beforeAll(async () => {
  ({ container, config } = await freshContainer('bad'));
});

describe('credentials', () => {
  it('a wrong account key fails typed (AUTHENTICATION_FAILED) in calls and in check(), without printing the key', async () => {
    const wrongKey = Buffer.from('definitely-not-the-azurite-key-000000').toString('base64');
    await using conn = await open({ ...config, auth: { type: 'accountKey', accountKey: wrongKey } });
    const error = await failure(all(conn.listObjects()));
    expect(error.code).toBe('AUTHENTICATION_FAILED');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/AuthorizationFailure|AuthenticationFailed|403/);
    expect(printed(error)).not.toContain(wrongKey);
    const report = await conn.check({ timeoutMs: 10_000 });
    expect(report.ok).toBe(false);
    expect(report.steps.find((s) => s.status === 'failed')?.tier).toBe('auth');
    expect(JSON.stringify(report)).not.toContain(wrongKey);
    expect(inspect(conn, { depth: 10 })).not.toContain(wrongKey);
  });

  it('a container SAS token works; a tampered or expired one fails typed, and no SAS is ever printed', async () => {
    const a = azurite();
    const sas = (expiresOn: Date) =>
      generateBlobSASQueryParameters({ containerName: container, permissions: ContainerSASPermissions.parse('racwdl'), expiresOn }, new StorageSharedKeyCredential(a.account, a.key)).toString();
    const good = sas(new Date(Date.now() + 3600_000));
    await using ok = await open({ ...config, auth: { type: 'sas', sasToken: `?${good}` } });
    await ok.putObject('sas/a.txt', 'through a SAS');
    expect((await ok.statObject('sas/a.txt'))?.size).toBe(13);
    expect(inspect(ok, { depth: 10 })).not.toContain(good);
    expect(JSON.stringify(ok.sparkRead('sas/a.csv').options)).toContain(good); // Spark gets it, marked secret:
    expect(ok.sparkRead('sas/a.csv').secretOptions).toEqual([`fs.azure.sas.${container}.${a.account}.blob.core.windows.net`]);

    const signature = new URLSearchParams(good).get('sig')!;
    const tampered = good.replace(encodeURIComponent(signature), encodeURIComponent(`${signature.slice(0, -4)}AAA=`));
    const expired = sas(new Date(Date.now() - 3600_000));
    for (const token of [tampered, expired]) {
      await using bad = await open({ ...config, auth: { type: 'sas', sasToken: token } });
      const error = await failure(bad.statObject('sas/a.txt'));
      expect(error.code).toBe('AUTHENTICATION_FAILED');
      const text = printed(error);
      expect(text).not.toContain(token);
      expect(text).not.toContain(new URLSearchParams(token).get('sig')!);
      expect(text).not.toContain(encodeURIComponent(new URLSearchParams(token).get('sig')!));
      expect(inspect(bad, { depth: 10 })).not.toContain(token);
    }
  });
});

describe('missing and bad locations', () => {
  it('a missing container is a typed error naming it (list, read, write) and fails check() at auth', async () => {
    await using conn = await open({ ...config, container: 'no-such-container' });
    for (const attempt of [all(conn.listObjects()), conn.readTable('x.csv').then(collectRows), conn.putObject('x.txt', 'x')]) {
      const error = await failure(attempt);
      expect(error.message).toContain("'no-such-container'");
      expect(error.details.containerNotFound ?? error.details.notFound).toBe(true);
    }
    const report = await conn.check({ timeoutMs: 10_000 });
    expect(report.steps.find((s) => s.tier === 'auth')?.status).toBe('failed');
    expect(report.steps.find((s) => s.tier === 'auth')?.message).toContain('no-such-container');
  });

  it('refuses a prefix leaving the container', async () => {
    await using conn = await open({ ...config, prefix: 'a/../../b' });
    expect((await failure(conn.putObject('x.txt', 'x'))).code).toBe('INVALID_ARGUMENT');
  });

  it('a glob matching nothing is a clear not-found error, not an empty table', async () => {
    await using conn = await open(config);
    const error = await failure(conn.readTable('nothing/here/*.parquet').then(collectRows));
    expect(error.details.notFound).toBe(true);
    expect(error.message).toContain('nothing/here/*.parquet');
  });
});

describe('broken files', () => {
  it('a 0-byte and a truncated Parquet file fail typed, naming the object', async () => {
    await using conn = await open(config);
    await conn.putObject('broken/empty.parquet', new Uint8Array(0));
    await conn.writeTable(tableFromArrays({ id: Int32Array.from([1, 2, 3]) }), 'broken/whole.parquet', { mode: 'overwrite' });
    const whole = await all(conn.getObject('broken/whole.parquet'));
    const bytes = Buffer.concat(whole);
    await conn.putObject('broken/truncated.parquet', bytes.subarray(0, Math.floor(bytes.length / 2)));
    for (const key of ['broken/empty.parquet', 'broken/truncated.parquet']) {
      const error = await failure(conn.readTable(key).then(collectRows));
      expect(error.message).toContain(key);
    }
    expect((await collectRows(await conn.readTable('broken/whole.parquet'))).map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it('an object changed after its ETag was read is a retryable error naming it', async () => {
    await using conn = await open(config);
    await conn.putObject('changing/a.csv', 'id\n1\n');
    const before = await conn.statObject('changing/a.csv');
    await conn.putObject('changing/a.csv', 'id\n2\n');
    const error = await failure(all(conn.getObject('changing/a.csv', { ifMatch: before!.etag!, range: { start: 0, end: 3 } })));
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('changing/a.csv');
    expect(error.message).toMatch(/changed/);
  });
});

describe('uploads', () => {
  it('an upload failing halfway leaves the old object readable and nothing partial', async () => {
    await using conn = await open({ ...config, blockSize: 64 * 1024 });
    await conn.putObject('atomic/data.bin', 'old contents');
    async function* failing() {
      for (let i = 0; i < 4; i++) yield new Uint8Array(64 * 1024).fill(i);
      throw new Error('source failed halfway');
    }
    await expect(conn.putObject('atomic/data.bin', failing())).rejects.toThrow(/halfway/);
    await expect(conn.putObject('atomic/new.bin', failing())).rejects.toThrow(/halfway/);
    expect(Buffer.concat(await all(conn.getObject('atomic/data.bin'))).toString()).toBe('old contents');
    expect((await all(conn.listObjects({ prefix: 'atomic/' }))).map((o) => o.key)).toEqual(['atomic/data.bin']);
  });

  it('a streamed upload goes up in several staged blocks, committed once', async () => {
    await using conn = await open({ ...config, blockSize: 100 * 1024, concurrency: 2 });
    async function* body() {
      for (let i = 0; i < 5; i++) yield new Uint8Array(100 * 1024).fill(i + 1);
    }
    const info = await conn.putObject('blocks/five.bin', body());
    expect(info.size).toBe(500 * 1024);
    const list = await rawService().getContainerClient(container).getBlockBlobClient('blocks/five.bin').getBlockList('committed');
    expect(list.committedBlocks?.length).toBe(5);
  });
});

describe('throttling', () => {
  let server: Server;
  let hits = 0;
  beforeAll(async () => {
    // Azurite never throttles: a loopback stand-in answers every request as Blob Storage does when busy.
    server = createServer((req, res) => {
      hits++;
      req.resume();
      res.writeHead(503, { 'x-ms-error-code': 'ServerBusy', 'x-ms-request-id': String(hits), 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code><Message>The server is busy.</Message></Error>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('503 ServerBusy is retried with backoff, then a retryable typed error', async () => {
    const port = (server.address() as AddressInfo).port;
    await using conn = await open({ ...config, endpoint: `http://127.0.0.1:${port}/${azurite().account}`, maxTries: 2 });
    const error = await failure(all(conn.listObjects()));
    expect(error.code).toBe('QUERY_FAILED');
    expect(error.retryable).toBe(true);
    expect(error.details.azureCode).toBe('ServerBusy');
    expect(hits).toBe(2);
  });
});

describe('discover and health', () => {
  it('lists the prefixes below the root and infers a path’s schema', async () => {
    const { config: own } = await freshContainer('discover');
    await using conn = await open(own);
    await conn.writeTable(tableFromArrays({ id: Int32Array.from([1]), name: ['a'] }), 'events/2024.parquet', { mode: 'overwrite' });
    await conn.putObject('raw/a.csv', 'x\n1\n');
    expect((await conn.discover()).map((t) => t.name)).toEqual(['events/', 'raw/']);
    const [found] = await conn.discover({ path: 'events/*.parquet' });
    expect(found).toMatchObject({ schema: own.container, name: 'events/*.parquet' });
    expect(found!.columns.map((c) => [c.name, c.sparkType])).toEqual([
      ['id', 'int'],
      ['name', 'string'],
    ]);
    const report = await conn.check({ timeoutMs: 10_000 });
    expect(report.ok).toBe(true);
    expect(report.steps.map((s) => [s.tier, s.status])).toEqual([
      ['config', 'ok'],
      ['network', 'ok'],
      ['auth', 'ok'],
      ['probe', 'ok'],
    ]);
  });
});
