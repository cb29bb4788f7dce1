/**
 * GCS behaviour beyond the shared suites, against the real fake-gcs-server (and a fault-injecting
 * proxy in front of it for the statuses an emulator never sends): generation-pinned reads of a
 * replaced or deleted object, nothing visible before a streamed upload completes, preconditions
 * on copy, a missing bucket, 401/403/429/503 mapped to typed errors (503 retried), bad Parquet,
 * discover(), check(), the Spark options of every credential kind, and the private key never
 * printed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, SparkleError, type SparkReadSpec } from '@sparkle/core';
import { collectRows, ensureLocalEngine, SAMPLE_ROWS, sampleTable } from '@sparkle/testkit';
import '../src/index.js';
import type { GcsConnection } from '../src/index.js';
import { createBucket, endpoint, PRIVATE_KEY, PRIVATE_KEY_ID, PRIVATE_KEY_LINE, SERVICE_ACCOUNT_JSON, startFaultProxy, type FaultProxy } from './helpers.js';

const open = (config: Record<string, unknown>) => getConnection<GcsConnection>('gcs', { config, dotenv: false, variables: {} });
const text = async (chunks: AsyncIterable<Uint8Array>) => {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(Buffer.from(c));
  return Buffer.concat(parts).toString('utf8');
};
const failure = async (promise: Promise<unknown>): Promise<SparkleError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(SparkleError.isInstance(error), `a typed SparkleError, got ${inspect(error)}`).toBe(true);
  return error as SparkleError;
};

let config: Record<string, unknown>;
beforeAll(async () => {
  await ensureLocalEngine();
  config = await createBucket('unit');
});

describe('generation-pinned reads', () => {
  it('reports the generation as etag and reads exactly that generation', async () => {
    await using conn = await open(config);
    const first = await conn.putObject('gen/a.txt', 'version one');
    expect(first.etag).toMatch(/^\d+$/);
    expect((await conn.statObject('gen/a.txt'))?.etag).toBe(first.etag);
    expect(await text(conn.getObject('gen/a.txt', { ifMatch: first.etag!, range: { start: 8 } }))).toBe('one');
  });

  it('fails typed and retryable, naming the object, when it was replaced since the stat', async () => {
    await using conn = await open(config);
    const before = await conn.putObject('gen/replaced.txt', 'old bytes');
    const after = await conn.putObject('gen/replaced.txt', 'new bytes!');
    expect(after.etag).not.toBe(before.etag);
    const error = await failure(text(conn.getObject('gen/replaced.txt', { ifMatch: before.etag!, range: { start: 0, end: 3 } })));
    expect(error.code).toBe('QUERY_FAILED');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(`gs://${String(config.bucket)}/gen/replaced.txt`);
    expect(error.details).toMatchObject({ key: 'gen/replaced.txt', changed: true, generation: before.etag, currentGeneration: after.etag });
  });

  it('fails as not-found when the object was deleted since the stat', async () => {
    await using conn = await open(config);
    const info = await conn.putObject('gen/deleted.txt', 'short-lived');
    await conn.deleteObjects(['gen/deleted.txt']);
    const error = await failure(text(conn.getObject('gen/deleted.txt', { ifMatch: info.etag! })));
    expect(error.details).toMatchObject({ notFound: true, changed: true });
    expect(error.message).toContain('gen/deleted.txt');
  });

  it('a Parquet read of an object replaced between its ranged reads fails instead of mixing versions', async () => {
    await using conn = await open(config);
    await conn.writeTable(sampleTable(), 'gen/table.parquet', { mode: 'overwrite' });
    const [info] = await conn.resolveObjects('gen/table.parquet');
    await conn.writeTable(sampleTable(SAMPLE_ROWS.slice(0, 1)), 'gen/table.parquet', { mode: 'overwrite' });
    // The footer and column chunks are read pinned to the generation the listing saw.
    const error = await failure(text(conn.getObject('gen/table.parquet', { ifMatch: info!.etag!, range: { start: 0, end: 4 } })));
    expect(error.retryable).toBe(true);
  });
});

describe('uploads', () => {
  it('a streamed upload is invisible until its last chunk, and a failed one leaves nothing', async () => {
    await using conn = await open(config);
    const chunk = new Uint8Array(300 * 1024).fill(7);
    const seenMidway: unknown[] = [];
    async function* body(fail: boolean) {
      yield chunk;
      yield chunk;
      yield chunk;
      seenMidway.push(await conn.statObject(fail ? 'up/failed.bin' : 'up/whole.bin'));
      if (fail) throw new Error('source broke');
      yield chunk;
    }
    const info = await conn.putObject('up/whole.bin', body(false), { partSize: 256 * 1024 });
    expect(info.size).toBe(4 * chunk.byteLength);
    await expect(conn.putObject('up/failed.bin', body(true), { partSize: 256 * 1024 })).rejects.toThrow(/source broke/);
    expect(seenMidway).toEqual([undefined, undefined]);
    expect(await conn.statObject('up/failed.bin')).toBeUndefined();
    expect((await conn.statObject('up/whole.bin'))?.size).toBe(4 * chunk.byteLength);
  });

  it('a create-only streamed put on an existing key is refused by the store (ifGenerationMatch=0)', async () => {
    await using conn = await open(config);
    await conn.putObject('up/once.bin', 'first');
    async function* body() {
      yield new Uint8Array(512 * 1024).fill(1);
    }
    const error = await failure(conn.putObject('up/once.bin', body(), { ifNoneMatch: '*', partSize: 256 * 1024 }));
    expect(error.code).toBe('TABLE_EXISTS');
    expect(await text(conn.getObject('up/once.bin'))).toBe('first');
  });

  it('aborting an upload leaves nothing behind', async () => {
    await using conn = await open(config);
    const controller = new AbortController();
    async function* body() {
      yield new Uint8Array(300 * 1024);
      controller.abort(new Error('stop'));
      yield new Uint8Array(300 * 1024);
    }
    await expect(conn.putObject('up/aborted.bin', body(), { signal: controller.signal, partSize: 256 * 1024 })).rejects.toThrow();
    expect(await conn.statObject('up/aborted.bin')).toBeUndefined();
  });
});

describe('through a fault-injecting proxy', () => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy();
  });
  afterAll(() => proxy.close());
  const viaProxy = (extra: Record<string, unknown> = {}) => open({ ...config, apiEndpoint: proxy.url, ...extra });

  it('a create-only copy sends ifGenerationMatch=0 to GCS', async () => {
    await using conn = await viaProxy();
    await conn.putObject('proxy/src.txt', 'source');
    proxy.seen.length = 0;
    await conn.copyObject('proxy/src.txt', 'proxy/dst.txt', { ifNoneMatch: '*' });
    expect(proxy.seen.find((line) => line.includes('/rewriteTo/') || line.includes('/copyTo/'))).toMatch(/ifGenerationMatch=0/);
    expect((await failure(conn.copyObject('proxy/src.txt', 'proxy/dst.txt', { ifNoneMatch: '*' }))).code).toBe('TABLE_EXISTS');
  });

  it.each([
    [401, 'AUTHENTICATION_FAILED', false, /refused the credentials/],
    [403, 'AUTHENTICATION_FAILED', false, /denied access/],
    [429, 'QUERY_FAILED', true, /throttling/],
    [503, 'QUERY_FAILED', true, /unavailable \(503\)/],
  ] as const)('maps HTTP %i to %s (retryable: %s)', async (status, code, retryable, message) => {
    await using conn = await viaProxy({ maxRetries: 0 });
    proxy.faults.push({ status });
    const error = await failure(conn.statObject('proxy/any.txt'));
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`gs://${String(config.bucket)}/proxy/any.txt`);
    expect(error.details.status).toBe(status);
  });

  it('retries a 503 with backoff and then succeeds', async () => {
    await using conn = await viaProxy({ maxRetries: 2 });
    await conn.putObject('proxy/retry.txt', 'after a blip');
    proxy.seen.length = 0;
    proxy.faults.push({ status: 503 });
    expect(await text(conn.getObject('proxy/retry.txt'))).toBe('after a blip');
    expect(proxy.seen.length).toBeGreaterThanOrEqual(2);
  });
});

describe('bad input', () => {
  it('a missing bucket is a typed error naming the bucket, on stat, list, read and write', async () => {
    await using conn = await open({ ...config, bucket: 'sparkle-no-such-bucket' });
    for (const attempt of [() => conn.statObject('a.txt'), () => text(conn.listObjects() as never), () => text(conn.getObject('a.txt')), () => conn.putObject('a.txt', 'x')]) {
      const error = await failure(attempt());
      expect(error.message).toContain('sparkle-no-such-bucket');
      expect(error.details.notFound).toBe(true);
    }
    const report = await conn.check({ timeoutMs: 10_000 });
    expect(report.ok).toBe(false);
    expect(report.steps.find((s) => s.tier === 'auth')?.status).toBe('failed');
  });

  it('a key that is a "directory" reads as its objects, and getObject on it is not-found', async () => {
    await using conn = await open(config);
    await conn.writeTable(sampleTable(SAMPLE_ROWS.slice(0, 2)), 'dir/orders/p1.jsonl', { mode: 'overwrite' });
    await conn.writeTable(sampleTable(SAMPLE_ROWS.slice(2)), 'dir/orders/p2.jsonl', { mode: 'overwrite' });
    expect(await collectRows(await conn.readTable('dir/orders'))).toHaveLength(SAMPLE_ROWS.length);
    expect((await failure(text(conn.getObject('dir/orders')))).details.notFound).toBe(true);
  });

  it('a glob matching nothing is a clear not-found error, not an empty result', async () => {
    await using conn = await open(config);
    const error = await failure(conn.readTable('nothing/here/*.parquet').then((f) => collectRows(f)));
    expect(error.details.notFound).toBe(true);
    expect(error.message).toContain('nothing/here/*.parquet');
  });

  it.each([
    ['a 0-byte', new Uint8Array(0)],
    ['a truncated', new Uint8Array([0x50, 0x41, 0x52, 0x31, 1, 2, 3])],
  ])('%s Parquet file fails typed, naming the object', async (_label, bytes) => {
    await using conn = await open(config);
    const key = `bad/${bytes.byteLength}.parquet`;
    await conn.putObject(key, bytes);
    const error = await failure(conn.readTable(key).then((f) => collectRows(f)));
    expect(error.message).toContain(key);
  });
});

describe('discover and check', () => {
  it('lists top-level prefixes and objects, and infers a path’s schema', async () => {
    const own = await createBucket('discover');
    await using conn = await open(own);
    await conn.writeTable(sampleTable(), 'orders/2024.parquet', { mode: 'overwrite' });
    await conn.writeTable(sampleTable(), 'orders/2025.parquet', { mode: 'overwrite' });
    await conn.putObject('README.txt', 'hello');
    const top = await conn.discover();
    expect(top.map((t) => [t.name, t.kind, t.objects])).toEqual([
      ['README.txt', 'object', 1],
      ['orders/', 'prefix', 2],
    ]);
    expect(top[1]!.uri).toBe(`gs://${String(own.bucket)}/orders/`);
    const [orders] = await conn.discover({ path: 'orders/*.parquet' });
    expect(orders!.objects).toBe(2);
    expect(orders!.columns?.map((c) => c.name)).toEqual(['id', 'name', 'score', 'active']);
  });

  it('check() passes every tier against the emulator', async () => {
    await using conn = await open(config);
    const report = await conn.check({ timeoutMs: 10_000 });
    expect(report.steps.filter((s) => s.status === 'failed')).toEqual([]);
    expect(report.steps.find((s) => s.tier === 'network')?.status).toBe('ok');
  });
});

describe('Spark mapping (golden options)', () => {
  const base = { fs: { 'fs.gs.impl': 'com.google.cloud.hadoop.fs.gcs.GoogleHadoopFileSystem', 'fs.AbstractFileSystem.gs.impl': 'com.google.cloud.hadoop.fs.gcs.GoogleHadoopFS' } };
  const spec = async (c: Record<string, unknown>): Promise<SparkReadSpec> => {
    await using conn = await open({ bucket: 'lake', prefix: 'raw', ...c });
    return conn.sparkRead('orders/*.parquet');
  };

  it('a key file: its path under the 3.x and 2.2.x names', async () => {
    expect(await spec({ project: 'analytics', credentials: { keyFile: '/secrets/sa.json' } })).toEqual({
      format: 'parquet',
      paths: ['gs://lake/raw/orders/*.parquet'],
      options: {
        ...base.fs,
        'fs.gs.project.id': 'analytics',
        'fs.gs.auth.type': 'SERVICE_ACCOUNT_JSON_KEYFILE',
        'fs.gs.auth.service.account.json.keyfile': '/secrets/sa.json',
        'google.cloud.auth.service.account.enable': 'true',
        'google.cloud.auth.service.account.json.keyfile': '/secrets/sa.json',
      },
      secretOptions: [],
    });
  });

  it('sparkKeyFile names the key on the cluster when it differs from the local path', async () => {
    const s = await spec({ credentials: { keyFile: './sa.json' }, sparkKeyFile: '/etc/gcs/sa.json' });
    expect(s.options['fs.gs.auth.service.account.json.keyfile']).toBe('/etc/gcs/sa.json');
  });

  it('an inline key: email, key id and private key, the last two marked secret', async () => {
    const s = await spec({ credentials: { serviceAccountJson: SERVICE_ACCOUNT_JSON } });
    expect(s.options).toEqual({
      ...base.fs,
      'fs.gs.project.id': 'sparkle-test',
      'google.cloud.auth.service.account.enable': 'true',
      'fs.gs.auth.service.account.email': 'sparkle-test@sparkle-test.iam.gserviceaccount.com',
      'fs.gs.auth.service.account.private.key': PRIVATE_KEY,
      'fs.gs.auth.service.account.private.key.id': PRIVATE_KEY_ID,
    });
    expect(s.secretOptions.sort()).toEqual(['fs.gs.auth.service.account.private.key', 'fs.gs.auth.service.account.private.key.id']);
  });

  it('no credentials: Application Default Credentials; an emulator: its root URL, unauthenticated', async () => {
    expect((await spec({})).options).toEqual({ ...base.fs, 'fs.gs.auth.type': 'APPLICATION_DEFAULT' });
    expect((await spec({ apiEndpoint: 'http://127.0.0.1:4443' })).options).toEqual({
      ...base.fs,
      'fs.gs.auth.type': 'UNAUTHENTICATED',
      'fs.gs.storage.root.url': 'http://127.0.0.1:4443/',
    });
  });

  it('a write: CSV with a header, the mode and partitionBy', async () => {
    await using conn = await open({ bucket: 'lake' });
    expect(conn.sparkWrite('out/orders.csv', { mode: 'append', partitionBy: ['day'] })).toMatchObject({
      format: 'csv',
      mode: 'append',
      path: 'gs://lake/out/orders.csv',
      partitionBy: ['day'],
      options: { header: 'true', 'fs.gs.auth.type': 'APPLICATION_DEFAULT' },
    });
  });
});

describe('the private key is never printed', () => {
  const withKey = () => ({ ...config, credentials: { serviceAccountJson: SERVICE_ACCOUNT_JSON } });
  const leaks = (value: string) => [PRIVATE_KEY_LINE, PRIVATE_KEY_ID, 'BEGIN PRIVATE KEY'].filter((s) => value.includes(s));

  it('not in inspect, toString, toJSON or the redacted config', async () => {
    await using conn = await open(withKey());
    for (const shown of [inspect(conn, { depth: 10 }), String(conn), JSON.stringify(conn), JSON.stringify(conn.redactedConfig())]) expect(leaks(shown)).toEqual([]);
  });

  it('not in errors from the store, their causes, or a failed check', async () => {
    const proxy = await startFaultProxy();
    try {
      await using conn = await open({ ...withKey(), apiEndpoint: proxy.url, maxRetries: 0 });
      proxy.faults.push({ status: 403, body: { error: { code: 403, message: `denied for key ${PRIVATE_KEY_ID}: ${PRIVATE_KEY_LINE}` } } });
      const error = await failure(conn.statObject('k.txt'));
      expect(leaks(inspect(error, { depth: 10 }))).toEqual([]);
      expect(leaks(JSON.stringify(error))).toEqual([]);
      proxy.faults.push({ status: 401, body: { error: { code: 401, message: `bad ${PRIVATE_KEY_LINE}` } } });
      const report = await conn.check({ timeoutMs: 10_000 });
      expect(report.ok).toBe(false);
      expect(leaks(JSON.stringify(report))).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('a key file is read and checked when first used; a broken one is named, its content never shown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sparkle-gcs-key-'));
    try {
      writeFileSync(join(dir, 'good.json'), SERVICE_ACCOUNT_JSON);
      writeFileSync(join(dir, 'bad.json'), SERVICE_ACCOUNT_JSON.replace('"private_key"', '"key"'));
      await using good = await open({ ...config, credentials: { keyFile: join(dir, 'good.json') } });
      await good.putObject('keyfile/ok.txt', 'with a key file');
      expect(await text(good.getObject('keyfile/ok.txt'))).toBe('with a key file');
      await using bad = await open({ ...config, credentials: { keyFile: join(dir, 'bad.json') } });
      const error = await failure(bad.statObject('keyfile/ok.txt'));
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.message).toContain('bad.json');
      expect(error.message).toMatch(/has no private_key/);
      expect(leaks(inspect(error, { depth: 10 }))).toEqual([]);
      await using missing = await open({ ...config, credentials: { keyFile: join(dir, 'none.json') } });
      expect((await failure(missing.statObject('x'))).message).toMatch(/none\.json.*ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('not in the config error of a broken key', async () => {
    const broken = SERVICE_ACCOUNT_JSON.replace('"client_email"', '"email"');
    const error = await failure(open({ bucket: 'lake', credentials: { serviceAccountJson: broken } }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/credentials\.serviceAccountJson/);
    expect(error.message).toMatch(/client_email/);
    expect(leaks(inspect(error, { depth: 10 }))).toEqual([]);
    const notJson = await failure(open({ bucket: 'lake', credentials: { serviceAccountJson: SERVICE_ACCOUNT_JSON.slice(0, 400) } }));
    expect(leaks(inspect(notJson, { depth: 10 }))).toEqual([]);
  });
});

it('the emulator endpoint is loopback', () => {
  expect(new URL(endpoint()).hostname).toBe('127.0.0.1');
});
