// Scaffolded by tools/generators/new-connector.ts (pnpm gen:connector). A starting point: this package owns it now.
import { describe, expect, it } from 'vitest';
import { getConnection, registerConnection, type ConnectionInit } from '@sparkle/core';
import { MemoryDocumentConnection, testConnector, testDocumentStore } from '@sparkle/testkit';
import { CosmosdbConnection } from '../src/index.js';

// Registration, config schema, redaction, lifecycle: the shared suite.
testConnector({
  type: 'cosmosdb',
  aliases: ['azure_cosmosdb'],
  connectionClass: CosmosdbConnection,
  validConfig: { host: 'localhost', port: 9999, database: 'app', user: 'app', password: 'example-secret' },
  secretFields: ['password'],
  capabilities: { read: true, write: true, query: false, discover: false, spark: false, health: true },
  unreachableConfig: { host: '127.0.0.1', port: 1 },
});

/**
 * This connection over testkit's in-memory document store, as a type of its own so the suite
 * can open it by config: connections naming the same `database` share its collections.
 */
class CosmosdbConnectionOnMemory extends CosmosdbConnection {
  constructor(init: ConnectionInit) {
    const database = String((init.config as { database?: unknown }).database ?? 'default');
    super({ ...init, client: new MemoryDocumentConnection({ type: 'memory_docs', config: { database } }) });
  }

  /** In memory: no server to reach. */
  protected override endpoints() {
    return [];
  }
}
registerConnection('cosmosdb_on_memory', CosmosdbConnectionOnMemory);

// The document capability suite, against this connection over the in-memory store (documents without `_id` fail per item).
testDocumentStore({ type: 'cosmosdb_on_memory', config: { database: `cosmosdb-${process.pid}` }, failingDocument: { name: 'no key' } });

describe('cosmosdb', () => {
  it('is created from config in code, with the password redacted', async () => {
    await using conn = await getConnection('cosmosdb', { config: { password: 'example-secret' }, dotenv: false, variables: {} });
    expect(conn).toBeInstanceOf(CosmosdbConnection);
    expect(String(conn)).not.toContain('example-secret');
  });

  it('without a client, calls fail with a typed UNSUPPORTED error', async () => {
    await using conn = await getConnection<CosmosdbConnection>('cosmosdb', { config: {}, dotenv: false, variables: {} });
    await expect(conn.listCollections()).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});
