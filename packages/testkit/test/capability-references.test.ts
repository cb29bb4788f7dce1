/**
 * The capability suites run against the in-memory references that ship in testkit, so the
 * suites test themselves: a suite that accepted a wrong answer, or a reference that broke a
 * family base's contract, fails here. The references sit on core's real family bases and the
 * real local engine.
 */
import { describe, expect, it } from 'vitest';
import { capabilitiesOf, getConnection, resolveConnectionType, where, type DirectoryEntry } from '@sparkle/core';
import {
  dropMemoryStore,
  entryMatches,
  MemoryCatalogConnection,
  MemoryDirectoryConnection,
  MemoryLineageClient,
  MemoryMlConnection,
  MemoryNotifyConnection,
  SAMPLE_ROWS,
  sampleTable,
  testCatalog,
  testDirectory,
  testMlRegistry,
  testNotifier,
} from '../src/index.js';

// -- catalog --------------------------------------------------------------------------------------
const catalogStore = `ct-catalog-${process.pid}`;
testCatalog({
  name: 'MemoryCatalogConnection',
  open: async (lineage) => {
    const uc = new MemoryCatalogConnection({ type: 'memory_catalog', config: { store: catalogStore }, lineage });
    uc.createNamespace(['main', 'sales']);
    uc.createNamespace(['main', 'scratch']);
    uc.createNamespace(['hive_metastore', 'default']);
    uc.putData('memory://orders', sampleTable());
    await uc.createTable({
      namespace: ['main', 'sales'],
      name: 'orders',
      format: 'memory',
      location: 'memory://orders',
      columns: [
        { name: 'id', type: 'bigint', nullable: false },
        { name: 'name', type: 'string', nullable: true },
        { name: 'score', type: 'double', nullable: true },
        { name: 'active', type: 'boolean', nullable: true },
      ],
    });
    await uc.createTable({ namespace: ['main', 'sales'], name: 'events', format: 'delta', location: 's3://lake/events', columns: [{ name: 'id', type: 'bigint', nullable: false }] });
    return uc;
  },
  fixture: { table: ['main', 'sales', 'orders'], columns: ['id', 'name'] },
  writableNamespace: ['main', 'scratch'],
  readable: { table: ['main', 'sales', 'orders'], rows: SAMPLE_ROWS as unknown as Array<Record<string, unknown>> },
  unreadable: { table: ['main', 'sales', 'events'], format: 'delta' },
});

// -- ML registry ----------------------------------------------------------------------------------
testMlRegistry({
  name: 'MemoryMlConnection',
  open: async (lineage) => new MemoryMlConnection({ type: 'memory_ml', config: { store: `ct-ml-${process.pid}` }, lineage }),
  registerModelVersion: async (conn, model, runId, alias) => {
    await (conn as MemoryMlConnection).registerModelVersion(model, { runId, aliases: [alias] });
  },
  putArtifact: (conn, runId, path, content) => (conn as MemoryMlConnection).putArtifact(runId, path, content),
});

// -- notify ---------------------------------------------------------------------------------------
const notifyStore = `ct-notify-${process.pid}`;
const mailbox = new MemoryNotifyConnection({ type: 'memory_notify', config: { store: notifyStore } });
testNotifier({
  name: 'MemoryNotifyConnection',
  open: async (lineage) => new MemoryNotifyConnection({ type: 'memory_notify', config: { store: notifyStore, rejectRecipients: ['bounce@example.test'] }, lineage }),
  recipients: ['ops@example.test', 'data@example.test'],
  rejectedRecipient: 'bounce@example.test',
  received: async () => mailbox.delivered().map((m) => ({ to: [...m.to, ...m.cc, ...m.bcc], subject: m.subject, text: m.text, attachments: m.attachments })),
});

// -- directory ------------------------------------------------------------------------------------
const PEOPLE: DirectoryEntry[] = [
  { dn: 'ou=people,dc=example,dc=org', attributes: { objectClass: ['organizationalUnit'], ou: ['people'] } },
  { dn: 'uid=ada,ou=people,dc=example,dc=org', attributes: { objectClass: ['person', 'inetOrgPerson'], uid: ['ada'], cn: ['Ada Lovelace'], mail: ['ada@example.org', 'countess@example.org'] } },
  { dn: 'uid=alan,ou=people,dc=example,dc=org', attributes: { objectClass: ['person', 'inetOrgPerson'], uid: ['alan'], cn: ['Alan Turing'], mail: ['alan@example.org'] } },
  { dn: 'uid=grace,ou=people,dc=example,dc=org', attributes: { objectClass: ['person'], uid: ['grace'], cn: ['Grace Hopper'] } },
  { dn: 'ou=robots,ou=people,dc=example,dc=org', attributes: { objectClass: ['organizationalUnit'], ou: ['robots'] } },
  { dn: 'uid=r2,ou=robots,ou=people,dc=example,dc=org', attributes: { objectClass: ['device'], uid: ['r2'], cn: ['R2'] } },
];
const directoryStore = `ct-directory-${process.pid}`;
testDirectory({
  name: 'MemoryDirectoryConnection',
  open: async (lineage) => {
    const dir = new MemoryDirectoryConnection({
      type: 'memory_directory',
      config: { store: directoryStore, url: 'ldap://127.0.0.1:3389', baseDn: 'dc=example,dc=org', bindDn: 'cn=admin,dc=example,dc=org', password: 'ct-admin-secret' },
      lineage,
    });
    dir.addEntry({ dn: 'dc=example,dc=org', attributes: { objectClass: ['domain'], dc: ['example'] } });
    dir.addEntry({ dn: 'cn=admin,dc=example,dc=org', attributes: { objectClass: ['person'], cn: ['admin'], userPassword: ['ct-admin-secret'] } });
    for (const e of PEOPLE) dir.addEntry(e);
    return dir;
  },
  fixture: { base: 'ou=people,dc=example,dc=org', entries: PEOPLE },
});

// -- what the suites cannot see from outside ------------------------------------------------------
describe('references: details the suites do not cover', () => {
  it('capabilities are derived from the references’ methods', () => {
    expect(capabilitiesOf(MemoryCatalogConnection)).toEqual(['read', 'spark', 'catalog']);
    expect(capabilitiesOf(MemoryMlConnection)).toEqual(['read', 'ml_registry']);
    expect(capabilitiesOf(MemoryNotifyConnection)).toEqual(['notify']);
    expect(capabilitiesOf(MemoryDirectoryConnection)).toEqual(['read', 'directory']);
  });

  it('entryMatches: multi-valued semantics and case-insensitive attribute names', () => {
    const ada = PEOPLE[1]!;
    expect(entryMatches(ada, where.eq('MAIL', 'countess@example.org'))).toBe(true);
    expect(entryMatches(ada, where.ne('mail', 'countess@example.org'))).toBe(false);
    expect(entryMatches(ada, where.nin('uid', ['alan']))).toBe(true);
    expect(entryMatches(PEOPLE[3]!, where.exists('mail'))).toBe(false);
  });

  it('a wrong bind password fails the auth tier, typed, without printing the password', async () => {
    const store = `ct-bind-${process.pid}`;
    const dir = new MemoryDirectoryConnection({ type: 'memory_directory', config: { store, bindDn: 'cn=admin,dc=x', password: 'wrong-password-123' } });
    dir.addEntry({ dn: 'cn=admin,dc=x', attributes: { userPassword: ['right'] } });
    const report = await dir.check();
    expect(report.failedTier).toBe('auth');
    expect(report.steps.find((s) => s.tier === 'auth')?.error?.code).toBe('AUTHENTICATION_FAILED');
    expect(JSON.stringify(report)).not.toContain('wrong-password-123');
    expect(String(dir)).not.toContain('wrong-password-123');
    dropMemoryStore(store);
  });

  it('the references are registered on import and work through getConnection, sharing a named store', async () => {
    for (const type of ['memory_catalog', 'memory_ml', 'memory_notify', 'memory_directory']) expect((await resolveConnectionType(type)).type).toBe(type);
    try {
      const lineage = new MemoryLineageClient();
      await using a = await getConnection<MemoryMlConnection>('memory_ml', { config: { store: 'ct-shared' }, dotenv: false, variables: {}, lineage });
      await using b = await getConnection<MemoryMlConnection>('memory_ml', { config: { store: 'ct-shared' }, dotenv: false, variables: {}, lineage });
      const run = await a.logRun({ experiment: 'shared', metrics: { x: 1 } });
      expect((await b.getRun(run.id)).metrics).toEqual({ x: 1 });
    } finally {
      dropMemoryStore('ct-shared');
    }
  });

  it('notify: idempotency keys deliver once; closed connections refuse to send', async () => {
    const store = `ct-idem-${process.pid}`;
    const n = new MemoryNotifyConnection({ type: 'memory_notify', config: { store } });
    const first = await n.send({ to: ['a@example.test'], text: 'once', idempotencyKey: 'k1' });
    const second = await n.send({ to: ['a@example.test'], text: 'once', idempotencyKey: 'k1' });
    expect(second.id).toBe(first.id);
    expect(n.delivered()).toHaveLength(1);
    await n.close();
    await expect(n.send({ to: ['a@example.test'], text: 'x' })).rejects.toMatchObject({ code: 'CLOSED' });
    dropMemoryStore(store);
  });
});
