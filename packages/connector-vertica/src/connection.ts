/**
 * `VerticaConnection` (`vertica`): Spark reads it through Vertica's JDBC driver; Node through
 * vertica-nodejs, Vertica's own pure-JavaScript client.
 */
import {
  JDBCConnection,
  type ErrorHints,
  type JdbcDefaults,
  type JdbcDialect,
  type JdbcSession,
} from '@sparkle/core';
import { verticaDialect } from './dialect.js';
import { VerticaSession, type VerticaClientLike } from './session.js';

type VerticaModule = { Client: new (config: Record<string, unknown>) => VerticaClientLike & { on?(event: string, fn: () => void): void } };

/**
 * Vertica Analytics.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-vertica';
 *
 * await using v = await getConnection('vertica', { config: { url: 'jdbc:vertica://vertica:5433/analytics', user: 'dbadmin', password: process.env.VERTICA_PW } });
 * const frame = await v.readTable('public.events', { partitionColumn: 'id', numPartitions: 4 });
 * ```
 */
export class VerticaConnection extends JDBCConnection {
  static override description = 'Vertica Analytics';
  static override errorHints: ErrorHints = {
    // SQLSTATE 28000/28001 invalid authorization.
    authCodes: ['28000', '28001', '28P01'],
    // Serialization failure, deadlock, lock timeout, admin shutdown, too many connections.
    retryableCodes: ['40001', '40V01', '55V03', '57P01', '53300'],
  };
  static override jdbc: JdbcDefaults = { driver: 'com.vertica.jdbc.Driver', subprotocol: 'vertica', defaultPort: 5433, lineageScheme: 'vertica' };
  static override driverPackage = 'vertica-nodejs';

  override get dialect(): JdbcDialect {
    return verticaDialect;
  }

  /** vertica-nodejs client options from url, fields and properties. */
  driverOptions(): Record<string, unknown> {
    const info = this.connectionInfo();
    const p = info.params;
    return {
      host: info.host,
      port: info.port ?? 5433,
      user: info.user,
      password: info.password,
      database: info.database,
      connectionTimeoutMillis: this.config.connectTimeoutMs,
      ...(p.TLSmode || p.tls_mode ? { tls_mode: (p.TLSmode ?? p.tls_mode)!.toLowerCase() } : {}),
      ...(this.config.queryTimeoutMs ? { query_timeout: this.config.queryTimeoutMs } : {}),
    };
  }

  protected override async connectSession(): Promise<JdbcSession> {
    const vertica = await this.importDriver<VerticaModule>('Client');
    const client = new vertica.Client(this.driverOptions());
    client.on?.('error', () => undefined); // socket errors also fail the pending query
    await client.connect();
    return new VerticaSession(client);
  }

  /** UTC timestamps, and autocommit outside the base's explicit BEGIN … COMMIT. */
  protected override setupStatements(): string[] {
    return ["SET TIME ZONE TO 'UTC'", 'SET SESSION AUTOCOMMIT TO ON'];
  }
}
