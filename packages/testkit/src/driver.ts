/**
 * Checks of a JDBC connector's native driver glue for databases that cannot run on the test
 * machine: the driver is loaded lazily with a `MissingDriverError` naming its package, and the
 * real driver, pointed at a loopback peer that accepts TCP and hangs up on the first packet,
 * fails the auth tier with a typed error that never shows the password.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MissingDriverError, type ConnectionInit, type JDBCConnection } from '@sparkle/core';

type JdbcClass = (new (init: ConnectionInit) => JDBCConnection) & { driverModule?: string };

export interface NativeDriverChecksOptions {
  type: string;
  connectionClass: JdbcClass;
  /** npm package the MissingDriverError must name (`pnpm add <package>`). */
  driverPackage: string;
  /** Product name for test titles, e.g. `Oracle`. */
  product: string;
  /** Extra config for a connection (database, user); host/port/password are set here. */
  config?: Record<string, unknown>;
  /** Run the socket checks with the real driver (false when it cannot install here). Default true. */
  driverInstalled?: boolean;
  /** Error codes the auth tier may fail with, when the connector's driver reports them reliably. */
  authErrorCodes?: RegExp;
  /** Deadline of the auth check (slow drivers). Default: the connection's own. */
  checkTimeoutMs?: number;
}

const PASSWORD = 'pw-never-shown';

/**
 * Registers the driver checks.
 * @example
 * nativeDriverChecks({ type: 'oracle', connectionClass: OracleConnection, driverPackage: 'oracledb', product: 'Oracle', config: { database: 'FREEPDB1', user: 'app' } });
 */
export function nativeDriverChecks(options: NativeDriverChecksOptions): void {
  const { type, connectionClass: Connection, driverPackage, product } = options;

  describe(`${type}: native driver glue`, () => {
    it(`raises MissingDriverError naming ${driverPackage} when the driver cannot be imported`, async () => {
      class Unloadable extends (Connection as unknown as typeof JDBCConnection) {
        static override driverModule = `${driverPackage}-not-installed-for-this-test`;
      }
      const conn = new Unloadable({ type, config: { host: '127.0.0.1', port: 1, ...options.config } });
      const error = await conn.withSession(async () => 1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MissingDriverError);
      expect((error as Error).message).toContain(`pnpm add ${driverPackage}`);
    });
  });

  if (options.driverInstalled === false) return;

  describe(`${type}: the real ${driverPackage} driver against local sockets`, () => {
    let server: Server;
    let port = 0;
    beforeAll(async () => {
      // Accepts TCP, then hangs up on the first packet: no database listener behind it.
      server = createServer((socket) => socket.once('data', () => socket.destroy()));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it(`a peer that is not ${product} fails the auth tier with a typed, redacted error`, async () => {
      const conn = new Connection({ type, config: { ...options.config, host: '127.0.0.1', port, password: PASSWORD, connectTimeoutMs: 4000 } });
      const report = await conn.check(options.checkTimeoutMs ? { timeoutMs: options.checkTimeoutMs } : {});
      expect(report.steps[1]).toMatchObject({ tier: 'network', status: 'ok' });
      expect(report.failedTier).toBe('auth');
      if (options.authErrorCodes) expect(report.steps[2]!.error?.code).toMatch(options.authErrorCodes);
      expect(JSON.stringify(report)).not.toContain(PASSWORD);
    }, (options.checkTimeoutMs ?? 10_000) + 5_000);

    it('an unreachable port fails the network tier', async () => {
      const conn = new Connection({ type, config: { ...options.config, host: '127.0.0.1', port: 1 } });
      expect((await conn.check({ timeoutMs: 3000 })).failedTier).toBe('network');
    });
  });
}
