/** The document suite against its in-memory reference (the suite testing itself), plus what only the reference can show. */
import { describe, expect, it } from 'vitest';
import { getConnection, SparkleError } from '@sparkle/core';
import { MemoryDocumentConnection, testDocumentStore } from '../src/index.js';

testDocumentStore({ type: 'memory_docs', config: { database: 'suite-docs' }, failingDocument: { name: 'no key' } });

describe('memory_docs specifics', () => {
  const open = async (database = 'specifics') => (await getConnection('memory_docs', { config: { database }, dotenv: false, variables: {} })) as MemoryDocumentConnection;

  it('retries retryable item failures and reports those that never succeed', async () => {
    await using docs = await open();
    docs.injectFailures((doc) =>
      doc._id === 2 ? { message: 'throttled', retryable: true, attempts: 2 } : doc._id === 3 ? { message: 'throttled forever', retryable: true } : doc._id === 4 ? { message: 'too large', retryable: false } : undefined,
    );
    const result = await docs.upsertDocuments('retries', [1, 2, 3, 4].map((_id) => ({ _id })), { itemRetries: 2 });
    expect(result.written).toBe(2);
    expect(result.failed.map((f) => [f.index, f.message, f.retryable])).toEqual([
      [2, 'throttled forever', true],
      [3, 'too large', false],
    ]);
    const fewer = await docs.upsertDocuments('retries', [{ _id: 2 }], { itemRetries: 0 });
    expect(fewer.failed.map((f) => f.message)).toEqual(['throttled']);
  });

  it('a write with failed items is a typed WriteError naming the first failures', async () => {
    await using docs = await open();
    docs.injectFailures((doc) => (Number(doc._id) % 2 === 0 ? { message: `item ${String(doc._id)} refused`, retryable: false } : undefined));
    const error = await docs.writeTable(Array.from({ length: 10 }, (_, i) => ({ _id: i + 1 })), 'mostly', { mode: 'append' }).then(() => undefined, (e: unknown) => e);
    const e = error as SparkleError;
    expect(e.code).toBe('WRITE_FAILED');
    expect(e.message).toMatch(/^5 of 10 documents could not be written to 'mostly' after retries \(5 written\): #1 \(key 2\): item 2 refused; #3 \(key 4\): item 4 refused; #5 \(key 6\): item 6 refused … and 2 more/);
    expect(e.details).toMatchObject({ committed: true, written: 5, failed: 5 });
  });

  it('overwrite is atomic: a failed item leaves the old collection whole', async () => {
    await using docs = await open();
    await docs.upsertDocuments('atomic', [{ _id: 1, v: 'old' }]);
    docs.injectFailures((doc) => (doc._id === 3 ? { message: 'no', retryable: false } : undefined));
    const error = await docs.writeTable([{ _id: 2, v: 'new' }, { _id: 3, v: 'new' }], 'atomic', { mode: 'overwrite' }).then(() => undefined, (e: unknown) => e);
    expect((error as SparkleError).details.committed).toBe(false);
    expect(await docs.getDocument('atomic', 1)).toEqual({ _id: 1, v: 'old' });
    await expect(docs.getDocument('atomic', 2)).resolves.toBeUndefined();
  });

  it('refuses a native query and a composite key it does not have', async () => {
    await using docs = await open();
    const native = await (async () => {
      for await (const _ of docs.findDocuments('x', { native: { $where: 'true' } })) break;
    })().then(() => undefined, (e: unknown) => e);
    expect((native as SparkleError).code).toBe('UNSUPPORTED');
    await expect(docs.getDocument('x', { a: 1, b: 2 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
