/**
 * testkit's object-store conformance suite with the REAL `@azure/storage-file-datalake` client
 * against the in-process DFS fake (test/fake-dfs.ts): listing, ranged reads, streamed uploads
 * (create + appends + flush to a temp file, then an atomic rename), create-only puts, delete,
 * copy, key confinement, health, Spark specs, lineage, tables through the file formats.
 */
import { afterAll } from 'vitest';
import { testObjectStore } from '@sparkle/testkit';
import '../src/index.js';
import { startFakeDfs, type FakeDfs } from './fake-dfs.js';

const fakes: FakeDfs[] = [];
afterAll(async () => {
  for (const f of fakes) await f.close();
});

const service = (filesystem: string, extra: (dfs: FakeDfs) => Record<string, unknown> = () => ({})) => async () => {
  const dfs = await startFakeDfs();
  fakes.push(dfs);
  dfs.createFilesystem(filesystem);
  return { config: { account: dfs.account, filesystem, endpoint: dfs.url, auth: { type: 'accountKey', accountKey: dfs.accountKey }, ...extra(dfs) } };
};

testObjectStore({ type: 'adls', service: service('suite-jsonl'), partSize: 512 * 1024 });
testObjectStore({ type: 'adls_gen2', service: service('suite-csv', (dfs) => ({ auth: { type: 'sas', sasToken: `?${dfs.sasToken}` } })), tableExtension: 'csv' });
testObjectStore({ type: 'adls', service: service('suite-parquet', () => ({ prefix: 'zone/raw' })), tableExtension: 'parquet' });
