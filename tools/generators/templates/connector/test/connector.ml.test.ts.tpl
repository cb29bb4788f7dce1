// {{banner}}
import { describe, expect, it } from 'vitest';
import { getConnection } from '@sparkle/core';
import { MemoryLineageClient, MemoryMlConnection, testConnector, testMlRegistry } from '@sparkle/testkit';
import { {{className}} } from '../src/index.js';

// Registration, config schema, redaction, lifecycle: the shared suite.
testConnector({
  type: '{{type}}',
  aliases: {{aliasesTs}},
  connectionClass: {{className}},
  validConfig: { url: 'https://ml.example.test', token: 'example-secret' },
  secretFields: ['token'],
  capabilities: { read: true, write: false, query: false, discover: false, spark: false, health: true },
  unreachableConfig: { url: 'http://127.0.0.1:1' },
});

// The ML registry capability suite, against this connection over testkit's in-memory registry.
testMlRegistry({
  name: '{{type}}',
  open: async (lineage) =>
    new {{className}}({
      type: '{{type}}',
      config: {},
      lineage,
      client: new MemoryMlConnection({ type: 'memory_ml', config: { store: `{{type}}-${process.pid}` }, lineage: new MemoryLineageClient() }),
    }),
  registerModelVersion: async (conn, model, runId, alias) => {
    const memory = new MemoryMlConnection({ type: 'memory_ml', config: { store: `{{type}}-${process.pid}` } });
    await memory.registerModelVersion(model, { runId, aliases: [alias] });
    expect((await conn.modelVersions(model)).some((v) => v.runId === runId)).toBe(true);
  },
  putArtifact: (_conn, runId, path, content) => new MemoryMlConnection({ type: 'memory_ml', config: { store: `{{type}}-${process.pid}` } }).putArtifact(runId, path, content),
});

describe('{{type}}', () => {
  it('is created from config in code, with the token redacted', async () => {
    await using conn = await getConnection('{{type}}', { config: { url: 'https://ml.example.test', token: 'example-secret' }, dotenv: false, variables: {} });
    expect(conn).toBeInstanceOf({{className}});
    expect(String(conn)).not.toContain('example-secret');
  });

  it('without a client, calls fail with a typed UNSUPPORTED error', async () => {
    await using conn = await getConnection<{{className}}>('{{type}}', { config: {}, dotenv: false, variables: {} });
    await expect(conn.listExperiments()).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});
