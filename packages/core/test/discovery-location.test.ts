/**
 * Issue 10 item 5: discovery does not depend on the working directory. A program started from
 * elsewhere finds the connectors installed beside itself (a real child process, run by tsx from
 * a directory with no node_modules), and the default search includes where core is installed.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultPluginDirs } from '../src/index.js';

const workspace = resolve(import.meta.dirname, '../../..');
const coreSource = join(workspace, 'packages/core/src/index.ts');
const root = mkdtempSync(join(tmpdir(), 'sparkle-discovery-location-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(file: string, text: string) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

describe('discovery from where the program and core are installed', () => {
  it('an app run from another directory sees the connectors installed beside it', async () => {
    const app = join(root, 'app');
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere, { recursive: true });
    const pkg = join(app, 'node_modules/@acme/sparkle-connector-gadgets');
    write(join(pkg, 'package.json'), JSON.stringify({ name: '@acme/sparkle-connector-gadgets', version: '1.0.0', type: 'module', exports: { '.': './index.js' }, sparkle: { type: 'gadgets' } }));
    // The connector takes core from a global the app sets (it cannot resolve core's TypeScript sources).
    write(
      join(pkg, 'index.js'),
      `const { SparkleConnection, registerConnection } = globalThis[Symbol.for('sparkle.test.core')];
       export class GadgetsConnection extends SparkleConnection {}
       registerConnection('gadgets', GadgetsConnection);`,
    );
    write(
      join(app, 'main.mjs'),
      `import * as core from ${JSON.stringify(coreSource)};
       globalThis[Symbol.for('sparkle.test.core')] = core;
       const conn = await core.getConnection('gadgets', { config: {}, dotenv: false });
       console.log(JSON.stringify({ types: core.ConnectionFactory.listAvailable(), cls: conn.constructor.name }));`,
    );
    const tsx = join(workspace, 'node_modules/.bin/tsx');
    const out = await new Promise<{ stdout: string; stderr: string; code: number | null }>((done) => {
      execFile(tsx, [join(app, 'main.mjs')], { cwd: elsewhere, timeout: 60_000, env: { PATH: process.env.PATH, HOME: process.env.HOME, OPENLINEAGE_DISABLED: 'true' } }, (error, stdout, stderr) =>
        done({ stdout, stderr, code: error ? (typeof error.code === 'number' ? error.code : null) : 0 }),
      );
    });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const result = JSON.parse(out.stdout.trim().split('\n').at(-1)!) as { types: string[]; cls: string };
    expect(result.types).toContain('gadgets');
    expect(result.cls).toBe('GadgetsConnection');
  }, 90_000);

  it("the default search includes core's own installation directory", () => {
    const coreDir = dirname(fileURLToPath(new URL('../src/discovery.ts', import.meta.url)));
    expect(defaultPluginDirs()).toContain(coreDir);
    expect(defaultPluginDirs()[0]).toBe(process.cwd());
  });
});
