/**
 * Issue 10 item 12 through the CLI, with the real PostgreSQL connector's schema: a misspelt
 * secret field is never printed by `config show`, and `lint` calls it an error with a suggestion.
 */
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unregisterConnection } from '@sparkle/core';
import type { ConfigShowResult, LintResult } from '../src/index.js';
import { run, tempTree } from './helpers.js';

const connector = resolve(import.meta.dirname, '../../connector-postgres/src/index.ts');
const VALUE = 'pa55-in-clear-text';
const tree = tempTree({
  'config/connections/postgres/common.json': { driver: 'org.postgresql.Driver', properties: { ssl: 'false' } },
  'config/connections/postgres/dev.json': { url: 'jdbc:postgresql://127.0.0.1:5432/test', user: 'app', pasword: VALUE },
});
afterAll(() => {
  tree.cleanup();
  unregisterConnection('fake_db');
});

describe('unknown config keys', () => {
  it('config show never prints the misspelt secret and reports the key as invalid', async () => {
    const text = await run(['--require', connector, 'config', 'show', 'postgres'], { cwd: tree.dir });
    expect(text.stdout).not.toContain(VALUE);
    expect(text.stdout).toMatch(/pasword\s+\*\*\*/);
    expect(text.stdout).toMatch(/at \$\.pasword: unknown key — did you mean "password"\?/);
    expect(text.code).toBe(1);
    const json = await run(['--require', connector, 'config', 'show', 'postgres', '--json'], { cwd: tree.dir });
    expect(json.stdout).not.toContain(VALUE);
    expect(json.json<ConfigShowResult>().valid).toBe(false);
  });

  it('lint reports it as an error with "did you mean"', async () => {
    const result = await run(['--require', connector, 'lint', '--json'], { cwd: tree.dir });
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain(VALUE);
    const problems = result.json<LintResult>().problems.filter((p) => p.path === '$.pasword');
    expect(problems).toEqual([expect.objectContaining({ severity: 'error', code: 'CONFIG_INVALID', message: expect.stringContaining('did you mean "password"?') })]);
  });
});
