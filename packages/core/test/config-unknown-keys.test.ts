/**
 * Issue 10 item 12: a key the schema does not declare is an error with "did you mean", and a
 * value is displayed only when its key is known not to be secret (a misspelt `pasword` is not).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SparkleError } from '../src/errors.js';
import { jdbcConfigSchema } from '../src/families/jdbc.js';
import { secret } from '../src/secrets.js';
import { checkConfig, describeProvenance, isDisplayable, loadConfig, openKeys, unknownKeys, validateConfig } from '../src/config/index.js';
import { nearSecretName } from '../src/config/known-keys.js';
import { makeTree, removeTrees } from './fixtures/config/tree.js';

afterAll(removeTrees);

const VALUE = 'hunter2-but-longer';

describe('unknown keys', () => {
  it('a misspelt key is an error naming the file, the path and the key it probably meant', async () => {
    const dir = makeTree({ 'connections/postgres/common.json': { url: 'jdbc:postgresql://db:5432/x', user: 'app', pasword: VALUE } });
    const resolved = await loadConfig({ type: 'postgres', env: 'dev', configDir: dir, variables: {}, dotenv: false });
    let error: unknown;
    try {
      validateConfig(jdbcConfigSchema, resolved, undefined, { type: 'postgres', env: 'dev' });
    } catch (e) {
      error = e;
    }
    expect(SparkleError.isInstance(error)).toBe(true);
    expect((error as SparkleError).code).toBe('CONFIG_INVALID');
    expect((error as SparkleError).message).toMatch(/common\.json at \$\.pasword: unknown key — did you mean "password"\?/);
    expect((error as SparkleError).message).not.toContain(VALUE);
  });

  it('free-form maps accept any key: JDBC properties, shape-less objects, openKeys', () => {
    expect(unknownKeys(jdbcConfigSchema, { url: 'jdbc:x://h/d', properties: { anything: 'goes', sslmode: 'require' } })).toEqual([]);
    expect(unknownKeys(z.looseObject({}), { whatever: 1 })).toEqual([]);
    const open = z.object({ driverOptions: openKeys(z.looseObject({ timeout: z.number().optional() })) });
    expect(unknownKeys(open, { driverOptions: { timeout: 1, extra: true } })).toEqual([]);
  });

  it('checks every level of declared objects, through optional, default, arrays and unions', () => {
    const schema = z.object({
      csv: z.object({ header: z.boolean(), delimiter: z.string() }).partial().default({}),
      targets: z.array(z.object({ name: z.string() })).optional(),
      auth: z.union([z.object({ token: z.string() }), z.object({ user: z.string(), password: z.string() })]).optional(),
    });
    expect(unknownKeys(schema, { csv: { headr: true }, targets: [{ name: 'a' }, { nmae: 'b' }], auth: { usr: 'x' } })).toEqual([
      { path: ['csv', 'headr'], suggestion: 'header' },
      { path: ['targets', 1, 'nmae'], suggestion: 'name' },
      { path: ['auth', 'usr'], suggestion: 'user' },
    ]);
  });

  it('a key far from every declared one gets no suggestion', () => {
    expect(checkConfig(jdbcConfigSchema, { url: 'jdbc:x://h/d', colour: 'blue' }).map((i) => i.message)).toEqual(['config passed in code at $.colour: unknown key (not in the connector\'s schema)']);
  });
});

describe('display only what is known not to be secret', () => {
  it('config show hides an undeclared key, even one not named like a secret', async () => {
    const dir = makeTree({ 'connections/postgres/common.json': { url: 'jdbc:postgresql://db:5432/x', user: 'app', pasword: VALUE, colour: 'blue', properties: { ssl: 'true' } } });
    const resolved = await loadConfig({ type: 'postgres', env: 'dev', configDir: dir, variables: {}, dotenv: false });
    const rows = Object.fromEntries(describeProvenance(resolved, jdbcConfigSchema).map((r) => [r.path, r.value]));
    expect(rows.pasword).toBe('***');
    expect(rows.colour).toBe('***');
    expect(rows.user).toBe('app');
    expect(rows['properties.ssl']).toBe('true');
    expect(JSON.stringify(rows)).not.toContain(VALUE);
  });

  it('isDisplayable: declared and not secret only; near-misses of secret names never', () => {
    const schema = z.object({ user: z.string(), key: secret(z.string()), nested: z.object({ host: z.string() }) });
    expect(isDisplayable(schema, ['user'])).toBe(true);
    expect(isDisplayable(schema, ['nested', 'host'])).toBe(true);
    expect(isDisplayable(schema, ['key'])).toBe(false);
    expect(isDisplayable(schema, ['usr'])).toBe(false);
    expect(isDisplayable(undefined, ['pasword'])).toBe(false);
    expect(isDisplayable(undefined, ['dbPasswrd'])).toBe(false);
    expect(isDisplayable(undefined, ['host'])).toBe(true);
    for (const near of ['pasword', 'passwrod', 'secert', 'tokne', 'apiKye', 'adminPasword']) expect(nearSecretName(near), near).toBe(true);
    for (const plain of ['path', 'schema', 'host', 'driver', 'basePath', 'compression', 'sslmode', 'fetchSize', 'catalog', 'database']) expect(nearSecretName(plain), plain).toBe(false);
  });
});
