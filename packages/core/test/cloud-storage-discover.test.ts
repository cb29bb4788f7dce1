/**
 * `discoverObjects` without a path: top-level prefixes and objects from one bounded listing,
 * hidden entries (`.x`, `_SUCCESS`) left out. With a path it plans a read through the file
 * formats; that half is exercised by the GCS and HDFS connectors against their real servers.
 */
import { describe, expect, it } from 'vitest';
import { CloudStorageConnection, discoverObjects, type ListObjectsOptions, type ObjectInfo } from '../src/index.js';

const KEYS: Array<[string, number]> = [
  ['README.md', 5],
  ['_SUCCESS', 0],
  ['orders/2024.parquet', 100],
  ['orders/2025.parquet', 50],
  ['orders/.tmp/x', 1],
  ['zz/deep/a.csv', 7],
];

class ListedStore extends CloudStorageConnection {
  readonly storeSemantics = { atomicPut: true, conditionalPut: false, atomicRename: false, listAfterWrite: 'strong' } as const;
  listed = 0;
  async *listObjects(options: ListObjectsOptions = {}): AsyncGenerator<ObjectInfo> {
    for (const [key, size] of KEYS) {
      if (options.limit !== undefined && this.listed >= options.limit) return;
      this.listed += 1;
      yield { key, size };
    }
  }
  async statObject(): Promise<undefined> {
    return undefined;
  }
  async *getObject(): AsyncGenerator<Uint8Array> {}
  async putObject(key: string): Promise<ObjectInfo> {
    return { key, size: 0 };
  }
  async deleteObjects(): Promise<number> {
    return 0;
  }
  async copyObject(_from: string, to: string): Promise<ObjectInfo> {
    return { key: to, size: 0 };
  }
  objectUri(key: string): string {
    return `mem://b/${key}`;
  }
}

describe('discoverObjects', () => {
  it('summarises the root by top-level prefix, sorted, hidden entries left out', async () => {
    const store = new ListedStore({ type: 'listed', config: {} });
    expect(await discoverObjects(store)).toEqual([
      { name: 'README.md', kind: 'object', uri: 'mem://b/README.md', objects: 1, bytes: 5 },
      { name: 'orders/', kind: 'prefix', uri: 'mem://b/orders/', objects: 2, bytes: 150 },
      { name: 'zz/', kind: 'prefix', uri: 'mem://b/zz/', objects: 1, bytes: 7 },
    ]);
  });

  it('lists at most maxObjects', async () => {
    const store = new ListedStore({ type: 'listed', config: {} });
    const found = await discoverObjects(store, { maxObjects: 2 });
    expect(store.listed).toBe(2);
    expect(found.map((f) => f.name)).toEqual(['README.md']);
  });
});
