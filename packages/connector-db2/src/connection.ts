/**
 * `Db2Connection` (`db2`): Spark reads it through IBM's JCC driver; Node through ibm_db, an
 * optional peer dependency (its install step downloads IBM's CLI driver, which some machines
 * cannot do), imported on first connect with a clear error when it is missing.
 */
import {
  JDBCConnection,
  type ErrorHints,
  type JdbcDefaults,
  type JdbcDialect,
  type JdbcSession,
  type JdbcUrlParts,
} from '@sparkle/core';
import { db2Dialect, db2Rename } from './dialect.js';
import { Db2Session, normalizeDb2Error, type Db2ConnectionLike } from './session.js';

/** A CLI connection-string value, braced when it contains `;` or braces. */
function cliValue(value: string): string {
  return /[;{}]/.test(value) ? `{${value.replace(/}/g, '}}')}}` : value;
}

type Db2Driver = { open(connectionString: string): Promise<Db2ConnectionLike> };

/**
 * IBM Db2 (LUW, and z/OS or i through Db2 Connect).
 *
 * Unquoted names fold to upper case, as in Db2 SQL (`orders` is `ORDERS`).
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-db2';
 *
 * await using db2 = await getConnection('db2', { config: { url: 'jdbc:db2://db2:50000/SAMPLE', user: 'db2inst1', password: process.env.DB2_PW } });
 * const frame = await db2.readTable('employee', { partitionColumn: 'empno', numPartitions: 4 });
 * ```
 */
export class Db2Connection extends JDBCConnection {
  static override description = 'IBM Db2';
  static override errorHints: ErrorHints = {
    // SQL30082N security processing failed (bad user/password), SQL1060N no CONNECT privilege.
    authCodes: [-30082, -1060],
    // Deadlock/timeout rollback, lock timeout, communication error, database shutting down/quiescing.
    retryableCodes: [-911, -913, -30081, -1224, -30108, -1035],
  };
  static override jdbc: JdbcDefaults = { driver: 'com.ibm.db2.jcc.DB2Driver', subprotocol: 'db2', defaultPort: 50000, lineageScheme: 'db2' };
  static override driverPackage = 'ibm_db';

  override get dialect(): JdbcDialect {
    return db2Dialect;
  }

  /** JCC URLs put properties after the database: `jdbc:db2://h:50000/DB:currentSchema=S;sslConnection=true;`. */
  protected override urlParts(): JdbcUrlParts | undefined {
    const parts = super.urlParts();
    if (!parts?.database?.includes(':')) return parts;
    const [database, first] = [parts.database.slice(0, parts.database.indexOf(':')), parts.database.slice(parts.database.indexOf(':') + 1)];
    const params = { ...parts.params };
    const eq = first.indexOf('=');
    if (eq > 0) params[first.slice(0, eq)] = first.slice(eq + 1);
    return { ...parts, database, params };
  }

  /** `schema`, else the URL's `currentSchema` property. */
  protected override defaultSchema(): string | undefined {
    return this.config.schema ?? this.connectionInfo().params.currentSchema;
  }

  /** ibm_db's CLI connection string. */
  connectionString(): string {
    const info = this.connectionInfo();
    const p = info.params;
    const pairs: Array<[string, string | undefined]> = [
      ['DATABASE', info.database],
      ['HOSTNAME', info.host],
      ['PORT', String(info.port ?? 50000)],
      ['PROTOCOL', 'TCPIP'],
      ['UID', info.user],
      ['PWD', info.password],
      ['CurrentSchema', this.defaultSchema()],
      ['Security', p.sslConnection === 'true' ? 'SSL' : undefined],
      ['ConnectTimeout', String(Math.ceil(this.config.connectTimeoutMs / 1000))],
    ];
    return pairs
      .filter((kv): kv is [string, string] => kv[1] !== undefined && kv[1] !== '')
      .map(([k, v]) => `${k}=${cliValue(v)};`)
      .join('');
  }

  /** ibm_db login (a missing or unbuilt native part surfaces as MissingDriverError naming ibm_db). */
  protected override async connectSession(): Promise<JdbcSession> {
    const ibmdb = await this.importDriver<Db2Driver>('open');
    try {
      return new Db2Session(await ibmdb.open(this.connectionString()));
    } catch (error) {
      throw normalizeDb2Error(error);
    }
  }

  protected override renameSql(from: string[], to: string[]): string {
    return db2Rename(from, to[to.length - 1]!);
  }
}
