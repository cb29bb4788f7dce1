/**
 * Bad input against the real moto server (and, for faults moto cannot produce, moto behind a
 * proxy answering with S3's error responses): a missing bucket, wrong credentials, throttling
 * retried with backoff, `..` and prefix escapes, a glob matching nothing, a "directory" key,
 * 0-byte and truncated Parquet, objects changed or deleted mid-read. Each must fail with a typed
 * error naming the object (or bucket) and never print a secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { tableFromArrays } from 'apache-arrow';
import { getConnection, setFileFormats, SparkleError } from '@sparkle/core';
import { fileFormats } from '@sparkle/formats';
import { collectRows, ensureLocalEngine } from '@sparkle/testkit';
import type { S3Connection } from '../src/index.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { bucketName, bytesOf, createBucket, ENDPOINT, motoConfig, openS3, rawClient, rejection } from './helpers.js';

setFileFormats(fileFormats);

const SECRET = 'sparkle-test-secret-value';
const bucket = bucketName('badinput');
let conn: S3Connection;
let proxy: FaultProxy;

beforeAll(async () => {
  await ensureLocalEngine();
  await createBucket(bucket);
  conn = await openS3(bucket);
  proxy = await startFaultProxy(ENDPOINT);
});
afterAll(async () => {
  await conn?.close();
  await proxy?.close();
});

async function putRaw(key: string, body: Uint8Array | string): Promise<void> {
  const client = rawClient();
  try {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  } finally {
    client.destroy();
  }
}

/** The error, checked to be typed, carrying no secret in message, details or JSON. */
function typed(error: Record<string, any>): SparkleError {
  expect(SparkleError.isInstance(error), `typed error, got ${String(error)}`).toBe(true);
  expect(JSON.stringify(error)).not.toContain(SECRET);
  expect(String(error.message)).not.toContain(SECRET);
  expect(String(error.stack)).not.toContain(SECRET);
  return error as unknown as SparkleError;
}

describe('missing bucket and wrong credentials', () => {
  it('a missing bucket fails typed, naming the bucket; check() fails at auth', async () => {
    await using missing = await openS3(`${bucket}-does-not-exist`);
    const error = typed(await rejection(missing.readTable('raw/*.csv').then((f) => collectRows(f))));
    expect(error.code).toBe('QUERY_FAILED');
    expect(error.message).toContain(`${bucket}-does-not-exist`);
    expect(error.message).toMatch(/NoSuchBucket/);
    const report = await missing.check({ timeoutMs: 10_000 });
    expect(report.ok).toBe(false);
    expect(report.steps.find((s) => s.tier === 'auth')?.status).toBe('failed');
  });

  it.for([
    ['InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', /accessKeyId/],
    ['SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.', /secretAccessKey/],
    ['ExpiredToken', 'The provided token has expired.', /expired/],
    ['AccessDenied', 'Access Denied', /permission/],
  ] as const)('a 403 %s is an AuthenticationError that says what to fix (proxy-injected)', async ([code, message, hint]) => {
    proxy.rule = () => ({ status: 403, code, message });
    await using wrong = await getConnection<S3Connection>('s3', { config: motoConfig(bucket, { endpoint: proxy.url }), dotenv: false, variables: {} });
    const error = typed(await rejection(wrong.readTable('raw/*.csv').then((f) => collectRows(f))));
    expect(error.code).toBe('AUTHENTICATION_FAILED');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(code);
    expect(error.message).toMatch(hint);
    const report = await wrong.check({ timeoutMs: 10_000 });
    expect(report.steps.find((s) => s.tier === 'auth')?.status).toBe('failed');
    expect(JSON.stringify(report)).not.toContain(SECRET);
    proxy.rule = () => undefined;
  });
});

describe('throttling', () => {
  it('503 SlowDown is retried with backoff, and the read succeeds', async () => {
    await conn.putObject('throttle/a.txt', 'after the storm');
    const start = proxy.seen.length;
    proxy.rule = (req, index) => (index - start < 2 && req.method === 'GET' ? { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' } : undefined);
    await using slowed = await getConnection<S3Connection>('s3', { config: motoConfig(bucket, { endpoint: proxy.url, maxAttempts: 4 }), dotenv: false, variables: {} });
    expect((await bytesOf(slowed.getObject('throttle/a.txt'))).toString()).toBe('after the storm');
    const seen = proxy.seen.slice(start);
    expect(seen.filter((s) => s.injected === 'SlowDown')).toHaveLength(2);
    expect(seen).toHaveLength(3);
    proxy.rule = () => undefined;
  });

  it('throttling that outlasts maxAttempts is a retryable typed error naming the object', async () => {
    proxy.rule = () => ({ status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' });
    const start = proxy.seen.length;
    await using slowed = await getConnection<S3Connection>('s3', { config: motoConfig(bucket, { endpoint: proxy.url, maxAttempts: 2 }), dotenv: false, variables: {} });
    const error = typed(await rejection(bytesOf(slowed.getObject('throttle/a.txt'))));
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('throttle/a.txt');
    expect(error.message).toContain('SlowDown');
    expect(proxy.seen.length - start).toBe(2);
    proxy.rule = () => undefined;
  });
});

describe('keys and paths', () => {
  it('a prefix-rooted connection cannot reach keys outside its prefix', async () => {
    await conn.putObject('outside/secret.txt', 'not yours');
    await using rooted = await openS3(bucket, { prefix: 'inside' });
    for (const bad of ['../outside/secret.txt', 'a/../../outside/secret.txt', '/outside/secret.txt']) {
      expect(typed(await rejection(bytesOf(rooted.getObject(bad)))).code).toBe('INVALID_ARGUMENT');
    }
    await rooted.putObject('mine.txt', 'mine');
    expect((await bytesOf(conn.getObject('inside/mine.txt'))).toString()).toBe('mine');
    expect(rooted.objectUri('mine.txt')).toBe(`s3a://${bucket}/inside/mine.txt`);
  });

  it('a glob matching nothing is a clear not-found error, not an empty result', async () => {
    const error = typed(await rejection(conn.readTable('nothing/here/*.parquet').then((f) => collectRows(f))));
    expect(error.details.notFound).toBe(true);
    expect(error.message).toContain('nothing/here/*.parquet');
  });

  it('a key that is a "directory" is named as a prefix on a byte read, and read as a table', async () => {
    await conn.writeTable(tableFromArrays({ id: Int32Array.from([1, 2]) }), 'dir/part-0.jsonl', { mode: 'overwrite' });
    const error = typed(await rejection(bytesOf(conn.getObject('dir'))));
    expect(error.details).toMatchObject({ notFound: true, isPrefix: true });
    expect(error.message).toMatch(/prefix/);
    expect((await collectRows(await conn.readTable('dir'))).map((r) => Number(r.id))).toEqual([1, 2]);
  });
});

describe('broken and changing Parquet objects', () => {
  it('a 0-byte Parquet object is a typed error naming it', async () => {
    await putRaw('broken/empty.parquet', new Uint8Array());
    const error = typed(await rejection(conn.readTable('broken/empty.parquet').then((f) => collectRows(f))));
    expect(error.message).toContain('broken/empty.parquet');
  });

  it('a truncated Parquet object is a typed error naming it', async () => {
    await conn.writeTable(tableFromArrays({ id: Int32Array.from({ length: 1000 }, (_, i) => i) }), 'broken/whole.parquet', { mode: 'overwrite' });
    const whole = await bytesOf(conn.getObject('broken/whole.parquet'));
    await putRaw('broken/truncated.parquet', whole.subarray(0, Math.floor(whole.length / 2)));
    const error = typed(await rejection(conn.readTable('broken/truncated.parquet').then((f) => collectRows(f))));
    expect(error.message).toContain('broken/truncated.parquet');
  });

  it('an object replaced between its footer read and its column reads fails (If-Match), retryable, naming it', async () => {
    await conn.writeTable(tableFromArrays({ id: Int32Array.from([1, 2, 3]) }), 'changing/t.parquet', { mode: 'overwrite' });
    await conn.writeTable(tableFromArrays({ id: Int32Array.from([9]) }), 'changing/other.parquet', { mode: 'overwrite' });
    const replacement = await bytesOf(conn.getObject('changing/other.parquet'));
    const client = await conn.s3Client();
    let gets = 0;
    // After the first ranged GET (the footer), another writer replaces the object.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Key?: string };
        if (context.commandName === 'GetObjectCommand' && input.Key === 'changing/t.parquet' && ++gets === 2) await putRaw('changing/t.parquet', replacement);
        return next(args);
      },
      { step: 'initialize', name: 'replaceMidRead' },
    );
    try {
      const error = typed(await rejection(conn.readTable('changing/t.parquet').then((f) => collectRows(f))));
      expect(error.retryable).toBe(true);
      expect(error.message).toContain('changing/t.parquet');
      expect(error.message).toMatch(/changed/);
    } finally {
      client.middlewareStack.remove('replaceMidRead');
    }
  });

  it('an object deleted between planning and reading fails typed, naming it', async () => {
    await conn.writeTable(tableFromArrays({ id: Int32Array.from([1, 2, 3]) }), 'changing/gone.parquet', { mode: 'overwrite' });
    const client = await conn.s3Client();
    let gets = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Key?: string };
        if (context.commandName === 'GetObjectCommand' && input.Key === 'changing/gone.parquet' && ++gets === 2) await rawClient().send(new DeleteObjectCommand({ Bucket: bucket, Key: 'changing/gone.parquet' }));
        return next(args);
      },
      { step: 'initialize', name: 'deleteMidRead' },
    );
    const error = typed(await rejection(conn.readTable('changing/gone.parquet').then((f) => collectRows(f)))).valueOf() as SparkleError;
    client.middlewareStack.remove('deleteMidRead');
    expect(error.message).toContain('changing/gone.parquet');
    expect(error.details.notFound).toBe(true);
  });

  it('a ranged read pinned to a stale ETag fails retryable', async () => {
    const first = await conn.putObject('changing/bytes.bin', 'version one');
    await conn.putObject('changing/bytes.bin', 'version two');
    const error = typed(await rejection(bytesOf(conn.getObject('changing/bytes.bin', { range: { start: 0, end: 4 }, ifMatch: first.etag! }))));
    expect(error.retryable).toBe(true);
    expect(error.details.changed).toBe(true);
  });
});
