/**
 * A range read that fails under parquet-wasm (an object deleted or replaced mid-read, a network
 * error) must surface as that error, not as a WebAssembly panic and a read that never settles.
 */
import { describe, expect, it } from 'vitest';
import { tableFromArrays } from 'apache-arrow';
import { QueryError, type ObjectStore } from '@sparkle/core';
import { encodeParquet, objectBlob, parquetInfo, readParquetBatches } from '../src/index.js';

async function parquetBytes(): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of encodeParquet(tableFromArrays({ id: Int32Array.from({ length: 5000 }, (_, i) => i), x: Float64Array.from({ length: 5000 }, (_, i) => i / 3) }).batches)) parts.push(c);
  return Buffer.concat(parts);
}

/** An object store holding one object whose `failOn`-th ranged read (1-based) fails. */
function storeFailingOn(bytes: Uint8Array, failOn: number): ObjectStore {
  let reads = 0;
  return {
    async *getObject(key: string, options: { range?: { start: number; end?: number } } = {}) {
      if (++reads === failOn) throw new QueryError(`No object ${key} (deleted while being read)`, { details: { notFound: true } });
      yield bytes.subarray(options.range?.start ?? 0, options.range?.end ?? bytes.length);
    },
  } as unknown as ObjectStore;
}

describe('failed range reads under parquet-wasm', () => {
  it('a failure while the footer is read rejects parquetInfo with it', async () => {
    const bytes = await parquetBytes();
    const info = { key: 'a.parquet', size: bytes.length, etag: '"1"' };
    await expect(parquetInfo(objectBlob(storeFailingOn(bytes, 1), info))).rejects.toThrow(/deleted while being read/);
    await expect(parquetInfo(objectBlob(storeFailingOn(bytes, 2), info))).rejects.toThrow(/deleted while being read/);
  });

  it('a failure while column chunks are read rejects the batch stream with it', async () => {
    const bytes = await parquetBytes();
    const info = { key: 'a.parquet', size: bytes.length, etag: '"1"' };
    const reads = async (failOn: number) => {
      let rows = 0;
      for await (const b of readParquetBatches(objectBlob(storeFailingOn(bytes, failOn), info))) rows += b.numRows;
      return rows;
    };
    expect(await reads(1000)).toBe(5000);
    let failed = 0;
    // Whichever read fails (footer or a column chunk), the stream rejects with the store's error.
    for (const failOn of [1, 2, 3, 4]) {
      await expect(reads(failOn)).rejects.toThrow(/deleted while being read/);
      failed++;
    }
    expect(failed).toBe(4);
  });
});
