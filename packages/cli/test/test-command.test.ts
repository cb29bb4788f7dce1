import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unregisterConnection } from '@sparkle/core';
import type { TestResult } from '../src/index.js';
import { run, tempTree } from './helpers.js';

const PASSWORD = 'hunter2-s3cr3t';
let server: Server;
let port: number;
let closedPort: number;
let tree: ReturnType<typeof tempTree>;

/** A port nothing listens on: bind one, note it, close it. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const p = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return p;
}

beforeAll(async () => {
  await import('./fixtures/fake-connections.js');
  // A real listener, so the network tier does a real DNS lookup and TCP connect.
  server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
  closedPort = await freePort();
  tree = tempTree({
    'config/connections/fake_db/common.json': { host: 'localhost', user: 'app', password: '${FAKE_PASSWORD}', expectedPassword: PASSWORD },
    'config/connections/fake_db/dev.json': { port },
    'config/connections/fake_db/prod.json': { port: closedPort },
    'config/connections/fake_db/qa.json': { port, password: 'wrong-password-123' },
    // Configured but not installed: --all reports it as skipped, not as a failure.
    'config/connections/not_installed_db/dev.json': { url: 'x' },
  });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  tree.cleanup();
  unregisterConnection('fake_db');
  unregisterConnection('memtable');
});

describe('sparkle test', () => {
  it('healthy: prints every tier with timings and exits 0', async () => {
    const result = await run(['test', 'fake_db', '--config-dir', `${tree.dir}/config`], { env: { FAKE_PASSWORD: PASSWORD } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/fake_db \(env dev\)\s+healthy/);
    expect(result.stdout).toMatch(/config\s+ok\s+\d+ ms/);
    expect(result.stdout).toMatch(new RegExp(`network\\s+ok\\s+\\d+ ms\\s+localhost:${port} reachable`));
    expect(result.stdout).toMatch(/auth\s+ok\s+\d+ ms\s+logged in as app/);
    expect(result.stdout).toMatch(/probe\s+skipped/);
    expect(result.stdout).not.toContain(PASSWORD);
  });

  it('an alias works and --json gives the tiered report', async () => {
    const result = await run(['test', 'fakedb', '--json', '--config-dir', `${tree.dir}/config`], { env: { FAKE_PASSWORD: PASSWORD } });
    expect(result.code).toBe(0);
    const report = result.json<TestResult>();
    expect(report).toMatchObject({ type: 'fake_db', env: 'dev', status: 'healthy', ok: true });
    expect(report.steps.map((s) => [s.tier, s.status])).toEqual([
      ['config', 'ok'],
      ['network', 'ok'],
      ['auth', 'ok'],
      ['probe', 'skipped'],
    ]);
    for (const step of report.steps) expect(typeof step.durationMs).toBe('number');
  });

  it('unhealthy (wrong password): exit 1, the failed tier named, no secret printed', async () => {
    const result = await run(['test', 'fake_db', '--env', 'qa', '--config-dir', `${tree.dir}/config`], { env: { FAKE_PASSWORD: PASSWORD } });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/UNHEALTHY: auth failed/);
    expect(result.stdout).toMatch(/auth\s+FAILED\s+\d+ ms\s+\[AUTHENTICATION_FAILED\] password authentication failed for user "app"/);
    expect(result.stdout).toMatch(/probe\s+skipped\s+\d+ ms\s+not reached: auth failed/);
    const all = result.stdout + result.stderr;
    expect(all).not.toContain('wrong-password-123');
    expect(all).not.toContain(PASSWORD);
  });

  it('unreachable port: the network tier fails, exit 1', async () => {
    const result = await run(['test', 'fake_db', '--env', 'prod', '--json', '--timeout', '3000', '--config-dir', `${tree.dir}/config`], {
      env: { FAKE_PASSWORD: PASSWORD },
    });
    expect(result.code).toBe(1);
    const report = result.json<TestResult>();
    expect(report.failedTier).toBe('network');
    expect(report.steps.find((s) => s.tier === 'network')?.error?.code).toBe('CONNECTION_FAILED');
  });

  it('--all runs every configured type for the env; not-installed types are skipped', async () => {
    const dev = await run(['test', '--all', '--json', '--config-dir', `${tree.dir}/config`], { env: { FAKE_PASSWORD: PASSWORD } });
    expect(dev.code).toBe(0);
    const body = dev.json<{ ok: boolean; env: string; results: TestResult[] }>();
    expect(body.ok).toBe(true);
    expect(body.results.map((r) => [r.type, r.status])).toEqual([
      ['fake_db', 'healthy'],
      ['not_installed_db', 'skipped'],
    ]);
    expect(body.results[1]!.error?.code).toBe('UNKNOWN_CONNECTION_TYPE');

    const qa = await run(['test', '--all', '--env', 'qa', '--config-dir', `${tree.dir}/config`], { env: { FAKE_PASSWORD: PASSWORD } });
    expect(qa.code).toBe(1);
    expect(qa.stdout).toMatch(/1 tested: 0 healthy, 1 unhealthy, 0 error, 0 skipped/);
  });

  it('a missing variable is a config error: exit 2 naming the variable, file and path', async () => {
    const result = await run(['test', 'fake_db', '--config-dir', `${tree.dir}/config`]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: \[CONFIG_MISSING_ENV\] Missing environment variable FAKE_PASSWORD/);
    expect(result.stderr).toContain('common.json at $.password');
    expect(result.stderr).toMatch(/^hint: /m);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('an unknown type suggests near matches: exit 2', async () => {
    const result = await run(['test', 'fake_bd', '--config-dir', `${tree.dir}/config`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error: \[UNKNOWN_CONNECTION_TYPE\] Unknown connection type 'fake_bd'\. Did you mean 'fake_db'/);
    expect(result.stderr).toContain("hint: run 'sparkle list'");
  });

  it('usage errors exit 2: no type, both a type and --all, an unknown flag, a bad timeout', async () => {
    for (const argv of [['test'], ['test', 'fake_db', '--all'], ['test', 'fake_db', '--bogus'], ['test', 'fake_db', '--timeout', 'soon']]) {
      const result = await run(argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr, argv.join(' ')).toMatch(/^error: /);
    }
  });

  it('SPARKLE_DEBUG=1 adds the stack trace', async () => {
    const result = await run(['test', 'fake_db', '--config-dir', `${tree.dir}/config`], { env: { SPARKLE_DEBUG: '1' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\n\s+at /);
  });
});
