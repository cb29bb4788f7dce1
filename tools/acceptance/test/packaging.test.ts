/**
 * Issue 10 item 11: what npm publishes works outside the repository. Every published package
 * carries the Apache-2.0 LICENSE (the root's text, copied by tools/scripts/sync-workspace.mjs)
 * and lists it in `files`; READMEs link absolute URLs (repo-relative links break on a registry
 * page); the CLI's bin exists before a build, so a fresh install links it without a warning.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const license = readFileSync(join(root, 'LICENSE'), 'utf8');
const published = readdirSync(join(root, 'packages'))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as { name: string; private?: boolean; files?: string[]; bin?: Record<string, string>; license?: string } }))
  .filter(({ pkg }) => !pkg.private);

describe('packaging', () => {
  it('the root LICENSE is the Apache License 2.0 text', () => {
    expect(license).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(license).toMatch(/END OF TERMS AND CONDITIONS\s*$/);
  });

  it.each(published.map((p) => [p.dir, p] as const))('%s ships the LICENSE and says Apache-2.0', (dir, { pkg }) => {
    expect(pkg.license).toBe('Apache-2.0');
    expect(readFileSync(join(root, 'packages', dir, 'LICENSE'), 'utf8')).toBe(license);
    expect(pkg.files).toContain('LICENSE');
  });

  it('the packed tarball of a package holds LICENSE and README.md', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: join(root, 'packages/core'), encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'silent' } });
    const files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
  });

  it('package READMEs link absolute URLs only', () => {
    const relative: string[] = [];
    for (const { dir } of published) {
      const file = join(root, 'packages', dir, 'README.md');
      if (!existsSync(file)) continue;
      for (const m of readFileSync(file, 'utf8').matchAll(/\]\(([^)\s]+)\)/g)) {
        if (!/^(https?:|mailto:|#)/.test(m[1]!)) relative.push(`packages/${dir}/README.md: ${m[1]}`);
      }
    }
    expect(relative).toEqual([]);
  });

  it('every bin target exists without a build and is in files', () => {
    for (const { dir, pkg } of published) {
      for (const target of Object.values(pkg.bin ?? {})) {
        const file = join(root, 'packages', dir, target);
        expect(existsSync(file), `${pkg.name} bin ${target}`).toBe(true);
        expect(statSync(file).mode & 0o111, `${pkg.name} bin ${target} is executable`).not.toBe(0);
        expect(pkg.files?.some((f) => target.replace(/^\.\//, '').startsWith(f))).toBe(true);
      }
    }
  });
});
