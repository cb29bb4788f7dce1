/**
 * Helpers that find — or start — the real services connector tests talk to. Everything binds to
 * loopback only. A helper returns `null` with a printed reason when a service cannot be had, so
 * the suite skips by declaration rather than failing for an environmental reason (unless the
 * test declares the service required and `CI` is set).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, chmodSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** True when something accepts TCP connections at host:port within `timeoutMs`. */
export function tcpOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A temporary directory removed by `cleanup()` (or `await using`). */
export interface TempDir extends AsyncDisposable {
  path: string;
  cleanup(): Promise<void>;
}

/**
 * Creates a private temporary directory.
 * @example
 * await using dir = await tempDir('sqlite-');
 * const file = join(dir.path, 'test.db');
 */
export async function tempDir(prefix = 'sparkle-test-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  const cleanup = () => rm(path, { recursive: true, force: true });
  return { path, cleanup, [Symbol.asyncDispose]: cleanup };
}

/** A PostgreSQL server a test can use. */
export interface PostgresService {
  /** Where it came from: the machine's server, a private PGlite, or a private initdb cluster. */
  source: 'server' | 'pglite' | 'cluster' | 'env';
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  /** `jdbc:postgresql://host:port/database`. */
  url: string;
  /** A Sparkle config for it (the seed's shape). */
  config: Record<string, unknown>;
  stop(): Promise<void>;
}

function postgresService(source: PostgresService['source'], host: string, port: number, user: string, database: string, stop: () => Promise<void>, password?: string): PostgresService {
  const url = `jdbc:postgresql://${host}:${port}/${database}`;
  const config: Record<string, unknown> = { url, user };
  if (password !== undefined) config.password = password;
  return { source, host, port, user, password, database, url, config, stop };
}

async function canLogin(host: string, port: number, user: string, database: string, password?: string): Promise<boolean> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ host, port, user, database, password, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A private, in-process PostgreSQL (PGlite, real Postgres compiled to WASM) served over the wire
 * protocol on a random loopback port. It accepts any password (PGlite has no authentication).
 */
export async function startPglite(): Promise<PostgresService> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 16 } as ConstructorParameters<typeof PGLiteSocketServer>[0]);
  await server.start();
  const address = (server as unknown as { server?: Server }).server?.address();
  const port = typeof address === 'object' && address ? address.port : (server as unknown as { port: number }).port;
  return postgresService('pglite', '127.0.0.1', port, 'postgres', 'postgres', async () => {
    await server.stop().catch(() => undefined);
    await db.close().catch(() => undefined);
  });
}

/**
 * The PostgreSQL for a test: `SPARKLE_TEST_POSTGRES_URL` when set, else the server on
 * 127.0.0.1:5432 (user `postgres`, database `test`) when it answers, else a private PGlite.
 */
export async function findPostgres(options: { allowPglite?: boolean } = {}): Promise<PostgresService | null> {
  const fromEnv = process.env.SPARKLE_TEST_POSTGRES_URL;
  if (fromEnv) {
    const u = new URL(fromEnv.replace(/^jdbc:/, '').replace(/^postgresql:/, 'postgres:'));
    return postgresService('env', u.hostname, Number(u.port || 5432), decodeURIComponent(u.username || 'postgres'), u.pathname.slice(1) || 'postgres', async () => undefined, u.password ? decodeURIComponent(u.password) : undefined);
  }
  if ((await tcpOpen('127.0.0.1', 5432)) && (await canLogin('127.0.0.1', 5432, 'postgres', 'test'))) {
    return postgresService('server', '127.0.0.1', 5432, 'postgres', 'test', async () => undefined);
  }
  if (options.allowPglite === false) {
    console.warn('[testkit] no PostgreSQL at 127.0.0.1:5432 (run tools/services/ensure-postgres.sh)');
    return null;
  }
  console.warn('[testkit] no PostgreSQL at 127.0.0.1:5432: using a private PGlite server');
  return startPglite();
}

/** The PostgreSQL server binaries (initdb, postgres) of a Debian install, if any. */
export function postgresBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], 'bin') : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * A private real PostgreSQL cluster (initdb in a temp dir, loopback, random port) that demands a
 * password (scram-sha-256) — for tests of authentication, which the trust-configured shared
 * server and PGlite cannot fail. Returns null with a reason when the binaries are missing.
 * Runs the server as the `postgres` OS user when started as root (PostgreSQL refuses root).
 */
export async function startPostgresCluster(options: { user?: string; password: string; timeoutMs?: number }): Promise<PostgresService | { skip: string }> {
  const bin = postgresBinDir();
  if (!bin) return { skip: 'PostgreSQL server binaries are not installed (apt-get install postgresql)' };
  const asRoot = process.getuid?.() === 0;
  if (asRoot && spawnSync('id', ['-u', 'postgres']).status !== 0) return { skip: 'running as root and there is no postgres OS user to run the server as' };
  const dir = mkdtempSync(join(tmpdir(), 'sparkle-pg-'));
  const data = join(dir, 'data');
  const user = options.user ?? 'sparkle';
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, options.password + '\n');
  chmodSync(dir, 0o777);
  chmodSync(pwfile, 0o644);
  const run = (cmd: string, args: string[]) => (asRoot ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' }));
  const init = run(join(bin, 'initdb'), ['-D', data, '-U', user, '--pwfile', pwfile, '--auth', 'scram-sha-256', '-E', 'UTF8', '--no-sync']);
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return { skip: `initdb failed: ${(init.stderr || init.stdout).slice(0, 300)}` };
  }
  const port = await freePort();
  const args = ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`, '-c', 'fsync=off', '-c', 'shared_buffers=16MB'];
  const child: ChildProcess = asRoot ? spawn('runuser', ['-u', 'postgres', '--', join(bin, 'postgres'), ...args], { stdio: 'ignore' }) : spawn(join(bin, 'postgres'), args, { stdio: 'ignore' });
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGINT');
      await new Promise((r) => {
        const t = setTimeout(r, 5000);
        child.once('exit', () => {
          clearTimeout(t);
          r(undefined);
        });
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if ((await tcpOpen('127.0.0.1', port, 300)) && (await canLogin('127.0.0.1', port, user, 'postgres', options.password))) {
      return postgresService('cluster', '127.0.0.1', port, user, 'postgres', stop, options.password);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  return { skip: 'the private PostgreSQL cluster did not start in time' };
}

/** A MariaDB/MySQL server a test can use. */
export interface MariaDbService {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  url: string;
  config: Record<string, unknown>;
}

/**
 * MariaDB from `SPARKLE_TEST_MARIADB_URL` (`mysql://user:pw@host:port/db`), else 127.0.0.1:3306
 * (root, empty password, database `test`) when it answers; null otherwise.
 */
export async function findMariaDb(): Promise<MariaDbService | null> {
  const fromEnv = process.env.SPARKLE_TEST_MARIADB_URL;
  let host = '127.0.0.1';
  let port = 3306;
  let user = 'root';
  let password = '';
  let database = 'test';
  if (fromEnv) {
    const u = new URL(fromEnv.replace(/^jdbc:/, ''));
    host = u.hostname;
    port = Number(u.port || 3306);
    user = decodeURIComponent(u.username || 'root');
    password = decodeURIComponent(u.password);
    database = u.pathname.slice(1) || 'test';
  }
  if (!(await tcpOpen(host, port))) {
    console.warn(`[testkit] no MariaDB at ${host}:${port}`);
    return null;
  }
  const url = `jdbc:mariadb://${host}:${port}/${database}`;
  return { host, port, user, password, database, url, config: { url, user, password } };
}

/**
 * A TCP server on loopback that accepts connections and never answers: the "host that hangs"
 * for timeout tests, without leaving the machine.
 */
export async function blackHole(): Promise<{ host: string; port: number; close(): Promise<void> } & AsyncDisposable> {
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(() => r(undefined)));
  };
  return { host: '127.0.0.1', port, close, [Symbol.asyncDispose]: close };
}
