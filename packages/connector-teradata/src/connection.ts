/**
 * `TeradataConnection` (`teradata`): Spark reads it through Teradata's JDBC driver; Node through
 * teradatasql, Teradata's own driver (its native library ships inside the package; it is an
 * optional peer dependency, imported on first connect).
 */
import { z } from 'zod';
import {
  InvalidArgumentError,
  JDBCConnection,
  jdbcConfigSchema,
  type ErrorHints,
  type JdbcDefaults,
  type JdbcDialect,
  type JdbcSession,
  type JdbcUrlParts,
} from '@sparkle/core';
import { teradataDialect } from './dialect.js';
import { normalizeTeradataError, TeradataSession, type TeradataConnectionLike } from './session.js';

export const teradataConfigSchema = jdbcConfigSchema.extend({
  /** Load new and overwritten tables with FastLoad (`{fn teradata_try_fastload}`); falls back to batches when not eligible. */
  fastLoad: z.coerce.boolean().default(false),
  /** Logon mechanism (TD2, LDAP, KRB5, JWT, …). */
  logmech: z.string().optional(),
  /** Session transaction mode: DEFAULT, ANSI or TERA. */
  tmode: z.enum(['DEFAULT', 'ANSI', 'TERA']).optional(),
});

export type TeradataConfig = z.output<typeof teradataConfigSchema>;

/**
 * Parses `jdbc:teradata://host[:port]/KEY=value,KEY=value` (Teradata's JDBC URL: the database
 * and port are parameters, `DATABASE=` and `DBS_PORT=`).
 *
 * @example
 * parseTeradataUrl('jdbc:teradata://td.internal/DATABASE=sales,DBS_PORT=1025,CHARSET=UTF8');
 * // { subprotocol: 'teradata', host: 'td.internal', port: 1025, database: 'sales', params: { DATABASE: 'sales', DBS_PORT: '1025', CHARSET: 'UTF8' } }
 */
export function parseTeradataUrl(url: string): JdbcUrlParts {
  const m = /^jdbc:teradata:\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?(?:\/(.*))?$/i.exec(url);
  if (!m) throw new InvalidArgumentError('Not a Teradata JDBC URL (expected jdbc:teradata://host/DATABASE=db,DBS_PORT=1025)', { connector: 'teradata' });
  const params: Record<string, string> = {};
  for (const pair of (m[3] ?? '').split(',')) {
    const i = pair.indexOf('=');
    if (i > 0) params[pair.slice(0, i).trim()] = pair.slice(i + 1).trim();
  }
  const upper = Object.fromEntries(Object.entries(params).map(([k, v]) => [k.toUpperCase(), v]));
  const port = upper.DBS_PORT ?? m[2];
  return { subprotocol: 'teradata', host: m[1]!.replace(/^\[|\]$/g, ''), port: port ? Number(port) : undefined, database: upper.DATABASE, params };
}

type TeradataDriver = { connectAsync(params: Record<string, string>): Promise<TeradataConnectionLike> };

/**
 * Teradata Vantage / Database.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-teradata';
 *
 * await using td = await getConnection('teradata', { config: { url: 'jdbc:teradata://td/DATABASE=sales', user: 'dbc', password: process.env.TD_PW } });
 * const frame = await td.readTable('orders', { partitionColumn: 'order_id', numPartitions: 8 });
 * ```
 */
export class TeradataConnection extends JDBCConnection<TeradataConfig> {
  static override schema: z.ZodType = teradataConfigSchema;
  static override description = 'Teradata Database';
  static override errorHints: ErrorHints = {
    // 8017 user/password invalid, 8018 account invalid, 3032 logons disabled for user, 3004 logons only enabled for DBC.
    authCodes: [8017, 8018, 3032, 3004],
    // 2631 deadlock, 3111 dispatcher timeout, 3598 concurrent change, 2828 restarted, 3120 request aborted by recovery.
    retryableCodes: [2631, 3111, 3598, 2828, 3120, 3603],
  };
  static override jdbc: JdbcDefaults = { driver: 'com.teradata.jdbc.TeraDriver', subprotocol: 'teradata', defaultPort: 1025, lineageScheme: 'teradata' };
  static override driverPackage = 'teradatasql';

  override get dialect(): JdbcDialect {
    return teradataDialect;
  }

  protected override urlParts(): JdbcUrlParts | undefined {
    return this.config.url ? parseTeradataUrl(this.config.url) : undefined;
  }

  /** Teradata's URL form: `jdbc:teradata://host/DATABASE=db,DBS_PORT=port`. */
  override jdbcUrl(): string {
    if (this.config.url) return this.config.url;
    const info = this.connectionInfo();
    const params = [info.database ? `DATABASE=${info.database}` : '', info.port && info.port !== 1025 ? `DBS_PORT=${info.port}` : ''].filter(Boolean);
    return `jdbc:teradata://${info.host}/${params.join(',')}`;
  }

  /** teradatasql connection parameters (all strings, as the driver wants them). */
  driverParams(): Record<string, string> {
    const info = this.connectionInfo();
    const c = this.config;
    const out: Record<string, string> = {
      host: info.host ?? 'localhost',
      dbs_port: String(info.port ?? 1025),
      connect_timeout: String(c.connectTimeoutMs),
      logon_timeout: String(Math.ceil(c.connectTimeoutMs / 1000)),
    };
    if (info.user) out.user = info.user;
    if (info.password) out.password = info.password;
    if (info.database) out.database = info.database;
    if (c.logmech ?? info.params.LOGMECH) out.logmech = (c.logmech ?? info.params.LOGMECH)!;
    if (c.tmode ?? info.params.TMODE) out.tmode = (c.tmode ?? info.params.TMODE)!;
    if (c.queryTimeoutMs) out.request_timeout = String(Math.ceil(c.queryTimeoutMs / 1000));
    return out;
  }

  protected override async connectSession(): Promise<JdbcSession> {
    const driver = await this.importDriver<TeradataDriver>('connectAsync');
    let conn: TeradataConnectionLike;
    try {
      conn = await driver.connectAsync(this.driverParams());
    } catch (error) {
      throw normalizeTeradataError(error, this.type);
    }
    return new TeradataSession(conn, { connector: this.type, fastLoad: this.config.fastLoad });
  }
}
