/**
 * The `ldap` connection against a real slapd (tools/services/ensure-slapd.sh: mdb backend, suffix
 * dc=sparkle,dc=test, seeded people, groups and 120 bulk entries): testConnector, testkit's
 * directory suite, paging, filter injection attempts through values, bind failures, redaction.
 */
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { getConnection, SparkleError, where, type DirectoryEntry } from '@sparkle/core';
import { collectRows, ensureLocalEngine, testConnector, testDirectory } from '@sparkle/testkit';
import '../src/index.js';
import { escapeFilterValue, ldapFilterText, LdapConnection } from '../src/index.js';

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the vitest globalSetup runs tools/services/ensure-slapd.sh, which sets it`);
  return value;
}
const suffix = 'dc=sparkle,dc=test';
const people = `ou=people,${suffix}`;

function config(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    url: need('SPARKLE_TEST_LDAP_URL'),
    baseDn: need('SPARKLE_TEST_LDAP_BASE_DN'),
    bindDn: need('SPARKLE_TEST_LDAP_BIND_DN'),
    bindPassword: readFileSync(need('SPARKLE_TEST_LDAP_PASSWORD_FILE'), 'utf8'),
    pageSize: 25,
    ...extra,
  };
}

async function open(extra: Record<string, unknown> = {}) {
  await ensureLocalEngine();
  return getConnection<LdapConnection>('ldap', { config: config(extra), dotenv: false, variables: {} });
}

async function all(it: AsyncIterable<DirectoryEntry>): Promise<DirectoryEntry[]> {
  const out: DirectoryEntry[] = [];
  for await (const e of it) out.push(e);
  return out;
}

async function caught(p: Promise<unknown>): Promise<SparkleError> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(SparkleError.isInstance(e), `expected a SparkleError, got ${String(e)}`).toBe(true);
  return e as SparkleError;
}

const PERSON = ['top', 'person', 'organizationalPerson', 'inetOrgPerson'];
const person = (uid: string, cn: string, sn: string, mail: string[]): DirectoryEntry => ({
  dn: `uid=${uid},${people}`,
  attributes: { objectClass: PERSON, uid: [uid], cn: [cn], sn: [sn], ...(mail.length ? { mail } : {}) },
});
/** What ensure-slapd.sh seeds under ou=people (kept in step with its LDIF). */
const PEOPLE: DirectoryEntry[] = [
  { dn: people, attributes: { objectClass: ['top', 'organizationalUnit'], ou: ['people'] } },
  person('ada', 'Ada Lovelace', 'Lovelace', ['ada@sparkle.test', 'ada.lovelace@sparkle.test']),
  person('alan', 'Alan Turing', 'Turing', ['alan@sparkle.test']),
  person('grace', 'Grace Hopper', 'Hopper', ['grace@sparkle.test']),
  person('edsger', 'Edsger Dijkstra', 'Dijkstra', []),
  person('star', 'Star * (Admin) \\5c', 'Meta)(chars', ['star*@sparkle.test']),
];

testConnector({
  type: 'ldap',
  aliases: [],
  connectionClass: LdapConnection,
  validConfig: { url: 'ldap://dir.example.test', baseDn: 'dc=example,dc=org', bindDn: 'cn=reader,dc=example,dc=org', bindPassword: 'ldap-Conformance-Password-Never-Shown' },
  invalidConfigs: [
    { name: 'a URL that is not LDAP', config: { url: 'http://dir.example.test' }, path: 'url' },
    { name: 'a password without a bind DN', config: { url: 'ldap://dir.example.test', bindPassword: 'x' }, path: 'bindDn' },
    { name: 'StartTLS on ldaps', config: { url: 'ldaps://dir.example.test', startTls: true }, path: 'startTls' },
  ],
  secretFields: ['bindPassword'],
  capabilities: { read: true, write: false, query: false, discover: false, spark: false, health: true },
  unreachableConfig: { url: 'ldap://127.0.0.1:1' },
});

testDirectory({
  name: 'ldap against slapd',
  open: (lineage) => getConnection<LdapConnection>('ldap', { config: config(), lineage, dotenv: false, variables: {} }),
  fixture: { base: people, entries: PEOPLE },
});

describe('ldap against slapd', () => {
  it('pages through 120 entries with the paged results control (page size 25), every entry once', async () => {
    await using ldap = await open();
    const found = await all(ldap.searchDirectory({ base: `ou=bulk,${suffix}`, scope: 'one', pageSize: 25, attributes: ['cn', 'serialNumber'] }));
    expect(found).toHaveLength(120);
    expect(new Set(found.map((e) => e.dn)).size).toBe(120);
    const rows = await collectRows(await ldap.readTable(`ou=bulk,${suffix}`, { columns: ['dn', 'cn'], options: { scope: 'one' }, fetchSize: 50 }));
    expect(rows).toHaveLength(120);
    expect([...(rows[0]!.cn as Iterable<string>)][0]).toMatch(/^item-\d{3}$/);
  });

  it('treats filter metacharacters in values as data, never as filter syntax', async () => {
    await using ldap = await open();
    const uids = async (filter: ReturnType<typeof where.eq>) =>
      (await all(ldap.searchDirectory({ base: people, filter }))).map((e) => e.attributes.uid?.[0]).sort();
    // Injection attempts: each would widen the search if spliced into the filter text.
    expect(await uids(where.eq('uid', '*'))).toEqual([]);
    expect(await uids(where.eq('uid', 'ada)(uid=*'))).toEqual([]);
    expect(await uids(where.eq('uid', '*)(|(objectClass=*'))).toEqual([]);
    expect(await uids(where.prefix('cn', '*'))).toEqual([]);
    // The same characters match literally where they are data.
    expect(await uids(where.eq('cn', 'Star * (Admin) \\5c'))).toEqual(['star']);
    expect(await uids(where.eq('sn', 'Meta)(chars'))).toEqual(['star']);
    expect(await uids(where.eq('mail', 'star*@sparkle.test'))).toEqual(['star']);
    expect(await uids(where.prefix('cn', 'Star * ('))).toEqual(['star']);
    // What the filter looks like as text: every metacharacter escaped per RFC 4515.
    expect(ldapFilterText(where.eq('uid', 'ada)(uid=*'))).toBe('(uid=ada\\29\\28uid=\\2a)');
    expect(escapeFilterValue('a\\b\u0000é')).toBe('a\\5cb\\00\\c3\\a9');
  });

  it('a wrong bind password fails as AUTHENTICATION_FAILED, in search and in check, printing no password', async () => {
    const wrong = 'ldap-Wrong-Password-Never-Shown-88';
    await using ldap = await open({ bindPassword: wrong });
    const e = await caught(all(ldap.searchDirectory({ base: people })));
    expect(e.code).toBe('AUTHENTICATION_FAILED');
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(/bind as 'cn=admin,dc=sparkle,dc=test'/);
    const report = await ldap.check({ timeoutMs: 10_000 });
    expect(report.failedTier).toBe('auth');
    for (const shown of [e.message, inspect(e, { depth: 6 }), JSON.stringify(e), JSON.stringify(report), String(ldap), inspect(ldap)]) expect(shown).not.toContain(wrong);
  });

  it('check(): bind + base read, then the root DSE probe', async () => {
    await using ldap = await open();
    const report = await ldap.check({ timeoutMs: 10_000 });
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
    expect(report.steps.find((s) => s.tier === 'auth')?.message).toBe(`bound as cn=admin,${suffix}; base ${suffix} readable`);
    expect(report.steps.find((s) => s.tier === 'probe')?.message).toContain('root DSE');
  });

  it('reads anonymously when no bind DN is given (the server allows reads)', async () => {
    await using ldap = await open({ bindDn: undefined, bindPassword: undefined });
    expect((await all(ldap.searchDirectory({ base: people, filter: where.eq('uid', 'grace') }))).map((e) => e.dn)).toEqual([`uid=grace,${people}`]);
  });

  it('refuses a field name that is not an attribute, typed', async () => {
    await using ldap = await open();
    const e = await caught(all(ldap.searchDirectory({ base: people, filter: { field: 'uid)(x', op: 'eq', value: 'a' } })));
    expect(e.code).toBe('INVALID_ARGUMENT');
  });

  it('an unreachable server is a retryable connection failure', async () => {
    await using ldap = await open({ url: 'ldap://127.0.0.1:1' });
    const e = await caught(all(ldap.searchDirectory({ base: people })));
    expect(e.code).toBe('CONNECTION_FAILED');
    expect(e.retryable).toBe(true);
  });
});
