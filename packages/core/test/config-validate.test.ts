import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SparkleError } from '../src/errors.js';
import { secret } from '../src/secrets.js';
import { describeProvenance, formatZodIssues, loadConfig, validateConfig } from '../src/config/index.js';
import { makeTree, removeTrees } from './fixtures/config/tree.js';

afterAll(removeTrees);

const SECRET = 'Sup3r-S3cret-Passw0rd!';

const schema = z.object({
  url: z.string(),
  user: z.string(),
  password: secret(z.string().min(40)),
  port: z.coerce.number().int().positive(),
  mode: z.enum(['read', 'write']).default('read'),
  properties: z.object({ ssl: z.enum(['true', 'false']), fetchsize: z.string() }).default({ ssl: 'false', fetchsize: '1000' }),
  tags: z.array(z.string()).default([]),
});

function caught(fn: () => unknown): SparkleError {
  try {
    fn();
  } catch (err) {
    expect(SparkleError.isInstance(err)).toBe(true);
    return err as SparkleError;
  }
  throw new Error('expected an error');
}

const tree = () =>
  makeTree({
    'config/connections/pg/common.json': { properties: { ssl: 'yes', fetchsize: 10 }, port: '${PG_PORT:-5432}' },
    'config/connections/pg/prod.json': { url: 'jdbc:postgresql://db/app', user: 42, password: '${PG_PASSWORD}', mode: 'admin' },
  });

describe('validateConfig', () => {
  it('returns the parsed value (coercion and defaults applied)', async () => {
    const cwd = makeTree({ 'config/connections/pg/dev.json': { url: 'u', user: 'app', password: 'x'.repeat(40), port: '${PORT}' } });
    const resolved = await loadConfig({ type: 'pg', env: 'dev', cwd, dotenv: false, variables: { PORT: '6543' } });
    const config = validateConfig(schema, resolved, resolved.values, { type: 'pg', env: 'dev' });
    expect(config.port).toBe(6543);
    expect(config.mode).toBe('read');
    expect(config.tags).toEqual([]);
  });

  it('lists each issue as "<file> at $.path: expected <x>, received <type>" and never the value', async () => {
    const cwd = tree();
    const resolved = await loadConfig({ type: 'pg', env: 'prod', cwd, dotenv: false, variables: { PG_PASSWORD: SECRET, PG_PORT: 'not-a-port' } });
    const err = caught(() => validateConfig(schema, resolved, resolved.values, { type: 'pg', env: 'prod', cwd }));
    expect(err.code).toBe('CONFIG_INVALID');
    const prod = join('config', 'connections', 'pg', 'prod.json');
    const common = join('config', 'connections', 'pg', 'common.json');
    expect(err.message).toContain("Invalid config for 'pg' (env 'prod')");
    expect(err.message).toContain(`${prod} at $.user: expected string, received number`);
    expect(err.message).toContain(`${prod} at $.password: expected a string of length >= 40, received string (value from \${PG_PASSWORD})`);
    expect(err.message).toContain(`${prod} at $.mode: expected one of "read", "write", received string`);
    expect(err.message).toContain(`${common} at $.port: expected number, received string (value from \${PG_PORT})`);
    expect(err.message).toContain(`${common} at $.properties.ssl: expected one of "true", "false", received string`);
    expect(err.message).toContain(`${common} at $.properties.fetchsize: expected string, received number`);
    for (const text of [err.message, String(err), JSON.stringify(err), err.stack ?? '']) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('not-a-port');
    }
    const issues = err.details.issues as Array<{ path: string; received: string; file: string }>;
    expect(issues.find((i) => i.path === '$.password')).toMatchObject({ received: 'string', file: prod });
  });

  it('names every merged file for a missing key, and "config passed in code" without files', async () => {
    const cwd = tree();
    const resolved = await loadConfig({ type: 'pg', env: 'prod', cwd, dotenv: false, variables: { PG_PASSWORD: SECRET } });
    const strict = z.object({ host: z.string() });
    const err = caught(() => validateConfig(strict, resolved, resolved.values, { type: 'pg', env: 'prod', cwd }));
    expect(err.message).toContain(`${join('config', 'connections', 'pg', 'common.json')} + ${join('config', 'connections', 'pg', 'prod.json')} at $.host: expected string, received undefined`);

    const inCode = caught(() => validateConfig(schema, undefined, { url: 'u', user: 'app', password: SECRET, port: 1 }, { type: 'pg' }));
    expect(inCode.message).toContain('config passed in code at $.password: expected a string of length >= 40, received string');
    expect(JSON.stringify(inCode)).not.toContain(SECRET);
    expect(String(inCode)).not.toContain(SECRET);
  });

  it('keeps a custom refinement message but scrubs known secrets from it', () => {
    const refined = z.object({
      password: secret(z.string()).refine((p) => p.length > 50, { message: `password ${SECRET} is too short` }),
    });
    const err = caught(() => validateConfig(refined, undefined, { password: SECRET }, { type: 'x' }));
    expect(err.message).toContain('config passed in code at $.password: expected password *** is too short, received string');
    expect(err.message).not.toContain(SECRET);
  });

  it('describes unions, unknown keys and array items by path', () => {
    const s = z.strictObject({ port: z.union([z.number(), z.string()]), hosts: z.array(z.string()).min(2) });
    const lines = formatZodIssues(s.safeParse({ port: true, hosts: [1], extra: 'x' }).error!.issues, { port: true, hosts: [1], extra: 'x' });
    expect(lines).toContain('config passed in code at $.port: expected number | string, received boolean');
    expect(lines).toContain('config passed in code at $.hosts[0]: expected string, received number');
    expect(lines).toContain('config passed in code at $.hosts: expected an array with >= 2 items, received array');
    expect(lines).toContain('config passed in code at $: expected no unknown keys (found "extra"), received object');
  });
});

describe('describeProvenance', () => {
  it('gives one redacted row per value with layer, file and variables; schema defaults show as default', async () => {
    const cwd = makeTree({
      'config/connections/pg/common.json': { properties: { ssl: 'true', fetchsize: '10000' } },
      'config/connections/pg/prod.json': {
        url: 'jdbc:postgresql://db/app?user=app&password=${PG_PASSWORD}',
        user: '${PG_USER:-app}',
        password: '${PG_PASSWORD}',
        port: '5432',
      },
    });
    const password = 'x'.repeat(39) + 'Z';
    const resolved = await loadConfig({ type: 'pg', env: 'prod', cwd, dotenv: false, variables: { PG_PASSWORD: password } });
    const rows = describeProvenance(resolved, schema);
    const byPath = Object.fromEntries(rows.map((r) => [r.path, r]));
    const prod = join(cwd, 'config/connections/pg/prod.json');
    expect(byPath.password).toEqual({ path: 'password', value: '***', layer: 'env', file: prod, envVars: ['PG_PASSWORD'] });
    expect(byPath.url?.value).toBe('***'); // built from a secret-named variable
    expect(byPath.user).toEqual({ path: 'user', value: 'app', layer: 'env', file: prod, envVars: ['PG_USER (default)'] });
    expect(byPath['properties.ssl']).toMatchObject({ value: 'true', layer: 'common' });
    expect(byPath.port).toMatchObject({ value: '5432', layer: 'env' }); // as resolved, before coercion
    expect(byPath.mode).toEqual({ path: 'mode', value: 'read', layer: 'default', envVars: [] });
    expect(byPath.tags).toEqual({ path: 'tags', value: [], layer: 'default', envVars: [] });
    expect(byPath['properties.fetchsize']?.layer).toBe('common'); // not shadowed by the schema default
    expect(JSON.stringify(rows)).not.toContain(password);
  });

  it('redacts secret-named keys without a schema', async () => {
    const resolved = await loadConfig({ type: 'x', config: { apiKey: 'k-123456', nested: { token: 't-123456' }, host: 'h' }, dotenv: false, variables: {} });
    const rows = describeProvenance(resolved);
    expect(rows).toEqual([
      { path: 'apiKey', value: '***', layer: 'code', envVars: [] },
      { path: 'nested.token', value: '***', layer: 'code', envVars: [] },
      { path: 'host', value: 'h', layer: 'code', envVars: [] },
    ]);
  });
});
