/**
 * Registry metadata has one source — package.json's `sparkle` field — and everything else must
 * agree with it: the generated `src/meta.ts` (byte for byte what `pnpm sync` writes), what the
 * package's import registers (type, aliases, family, package name, core range), the class's own
 * `static family`, and the capabilities, which are derived from the class's methods (a package
 * that still declares a list must declare exactly the derived one). Every connector package of
 * the workspace is checked, so a hand edit anywhere fails here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capabilitiesOf, CORE_VERSION, findRegistryEntry, satisfiesRange, type ConnectionClass } from '@sparkle/core';
import { connectorMetaSource, syncWorkspace } from '../../scripts/sync-workspace.mjs';

const root = resolve(import.meta.dirname, '../../..');
const connectors = readdirSync(join(root, 'packages'))
  .filter((dir) => existsSync(join(root, 'packages', dir, 'package.json')))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as { name: string; sparkle?: Record<string, unknown> } }))
  .filter((c) => c.pkg.sparkle);

describe('registry metadata: one source', () => {
  it('finds every connector package', () => {
    expect(connectors.length).toBeGreaterThanOrEqual(18);
  });

  it('the generated files are up to date (pnpm sync --check)', () => {
    expect(syncWorkspace(root, { check: true }).map((c) => c.file.slice(root.length + 1))).toEqual([]);
  });

  describe.each(connectors.map((c) => [c.pkg.name, c] as const))('%s', (_name, { dir, pkg }) => {
    const sparkle = pkg.sparkle as { type: string; aliases?: string[]; family?: string; capabilities?: string[]; core?: string };

    it('declares a core range this core satisfies', () => {
      expect(sparkle.core, 'sparkle.core').toBeDefined();
      expect(satisfiesRange(CORE_VERSION, sparkle.core!)).toBe(true);
    });

    it('src/meta.ts, when the index uses it, is what the sync script generates from package.json', () => {
      const metaPath = join(root, 'packages', dir, 'src', 'meta.ts');
      const index = readFileSync(join(root, 'packages', dir, 'src', 'index.ts'), 'utf8');
      if (!index.includes("from './meta.js'")) {
        // Not yet switched to generated meta (connector-local and connector-parquet, which another
        // change rewrites): the registry checks below still hold it to package.json.
        expect(existsSync(metaPath)).toBe(false);
        return;
      }
      expect(readFileSync(metaPath, 'utf8')).toBe(connectorMetaSource(pkg as { name: string; sparkle: Record<string, unknown> }, dir));
    });

    it('registers exactly the type, aliases, family and package that package.json declares; the class agrees', async () => {
      await import(pkg.name);
      const entry = findRegistryEntry(sparkle.type);
      expect(entry?.type).toBe(sparkle.type);
      expect([...(entry?.aliases ?? [])].sort()).toEqual([...(sparkle.aliases ?? [])].sort());
      expect(entry?.family).toBe(sparkle.family);
      expect(entry?.packageName).toBe(pkg.name);
      const cls = entry!.connectionClass as ConnectionClass & { family?: string };
      expect(cls, 'registered class').toBeDefined();
      expect(cls.family, `static family of ${cls.name}`).toBe(sparkle.family);
      for (const alias of sparkle.aliases ?? []) expect(findRegistryEntry(alias)?.connectionClass).toBe(cls);
    });

    it('capabilities come from the class; a declared list (if any) must equal the derived one', async () => {
      await import(pkg.name);
      const derived = capabilitiesOf(findRegistryEntry(sparkle.type)!.connectionClass!);
      expect(derived.length).toBeGreaterThan(0);
      if (sparkle.capabilities) expect([...sparkle.capabilities].sort(), 'package.json sparkle.capabilities is stale: delete it (capabilities are derived)').toEqual([...derived].sort());
    });
  });
});
