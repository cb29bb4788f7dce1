import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as core from '@sparkle/core';
import { unregisterConnection } from '@sparkle/core';
import type { ListedType } from '../src/index.js';
import { run } from './helpers.js';

describe('sparkle list', () => {
  beforeAll(async () => {
    await import('./fixtures/fake-connections.js');
  });
  afterAll(() => {
    unregisterConnection('fake_db');
    unregisterConnection('memtable');
  });

  it('--json lists registered classes with type, aliases, family, package and loaded', async () => {
    const result = await run(['list', '--json']);
    expect(result.code).toBe(0);
    const types = result.json<ListedType[]>();
    const fake = types.find((t) => t.type === 'fake_db');
    expect(fake).toEqual({ type: 'fake_db', aliases: ['fakedb'], family: 'jdbc', package: null, loaded: true, capabilities: [] });
    // Sorted by type, so scripts can diff runs.
    expect(types.map((t) => t.type)).toEqual([...types.map((t) => t.type)].sort());
  });

  it('prints a table and a count for people', async () => {
    const result = await run(['list']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^TYPE\s+ALIASES\s+FAMILY\s+PACKAGE\s+LOADED\s+CAPABILITIES/m);
    expect(result.stdout).toMatch(/^fake_db\s+fakedb\s+jdbc\s+\(registered in code\)\s+yes\s+-$/m);
    expect(result.stdout).toMatch(/^memtable\s+.*\s+yes\s+read,write$/m);
    expect(result.stdout).toMatch(/Available: \d+ connection types?/);
  });

  it('--help documents the options and exits 0', async () => {
    const result = await run(['list', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: sparkle list');
    expect(result.stdout).toContain('--json');
  });
});

describe('sparkle list: installed packages', () => {
  // Fake installed connectors. Their entries take core from a global (a temp dir cannot resolve
  // '@sparkle/core', and Node cannot import core's TypeScript sources).
  const root = mkdtempSync(join(tmpdir(), 'sparkle-cli-list-'));
  (globalThis as Record<symbol, unknown>)[Symbol.for('sparkle.test.cli-core')] = core;
  const fake = (name: string, sparkle: object, source: string) => {
    const dir = join(root, 'node_modules', ...name.split('/'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', exports: { '.': './index.js' }, sparkle }));
    writeFileSync(join(dir, 'index.js'), source);
  };
  // Declares a stale capability list: list must show what the class does instead.
  fake(
    '@acme/connector-gadgets',
    { type: 'gadgets', aliases: [], family: 'api', capabilities: ['write', 'query'], core: `^${core.CORE_VERSION}` },
    `const { SparkleConnection, registerConnection } = globalThis[Symbol.for('sparkle.test.cli-core')];
     class GadgetsConnection extends SparkleConnection {
       static family = 'api';
       async nativeRead() { return { partitions: [] }; }
       sparkRead() { return { format: 'gadgets', options: {}, secretOptions: [] }; }
       async send() { return { accepted: 1 }; }
     }
     registerConnection({ type: 'gadgets', aliases: [], family: 'api', packageName: '@acme/connector-gadgets' }, GadgetsConnection);`,
  );
  fake('@acme/connector-future', { type: 'future_gadgets', family: 'api', core: '^99.0.0' }, `throw new Error('must never be imported');`);
  afterAll(() => {
    unregisterConnection('gadgets');
    unregisterConnection('future_gadgets');
    rmSync(root, { recursive: true, force: true });
  });

  it('--json derives capabilities from each installed class and reports an incompatible core', async () => {
    const result = await run(['list', '--json'], { cwd: root });
    expect(result.code).toBe(0);
    const types = result.json<ListedType[]>();
    expect(types.find((t) => t.type === 'gadgets')).toEqual({
      type: 'gadgets',
      aliases: [],
      family: 'api',
      package: '@acme/connector-gadgets',
      loaded: true,
      capabilities: ['read', 'spark', 'notify'],
    });
    const future = types.find((t) => t.type === 'future_gadgets')!;
    expect(future).toMatchObject({ loaded: false, capabilities: [], package: '@acme/connector-future' });
    expect(future.problem).toBe(
      `@acme/connector-future (type 'future_gadgets') requires @sparkle/core ^99.0.0, but this installation has @sparkle/core ${core.CORE_VERSION}. ` +
        `Install a version of @acme/connector-future built for core ${core.CORE_VERSION}, or align @sparkle/core with it.`,
    );
  });
});

describe('sparkle (no command, help, version)', () => {
  it('no command: usage on stderr, exit 2; --help and help <command>: stdout, exit 0', async () => {
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('Usage: sparkle <command>');
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['list', 'test', 'config show', 'lint', 'copy']) expect(help.stdout).toContain(`  ${command} `);
    const topic = await run(['help', 'copy']);
    expect(topic.code).toBe(0);
    expect(topic.stdout).toContain('Usage: sparkle copy <source> <target>');
  });

  it('--version prints the package version', async () => {
    const { version } = (await import('../package.json', { with: { type: 'json' } })).default;
    const result = await run(['--version']);
    expect(result.stdout.trim()).toBe(version);
  });
});
