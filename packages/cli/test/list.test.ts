import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    expect(result.stdout).toMatch(/^TYPE\s+ALIASES\s+FAMILY\s+PACKAGE\s+LOADED/m);
    expect(result.stdout).toMatch(/^fake_db\s+fakedb\s+jdbc\s+\(registered in code\)\s+yes$/m);
    expect(result.stdout).toMatch(/Available: \d+ connection types?/);
  });

  it('--help documents the options and exits 0', async () => {
    const result = await run(['list', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: sparkle list');
    expect(result.stdout).toContain('--json');
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
