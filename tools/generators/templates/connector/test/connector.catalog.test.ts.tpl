// {{banner}}
import { describe, expect, it } from 'vitest';
import { getConnection } from '@sparkle/core';
import { MemoryCatalogConnection, MemoryLineageClient, sampleTable, testCatalog, testConnector } from '@sparkle/testkit';
import { {{className}} } from '../src/index.js';

// Registration, config schema, redaction, lifecycle: the shared suite.
testConnector({
  type: '{{type}}',
  aliases: {{aliasesTs}},
  connectionClass: {{className}},
  validConfig: { url: 'https://catalog.example.test/api', token: 'example-secret' },
  secretFields: ['token'],
  sparkSecretOptions: [],
  capabilities: { read: true, write: false, query: false, discover: false, spark: true, health: true },
  unreachableConfig: { url: 'http://127.0.0.1:1/api' },
});

/** The in-memory catalog this connection's client talks to in tests: testkit's reference, seeded. */
async function memoryCatalog(): Promise<MemoryCatalogConnection> {
  const memory = new MemoryCatalogConnection({ type: 'memory_catalog', config: { store: `{{type}}-${process.pid}-${Math.random().toString(36).slice(2)}` }, lineage: new MemoryLineageClient() });
  memory.createNamespace(['main', 'sales']);
  memory.createNamespace(['main', 'scratch']);
  memory.putData('memory://orders', sampleTable());
  const columns = [
    { name: 'id', type: 'bigint', nullable: false },
    { name: 'name', type: 'string', nullable: true },
    { name: 'score', type: 'double', nullable: true },
    { name: 'active', type: 'boolean', nullable: true },
  ];
  await memory.createTable({ namespace: ['main', 'sales'], name: 'orders', format: 'memory', location: 'memory://orders', columns });
  await memory.createTable({ namespace: ['main', 'sales'], name: 'events', format: 'delta', location: 's3://lake/events', columns: columns.slice(0, 1) });
  return memory;
}

// The catalog capability suite, against this connection over the in-memory catalog.
testCatalog({
  name: '{{type}}',
  open: async (lineage) => new {{className}}({ type: '{{type}}', config: {}, lineage, client: await memoryCatalog() }),
  fixture: { table: ['main', 'sales', 'orders'], columns: ['id', 'name'] },
  writableNamespace: ['main', 'scratch'],
  unreadable: { table: ['main', 'sales', 'events'], format: 'delta' },
});

describe('{{type}}', () => {
  it('is created from config in code, with the token redacted', async () => {
    await using conn = await getConnection('{{type}}', { config: { url: 'https://catalog.example.test/api', token: 'example-secret' }, dotenv: false, variables: {} });
    expect(conn).toBeInstanceOf({{className}});
    expect(String(conn)).not.toContain('example-secret');
  });

  it('without a client, calls fail with a typed UNSUPPORTED error', async () => {
    await using conn = await getConnection<{{className}}>('{{type}}', { config: {}, dotenv: false, variables: {} });
    await expect(conn.listNamespaces()).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});
