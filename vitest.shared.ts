import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { defineConfig, type UserConfig } from 'vitest/config';

const root = resolve(import.meta.dirname);
// (tools/ uses this file too; its tests run from tools/.)

/**
 * Tests import sibling packages from their sources (`@sparkle/x` → packages/x/src/index.ts),
 * so a change in core is seen by every connector's tests without a rebuild.
 */
function workspaceAliases(): Record<string, string> {
  const aliases: Record<string, string> = {};
  const dir = join(root, 'packages');
  for (const name of readdirSync(dir)) {
    const pkgFile = join(dir, name, 'package.json');
    const src = join(dir, name, 'src', 'index.ts');
    if (!existsSync(pkgFile) || !existsSync(src)) continue;
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { name: string };
    aliases[pkg.name] = src;
  }
  return aliases;
}

export function packageTests(extra: UserConfig['test'] = {}): UserConfig {
  return defineConfig({
    resolve: { alias: workspaceAliases() },
    test: {
      include: ['test/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      pool: 'forks',
      // The workspace test script collects one JSON report per package for its closing summary line.
      ...(process.env.SPARKLE_TEST_REPORT_DIR
        ? { reporters: ['default', 'json'], outputFile: { json: join(process.env.SPARKLE_TEST_REPORT_DIR, `${basename(process.cwd())}.json`) } }
        : {}),
      ...extra,
    },
  });
}
