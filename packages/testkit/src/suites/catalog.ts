/**
 * `testCatalog`: the conformance suite of the catalog capability — listings, table metadata,
 * typed not-found errors, register/drop round trips, lineage lookup, `readTable` through the
 * table's format (and a clear refusal for formats nobody reads), lineage names and the health
 * probe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilitiesOf, type Catalog, type CatalogTableSpec, type Namespace, type SparkleConnection } from '@sparkle/core';
import { collectRows } from '../conformance.js';
import { MemoryLineageClient } from '../lineage.js';
import { normaliseRows } from '../sample.js';
import { ensureLocalEngine, rejection, type ServiceSuiteOptions } from './service-common.js';

export interface CatalogSuiteOptions extends ServiceSuiteOptions<Catalog> {
  /** A table that exists, by its full name, and some of its column names. */
  fixture: { table: readonly string[]; columns: readonly string[] };
  /** A namespace where the suite may create and drop tables; omitted for read-only catalogs. */
  writableNamespace?: Namespace;
  /** A table `readTable` reads, and its rows. */
  readable?: { table: readonly string[]; rows: ReadonlyArray<Record<string, unknown>> };
  /** A table whose format no reader is registered for. */
  unreadable?: { table: readonly string[]; format: string };
}

/**
 * Registers the catalog suite.
 *
 * @example
 * ```ts
 * testCatalog({
 *   name: 'unity_catalog',
 *   open: (lineage) => getConnection('unity_catalog', { env: 'test', lineage }),
 *   fixture: { table: ['main', 'default', 'orders'], columns: ['id', 'amount'] },
 *   writableNamespace: ['main', 'sparkle_ct'],
 * });
 * ```
 */
export function testCatalog(options: CatalogSuiteOptions): void {
  const lineage = new MemoryLineageClient();
  let conn: (Catalog & SparkleConnection<object>) | undefined;
  const c = () => conn!;
  const [fixtureNs, fixtureName] = [options.fixture.table.slice(0, -1), options.fixture.table.at(-1)!];

  describe.skipIf(Boolean(options.skip))(`${options.name}: catalog capability${options.skip ? ` (skipped: ${options.skip})` : ''}`, () => {
    beforeAll(async () => {
      await ensureLocalEngine();
      conn = await options.open(lineage);
    });
    afterAll(async () => {
      await conn?.close();
    });

    it('declares the catalog capability from its methods', () => {
      expect(capabilitiesOf(c())).toContain('catalog');
    });

    it('lists top-level namespaces, including the fixture table’s', async () => {
      const top = await c().listNamespaces();
      expect(top.every((ns) => ns.length === 1 && typeof ns[0] === 'string')).toBe(true);
      expect(top.map((ns) => ns[0])).toContain(fixtureNs[0]);
    });

    it('lists child namespaces under their parent', async () => {
      for (let depth = 1; depth < fixtureNs.length; depth++) {
        const parent = fixtureNs.slice(0, depth);
        const children = await c().listNamespaces(parent);
        for (const child of children) expect(child.slice(0, depth)).toEqual(parent);
        expect(children.map((ns) => ns.join('.'))).toContain(fixtureNs.slice(0, depth + 1).join('.'));
      }
    });

    it('lists the fixture table in its namespace', async () => {
      expect(await c().listTables(fixtureNs)).toContain(fixtureName);
    });

    it('describes the fixture table: name, columns with Spark types, properties', async () => {
      const t = await c().getTable(options.fixture.table);
      expect([...t.namespace, t.name]).toEqual([...options.fixture.table]);
      expect(typeof t.properties).toBe('object');
      for (const column of t.columns) {
        expect(typeof column.name).toBe('string');
        expect(column.type.length).toBeGreaterThan(0);
        expect(typeof column.nullable).toBe('boolean');
      }
      expect(t.columns.map((col) => col.name)).toEqual(expect.arrayContaining([...options.fixture.columns]));
    });

    it('a missing table is a typed QUERY_FAILED with details.notFound', async () => {
      const e = await rejection(c().getTable([...fixtureNs, `sparkle_missing_${Date.now().toString(36)}`]));
      expect(e.code).toBe('QUERY_FAILED');
      expect(e.details.notFound).toBe(true);
    });

    it.skipIf(!options.writableNamespace)('registers, finds, and drops a table (drop is idempotent)', async () => {
      const cat = c();
      if (!cat.createTable || !cat.dropTable) throw new Error(`${options.name}: writableNamespace given but createTable/dropTable are missing`);
      const spec: CatalogTableSpec = {
        namespace: options.writableNamespace!,
        name: `sparkle_ct_${Date.now().toString(36)}`,
        format: 'parquet',
        location: `file:/tmp/sparkle-ct/${Date.now().toString(36)}`,
        tableType: 'EXTERNAL',
        columns: [
          { name: 'id', type: 'bigint', nullable: false },
          { name: 'name', type: 'string', nullable: true, comment: 'display name' },
        ],
        properties: { owner: 'sparkle-ct' },
      };
      const full = [...spec.namespace, spec.name];
      lineage.clear();
      try {
        const created = await cat.createTable(spec);
        expect(created.name).toBe(spec.name);
        expect(await cat.listTables(spec.namespace)).toContain(spec.name);
        const t = await cat.getTable(full);
        expect(t.format).toBe('parquet');
        expect(t.location).toBe(spec.location);
        expect(t.columns.map(({ name, type, nullable }) => ({ name, type, nullable }))).toEqual(spec.columns.map(({ name, type, nullable }) => ({ name, type, nullable })));
        expect(t.properties.owner).toBe('sparkle-ct');
        const again = await rejection(cat.createTable(spec));
        expect(again.code).toMatch(/WRITE_FAILED|TABLE_EXISTS/);
      } finally {
        expect(await cat.dropTable(full)).toBe(true);
      }
      expect(await cat.dropTable(full)).toBe(false);
      expect((await rejection(cat.getTable(full))).details.notFound).toBe(true);
      // Registrations are lineage-visible: a `metadata` run with the table as its output.
      const changes = lineage.events.filter((e) => e.spec.operation === 'metadata');
      expect(changes.map((e) => `${e.eventType}:${String(e.spec.metadata?.action)}`)).toEqual([
        'START:createTable',
        'COMPLETE:createTable',
        'START:createTable',
        'FAIL:createTable',
        'START:dropTable',
        'COMPLETE:dropTable',
        'START:dropTable',
        'COMPLETE:dropTable',
      ]);
      expect(changes[0]!.spec.outputs.map((d) => d.name)).toEqual([full.join('.')]);
      expect(changes[0]!.spec.inputs).toEqual([]);
    });

    it.skipIf(!options.readable)('readTable resolves the table through getTable and reads its rows', async () => {
      const name = options.readable!.table.join('.');
      lineage.clear();
      const rows = await collectRows(await c().readTable(name));
      expect(normaliseRows(rows)).toEqual(normaliseRows(options.readable!.rows.map((r) => ({ ...r }))));
      const projected = await collectRows(await c().readTable(name, { columns: [Object.keys(options.readable!.rows[0] ?? { id: 0 })[0]!] }));
      expect(Object.keys(projected[0] ?? {})).toHaveLength(1);
      const read = lineage.events.filter((e) => e.spec.operation === 'read');
      expect(read.map((e) => e.eventType)).toEqual(['START', 'COMPLETE', 'START', 'COMPLETE']);
      // Lineage names the catalog table, not the storage path it resolved to.
      expect(read[0]!.spec.inputs[0]!.name).toBe(name);
      expect(read[0]!.spec.inputs[0]!.namespace).toMatch(/^[a-z][a-z0-9+.-]*(:\/\/.*)?$/);
    });

    it.skipIf(!options.unreadable)('readTable of a table in a format with no reader is UNSUPPORTED, naming the format', async () => {
      const e = await rejection(c().readTable(options.unreadable!.table.join('.')).then((frame) => collectRows(frame)));
      expect(e.code).toBe('UNSUPPORTED');
      expect(e.message).toContain(`'${options.unreadable!.format}'`);
    });

    it('check(): the probe lists namespaces', async () => {
      const report = await c().check({ timeoutMs: 10_000 });
      expect(report.ok, JSON.stringify(report.steps)).toBe(true);
      const probe = report.steps.find((s) => s.tier === 'probe');
      expect(probe?.status).toBe('ok');
      expect(probe?.message).toMatch(/namespace/);
    });
  });
}
