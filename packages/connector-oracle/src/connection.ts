/**
 * `OracleConnection`: Oracle Database 11g+ (`oracle`). Spark reads it through the Oracle JDBC
 * driver; Node through node-oracledb in thin mode (pure JavaScript, no Instant Client).
 */
import { z } from 'zod';
import {
  JDBCConnection,
  jdbcConfigSchema,
  type ErrorHints,
  type JdbcDefaults,
  type JdbcDialect,
  type JdbcSession,
} from '@sparkle/core';
import { oracleDialect } from './dialect.js';
import { OracleSession, type OracleDriverConnection, type OracleDriverConstants } from './session.js';

/** Config of Oracle: the JDBC shape plus a service name or SID alternative to `database`. */
export const oracleConfigSchema = jdbcConfigSchema.extend({
  /** Service name (`//host:port/service`); `database` means the same. */
  serviceName: z.string().optional(),
  /** SID (`@host:port:SID`), for old databases without a service name. */
  sid: z.string().optional(),
  /** A full connect descriptor or Easy Connect string, overriding host/port/service. */
  connectString: z.string().optional(),
});

export type OracleConfig = z.output<typeof oracleConfigSchema>;

type OracleDriver = OracleDriverConstants & { getConnection(options: Record<string, unknown>): Promise<OracleDriverConnection> };

/**
 * Oracle Database: Spark reads it with `oracle.jdbc.OracleDriver`, Node with node-oracledb thin.
 *
 * Unquoted table and column names fold to upper case, as in Oracle SQL (`orders` is `ORDERS`);
 * write `"orders"` for a case-sensitive name.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-oracle';
 *
 * await using ora = await getConnection('oracle', { config: { url: 'jdbc:oracle:thin:@//db:1521/ORCLPDB1', user: 'app', password: process.env.ORA_PW } });
 * const frame = await ora.readTable('sales.orders', { partitionColumn: 'order_id', numPartitions: 8 });
 * ```
 */
export class OracleConnection extends JDBCConnection<OracleConfig> {
  static override schema: z.ZodType = oracleConfigSchema;
  static override description = 'Oracle Database 11g+';
  static override errorHints: ErrorHints = {
    // ORA-01017 invalid username/password, ORA-28000 account locked, ORA-01005 null password, ORA-28001 expired.
    authCodes: ['ORA-01017', 'ORA-28000', 'ORA-01005', 'ORA-28001', 'ORA-01045', 1017, 28000],
    // Deadlock, serialization failure, resource busy, connection lost/terminated, listener refused.
    retryableCodes: ['ORA-00060', 'ORA-08177', 'ORA-00054', 'ORA-03113', 'ORA-03114', 'ORA-03135', 'ORA-12514', 'ORA-12516', 'ORA-12519', 'ORA-12520', 'ORA-12528', 'ORA-25408', 'NJS-500', 'NJS-501', 'NJS-503'],
  };
  static override jdbc: JdbcDefaults = { driver: 'oracle.jdbc.OracleDriver', subprotocol: 'oracle', defaultPort: 1521, lineageScheme: 'oracle' };
  static override driverPackage = 'oracledb';

  override get dialect(): JdbcDialect {
    return oracleDialect;
  }

  /** Spark's Oracle URL, `jdbc:oracle:thin:@//host:port/service` (or `@host:port:SID`). */
  override jdbcUrl(): string {
    const c = this.config;
    if (c.url) return c.url;
    const info = this.connectionInfo();
    if (c.connectString) return `jdbc:oracle:thin:@${c.connectString}`;
    if (c.sid) return `jdbc:oracle:thin:@${info.host}:${info.port}:${c.sid}`;
    return `jdbc:oracle:thin:@//${info.host}:${info.port}/${c.serviceName ?? info.database ?? ''}`;
  }

  /** node-oracledb's `connectString` (Easy Connect) from url or fields. */
  connectString(): string {
    const c = this.config;
    if (c.connectString) return c.connectString;
    const url = c.url?.replace(/^jdbc:oracle:thin:/, '');
    if (url?.startsWith('@') && /[()]/.test(url)) return url.slice(1); // a TNS descriptor
    const info = this.connectionInfo();
    const sidForm = url ? /^@([^:/]+):(\d+):([^/?]+)$/.exec(url) : null;
    if (sidForm || c.sid) {
      const host = sidForm?.[1] ?? info.host;
      const port = sidForm?.[2] ?? info.port;
      const sid = c.sid ?? sidForm?.[3];
      return `(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=${host})(PORT=${port}))(CONNECT_DATA=(SID=${sid})))`;
    }
    return `${info.host}:${info.port ?? 1521}/${c.serviceName ?? info.database ?? ''}`;
  }

  /** node-oracledb thin login; `queryTimeoutMs` becomes the connection's `callTimeout`. */
  protected override async connectSession(): Promise<JdbcSession> {
    const oracledb = await this.importDriver<OracleDriver>('getConnection');
    const info = this.connectionInfo();
    const c = this.config;
    const conn = await oracledb.getConnection({
      user: info.user,
      password: info.password,
      connectString: this.connectString(),
      connectTimeout: Math.ceil(c.connectTimeoutMs / 1000),
    });
    if (c.queryTimeoutMs) (conn as unknown as { callTimeout: number }).callTimeout = c.queryTimeoutMs;
    return new OracleSession(conn, oracledb);
  }

  /** UTC and fixed text formats: dates travel as text both ways, never through a client time zone. */
  protected override setupStatements(): string[] {
    return [
      "ALTER SESSION SET TIME_ZONE = '+00:00' NLS_DATE_FORMAT = 'YYYY-MM-DD HH24:MI:SS' NLS_TIMESTAMP_FORMAT = 'YYYY-MM-DD HH24:MI:SS.FF6' NLS_TIMESTAMP_TZ_FORMAT = 'YYYY-MM-DD HH24:MI:SS.FF6 TZH:TZM' NLS_NUMERIC_CHARACTERS = '.,'",
    ];
  }

  /** Lineage names start with the service name (or SID): `service.SCHEMA.TABLE`. */
  protected override lineageDatabase(): string | undefined {
    return this.config.serviceName ?? this.connectionInfo().database ?? this.config.sid;
  }
}
