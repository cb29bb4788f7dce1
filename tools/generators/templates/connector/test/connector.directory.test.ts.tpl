// {{banner}}
import { describe, expect, it } from 'vitest';
import { getConnection, type DirectoryEntry } from '@sparkle/core';
import { MemoryDirectoryConnection, MemoryLineageClient, testConnector, testDirectory } from '@sparkle/testkit';
import { {{className}} } from '../src/index.js';

// Registration, config schema, redaction, lifecycle: the shared suite.
testConnector({
  type: '{{type}}',
  aliases: {{aliasesTs}},
  connectionClass: {{className}},
  validConfig: { url: 'ldap://dir.example.test', baseDn: 'dc=example,dc=org', bindDn: 'cn=admin,dc=example,dc=org', password: 'example-secret' },
  secretFields: ['password'],
  sparkSecretOptions: [],
  capabilities: { read: true, write: false, query: false, discover: false, spark: false, health: true },
  unreachableConfig: { url: 'ldap://127.0.0.1:1' },
});

const PEOPLE: DirectoryEntry[] = [
  { dn: 'ou=people,dc=example,dc=org', attributes: { objectClass: ['organizationalUnit'], ou: ['people'] } },
  { dn: 'uid=ada,ou=people,dc=example,dc=org', attributes: { objectClass: ['person'], uid: ['ada'], cn: ['Ada Lovelace'], mail: ['ada@example.org', 'countess@example.org'] } },
  { dn: 'uid=alan,ou=people,dc=example,dc=org', attributes: { objectClass: ['person'], uid: ['alan'], cn: ['Alan Turing'], mail: ['alan@example.org'] } },
  { dn: 'uid=grace,ou=people,dc=example,dc=org', attributes: { objectClass: ['person'], uid: ['grace'], cn: ['Grace Hopper'] } },
];

/** The in-memory directory this connection's client talks to in tests: testkit's reference, seeded. */
function memoryDirectory(): MemoryDirectoryConnection {
  const memory = new MemoryDirectoryConnection({ type: 'memory_directory', config: { store: `{{type}}-${process.pid}`, baseDn: 'dc=example,dc=org' }, lineage: new MemoryLineageClient() });
  memory.addEntry({ dn: 'dc=example,dc=org', attributes: { objectClass: ['domain'], dc: ['example'] } });
  for (const entry of PEOPLE) memory.addEntry(entry);
  return memory;
}

// The directory capability suite, against this connection over the in-memory directory.
testDirectory({
  name: '{{type}}',
  open: async (lineage) => new {{className}}({ type: '{{type}}', config: { baseDn: 'dc=example,dc=org' }, lineage, client: memoryDirectory() }),
  fixture: { base: 'ou=people,dc=example,dc=org', entries: PEOPLE },
});

describe('{{type}}', () => {
  it('is created from config in code, with the password redacted', async () => {
    await using conn = await getConnection('{{type}}', { config: { url: 'ldap://dir.example.test', password: 'example-secret' }, dotenv: false, variables: {} });
    expect(conn).toBeInstanceOf({{className}});
    expect(String(conn)).not.toContain('example-secret');
  });

  it('without a client, searches fail with a typed UNSUPPORTED error', async () => {
    await using conn = await getConnection<{{className}}>('{{type}}', { config: {}, dotenv: false, variables: {} });
    const search = async () => {
      for await (const _ of conn.searchDirectory()) return;
    };
    await expect(search()).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});
