import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectionFactory, discoverConnectors, findInstalledConnectors, findRegistryEntry, getConnection, unregisterConnection } from '../src/index.js';

import * as core from '../src/index.js';

// The fake plugin cannot resolve '@sparkle/core' from a temp dir (and Node cannot import core's
// TypeScript sources), so it takes this core from a global the test sets: what is under test is
// that discovery finds the package and imports its entry on demand.
(globalThis as Record<symbol, unknown>)[Symbol.for('sparkle.test.core')] = core;
const root = mkdtempSync(join(tmpdir(), 'sparkle-discovery-'));

/** Writes a fake installed connector package: package.json with a `sparkle` field and an ESM entry. */
function fakePackage(name: string, sparkle: object, entrySource: string) {
  const dir = join(root, 'node_modules', ...name.split('/'));
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', exports: { '.': { import: './dist/index.js' } }, sparkle }));
  writeFileSync(join(dir, 'dist', 'index.js'), entrySource);
}

fakePackage(
  '@acme/sparkle-connector-widgets',
  { type: 'widgets', aliases: ['widget_store'], family: 'api', capabilities: ['read'], core: '^0.1.0' },
  `const { SparkleConnection, registerConnection } = globalThis[Symbol.for('sparkle.test.core')];
   export class WidgetsConnection extends SparkleConnection {}
   registerConnection(['widgets', 'widget_store'], WidgetsConnection, { family: 'api' });`,
);
fakePackage('not-a-connector', undefined as unknown as object, 'export {}');
// Built for a future core: its code must never be imported (the entry would register a class).
fakePackage(
  '@acme/future-connector',
  { type: 'future_thing', family: 'api', core: '^9.0.0' },
  `globalThis[Symbol.for('sparkle.test.imported-future')] = true;`,
);
fakePackage('@acme/odd-range-connector', { type: 'odd_range', core: 'latest-and-greatest' }, 'export {}');
fakePackage('@acme/broken-connector', { type: 'broken_thing' }, 'throw new Error("boom at import")');

afterAll(() => {
  unregisterConnection('widgets');
  unregisterConnection('broken_thing');
  unregisterConnection('future_thing');
  unregisterConnection('odd_range');
  rmSync(root, { recursive: true, force: true });
});

describe('plugin discovery', () => {
  it('finds packages with a sparkle field, reading only package.json', () => {
    const found = findInstalledConnectors([join(root, 'node_modules', '..')]);
    expect(found.map((p) => [p.packageName, p.sparkle.type, Boolean(p.problem)])).toEqual([
      ['@acme/broken-connector', 'broken_thing', false],
      ['@acme/future-connector', 'future_thing', true],
      ['@acme/odd-range-connector', 'odd_range', true],
      ['@acme/sparkle-connector-widgets', 'widgets', false],
    ]);
    expect(findRegistryEntry('widgets')).toBeUndefined();
  });

  it('registers them lazily and imports one when its type is first asked for', async () => {
    discoverConnectors({ startDirs: [root], force: true });
    expect(findRegistryEntry('widget_store')?.connectionClass).toBeUndefined();
    expect(ConnectionFactory.listAvailable()).toEqual(expect.arrayContaining(['widgets', 'broken_thing']));
    const conn = await getConnection('widget_store', { config: {} });
    expect(conn.constructor.name).toBe('WidgetsConnection');
    expect(conn.type).toBe('widgets');
    expect(findRegistryEntry('widgets')?.packageName).toBe('@acme/sparkle-connector-widgets');
  });

  it('reports a package that fails to import as a missing driver naming the package', async () => {
    discoverConnectors({ startDirs: [root], force: true });
    await expect(getConnection('broken_thing', { config: {} })).rejects.toMatchObject({
      code: 'MISSING_DRIVER',
      message: expect.stringContaining('@acme/broken-connector'),
    });
  });
});

describe('core version compatibility', () => {
  it('refuses a connector built for an incompatible core, naming both versions, without importing it', async () => {
    discoverConnectors({ startDirs: [root], force: true });
    expect(findRegistryEntry('future_thing')?.problem).toContain('requires @sparkle/core ^9.0.0');
    const error = await getConnection('future_thing', { config: {} }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INCOMPATIBLE_CONNECTOR', connector: 'future_thing', details: { coreRange: '^9.0.0', coreVersion: core.CORE_VERSION } });
    expect((error as Error).message).toBe(
      `@acme/future-connector (type 'future_thing') requires @sparkle/core ^9.0.0, but this installation has @sparkle/core ${core.CORE_VERSION}. ` +
        `Install a version of @acme/future-connector built for core ${core.CORE_VERSION}, or align @sparkle/core with it.`,
    );
    expect((globalThis as Record<symbol, unknown>)[Symbol.for('sparkle.test.imported-future')]).toBeUndefined();
  });

  it('loadAll imports what loads and returns the rest with their typed errors', async () => {
    discoverConnectors({ startDirs: [root], force: true });
    const failures = await ConnectionFactory.loadAll();
    expect(Object.fromEntries(failures.map((f) => [f.type, f.error.code]))).toMatchObject({
      broken_thing: 'MISSING_DRIVER',
      future_thing: 'INCOMPATIBLE_CONNECTOR',
      odd_range: 'INCOMPATIBLE_CONNECTOR',
    });
    const listed = ConnectionFactory.describeAvailable().find((e) => e.type === 'widgets');
    // Loaded: capabilities come from the class (none), not from the package.json's ['read'].
    expect(listed).toMatchObject({ loaded: true, capabilities: [] });
    expect(ConnectionFactory.describeAvailable().find((e) => e.type === 'future_thing')?.problem).toContain('^9.0.0');
  });

  it('refuses a range it cannot parse, saying so', async () => {
    discoverConnectors({ startDirs: [root], force: true });
    await expect(getConnection('odd_range', { config: {} })).rejects.toMatchObject({
      code: 'INCOMPATIBLE_CONNECTOR',
      message: expect.stringContaining('"core": "latest-and-greatest" }, which is not a version range core understands'),
    });
  });

  it('CORE_VERSION is the version in core’s package.json (generated by pnpm sync)', async () => {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string };
    expect(core.CORE_VERSION).toBe(pkg.version);
  });

  it.each([
    ['0.1.0', '^0.1.0', true],
    ['0.1.9', '^0.1.0', true],
    ['0.2.0', '^0.1.0', false],
    ['0.0.3', '^0.0.3', true],
    ['0.0.4', '^0.0.3', false],
    ['1.9.9', '^1.2.3', true],
    ['2.0.0', '^1.2.3', false],
    ['1.2.2', '^1.2.3', false],
    ['1.2.9', '~1.2.3', true],
    ['1.3.0', '~1.2.3', false],
    ['1.5.0', '~1', true],
    ['0.3.0', '>=0.1.0', true],
    ['0.0.9', '>=0.1.0', false],
    ['1.4.0', '>=1.2.0 <2.0.0 || ^3.0.0', true],
    ['3.1.0', '>=1.2.0 <2.0.0 || ^3.0.0', true],
    ['2.1.0', '>=1.2.0 <2.0.0 || ^3.0.0', false],
    ['1.0.0-rc.1', '>=1.0.0', false],
    ['1.2.3', '1.2.3', true],
    ['1.2.4', '=1.2.3', false],
    ['1.7.0', '1.x', true],
    ['2.0.0', '1.x', false],
    ['5.0.0', '*', true],
    ['1.0.0', '>= 0.9.0', true],
    ['1.0.0', '>1.0', false],
    ['1.1.0', '>1.0', true],
    ['1.0.5', '<=1.0', true],
  ] as const)('satisfiesRange(%s, %s) is %s', (version, range, expected) => {
    expect(core.satisfiesRange(version, range)).toBe(expected);
  });

  it('satisfiesRange returns undefined for what it cannot parse', () => {
    expect(core.satisfiesRange('1.0.0', '1.0.0 - 2.0.0')).toBeUndefined();
    expect(core.satisfiesRange('1.0.0', 'latest')).toBeUndefined();
    expect(core.satisfiesRange('one', '^1.0.0')).toBeUndefined();
  });
});
