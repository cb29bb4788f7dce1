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
fakePackage('@acme/broken-connector', { type: 'broken_thing' }, 'throw new Error("boom at import")');

afterAll(() => {
  unregisterConnection('widgets');
  unregisterConnection('broken_thing');
  rmSync(root, { recursive: true, force: true });
});

describe('plugin discovery', () => {
  it('finds packages with a sparkle field, reading only package.json', () => {
    const found = findInstalledConnectors([join(root, 'node_modules', '..')]);
    expect(found.map((p) => [p.packageName, p.sparkle.type])).toEqual([
      ['@acme/broken-connector', 'broken_thing'],
      ['@acme/sparkle-connector-widgets', 'widgets'],
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
