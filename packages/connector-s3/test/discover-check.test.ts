/** `discover()` and `check()` against the real moto server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableFromArrays } from 'apache-arrow';
import { getConnection, setFileFormats } from '@sparkle/core';
import { fileFormats } from '@sparkle/formats';
import { ensureLocalEngine } from '@sparkle/testkit';
import type { S3Connection } from '../src/index.js';
import { bucketName, createBucket, instrument, motoConfig, openS3, rejection } from './helpers.js';

setFileFormats(fileFormats);

const bucket = bucketName('discover');
let conn: S3Connection;

beforeAll(async () => {
  await ensureLocalEngine();
  await createBucket(bucket);
  conn = await openS3(bucket);
  await conn.writeTable(tableFromArrays({ id: Int32Array.from([1, 2]), name: ['a', 'b'] }), 'orders/part-0.parquet', { mode: 'overwrite' });
  await conn.writeTable(tableFromArrays({ id: Int32Array.from([3]), name: ['c'] }), 'orders/part-1.parquet', { mode: 'overwrite' });
  await conn.writeTable(tableFromArrays({ ok: [true] }), 'flags.jsonl', { mode: 'overwrite' });
  await conn.putObject('events/2024/a.bin', 'opaque');
});
afterAll(() => conn?.close());

describe('discover()', () => {
  it('lists the prefixes and objects at the root, with inferred columns where a format is known', async () => {
    const found = await conn.discover();
    const byName = Object.fromEntries(found.map((e) => [e.name, e]));
    expect(Object.keys(byName).sort()).toEqual(['events', 'flags.jsonl', 'orders'].sort().map((n) => (n === 'events' ? 'events/' : n)).sort());
    expect(byName.orders).toMatchObject({ kind: 'prefix', format: 'parquet', objects: 2, uri: `s3a://${bucket}/orders` });
    expect(byName.orders!.columns!.map((c) => c.name)).toEqual(['id', 'name']);
    expect(byName['flags.jsonl']!.columns!.map((c) => c.name)).toEqual(['ok']);
    // A prefix of opaque objects is still listed, without columns.
    expect(byName['events/']).toMatchObject({ kind: 'prefix', uri: `s3a://${bucket}/events/` });
  });

  it('for a path or glob: that table, its format and Arrow schema', async () => {
    const [table] = await conn.discover({ path: 'orders/*.parquet' });
    expect(table).toMatchObject({ kind: 'table', format: 'parquet', objects: 2 });
    expect(table!.columns!.map((c) => c.name)).toEqual(['id', 'name']);
    expect(table!.columns![0]!.type).toBe('Int32');
    expect(table!.columns![1]!.type).toMatch(/Utf8/);
    const error = await rejection(conn.discover({ path: 'nothing/*.csv' }));
    expect(error.details?.notFound).toBe(true);
  });

  it('lists buckets when asked (and the credentials may)', async () => {
    const found = await conn.discover({ buckets: true });
    expect(found.filter((e) => e.kind === 'bucket').map((e) => e.name)).toContain(bucket);
  });

  it('listPrefixes answers one level with the delimiter', async () => {
    expect(await conn.listPrefixes('')).toMatchObject({ prefixes: ['events/', 'orders/'] });
    const orders = await conn.listPrefixes('orders');
    expect(orders.prefixes).toEqual([]);
    expect(orders.objects.map((o) => o.key)).toEqual(['orders/part-0.parquet', 'orders/part-1.parquet']);
  });
});

describe('check()', () => {
  it('passes every tier read-only: credentials, a list of at most one key, a stat', async () => {
    const log = await instrument(conn);
    const report = await conn.check({ timeoutMs: 15_000 });
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
    expect(report.steps.find((s) => s.tier === 'auth')?.message).toMatch(/credentials from static; listed s3a:\/\//);
    expect(log.calls.map((c) => c.operation).sort()).toEqual(['HeadObject', 'ListObjectsV2']);
    expect(log.calls.every((c) => c.operation !== 'PutObject' && c.operation !== 'DeleteObjects')).toBe(true);
  });

  it('a profile that does not exist fails at auth with a typed error saying how to give credentials', async () => {
    await using conn2 = await getConnection<S3Connection>('s3', {
      config: { ...motoConfig(bucket), accessKeyId: undefined, secretAccessKey: undefined, profile: 'sparkle-no-such-profile' },
      dotenv: false,
      variables: {},
    });
    const report = await conn2.check({ timeoutMs: 15_000 });
    const auth = report.steps.find((s) => s.tier === 'auth');
    expect(auth?.status).toBe('failed');
    expect(JSON.stringify(auth)).toMatch(/credentials/i);
  });
});
