/** The loader and validator as `getConnection` uses them (core's public entry point). */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { getConnection, registerConnection, SparkleConnection, secret } from '../src/index.js';
import { makeTree, removeTrees } from './fixtures/config/tree.js';

afterAll(removeTrees);

const PASSWORD = 'integration-Secret-9931';

class ConfigDemoConnection extends SparkleConnection {
  static override schema = z.object({ url: z.string(), password: secret(z.string()), port: z.coerce.number().int() });
}
registerConnection(['config-demo', 'cfgdemo'], ConfigDemoConnection as never);

class OptionalOnlyConnection extends SparkleConnection {
  static override schema = z.object({ basePath: z.string().optional(), level: z.number().default(3) });
}
registerConnection(['optional-only'], OptionalOnlyConnection as never);

describe('getConnection with the config loader', () => {
  const cwd = makeTree({
    'config/connections/config-demo/common.json': { port: '5432' },
    'config/connections/config-demo/prod.json': { url: 'jdbc:postgresql://db/app', password: '${CFG_DEMO_PASSWORD}' },
  });
  const configDir = join(cwd, 'config');

  it('resolves files through an alias, interpolates, validates and keeps provenance', async () => {
    const conn = await getConnection('cfgdemo', { env: 'prod', configDir, variables: { CFG_DEMO_PASSWORD: PASSWORD }, dotenv: false });
    expect(conn.config).toEqual({ url: 'jdbc:postgresql://db/app', password: PASSWORD, port: 5432 });
    expect(conn.resolved?.provenance.port?.layer).toBe('common');
    expect(String(conn)).not.toContain(PASSWORD);
    await conn.close();
  });

  it('reports validation errors of code config without the secret', async () => {
    const err = (await getConnection('cfgdemo', { config: { url: 7, password: PASSWORD, port: 1 }, dotenv: false, variables: {} }).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('config passed in code at $.url: expected string, received number');
    expect(`${err.message} ${String(err)} ${JSON.stringify(err)}`).not.toContain(PASSWORD);
  });

  it('gives a connector with no required settings an empty config when its type has no config directory', async () => {
    const conn = await getConnection('optional-only', { configDir, dotenv: false, variables: {} });
    expect(conn.config).toEqual({ level: 3 });
    await conn.close();
    // A connector that needs settings still fails, naming where it looked.
    const err = (await getConnection('cfgdemo', { configDir: join(cwd, 'nowhere'), dotenv: false, variables: {} }).catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('CONFIG_NOT_FOUND');
  });

  it('reports a missing variable with file and path', async () => {
    const err = (await getConnection('cfgdemo', { env: 'prod', configDir, variables: {}, dotenv: false }).catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('CONFIG_MISSING_ENV');
    expect(err.message).toContain(`CFG_DEMO_PASSWORD (${join(configDir, 'connections/config-demo/prod.json')} at $.password)`);
  });
});
