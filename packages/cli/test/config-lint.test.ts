import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unregisterConnection } from '@sparkle/core';
import type { ConfigShowResult, LintResult } from '../src/index.js';
import { run, tempTree } from './helpers.js';

const SECRET = 'pa55-w0rd-xyz';
let tree: ReturnType<typeof tempTree>;

beforeAll(async () => {
  await import('./fixtures/fake-connections.js');
  tree = tempTree({
    'config/connections/fake_db/common.json': { host: 'db.internal', user: 'app', password: '${DB_PASSWORD}', port: 5432 },
    'config/connections/fake_db/dev.json': { host: '${DB_HOST:-localhost}' },
    // qa: an unset variable without default, and a port of the wrong type.
    'config/connections/fake_db/qa.json': { user: '${QA_USER}', port: '5432' },
    // prod: malformed JSON.
    'config/connections/fake_db/prod.json': '{\n  "host": "prod-db",\n  "port": 5432,\n}\n',
    'config/connections/kafka_like/dev.json': { brokers: '${KAFKA_BROKERS}' },
  });
});

afterAll(() => {
  tree.cleanup();
  unregisterConnection('fake_db');
  unregisterConnection('memtable');
});

const configDir = () => `${tree.dir}/config`;

describe('sparkle config show', () => {
  it('shows each resolved value with layer, file and variables; the secret is redacted', async () => {
    const result = await run(['config', 'show', 'fake_db', '--config-dir', configDir()], { env: { DB_PASSWORD: SECRET }, cwd: tree.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain(SECRET);
    expect(result.stdout).toMatch(/^files: config\/connections\/fake_db\/common\.json, config\/connections\/fake_db\/dev\.json$/m);
    expect(result.stdout).toMatch(/^password\s+\*\*\*\s+common config\/connections\/fake_db\/common\.json\s+\$\{DB_PASSWORD\}$/m);
    expect(result.stdout).toMatch(/^host\s+localhost\s+env config\/connections\/fake_db\/dev\.json\s+\$\{DB_HOST \(default\)\}$/m);
    expect(result.stdout).toMatch(/^fetchSize\s+1000\s+schema default$/m);
  });

  it('--json: stable fields, provenance per key, secret redacted', async () => {
    const result = await run(['config', 'show', 'fakedb', '--json', '--config-dir', configDir()], { env: { DB_PASSWORD: SECRET, DB_HOST: 'dev-db' }, cwd: tree.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain(SECRET);
    const body = result.json<ConfigShowResult>();
    expect(body).toMatchObject({ type: 'fake_db', env: 'dev', installed: true, valid: true, issues: [], missingEnvFile: null });
    const byPath = Object.fromEntries(body.keys.map((k) => [k.path, k]));
    expect(byPath.password).toEqual({ path: 'password', value: '***', layer: 'common', file: 'config/connections/fake_db/common.json', envVars: ['DB_PASSWORD'] });
    expect(byPath.host).toEqual({ path: 'host', value: 'dev-db', layer: 'env', file: 'config/connections/fake_db/dev.json', envVars: ['DB_HOST'] });
    expect(byPath.port).toMatchObject({ value: 5432, layer: 'common' });
  });

  it('an invalid config is shown with its problems and exit 1', async () => {
    const result = await run(['config', 'show', 'fake_db', '--env', 'qa', '--config-dir', configDir()], { env: { DB_PASSWORD: SECRET, QA_USER: 'qa' }, cwd: tree.dir });
    expect(result.stdout).not.toContain('not usable yet');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('invalid: 1 problem');
    expect(result.stdout).toContain('config/connections/fake_db/qa.json at $.port: expected number, received string');
  });

  it('unset variables: the rest is still shown, their keys are marked unset, exit 1', async () => {
    const result = await run(['config', 'show', 'fake_db', '--env', 'qa', '--config-dir', configDir()], { env: { DB_PASSWORD: SECRET }, cwd: tree.dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^user\s+<unset: QA_USER>\s+env config\/connections\/fake_db\/qa\.json\s+\$\{QA_USER\}$/m);
    expect(result.stdout).toMatch(/^host\s+db\.internal\s+common /m);
    expect(result.stdout).toContain('not usable yet: QA_USER is unset and has no default');
    // The wrong port type is still reported; nothing is reported for the unset user.
    expect(result.stdout).toContain('invalid: 1 problem');
    expect(result.stdout).not.toContain('placeholder');

    const json = await run(['config', 'show', 'fake_db', '--env', 'qa', '--json', '--config-dir', configDir()], { env: { DB_PASSWORD: SECRET }, cwd: tree.dir });
    const body = json.json<ConfigShowResult>();
    expect(body.valid).toBe(false);
    expect(body.unsetVariables).toEqual([{ name: 'QA_USER', path: '$.user', file: 'config/connections/fake_db/qa.json' }]);
    expect(body.keys.find((k) => k.path === 'user')).toMatchObject({ value: null, unset: ['QA_USER'] });
    expect(json.stdout).not.toContain('placeholder');
  });

  it('malformed JSON: exit 2 with the file, line and column', async () => {
    const result = await run(['config', 'show', 'fake_db', '--env', 'prod', '--config-dir', configDir()], { env: { DB_PASSWORD: SECRET }, cwd: tree.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: \[CONFIG_PARSE\] .*config\/connections\/fake_db\/prod\.json.*line 4/m);
  });

  it('an env name that tries to leave the config directory is refused (exit 2)', async () => {
    const result = await run(['config', 'show', 'fake_db', '--env', '../x', '--config-dir', configDir()], { env: { DB_PASSWORD: SECRET } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: \[INVALID_ENV_NAME\]/);
  });

  it('usage: a missing sub-command or type exits 2', async () => {
    expect((await run(['config'])).code).toBe(2);
    expect((await run(['config', 'show'])).code).toBe(2);
    expect((await run(['config', 'dump', 'fake_db'])).stderr).toContain("Unknown config sub-command 'dump'");
  });
});

describe('sparkle lint', () => {
  it('--all-envs finds the unset variable, the wrong field type and the malformed file; exit 1', async () => {
    const result = await run(['lint', '--all-envs', '--json', '--config-dir', configDir()], { env: { DB_PASSWORD: SECRET, KAFKA_BROKERS: 'k:9092' }, cwd: tree.dir });
    expect(result.code).toBe(1);
    const body = result.json<LintResult>();
    expect(body.ok).toBe(false);
    expect(body.checked.map((c) => `${c.type}/${c.env}`)).toEqual(['fake_db/dev', 'fake_db/prod', 'fake_db/qa', 'kafka_like/dev']);
    const errors = body.problems.filter((p) => p.severity === 'error');
    expect(errors).toEqual([
      expect.objectContaining({ code: 'CONFIG_PARSE', type: 'fake_db', env: 'prod', file: 'config/connections/fake_db/prod.json' }),
      { severity: 'error', code: 'UNSET_VARIABLE', type: 'fake_db', env: 'qa', file: 'config/connections/fake_db/qa.json', path: '$.user', variable: 'QA_USER', message: '${QA_USER} is not set and has no default' },
      { severity: 'error', code: 'CONFIG_INVALID', type: 'fake_db', env: 'qa', file: 'config/connections/fake_db/qa.json', path: '$.port', message: 'expected number, received string' },
    ]);
    // The connector for kafka_like is not installed: a warning, not a failure.
    expect(body.problems.filter((p) => p.severity === 'warning')).toEqual([expect.objectContaining({ code: 'NOT_INSTALLED', type: 'kafka_like' })]);
    expect(result.stdout).not.toContain(SECRET);
  });

  it('an unset ${VAR} of an uninstalled connector is still an error', async () => {
    const result = await run(['lint', '--config-dir', configDir()], { env: { DB_PASSWORD: SECRET }, cwd: tree.dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/kafka_like\/dev: 1 error \(1 warning\)/);
    expect(result.stdout).toContain('${KAFKA_BROKERS} is not set and has no default (config/connections/kafka_like/dev.json at $.brokers)');
    expect(result.stdout).toMatch(/^fake_db\/dev: ok$/m);
    expect(result.stdout).toMatch(/checked 2 type\/env pairs: 1 error, 1 warning/);
  });

  it('a clean env passes with exit 0', async () => {
    const result = await run(['lint', '--env', 'dev', '--config-dir', configDir()], { env: { DB_PASSWORD: SECRET, KAFKA_BROKERS: 'k:9092' }, cwd: tree.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/checked 2 type\/env pairs: 0 errors, 1 warning/);
  });

  it('a key set twice in one file is an error naming its path and line (JSON.parse would keep the last silently)', async () => {
    const dup = tempTree({ 'config/connections/fake_db/dev.json': '{\n  "host": "a",\n  "port": 5432,\n  "host": "b"\n}\n' });
    try {
      const result = await run(['lint', '--env', 'dev', '--config-dir', `${dup.dir}/config`, '--json'], { env: {}, cwd: dup.dir });
      expect(result.code).toBe(1);
      const parsed = JSON.parse(result.stdout) as LintResult;
      expect(parsed.problems).toContainEqual(
        expect.objectContaining({ code: 'DUPLICATE_KEY', path: '$.host', file: 'config/connections/fake_db/dev.json', message: expect.stringContaining('line 4') }),
      );
    } finally {
      dup.cleanup();
    }
  });

  it('a config directory that does not exist is a usage error (exit 2)', async () => {
    const result = await run(['lint', '--config-dir', `${tree.dir}/nope`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error: The config directory .*nope does not exist/);
  });
});
