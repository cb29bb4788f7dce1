/**
 * The executable end to end: `src/bin.ts` run by tsx in a child process (no build needed; a
 * tsconfig maps workspace packages to their sources), so argv handling, exit codes and the
 * stream split between stdout and stderr are those a shell sees.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, tempTree } from './helpers.js';

const packageDir = resolve(import.meta.dirname, '..');
const workspace = resolve(packageDir, '../..');
const tsx = join(workspace, 'node_modules/.bin/tsx');
const fixture = join(packageDir, 'test/fixtures/fake-connections.ts');

interface Spawned {
  code: number | null;
  stdout: string;
  stderr: string;
}

function sparkle(args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<Spawned> {
  return new Promise((done) => {
    execFile(
      tsx,
      [join(packageDir, 'src/bin.ts'), ...args],
      {
        cwd: options.cwd,
        timeout: 30_000,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, OPENLINEAGE_DISABLED: 'true', TSX_TSCONFIG_PATH: join(packageDir, 'test/fixtures/tsconfig.spawn.json'), ...options.env },
      },
      (error, stdout, stderr) => done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

let server: Server;
let tree: ReturnType<typeof tempTree>;

beforeAll(async () => {
  server = createServer((socket) => socket.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  tree = tempTree({
    'config/connections/fake_db/common.json': { host: '127.0.0.1', port, user: 'app', password: '${FAKE_PASSWORD}', expectedPassword: 'right-one' },
  });
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  tree.cleanup();
});

describe('the sparkle executable', () => {
  it('--require before the command registers a custom connection; healthy → exit 0, JSON on stdout only', async () => {
    const result = await sparkle(['--require', fixture, 'test', 'fake_db', '--json'], { cwd: tree.dir, env: { FAKE_PASSWORD: 'right-one' } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ type: 'fake_db', status: 'healthy' });
  });

  it('wrong password → exit 1, the secret appears nowhere', async () => {
    const result = await sparkle(['test', 'fake_db', '-r', fixture], { cwd: tree.dir, env: { FAKE_PASSWORD: 'not-the-right-one' } });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('UNHEALTHY: auth failed');
    expect(result.stdout + result.stderr).not.toContain('not-the-right-one');
  });

  it('an unknown command → exit 2 with a suggestion on stderr', async () => {
    const result = await sparkle(['lsit'], { cwd: tree.dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: Unknown command 'lsit'/);
  });
});

describe('plugin discovery', () => {
  it('lists connector packages installed under SPARKLE_PLUGIN_PATH, importing them to derive capabilities from code', async () => {
    const result = await run(['list', '--json'], { env: { SPARKLE_PLUGIN_PATH: join(workspace, 'tools') } });
    expect(result.code).toBe(0);
    const types = result.json<Array<{ type: string; aliases: string[]; package: string | null; loaded: boolean; family: string; capabilities: string[]; problem?: string }>>();
    expect(types.find((t) => t.type === 'postgres')).toMatchObject({
      aliases: ['postgresql'],
      family: 'jdbc',
      package: '@sparkle/connector-postgres',
      loaded: true,
      capabilities: ['read', 'write', 'query', 'spark', 'discover'],
    });
    // Netezza has no Node driver: only its Spark mapping is a capability.
    expect(types.find((t) => t.type === 'netezza')?.capabilities).toEqual(['spark']);
    // Every installed connector loads (built dists), and every one has capabilities from its class.
    for (const t of types.filter((x) => x.package?.startsWith('@sparkle/connector-'))) {
      expect(t.problem, t.type).toBeUndefined();
      expect(t.capabilities.length, t.type).toBeGreaterThan(0);
    }
  });
});
