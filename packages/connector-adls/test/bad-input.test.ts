/**
 * Bad input, faults and rename semantics with the REAL `@azure/storage-file-datalake` client
 * against the DFS fake: wrong key and SAS (never printed), a missing filesystem, a glob matching
 * nothing, empty and truncated Parquet, an object changed mid-read, an upload failing halfway
 * (temp file removed, target untouched), overwrite by atomic rename, create-only rename, a key
 * that is a directory, 503 ServerBusy retried then typed.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, SparkleError } from '@sparkle/core';
import { collectRows } from '@sparkle/testkit';
import { tableFromArrays } from 'apache-arrow';
import '../src/index.js';
import type { AdlsConnection } from '../src/index.js';
import { startFakeDfs, type FakeDfs } from './fake-dfs.js';

let dfs: FakeDfs;
let config: Record<string, unknown>;
beforeAll(async () => {
  dfs = await startFakeDfs({ account: 'lakeacct' });
  dfs.createFilesystem('curated');
  config = { account: dfs.account, filesystem: 'curated', endpoint: dfs.url, auth: { type: 'accountKey', accountKey: dfs.accountKey } };
});
afterAll(() => dfs.close());

const open = (extra: Record<string, unknown> = {}) => getConnection<AdlsConnection>('adls', { config: { ...config, ...extra }, dotenv: false, variables: {} });

async function failure(promise: Promise<unknown>): Promise<SparkleError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(SparkleError.isInstance(error), `typed error, got ${String(error)}`).toBe(true);
  return error as SparkleError;
}
const printed = (e: unknown) => `${String(e)}\n${JSON.stringify((e as SparkleError).toJSON?.() ?? {})}\n${inspect(e, { depth: 10 })}`;
const all = async <T>(items: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const i of items) out.push(i);
  return out;
};

describe('credentials', () => {
  it('a wrong account key is AUTHENTICATION_FAILED everywhere, and the key is never printed', async () => {
    const wrongKey = Buffer.from('not-the-key-of-this-account-00000000').toString('base64');
    await using conn = await open({ auth: { type: 'accountKey', accountKey: wrongKey } });
    for (const attempt of [all(conn.listObjects()), conn.statObject('a.txt'), conn.putObject('a.txt', 'x')]) {
      const error = await failure(attempt);
      expect(error.code).toBe('AUTHENTICATION_FAILED');
      expect(printed(error)).not.toContain(wrongKey);
    }
    const report = await conn.check({ timeoutMs: 10_000 });
    expect(report.steps.find((s) => s.status === 'failed')?.tier).toBe('auth');
    expect(JSON.stringify(report)).not.toContain(wrongKey);
  });

  it('the issued SAS works; another signature fails typed and no SAS appears in errors or inspect output', async () => {
    await using ok = await open({ auth: { type: 'sas', sasToken: dfs.sasToken } });
    await ok.putObject('sas/a.txt', 'through a SAS');
    expect((await ok.statObject('sas/a.txt'))?.size).toBe(13);
    expect(inspect(ok, { depth: 10 })).not.toContain(dfs.sasToken);
    const forged = dfs.sasToken.replace(/sig=[^&]+/, `sig=${encodeURIComponent('Zm9yZ2VkLXNpZ25hdHVyZQ==')}`);
    await using bad = await open({ auth: { type: 'sas', sasToken: forged } });
    const error = await failure(bad.putObject('sas/b.txt', 'x'));
    expect(error.code).toBe('AUTHENTICATION_FAILED');
    const text = printed(error);
    expect(text).not.toContain(forged);
    expect(text).not.toContain('Zm9yZ2VkLXNpZ25hdHVyZQ');
    expect(inspect(bad, { depth: 10 })).not.toContain(forged);
  });
});

describe('locations and files', () => {
  it('a missing filesystem is a typed error naming it', async () => {
    await using conn = await open({ filesystem: 'nope' });
    const error = await failure(all(conn.listObjects()));
    expect(error.details.containerNotFound).toBe(true);
    expect(error.message).toContain("filesystem 'nope'");
  });

  it('a glob matching nothing is a not-found error naming it', async () => {
    await using conn = await open();
    const error = await failure(conn.readTable('none/*.parquet').then(collectRows));
    expect(error.details.notFound).toBe(true);
    expect(error.message).toContain('none/*.parquet');
  });

  it('0-byte and truncated Parquet files fail typed, naming the object', async () => {
    await using conn = await open();
    await conn.putObject('broken/empty.parquet', new Uint8Array(0));
    await conn.writeTable(tableFromArrays({ id: Int32Array.from([1, 2, 3]) }), 'broken/whole.parquet', { mode: 'overwrite' });
    const bytes = Buffer.concat(await all(conn.getObject('broken/whole.parquet')));
    await conn.putObject('broken/truncated.parquet', bytes.subarray(0, Math.floor(bytes.length / 2)));
    for (const key of ['broken/empty.parquet', 'broken/truncated.parquet']) expect((await failure(conn.readTable(key).then(collectRows))).message).toContain(key);
  });

  it('an object changed after its ETag was read is a retryable error naming it', async () => {
    await using conn = await open();
    await conn.putObject('changing/a.csv', 'id\n1\n');
    const before = await conn.statObject('changing/a.csv');
    await conn.putObject('changing/a.csv', 'id\n2\n');
    const error = await failure(all(conn.getObject('changing/a.csv', { ifMatch: before!.etag! })));
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('changing/a.csv');
  });

  it('a key that is a directory stats as undefined and cannot be written over', async () => {
    await using conn = await open();
    await conn.putObject('dir/inner/file.txt', 'x');
    await expect(conn.statObject('dir/inner')).resolves.toBeUndefined();
    expect((await failure(conn.putObject('dir/inner', 'y'))).code).toBe('INVALID_ARGUMENT');
  });
});

describe('atomic writes by rename', () => {
  it('puts go to a hidden temp file, then one rename; a failure halfway removes the temp and keeps the target', async () => {
    await using conn = await open({ blockSize: 64 * 1024 });
    dfs.requests.length = 0;
    await conn.putObject('atomic/data.bin', 'old contents');
    expect(dfs.requests.some((r) => /^PUT \/curated\/atomic\/data\.bin/.test(r))).toBe(true); // the rename's destination
    expect(dfs.requests.filter((r) => /resource=file/.test(r)).every((r) => /\.sparkle-tmp/.test(r))).toBe(true);
    async function* failing() {
      for (let i = 0; i < 4; i++) yield new Uint8Array(64 * 1024).fill(i);
      throw new Error('source failed halfway');
    }
    await expect(conn.putObject('atomic/data.bin', failing())).rejects.toThrow(/halfway/);
    expect(dfs.fileBytes('curated', 'atomic/data.bin')?.toString()).toBe('old contents');
    expect(dfs.paths('curated').filter((p) => p.startsWith('atomic/'))).toEqual(['atomic/data.bin']);
  });

  it('renameObject replaces by default, refuses an existing target with overwrite: false, and creates the target directory', async () => {
    await using conn = await open();
    await conn.putObject('ren/a.txt', 'A');
    await conn.putObject('ren/b.txt', 'B');
    expect((await failure(conn.renameObject('ren/a.txt', 'ren/b.txt', { overwrite: false }))).code).toBe('TABLE_EXISTS');
    await conn.renameObject('ren/a.txt', 'ren/b.txt');
    expect(dfs.fileBytes('curated', 'ren/b.txt')?.toString()).toBe('A');
    await expect(conn.statObject('ren/a.txt')).resolves.toBeUndefined();
    await conn.renameObject('ren/b.txt', 'elsewhere/deep/c.txt');
    expect(dfs.fileBytes('curated', 'elsewhere/deep/c.txt')?.toString()).toBe('A');
    expect((await failure(conn.renameObject('ren/missing.txt', 'ren/x.txt'))).details.notFound).toBe(true);
  });

  it('overwrite of a Parquet table is temp + rename: readers see the old or the new file, never a partial one', async () => {
    await using conn = await open();
    await conn.writeTable(tableFromArrays({ v: Int32Array.from([1]) }), 'tbl/t.parquet', { mode: 'overwrite' });
    dfs.requests.length = 0;
    await conn.writeTable(tableFromArrays({ v: Int32Array.from([2, 3]) }), 'tbl/t.parquet', { mode: 'overwrite' });
    const appends = dfs.requests.filter((r) => /action=append/.test(r));
    expect(appends.length).toBeGreaterThan(0);
    expect(appends.every((r) => /\.sparkle-tmp/.test(r))).toBe(true);
    expect((await collectRows(await conn.readTable('tbl/t.parquet'))).map((r) => r.v)).toEqual([2, 3]);
    expect(dfs.paths('curated').filter((p) => p.startsWith('tbl/'))).toEqual(['tbl/t.parquet']);
  });
});

describe('throttling', () => {
  it('503 ServerBusy is retried with backoff; when it persists, a retryable typed error', async () => {
    await using conn = await open({ maxTries: 3 });
    await conn.putObject('busy/a.txt', 'x');
    dfs.failNext({ method: 'GET', status: 503, code: 'ServerBusy', times: 1 });
    expect((await all(conn.listObjects({ prefix: 'busy/' }))).map((o) => o.key)).toEqual(['busy/a.txt']);
    dfs.failNext({ method: 'GET', status: 503, code: 'ServerBusy', times: 3 });
    const error = await failure(all(conn.listObjects({ prefix: 'busy/' })));
    expect(error.retryable).toBe(true);
    expect(error.details.azureCode).toBe('ServerBusy');
    expect(dfs.faults).toEqual([]);
  });
});

describe('discover and health', () => {
  it('lists directories below the root, infers a path’s schema, passes check()', async () => {
    dfs.createFilesystem('disc');
    await using conn = await open({ filesystem: 'disc' });
    await conn.writeTable(tableFromArrays({ id: Int32Array.from([1]), name: ['a'] }), 'events/2024.parquet', { mode: 'overwrite' });
    await conn.putObject('raw/a.csv', 'x\n1\n');
    expect((await conn.discover()).map((t) => t.name)).toEqual(['events/', 'raw/']);
    const [found] = await conn.discover({ path: 'events/*.parquet' });
    expect(found!.columns.map((c) => [c.name, c.sparkType])).toEqual([
      ['id', 'int'],
      ['name', 'string'],
    ]);
    const report = await conn.check({ timeoutMs: 10_000 });
    expect(report.ok).toBe(true);
  });
});
