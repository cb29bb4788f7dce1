/**
 * `SqlServerConnection`: Microsoft SQL Server 2012+ (`sqlserver`, alias `mssql`). Spark reads it
 * through the Microsoft JDBC driver; Node through mssql on tedious (pure JavaScript TDS).
 */
import { z } from 'zod';
import {
  JDBCConnection,
  jdbcConfigSchema,
  type ErrorHints,
  type JdbcConnectionInfo,
  type JdbcDefaults,
  type JdbcDialect,
  type JdbcSession,
} from '@sparkle/core';
import { spRename, sqlServerDialect } from './dialect.js';
import { SqlServerSession, type MssqlModule } from './session.js';

export const sqlServerConfigSchema = jdbcConfigSchema.extend({
  /** TLS for the TDS stream (the JDBC driver's `encrypt`; default true as in driver 10+). */
  encrypt: z.coerce.boolean().optional(),
  /** Accept the server's certificate without validation (`trustServerCertificate`). */
  trustServerCertificate: z.coerce.boolean().optional(),
  /** Named instance (`host\\instance` or `instanceName=`). */
  instanceName: z.string().optional(),
});

export type SqlServerConfig = z.output<typeof sqlServerConfigSchema>;

const bool = (v: string | undefined): boolean | undefined => (v === undefined ? undefined : ['true', '1', 'yes', 'strict', 'mandatory'].includes(v.toLowerCase()));

/**
 * SQL Server 2012+: `com.microsoft.sqlserver.jdbc.SQLServerDriver` under Spark, mssql natively.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-sqlserver';
 *
 * await using db = await getConnection('mssql', { config: { url: 'jdbc:sqlserver://db:1433;databaseName=shop;encrypt=true', user: 'app', password: process.env.MSSQL_PW } });
 * const frame = await db.readTable('dbo.orders', { partitionColumn: 'id', numPartitions: 4 });
 * ```
 */
export class SqlServerConnection extends JDBCConnection<SqlServerConfig> {
  static override schema: z.ZodType = sqlServerConfigSchema;
  static override description = 'Microsoft SQL Server 2012+';
  static override errorHints: ErrorHints = {
    // 18456 login failed, 18452 untrusted domain login, 18486 locked out, 18487/18488 password expired; tedious reports ELOGIN.
    authCodes: ['ELOGIN', 18456, 18452, 18486, 18487, 18488],
    // Deadlock victim, lock timeout, Azure SQL transient errors, snapshot conflict.
    retryableCodes: [1205, 1222, 3960, 4060, 40197, 40501, 40613, 49918, 49919, 49920, 10928, 10929, 'ESOCKET', 'ECONNCLOSED'],
  };
  static override jdbc: JdbcDefaults = { driver: 'com.microsoft.sqlserver.jdbc.SQLServerDriver', subprotocol: 'sqlserver', defaultPort: 1433, lineageScheme: 'sqlserver' };
  static override driverPackage = 'mssql';

  override get dialect(): JdbcDialect {
    return sqlServerDialect;
  }

  /** `host\instance` splits into host and instance; `databaseName` is the database. */
  override connectionInfo(): JdbcConnectionInfo & { instanceName?: string } {
    const info = super.connectionInfo();
    const [host, instance] = (info.host ?? '').split('\\');
    return { ...info, host: host || info.host, instanceName: this.config.instanceName ?? info.params.instanceName ?? instance };
  }

  /** Spark's URL form: `jdbc:sqlserver://host:port;databaseName=db;encrypt=…`. */
  override jdbcUrl(): string {
    const c = this.config;
    if (c.url) return c.url;
    const info = this.connectionInfo();
    const props = [
      info.database ? `databaseName=${info.database}` : '',
      info.instanceName ? `instanceName=${info.instanceName}` : '',
      c.encrypt !== undefined ? `encrypt=${c.encrypt}` : '',
      c.trustServerCertificate !== undefined ? `trustServerCertificate=${c.trustServerCertificate}` : '',
    ].filter(Boolean);
    return `jdbc:sqlserver://${info.host}:${info.port}${props.map((p) => `;${p}`).join('')}`;
  }

  /** mssql's pool options: one pinned connection, so session settings and transactions hold. */
  driverConfig(): Record<string, unknown> {
    const c = this.config;
    const info = this.connectionInfo();
    const p = info.params;
    return {
      server: info.host,
      port: info.instanceName && !c.port && !this.urlParts()?.port ? undefined : info.port,
      database: info.database,
      user: info.user,
      password: info.password,
      connectionTimeout: c.connectTimeoutMs,
      requestTimeout: c.queryTimeoutMs ?? 0,
      pool: { min: 0, max: 1 },
      options: {
        encrypt: c.encrypt ?? bool(p.encrypt) ?? true,
        trustServerCertificate: c.trustServerCertificate ?? bool(p.trustServerCertificate) ?? false,
        instanceName: info.instanceName,
        appName: p.applicationName ?? 'sparkle',
        useUTC: true,
      },
    };
  }

  /**
   * One pinned pooled connection. The base's `initSession` then sets the isolation level for
   * plain statements; the session also passes it to the transactions it begins, since mssql
   * starts those with its own level.
   */
  protected override async connectSession(): Promise<JdbcSession> {
    const mssql = await this.importDriver<MssqlModule>('ConnectionPool');
    const pool = new mssql.ConnectionPool(this.driverConfig());
    // The pool also reports its errors as events; they reach callers through the failed requests.
    (pool as unknown as { on?: (e: string, f: () => void) => void }).on?.('error', () => undefined);
    await pool.connect();
    const level = this.config.isolationLevel && this.config.isolationLevel !== 'NONE' ? this.config.isolationLevel : undefined;
    return new SqlServerSession(pool, mssql, { connector: this.type, isolationLevel: level ? mssql.ISOLATION_LEVEL[level] : undefined });
  }

  /** A new table's staging copy is renamed with `sp_rename` (ALTER TABLE … RENAME is not T-SQL). */
  protected override renameSql(from: string[], to: string[]): string {
    return spRename(from, to[to.length - 1]!);
  }
}
