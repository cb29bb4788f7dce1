/**
 * `testDirectory`: the conformance suite of the directory capability. Given the entries known to
 * be under a base DN, it checks every search — scopes, typed filters (each operator, and/or/not,
 * multi-valued attributes), attribute selection, limits — against the reference semantics
 * (`entryMatches`, built on core's `matchesFilter`), then the Arrow read (`dn` + `list<utf8>`
 * columns), typed errors and the root-DSE probe.
 */
import type { RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilitiesOf, where, type DirectoryEntry, type DirectorySearch, type Filter, type SparkleConnection } from '@sparkle/core';
import { MemoryLineageClient } from '../lineage.js';
import { entryMatches, normalizeDn } from '../reference/directory.js';
import { drain, ensureLocalEngine, rejection, type ServiceSuiteOptions } from './service-common.js';

export interface DirectorySuiteOptions extends ServiceSuiteOptions<DirectorySearch> {
  /**
   * The subtree the suite searches and every entry in it (base entry included). Entries need
   * `objectClass`, and people entries `uid`, `cn` and `mail`; at least one with two `mail`
   * values exercises multi-valued matching.
   */
  fixture: { base: string; entries: readonly DirectoryEntry[] };
}

const dns = (entries: readonly DirectoryEntry[]) => entries.map((e) => normalizeDn(e.dn)).sort();

/**
 * Registers the directory suite.
 *
 * @example
 * ```ts
 * testDirectory({
 *   name: 'ldap',
 *   open: (lineage) => getConnection('ldap', { config: { url: 'ldap://127.0.0.1:3389', baseDn: 'dc=example,dc=org' }, lineage }),
 *   fixture: { base: 'ou=people,dc=example,dc=org', entries: PEOPLE },
 * });
 * ```
 */
export function testDirectory(options: DirectorySuiteOptions): void {
  const lineage = new MemoryLineageClient();
  const { base, entries } = options.fixture;
  let conn: (DirectorySearch & SparkleConnection<object>) | undefined;
  const c = () => conn!;
  const search = (filter?: Filter, extra: Record<string, unknown> = {}) => drain(c().searchDirectory({ base, scope: 'sub', filter, ...extra }));
  const people = entries.filter((e) => Object.keys(e.attributes).some((k) => k.toLowerCase() === 'uid'));
  const uidOf = (e: DirectoryEntry) => Object.entries(e.attributes).find(([k]) => k.toLowerCase() === 'uid')![1][0]!;
  const multiMail = people.find((e) => (Object.entries(e.attributes).find(([k]) => k.toLowerCase() === 'mail')?.[1].length ?? 0) > 1);

  describe.skipIf(Boolean(options.skip))(`${options.name}: directory capability${options.skip ? ` (skipped: ${options.skip})` : ''}`, () => {
    beforeAll(async () => {
      await ensureLocalEngine();
      conn = await options.open(lineage);
      if (people.length < 2) throw new Error('testDirectory: the fixture needs at least two entries with uid');
    });
    afterAll(async () => {
      await conn?.close();
    });

    it('declares the directory capability from its methods', () => {
      expect(capabilitiesOf(c())).toContain('directory');
    });

    it('scopes: base finds the base entry, one its children, sub the whole subtree', async () => {
      const nbase = normalizeDn(base);
      expect(dns(await drain(c().searchDirectory({ base, scope: 'base' })))).toEqual([nbase]);
      const depth = nbase.split(',').length;
      expect(dns(await drain(c().searchDirectory({ base, scope: 'one' })))).toEqual(dns(entries.filter((e) => normalizeDn(e.dn).split(',').length === depth + 1)));
      expect(dns(await search())).toEqual(dns(entries));
    });

    const filters: Array<[string, () => Filter]> = [
      ['eq', () => where.eq('uid', uidOf(people[0]!))],
      ['ne', () => where.ne('uid', uidOf(people[0]!))],
      ['in', () => where.in('uid', people.slice(0, 2).map(uidOf))],
      ['nin', () => where.nin('uid', [uidOf(people[0]!)])],
      ['prefix', () => where.prefix('uid', uidOf(people[0]!).slice(0, 1))],
      ['exists', () => where.exists('mail')],
      ['not exists', () => where.exists('mail', false)],
      ['gte (string order)', () => where.gte('uid', uidOf(people[1]!))],
      ['and', () => where.and(where.eq('objectClass', 'person'), where.prefix('cn', 'A'))],
      ['or', () => where.or(where.eq('uid', uidOf(people[0]!)), where.eq('uid', uidOf(people[1]!)))],
      ['not', () => where.not(where.eq('objectClass', 'person'))],
    ];
    it.each(filters)('filter %s matches exactly what the reference semantics select', async (_name, make) => {
      const filter = make();
      const expected = dns(entries.filter((e) => entryMatches(e, filter)));
      expect(dns(await search(filter))).toEqual(expected);
    });

    it('a multi-valued attribute matches on any of its values', async (ctx) => {
      if (!multiMail) ctx.skip('the fixture has no entry with two mail values');
      const mails = Object.entries(multiMail!.attributes).find(([k]) => k.toLowerCase() === 'mail')![1];
      for (const mail of mails) expect(dns(await search(where.eq('mail', mail)))).toEqual([normalizeDn(multiMail!.dn)]);
      expect(dns(await search(where.ne('mail', mails[0]!)))).not.toContain(normalizeDn(multiMail!.dn));
    });

    it('returns only the requested attributes, matched case-insensitively', async () => {
      const found = await search(where.eq('uid', uidOf(people[0]!)), { attributes: ['CN', 'mail'] });
      expect(found).toHaveLength(1);
      expect(Object.keys(found[0]!.attributes).map((k) => k.toLowerCase()).sort()).toEqual(['cn', 'mail']);
    });

    it('stops after limit entries', async () => {
      expect(await search(undefined, { limit: 2 })).toHaveLength(2);
    });

    it('a missing base is a typed QUERY_FAILED with details.notFound', async () => {
      const e = await rejection(drain(c().searchDirectory({ base: `ou=sparkle-missing,${base}`, scope: 'sub' })));
      expect(e.code).toBe('QUERY_FAILED');
      expect(e.details.notFound).toBe(true);
    });

    it('readTable(base) gives dn + list<utf8> attribute columns, with a typed filter', async () => {
      lineage.clear();
      const frame = await c().readTable(base, { columns: ['dn', 'uid', 'mail'], options: { filter: JSON.stringify(where.eq('objectClass', 'person')) } });
      const batches: RecordBatch[] = [];
      for await (const b of frame as AsyncIterable<RecordBatch>) batches.push(b);
      expect(batches[0]!.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual(['dn:Utf8', 'uid:List<Utf8>', 'mail:List<Utf8>']);
      const rows = batches.flatMap((b) => b.toArray().map((r) => (r as { toJSON(): Record<string, unknown> }).toJSON()));
      const persons = entries.filter((e) => entryMatches(e, where.eq('objectClass', 'person')));
      expect(rows.map((r) => normalizeDn(String(r.dn))).sort()).toEqual(dns(persons));
      if (multiMail) {
        const row = rows.find((r) => normalizeDn(String(r.dn)) === normalizeDn(multiMail.dn))!;
        expect([...(row.mail as Iterable<string>)]).toHaveLength(2);
      }
      expect(lineage.events.map((e) => e.eventType)).toEqual(['START', 'COMPLETE']);
      expect(lineage.events[0]!.spec.inputs[0]!.name).toBe(base);
      expect(lineage.events[0]!.spec.inputs[0]!.namespace).toMatch(/^ldaps?:\/\/|^[a-z]+/);
    });

    it('readTable refuses SQL where with a typed error naming the typed filter', async () => {
      const e = await rejection(c().readTable(base, { where: "uid = 'x'" }).then(async (f) => drain(f as AsyncIterable<unknown>)));
      expect(e.code).toBe('UNSUPPORTED');
      expect(e.message).toContain('typed filter');
    });

    it('check(): auth binds, the probe reads the root DSE', async () => {
      const report = await c().check({ timeoutMs: 10_000 });
      expect(report.ok, JSON.stringify(report.steps)).toBe(true);
      expect(report.steps.find((s) => s.tier === 'probe')?.message).toMatch(/root DSE/);
    });
  });
}
