// Scaffolded by tools/generators/new-connector.ts (pnpm gen:connector). A starting point: this package owns it now.
import { describe, expect, it } from 'vitest';
import { getConnection, registerConnection, setFileFormats, type ConnectionInit } from '@sparkle/core';
import { fileFormats } from '@sparkle/formats';
import { MemoryObjectStoreConnection, testConnector, testObjectStore } from '@sparkle/testkit';
import { AdlsConnection } from '../src/index.js';

// Tables are files: the object-store checks read and write them through the real file formats.
setFileFormats(fileFormats);

// Registration, config schema, redaction, Spark specs, lifecycle: the shared suite.
testConnector({
  type: 'adls',
  aliases: ['adls_gen2'],
  connectionClass: AdlsConnection,
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
class AdlsConnectionOnMemory extends AdlsConnection {
  constructor(init: ConnectionInit) {
    const bucket = String((init.config as { bucket?: unknown }).bucket ?? 'data');
    super({ ...init, client: new MemoryObjectStoreConnection({ type: 'memory_objects', config: { bucket } }) });
  }
}
registerConnection('adls_on_memory', AdlsConnectionOnMemory);

// The object-store capability suite, against this connection over the in-memory store.
testObjectStore({ type: 'adls_on_memory', config: { bucket: `adls-${process.pid}` } });

describe('adls', () => {
  it('is created from config in code, with the secret redacted', async () => {
    await using conn = await getConnection('adls', { config: { bucket: 'lake', secretAccessKey: 'example-secret' }, dotenv: false, variables: {} });
    expect(conn).toBeInstanceOf(AdlsConnection);
    expect(String(conn)).not.toContain('example-secret');
  });

  it('without a client, calls fail with a typed UNSUPPORTED error', async () => {
    await using conn = await getConnection<AdlsConnection>('adls', { config: {}, dotenv: false, variables: {} });
    await expect(conn.statObject('raw/a.csv')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});
