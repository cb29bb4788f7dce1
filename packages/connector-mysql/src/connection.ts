/**
 * `MySQLProtocolConnection`: everything MySQL and MariaDB share (mysql2 driver glue, backtick
 * dialect, atomic `RENAME TABLE` swap, error codes), and `MySQLConnection`, the `mysql` type.
 */
import { z } from 'zod';
import {
  JDBCConnection,
  jdbcConfigSchema,
  MissingDriverError,
  splitQualifiedName,
  type ConnectionInit,
  type DatasetRef,
  type ErrorHints,
  type JdbcDefaults,
  type JdbcDialect,
  type JdbcSession,
} from '@sparkle/core';
import { mysqlDialect, quoteMysql } from './dialect.js';
import { MysqlSession, type MysqlBulkLoad } from './session.js';

/** Config of MySQL-protocol connections: the JDBC shape plus the bulk-load choice. */
export const mysqlConfigSchema = jdbcConfigSchema.extend({
  /**
   * How `writeTable` sends rows: `load-data` (LOAD DATA LOCAL INFILE streamed from memory, the
   * default and the faster one here) or `insert` (multi-row INSERT statements). When the server
   * refuses LOCAL INFILE the connector falls back to INSERT by itself.
   */
  bulkLoad: z.enum(['load-data', 'insert']).default('load-data'),
});

export type MysqlConfig = z.output<typeof mysqlConfigSchema>;

const ISOLATION_SQL: Record<string, string> = {
  READ_UNCOMMITTED: 'READ UNCOMMITTED',
  READ_COMMITTED: 'READ COMMITTED',
  REPEATABLE_READ: 'REPEATABLE READ',
  SERIALIZABLE: 'SERIALIZABLE',
};

/** mysql2's promise module, imported on first connect so configuring Spark needs no driver. */
async function loadMysql2(connector: string): Promise<typeof import('mysql2/promise')> {
  try {
    const mod = (await import('mysql2/promise')) as Partial<typeof import('mysql2/promise')> & { default?: typeof import('mysql2/promise') };
    return (typeof mod.createConnection === 'function' ? mod : mod.default!) as typeof import('mysql2/promise');
  } catch (cause) {
    throw new MissingDriverError(connector, 'mysql2', cause);
  }
}

/**
 * Base of the MySQL-protocol connections. Subclasses change the Spark driver, the JDBC
 * subprotocol and small session differences (see `MariaDBConnection`).
 *
 * @example
 * ```ts
 * class MyMysqlFork extends MySQLProtocolConnection {
 *   static override jdbc = { driver: 'com.example.Driver', subprotocol: 'mysql', defaultPort: 3306, lineageScheme: 'mysql' };
 * }
 * ```
 */
export class MySQLProtocolConnection extends JDBCConnection<MysqlConfig> {
  static override schema: z.ZodType = mysqlConfigSchema;
  static override description = 'MySQL-protocol database (mysql2 natively, JDBC under Spark)';
  static override errorHints: ErrorHints = {
    authCodes: ['ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR', 1045, 1044, 1698],
    retryableCodes: [
      'ER_LOCK_DEADLOCK',
      'ER_LOCK_WAIT_TIMEOUT',
      'PROTOCOL_CONNECTION_LOST',
      'ER_SERVER_SHUTDOWN',
      'ER_CON_COUNT_ERROR',
      'ER_STATEMENT_TIMEOUT',
      'ER_QUERY_TIMEOUT',
      1213,
      1205,
      2006,
      2013,
      1053,
      1040,
      1969,
      3024,
    ],
  };
  static override jdbc: JdbcDefaults = { driver: 'com.mysql.cj.jdbc.Driver', subprotocol: 'mysql', defaultPort: 3306, lineageScheme: 'mysql' };

  constructor(init: ConnectionInit) {
    super(init);
  }

  override get dialect(): JdbcDialect {
    return mysqlDialect;
  }

  /** Statement bounding each statement's run time; MySQL counts milliseconds for SELECTs. */
  protected queryTimeoutStatement(ms: number): string {
    return `SET SESSION max_execution_time = ${Math.ceil(ms)}`;
  }

  /** mysql2 connection options from url, fields and properties. */
  protected driverOptions(): Record<string, unknown> {
    const info = this.connectionInfo();
    const c = this.config;
    const p = info.params;
    // Connector/J spells modes REQUIRED / VERIFY_CA / VERIFY_IDENTITY, MariaDB's driver trust / verify-ca / verify-full.
    const sslMode = (p.sslMode ?? p.sslmode ?? '').toUpperCase().replace(/-/g, '_');
    const useSsl = p.useSSL === 'true' || p.ssl === 'true' || ['REQUIRED', 'TRUST', 'VERIFY_CA', 'VERIFY_IDENTITY', 'VERIFY_FULL'].includes(sslMode);
    return {
      host: info.host ?? 'localhost',
      port: info.port ?? 3306,
      user: info.user,
      password: info.password,
      database: info.database || undefined,
      connectTimeout: c.connectTimeoutMs,
      charset: 'utf8mb4_general_ci',
      timezone: 'Z',
      // Exact values: DECIMAL and BIGINT as strings (then Decimal128 / Int64), dates as text (microseconds kept).
      supportBigNumbers: true,
      bigNumberStrings: true,
      decimalNumbers: false,
      dateStrings: true,
      jsonStrings: true,
      multipleStatements: false,
      ...(useSsl ? { ssl: { rejectUnauthorized: sslMode.startsWith('VERIFY') } } : {}),
    };
  }

  protected override async openSession(): Promise<JdbcSession> {
    const mysql = await loadMysql2(this.type);
    const conn = await mysql.createConnection(this.driverOptions() as never);
    try {
      const c = this.config;
      await conn.query("SET time_zone = '+00:00'");
      if (c.isolationLevel && c.isolationLevel !== 'NONE') await conn.query(`SET SESSION TRANSACTION ISOLATION LEVEL ${ISOLATION_SQL[c.isolationLevel]}`);
      if (c.queryTimeoutMs) {
        await conn.query(this.queryTimeoutStatement(c.queryTimeoutMs)).catch(async (error: unknown) => {
          // A `mysql` connection pointed at MariaDB: its variable is max_statement_time (seconds).
          if ((error as { errno?: number }).errno !== 1193) throw error;
          await conn.query(`SET SESSION max_statement_time = ${(c.queryTimeoutMs! / 1000).toFixed(3)}`);
        });
      }
      if (c.sessionInitStatement) await conn.query(c.sessionInitStatement);
      const [rows] = await conn.query('SELECT @@max_allowed_packet AS m');
      const maxAllowedPacket = Number((rows as Array<{ m: unknown }>)[0]?.m ?? 4 << 20);
      return new MysqlSession(conn, { bulkLoad: c.bulkLoad as MysqlBulkLoad, maxAllowedPacket, connector: this.type });
    } catch (error) {
      conn.destroy();
      throw error;
    }
  }

  /** A fully qualified `RENAME TABLE` (an unqualified target would land in the default database). */
  protected override renameSql(from: string[], to: string[]): string {
    return `RENAME TABLE ${quoteMysql(from)} TO ${quoteMysql(to)}`;
  }

  /** OpenLineage: namespace `mysql://host:port`, name `database.table` (a schema is a database here). */
  override dataset(table: string): DatasetRef {
    const info = this.connectionInfo();
    const scheme = this.jdbcDefaults.lineageScheme ?? this.type;
    const parts = splitQualifiedName(table, this.dialect.quote);
    const database = parts.length > 1 ? parts[parts.length - 2] : (this.config.schema ?? info.database);
    const name = [database, parts[parts.length - 1]].filter(Boolean).join('.');
    return { namespace: `${scheme}://${info.host ?? 'localhost'}:${info.port ?? this.jdbcDefaults.defaultPort ?? 3306}`, name };
  }
}

/**
 * MySQL 5.7+ and 8.0+ (`mysql`): Spark reads it through Connector/J, Node through mysql2.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-mysql';
 *
 * await using db = await getConnection('mysql', { config: { url: 'jdbc:mysql://127.0.0.1:3306/test', user: 'root' } });
 * console.log(await db.test());
 * ```
 */
export class MySQLConnection extends MySQLProtocolConnection {
  static override description = 'MySQL 5.7+ and 8.0+';
}
