/** The object-store suite against its in-memory reference (the suite testing itself), plus what only the reference can show. */
import { describe, expect, it } from 'vitest';
import { getConnection, setFileFormats, SparkleError } from '@sparkle/core';
import { MemoryObjectStoreConnection, testObjectStore } from '../src/index.js';
import { fileFormats } from '@sparkle/formats';

// The table checks run on the real file formats, as every object-store connector's do.
setFileFormats(fileFormats);

testObjectStore({ type: 'memory_objects', config: { bucket: 'suite-objects', chunkSize: 100_000 } });
testObjectStore({ type: 'memory_objects', config: { bucket: 'suite-prefixed', prefix: 'tenant-a/', conditionalPut: false }, tableExtension: 'csv' });

describe('memory_objects specifics', () => {
  const open = (config: Record<string, unknown>) => getConnection('memory_objects', { config, dotenv: false, variables: {} });

  it('resolves to the reference class in the cloud_storage family', async () => {
    await using store = await open({ bucket: 'specifics' });
    expect(store).toBeInstanceOf(MemoryObjectStoreConnection);
    expect(store.family).toBe('cloud_storage');
  });

  it('confines a prefixed connection to its prefix: another tenant is not visible', async () => {
    await using a = await open({ bucket: 'tenants', prefix: 'a' });
    await using b = await open({ bucket: 'tenants', prefix: 'b/' });
    await using whole = await open({ bucket: 'tenants' });
    await (a as MemoryObjectStoreConnection).putObject('x.txt', 'from a');
    await expect((b as MemoryObjectStoreConnection).statObject('x.txt')).resolves.toBeUndefined();
    expect((await (whole as MemoryObjectStoreConnection).statObject('a/x.txt'))?.size).toBe(6);
    expect((a as MemoryObjectStoreConnection).objectUri('x.txt')).toBe('memory://tenants/a/x.txt');
    expect(a.dataset('x.txt')).toEqual({ namespace: 'memory://tenants', name: 'a/x.txt' });
  });

  it('a put aborted midway leaves nothing behind (whole or not at all)', async () => {
    await using store = (await open({ bucket: 'abort' })) as MemoryObjectStoreConnection;
    const controller = new AbortController();
    async function* body() {
      yield new Uint8Array(10);
      controller.abort(new Error('stop'));
      yield new Uint8Array(10);
    }
    const error = await store.putObject('half.bin', body(), { signal: controller.signal }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeDefined();
    await expect(store.statObject('half.bin')).resolves.toBeUndefined();
  });

  it('rejects a stale etag on a ranged read as retryable', async () => {
    await using store = (await open({ bucket: 'etags' })) as MemoryObjectStoreConnection;
    const first = await store.putObject('v.txt', 'one');
    await store.putObject('v.txt', 'two');
    const chunks = store.getObject('v.txt', { ifMatch: first.etag!, range: { start: 0, end: 1 } });
    const error = await (async () => {
      for await (const _ of chunks) return undefined;
    })().then(() => undefined, (e: unknown) => e);
    expect(SparkleError.isRetryable(error)).toBe(true);
  });

  it('refuses an invalid bucket name with a config error naming the field', async () => {
    const error = await open({ bucket: 'Not A Bucket' }).then(() => undefined, (e: unknown) => e);
    expect((error as SparkleError).code).toBe('CONFIG_INVALID');
    expect((error as SparkleError).message).toContain('bucket');
  });
});
