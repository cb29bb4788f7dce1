// Scaffolded by tools/generators/new-connector.ts (pnpm gen:connector). A starting point: this package owns it now.
import { describe, expect, it } from 'vitest';
import { getConnection, registerConnection, setFileFormats, type ConnectionInit } from '@sparkle/core';
import { fileFormats } from '@sparkle/formats';
import { MemoryObjectStoreConnection, testConnector, testObjectStore } from '@sparkle/testkit';
import { GcsConnection } from '../src/index.js';

// Tables are files: the object-store checks read and write them through the real file formats.
setFileFormats(fileFormats);

// Registration, config schema, redaction, Spark specs, lifecycle: the shared suite.
testConnector({
  type: 'gcs',
  aliases: [],
  connectionClass: GcsConnection,
  validConfig: { bucket: 'lake', format: 'parquet', accessKeyId: 'app', secretAccessKey: 'example-secret' },
  secretFields: ['secretAccessKey'],
  sparkSecretOptions: [],
  capabilities: { read: true, write: true, query: false, discover: false, spark: true, health: true },
  unreachableConfig: { endpoint: 'http://127.0.0.1:1' },
});

/**
 * This connection over testkit's in-memory object store, as a type of its own so the suite can
 * open it by config: connections naming the same `bucket` share its objects.
 */
class GcsConnectionOnMemory extends GcsConnection {
  constructor(init: ConnectionInit) {
    const bucket = String((init.config as { bucket?: unknown }).bucket ?? 'data');
    super({ ...init, client: new MemoryObjectStoreConnection({ type: 'memory_objects', config: { bucket } }) });
  }
}
registerConnection('gcs_on_memory', GcsConnectionOnMemory);

// The object-store capability suite, against this connection over the in-memory store.
testObjectStore({ type: 'gcs_on_memory', config: { bucket: `gcs-${process.pid}` } });

describe('gcs', () => {
  it('is created from config in code, with the secret redacted', async () => {
    await using conn = await getConnection('gcs', { config: { bucket: 'lake', secretAccessKey: 'example-secret' }, dotenv: false, variables: {} });
    expect(conn).toBeInstanceOf(GcsConnection);
    expect(String(conn)).not.toContain('example-secret');
  });

  it('without a client, calls fail with a typed UNSUPPORTED error', async () => {
    await using conn = await getConnection<GcsConnection>('gcs', { config: {}, dotenv: false, variables: {} });
    await expect(conn.statObject('raw/a.csv')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});
