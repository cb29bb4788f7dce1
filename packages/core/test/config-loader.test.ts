import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SparkleError } from '../src/errors.js';
import { findUnsetVariables, listConfigEnvs, listConfiguredTypes, loadConfig, loadConfigSync } from '../src/config/index.js';
import { makeTree, removeTrees } from './fixtures/config/tree.js';

afterAll(removeTrees);

/** Catches the error a call throws (failing the test when it does not throw). */
async function failure(fn: () => unknown): Promise<SparkleError> {
  try {
    await fn();
  } catch (err) {
    expect(SparkleError.isInstance(err)).toBe(true);
    return err as SparkleError;
  }
  throw new Error('expected an error');
}

const seedTree = () =>
  makeTree({
    'config/connections/postgres/common.json': { driver: 'org.postgresql.Driver', properties: { fetchsize: '10000', ssl: 'true' }, hosts: ['a', 'b', 'c'] },
    'config/connections/postgres/prod.json': {
      url: 'jdbc:postgresql://prod-db:5432/analytics',
      user: '${POSTGRES_USER}',
      password: '${POSTGRES_PASSWORD}',
      properties: { ssl: 'false' },
      hosts: ['x'],
    },
    'config/connections/postgres/qa.json': { url: 'jdbc:postgresql://qa/db' },
  });

describe('loadConfig: files and merge', () => {
  it('deep-merges common.json with <env>.json; arrays and scalars replace', async () => {
    const cwd = seedTree();
    const resolved = await loadConfig({ type: 'postgres', env: 'prod', cwd, variables: { POSTGRES_USER: 'app', POSTGRES_PASSWORD: 'pw' }, dotenv: false });
    expect(resolved.values).toEqual({
      driver: 'org.postgresql.Driver',
      properties: { fetchsize: '10000', ssl: 'false' },
      hosts: ['x'],
      url: 'jdbc:postgresql://prod-db:5432/analytics',
      user: 'app',
      password: 'pw',
    });
    const dir = join(cwd, 'config/connections/postgres');
    expect(resolved.files).toEqual([join(dir, 'common.json'), join(dir, 'prod.json')]);
    expect(resolved.directory).toBe(dir);
    expect(resolved.env).toBe('prod');
    expect(resolved.type).toBe('postgres');
    expect(resolved.missingEnvFile).toBeUndefined();
  });

  it('records provenance per leaf: layer, file and the variables used', async () => {
    const cwd = seedTree();
    const resolved = loadConfigSync({ type: 'postgres', env: 'prod', cwd, variables: { POSTGRES_USER: 'app', POSTGRES_PASSWORD: 'pw' }, dotenv: false });
    const dir = join(cwd, 'config/connections/postgres');
    expect(resolved.provenance['properties.ssl']).toEqual({ layer: 'env', file: join(dir, 'prod.json') });
    expect(resolved.provenance['properties.fetchsize']).toEqual({ layer: 'common', file: join(dir, 'common.json') });
    expect(resolved.provenance['hosts[0]']).toEqual({ layer: 'env', file: join(dir, 'prod.json') });
    expect(resolved.provenance['hosts[1]']).toBeUndefined(); // the common array was replaced whole
    expect(resolved.provenance.password).toEqual({
      layer: 'env',
      file: join(dir, 'prod.json'),
      envVars: [{ name: 'POSTGRES_PASSWORD', usedDefault: false, source: 'process' }],
    });
  });

  it('loads common.json alone when the env file is missing, and records the missing file', async () => {
    const cwd = seedTree();
    const resolved = await loadConfig({ type: 'postgres', env: 'dev', cwd, dotenv: false, variables: {} });
    expect(resolved.values.driver).toBe('org.postgresql.Driver');
    expect(resolved.files).toEqual([join(cwd, 'config/connections/postgres/common.json')]);
    expect(resolved.missingEnvFile).toBe(join(cwd, 'config/connections/postgres/dev.json'));
  });

  it('loads an env file alone when there is no common.json', async () => {
    const cwd = makeTree({ 'config/connections/s3/prod.json': { bucket: 'b' } });
    const resolved = await loadConfig({ type: 's3', env: 'prod', cwd, dotenv: false, variables: {} });
    expect(resolved.values).toEqual({ bucket: 'b' });
    expect(resolved.provenance.bucket?.layer).toBe('env');
  });

  it('fails with CONFIG_NOT_FOUND naming the directory, the expected files and the envs that exist', async () => {
    const cwd = makeTree({ 'config/connections/kafka/prod.json': {}, 'config/connections/kafka/qa.json': {} });
    const err = await failure(() => loadConfig({ type: 'kafka', env: 'dev', cwd, dotenv: false, variables: {} }));
    expect(err.code).toBe('CONFIG_NOT_FOUND');
    expect(err.message).toContain(join('config', 'connections', 'kafka'));
    expect(err.message).toContain('dev.json');
    expect(err.message).toContain('common.json');
    expect(err.message).toContain('prod, qa');
    expect(err.details.availableEnvs).toEqual(['prod', 'qa']);
  });

  it('fails with CONFIG_NOT_FOUND listing configured types when the type has no directory', async () => {
    const cwd = seedTree();
    const err = await failure(() => loadConfig({ type: 'mysql', env: 'prod', cwd, dotenv: false, variables: {} }));
    expect(err.code).toBe('CONFIG_NOT_FOUND');
    expect(err.message).toContain(join('config', 'connections', 'mysql'));
    expect(err.message).toContain('configured types: postgres');
  });

  it('finds the directory under an alias name', async () => {
    const cwd = makeTree({ 'config/connections/postgresql/dev.json': { url: 'u' } });
    const resolved = await loadConfig({ type: 'postgres', aliases: ['pg', 'postgresql'], env: 'dev', cwd, dotenv: false, variables: {} });
    expect(resolved.values.url).toBe('u');
    expect(resolved.directory).toBe(join(cwd, 'config/connections/postgresql'));
  });

  it('accepts a folder spelt with dashes for a type or alias spelt with underscores, and tries each name once', async () => {
    const cwd = makeTree({ 'config/connections/azure-blob/dev.json': { container: 'c' } });
    const resolved = await loadConfig({ type: 'azure_blob', aliases: ['azure_blob', 'wasb'], env: 'dev', cwd, dotenv: false, variables: {} });
    expect(resolved.directory).toBe(join(cwd, 'config/connections/azure-blob'));
    expect(listConfigEnvs(join(cwd, 'config'), 'azure_blob')).toEqual(['dev']);
    const err = await failure(() => loadConfig({ type: 'kafka', aliases: ['kafka', 'msk'], env: 'dev', cwd, dotenv: false, variables: {} }));
    expect(err.details.directories).toEqual([join(cwd, 'config/connections/kafka'), join(cwd, 'config/connections/msk')]);
  });

  it('takes the root from configDir, then SPARKLE_CONFIG_DIR, then ./config; a root may be the connections dir itself', async () => {
    const cwd = makeTree({
      'config/connections/redis/dev.json': { from: 'default' },
      'elsewhere/connections/redis/dev.json': { from: 'env-var' },
      'flat/redis/dev.json': { from: 'flat' },
    });
    const base = { type: 'redis', env: 'dev', cwd, dotenv: false as const };
    expect((await loadConfig({ ...base, variables: {} })).values.from).toBe('default');
    expect((await loadConfig({ ...base, variables: { SPARKLE_CONFIG_DIR: 'elsewhere' } })).values.from).toBe('env-var');
    expect((await loadConfig({ ...base, variables: { SPARKLE_CONFIG_DIR: 'elsewhere' }, configDir: join(cwd, 'flat') })).values.from).toBe('flat');
    expect((await loadConfig({ ...base, variables: {}, configDir: 'elsewhere/connections' })).values.from).toBe('env-var');
  });

  it('reads SPARKLE_CONFIG_DIR and SPARKLE_ENV from process.env by default', async () => {
    const cwd = makeTree({ 'conf/connections/redis/staging.json': { from: 'staging' } });
    const saved = { dir: process.env.SPARKLE_CONFIG_DIR, env: process.env.SPARKLE_ENV };
    process.env.SPARKLE_CONFIG_DIR = join(cwd, 'conf');
    process.env.SPARKLE_ENV = 'staging';
    try {
      const resolved = await loadConfig({ type: 'redis', cwd, dotenv: false });
      expect(resolved.env).toBe('staging');
      expect(resolved.values.from).toBe('staging');
    } finally {
      for (const [key, value] of [['SPARKLE_CONFIG_DIR', saved.dir], ['SPARKLE_ENV', saved.env]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('defaults the env to SPARKLE_ENV, then dev; an explicit env wins', async () => {
    const cwd = makeTree({ 'config/connections/nats/dev.json': { e: 'dev' }, 'config/connections/nats/qa.json': { e: 'qa' } });
    expect((await loadConfig({ type: 'nats', cwd, dotenv: false, variables: {} })).values.e).toBe('dev');
    expect((await loadConfig({ type: 'nats', cwd, dotenv: false, variables: { SPARKLE_ENV: 'qa' } })).values.e).toBe('qa');
    expect((await loadConfig({ type: 'nats', env: 'dev', cwd, dotenv: false, variables: { SPARKLE_ENV: 'qa' } })).values.e).toBe('dev');
  });

  it.each(['../x', 'a/b', '..', '../../etc', 'a\\b', '', '.hidden', 'a..b'])('rejects the env name %j with INVALID_ENV_NAME', async (env) => {
    const cwd = seedTree();
    const err = await failure(() => loadConfig({ type: 'postgres', env, cwd, dotenv: false, variables: {} }));
    expect(err.code).toBe('INVALID_ENV_NAME');
  });

  it('rejects a hostile env name from SPARKLE_ENV and hostile type or alias names', async () => {
    const cwd = seedTree();
    expect((await failure(() => loadConfig({ type: 'postgres', cwd, dotenv: false, variables: { SPARKLE_ENV: '../prod' } }))).code).toBe('INVALID_ENV_NAME');
    expect((await failure(() => loadConfig({ type: '../postgres', env: 'prod', cwd, dotenv: false, variables: {} }))).code).toBe('INVALID_ENV_NAME');
    expect((await failure(() => loadConfig({ type: 'pg', aliases: ['x/../../y'], env: 'prod', cwd, dotenv: false, variables: {} }))).code).toBe('INVALID_ENV_NAME');
  });

  it('accepts env names with dots, dashes and underscores', async () => {
    const cwd = makeTree({ 'config/connections/pg/eu-west_1.prod.json': { ok: true } });
    expect((await loadConfig({ type: 'pg', env: 'eu-west_1.prod', cwd, dotenv: false, variables: {} })).values.ok).toBe(true);
  });

  it('fails with CONFIG_PARSE naming the file, line and column, without quoting the source', async () => {
    const secretLine = '  "password": "hunter2-very-secret" x,';
    const cwd = makeTree({ 'config/connections/pg/prod.json': `{\n  "user": "app",\n${secretLine}\n  "port": 5432\n}\n` });
    const err = await failure(() => loadConfig({ type: 'pg', env: 'prod', cwd, dotenv: false, variables: {} }));
    expect(err.code).toBe('CONFIG_PARSE');
    expect(err.message).toContain(join('config', 'connections', 'pg', 'prod.json'));
    const column = secretLine.indexOf(' x,') + 2; // 1-based column of the stray `x`
    expect(err.message).toContain(`line 3, column ${column}`);
    expect(err.details).toMatchObject({ line: 3, column });
    for (const text of [err.message, String(err), JSON.stringify(err)]) expect(text).not.toContain('hunter2');
  });

  it('reports a trailing comma and comments with their position', async () => {
    const cwd = makeTree({
      'config/connections/a/dev.json': '{\n  "x": 1,\n}',
      'config/connections/b/dev.json': '{\n  // note\n  "x": 1\n}',
      'config/connections/c/dev.json': '',
    });
    const a = await failure(() => loadConfig({ type: 'a', env: 'dev', cwd, dotenv: false, variables: {} }));
    expect(a.message).toMatch(/trailing comma.*line 3, column 1/);
    const b = await failure(() => loadConfig({ type: 'b', env: 'dev', cwd, dotenv: false, variables: {} }));
    expect(b.message).toMatch(/comments.*line 2, column 3/);
    const c = await failure(() => loadConfig({ type: 'c', env: 'dev', cwd, dotenv: false, variables: {} }));
    expect(c.code).toBe('CONFIG_PARSE');
    expect(c.message).toContain('empty file');
  });

  it('fails with CONFIG_INVALID when a file is not a JSON object', async () => {
    const cwd = makeTree({ 'config/connections/pg/prod.json': '["secret-ish"]', 'config/connections/pg/qa.json': '42' });
    const err = await failure(() => loadConfig({ type: 'pg', env: 'prod', cwd, dotenv: false, variables: {} }));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain(join('pg', 'prod.json'));
    expect(err.message).toContain('found an array');
    expect(err.message).not.toContain('secret-ish');
    expect((await failure(() => loadConfig({ type: 'pg', env: 'qa', cwd, dotenv: false, variables: {} }))).message).toContain('found a number');
  });

  it('does not let a "__proto__" key change prototypes', async () => {
    const cwd = makeTree({
      'config/connections/pg/common.json': '{"__proto__": {"polluted": true}, "a": {"__proto__": {"x": 1}}}',
      'config/connections/pg/dev.json': '{"__proto__": {"polluted2": true}}',
    });
    const resolved = await loadConfig({ type: 'pg', env: 'dev', cwd, dotenv: false, variables: {} });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((resolved.values as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(resolved.values)).toBe(Object.prototype);
    expect(Object.hasOwn(resolved.values, '__proto__')).toBe(true);
  });
});

describe('loadConfig: config passed in code', () => {
  it('skips files entirely (even a broken tree) and still interpolates', async () => {
    const cwd = makeTree({ 'config/connections/pg/dev.json': '{ broken' });
    const resolved = await loadConfig({
      type: 'pg',
      env: 'dev',
      cwd,
      dotenv: false,
      variables: { PGPASS: 'pw' },
      config: { url: 'jdbc:postgresql://localhost:5432/test', password: '${PGPASS}', opts: { n: 1 } },
    });
    expect(resolved.values).toEqual({ url: 'jdbc:postgresql://localhost:5432/test', password: 'pw', opts: { n: 1 } });
    expect(resolved.files).toEqual([]);
    expect(resolved.directory).toBeUndefined();
    expect(resolved.provenance['opts.n']).toEqual({ layer: 'code' });
    expect(resolved.provenance.password?.envVars?.[0]?.name).toBe('PGPASS');
  });

  it('does not mutate the config object passed in', async () => {
    const config = { password: '${P}', nested: { list: [1] } };
    const resolved = await loadConfig({ type: 'pg', config, dotenv: false, variables: { P: 'x' } });
    (resolved.values.nested as { list: number[] }).list.push(2);
    expect(config).toEqual({ password: '${P}', nested: { list: [1] } });
  });

  it('names "config passed in code" for a missing variable', async () => {
    const err = await failure(() => loadConfig({ type: 'pg', config: { password: '${NOPE_X}' }, dotenv: false, variables: {} }));
    expect(err.code).toBe('CONFIG_MISSING_ENV');
    expect(err.message).toContain('NOPE_X (config passed in code at $.password)');
  });
});

describe('loadConfig: interpolation', () => {
  it('fills ${VAR} and ${VAR:-default} in nested objects and arrays; $${ escapes; whole-string stays a string', async () => {
    const cwd = makeTree({
      'config/connections/http/dev.json': {
        url: 'https://${HOST:-localhost}:${PORT}/v1',
        port: '${PORT}',
        literal: 'price $${AMOUNT} and $$ and $5',
        nested: { list: ['${A}', { deep: '${B:-${C:-fallback}}' }], empty: '${EMPTY:-was-empty}', blank: '${EMPTY}' },
        untouched: 42,
      },
    });
    const resolved = await loadConfig({ type: 'http', env: 'dev', cwd, dotenv: false, variables: { PORT: '8443', A: 'alpha', EMPTY: '' } });
    expect(resolved.values).toEqual({
      url: 'https://localhost:8443/v1',
      port: '8443',
      literal: 'price ${AMOUNT} and $$ and $5',
      nested: { list: ['alpha', { deep: 'fallback' }], empty: 'was-empty', blank: '' },
      untouched: 42,
    });
    expect(resolved.provenance.url?.envVars).toEqual([
      { name: 'HOST', usedDefault: true, source: 'default' },
      { name: 'PORT', usedDefault: false, source: 'process' },
    ]);
    expect(resolved.provenance['nested.list[1].deep']?.envVars?.map((v) => v.name)).toEqual(['B', 'C']);
  });

  it('lists every missing variable in one error, each with file and JSON path', async () => {
    const cwd = makeTree({
      'config/connections/pg/common.json': { properties: { appName: '${APP_NAME}' }, unused: '${OVERRIDDEN}' },
      'config/connections/pg/prod.json': { user: '${PG_USER}', password: '${PG_PASSWORD}', hosts: ['${PG_HOST}'], unused: 'set', ok: '${SET:-${NOT_NEEDED}}' },
    });
    const err = await failure(() => loadConfig({ type: 'pg', env: 'prod', cwd, dotenv: false, variables: { SET: 'y' } }));
    expect(err.code).toBe('CONFIG_MISSING_ENV');
    const prod = join('config', 'connections', 'pg', 'prod.json');
    const common = join('config', 'connections', 'pg', 'common.json');
    expect(err.message).toContain(`APP_NAME (${common} at $.properties.appName)`);
    expect(err.message).toContain(`PG_USER (${prod} at $.user)`);
    expect(err.message).toContain(`PG_PASSWORD (${prod} at $.password)`);
    expect(err.message).toContain(`PG_HOST (${prod} at $.hosts[0])`);
    expect(err.message).not.toContain('OVERRIDDEN'); // overridden by the env file: never needed
    expect(err.message).not.toContain('NOT_NEEDED'); // default not taken
    expect(err.details.variables).toEqual(['APP_NAME', 'PG_USER', 'PG_PASSWORD', 'PG_HOST']);
  });

  it('rejects a malformed reference with CONFIG_INVALID naming file and path, not the value', async () => {
    const cwd = makeTree({ 'config/connections/pg/dev.json': { password: 'topsecret${NOT CLOSED', x: '${}' } });
    const err = await failure(() => loadConfig({ type: 'pg', env: 'dev', cwd, dotenv: false, variables: {} }));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain(`${join('pg', 'dev.json')} at $.password`);
    expect(err.message).not.toContain('topsecret');
  });

  it('findUnsetVariables reports unset variables without throwing', () => {
    const cwd = makeTree({ 'config/connections/pg/prod.json': { user: '${U}', password: '${P}', host: '${H:-localhost}' } });
    const unset = findUnsetVariables({ type: 'pg', env: 'prod', cwd, dotenv: false, variables: { U: 'u' } });
    expect(unset).toEqual([{ name: 'P', path: '$.password', file: join(cwd, 'config/connections/pg/prod.json') }]);
  });
});

describe('loadConfig: .env files', () => {
  it('reads .env from the working directory and the config root; the environment wins; provenance names the source', async () => {
    const cwd = makeTree({
      '.env': 'export DB_USER=from-cwd\nDB_HOST=cwd-host\nSHARED=cwd\n',
      'config/.env': 'SHARED=root\n# comment\nDB_PASSWORD="p@ss\\nword"\n',
      'config/connections/pg/dev.json': { user: '${DB_USER}', host: '${DB_HOST}', password: '${DB_PASSWORD}', shared: '${SHARED}' },
    });
    const resolved = await loadConfig({ type: 'pg', env: 'dev', cwd, variables: { DB_HOST: 'env-host' } });
    expect(resolved.values).toEqual({ user: 'from-cwd', host: 'env-host', password: 'p@ss\nword', shared: 'root' });
    expect(resolved.dotenvFiles).toEqual([join(cwd, '.env'), join(cwd, 'config/.env')]);
    expect(resolved.provenance.user?.envVars).toEqual([{ name: 'DB_USER', usedDefault: false, source: 'dotenv', file: join(cwd, '.env') }]);
    expect(resolved.provenance.host?.envVars).toEqual([{ name: 'DB_HOST', usedDefault: false, source: 'process' }]);
    expect(resolved.provenance.shared?.envVars?.[0]?.file).toBe(join(cwd, 'config/.env'));
  });

  it('reads only the explicit dotenv file when one is given, and fails when it is missing', async () => {
    const cwd = makeTree({
      '.env': 'X=cwd\n',
      'secrets/prod.env': 'X=explicit\n',
      'config/connections/pg/dev.json': { x: '${X}' },
    });
    expect((await loadConfig({ type: 'pg', env: 'dev', cwd, variables: {}, dotenv: 'secrets/prod.env' })).values.x).toBe('explicit');
    const err = await failure(() => loadConfig({ type: 'pg', env: 'dev', cwd, variables: {}, dotenv: 'secrets/none.env' }));
    expect(err.code).toBe('CONFIG_NOT_FOUND');
    expect(err.message).toContain('none.env');
  });

  it('ignores .env files when dotenv is false', async () => {
    const cwd = makeTree({ '.env': 'X=cwd\n', 'config/connections/pg/dev.json': { x: '${X}' } });
    const err = await failure(() => loadConfig({ type: 'pg', env: 'dev', cwd, variables: {}, dotenv: false }));
    expect(err.code).toBe('CONFIG_MISSING_ENV');
  });

  it('takes SPARKLE_ENV and SPARKLE_CONFIG_DIR from the working directory .env', async () => {
    const cwd = makeTree({ '.env': 'SPARKLE_ENV=qa\nSPARKLE_CONFIG_DIR=cfg\n', 'cfg/connections/pg/qa.json': { e: 'qa' } });
    const resolved = await loadConfig({ type: 'pg', cwd, variables: {} });
    expect(resolved.env).toBe('qa');
    expect(resolved.root).toBe(join(cwd, 'cfg'));
  });

  it('does not modify process.env', async () => {
    const cwd = makeTree({ '.env': 'SPARKLE_TEST_ONLY_DOTENV=1\n', 'config/connections/pg/dev.json': { x: '${SPARKLE_TEST_ONLY_DOTENV}' } });
    expect((await loadConfig({ type: 'pg', env: 'dev', cwd })).values.x).toBe('1');
    expect(process.env.SPARKLE_TEST_ONLY_DOTENV).toBeUndefined();
  });

  it('reports a malformed .env line by file and line number only', async () => {
    const cwd = makeTree({ '.env': 'OK=1\nthis line has a secret-token-123 but no equals\n', 'config/connections/pg/dev.json': {} });
    const err = await failure(() => loadConfig({ type: 'pg', env: 'dev', cwd, variables: {} }));
    expect(err.code).toBe('CONFIG_PARSE');
    expect(err.message).toContain('.env');
    expect(err.message).toContain('line 2');
    expect(err.message).not.toContain('secret-token-123');
  });
});

describe('listing helpers', () => {
  it('listConfigEnvs and listConfiguredTypes read the tree', () => {
    const cwd = seedTree();
    const root = join(cwd, 'config');
    expect(listConfigEnvs(root, 'postgres')).toEqual(['prod', 'qa']);
    expect(listConfigEnvs(root, 'pg', ['postgres'])).toEqual(['prod', 'qa']);
    expect(listConfigEnvs(root, 'mysql')).toEqual([]);
    expect(listConfiguredTypes(root)).toEqual(['postgres']);
    expect(listConfiguredTypes(join(root, 'connections'))).toEqual(['postgres']);
    expect(listConfiguredTypes(join(cwd, 'missing'))).toEqual([]);
    expect(() => listConfigEnvs(root, '../x')).toThrow(/Invalid connection type name/);
  });
});
