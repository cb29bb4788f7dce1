/**
 * Issue 10 item 19: `sparkle test --timeout <ms>` bounds the whole command — creating the
 * connection, every tier and closing it — against a server that accepts and never answers.
 * The connection's own connect timeout is set far beyond the test's limit, so only the
 * command's deadline can end it; the report names the tier the deadline hit.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unregisterConnection } from '@sparkle/core';
import type { TestResult } from '../src/index.js';
import { run, tempTree } from './helpers.js';

const connector = resolve(import.meta.dirname, '../../connector-postgres/src/index.ts');
let server: Server;
const sockets = new Set<Socket>();
let tree: ReturnType<typeof tempTree>;

beforeAll(async () => {
  // Accepts every connection and never says a word.
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  tree = tempTree({
    'config/connections/postgres/dev.json': { url: `jdbc:postgresql://127.0.0.1:${port}/test`, user: 'app', connectTimeoutMs: 600_000 },
  });
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
  tree.cleanup();
  unregisterConnection('fake_db');
});

describe('sparkle test --timeout', () => {
  it('ends the whole command at the deadline: unhealthy, the hung tier named, exit 1', async () => {
    const result = await run(['--require', connector, 'test', 'postgres', '--timeout', '1500', '--json'], { cwd: tree.dir });
    expect(result.code).toBe(1);
    const report = result.json<TestResult>();
    expect(report.status).toBe('unhealthy');
    expect(report.failedTier).toBe('auth');
    expect(report.steps.find((s) => s.tier === 'auth')?.error?.code).toBe('TIMEOUT');
  }, 20_000);

  it('the executable exits by itself, although the driver still waits for the server', async () => {
    // The child is killed at 60 s (code null): only a process that ends on its own exits 1.
    const packageDir = resolve(import.meta.dirname, '..');
    const tsx = join(packageDir, '../../node_modules/.bin/tsx');
    const spawned = await new Promise<{ code: number | null; stdout: string }>((done) => {
      execFile(
        tsx,
        [join(packageDir, 'src/bin.ts'), '--require', connector, 'test', 'postgres', '--timeout', '1500'],
        { cwd: tree.dir, timeout: 60_000, env: { PATH: process.env.PATH, HOME: process.env.HOME, OPENLINEAGE_DISABLED: 'true', TSX_TSCONFIG_PATH: join(packageDir, 'test/fixtures/tsconfig.spawn.json') } },
        (error, stdout) => done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout }),
      );
    });
    expect(spawned.stdout).toMatch(/UNHEALTHY: auth failed/);
    expect(spawned.code).toBe(1);
  }, 90_000);
});
