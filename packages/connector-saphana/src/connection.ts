/**
 * `SapHanaConnection` (`saphana`, alias `hana`): Spark reads it through SAP's JDBC driver
 * (ngdbc); Node through hdb, SAP's pure-JavaScript client (no native build).
 */
import {
  ANSI_QUOTES,
  JDBCConnection,
  MissingDriverError,
  quoteIdentifier,
  type ConnectionInit,
  type DatasetRef,
  type ErrorHints,
  type JdbcDefaults,
  type JdbcDialect,
  type JdbcSession,
} from '@sparkle/core';
import { hanaDialect, hanaNameParts, hanaRename } from './dialect.js';
import { HanaSession, type HanaClientLike } from './session.js';

type HdbModule = { createClient(options: Record<string, unknown>): HanaClientLike & { connect(cb: (err: Error | null) => void): void; on?(event: string, fn: () => void): void } };

const ISOLATION: Record<string, string> = { READ_COMMITTED: 'READ COMMITTED', REPEATABLE_READ: 'REPEATABLE READ', SERIALIZABLE: 'SERIALIZABLE' };

/**
 * SAP HANA (on premise, express and HANA Cloud).
 *
 * Unquoted names fold to upper case, as in HANA SQL (`orders` is `ORDERS`).
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-saphana';
 *
 * await using hana = await getConnection('hana', { config: { url: 'jdbc:sap://hana:39015/?databaseName=HXE', user: 'SYSTEM', password: process.env.HANA_PW } });
 * const frame = await hana.readTable('sales.orders', { partitionColumn: 'id', numPartitions: 4 });
 * ```
 */
export class SapHanaConnection extends JDBCConnection {
  static override description = 'SAP HANA';
  static override errorHints: ErrorHints = {
    // 10 authentication failed, 414 user must change password, 663 user deactivated.
    authCodes: [10, 414, 663],
    // 131 lock wait timeout, 133 deadlock, 129/145 transaction rolled back, -10807/-10709 connection lost/failed.
    retryableCodes: [131, 133, 129, 145, -10807, -10709],
  };
  static override jdbc: JdbcDefaults = { driver: 'com.sap.db.jdbc.Driver', subprotocol: 'sap', defaultPort: 30015, lineageScheme: 'hana' };
  static driverModule = 'hdb';

  constructor(init: ConnectionInit) {
    super(init);
  }

  override get dialect(): JdbcDialect {
    return hanaDialect;
  }

  override tableParts(table: string): string[] {
    const parts = hanaNameParts(table);
    const schema = this.config.schema ?? this.connectionInfo().params.currentschema;
    return parts.length === 1 && schema ? [schema.toUpperCase(), parts[0]!] : parts;
  }

  override quoteColumn(column: string): string {
    return quoteIdentifier(column.includes('"') ? hanaNameParts(column)[0]! : column.toUpperCase(), ANSI_QUOTES);
  }

  /** SAP's URL form: `jdbc:sap://host:port/?databaseName=TENANT`. */
  override jdbcUrl(): string {
    if (this.config.url) return this.config.url;
    const info = this.connectionInfo();
    return `jdbc:sap://${info.host}:${info.port}/${info.database ? `?databaseName=${encodeURIComponent(info.database)}` : ''}`;
  }

  /** hdb client options from url, fields and properties. */
  driverOptions(): Record<string, unknown> {
    const info = this.connectionInfo();
    const p = info.params;
    const tls = p.encrypt === 'true' || info.port === 443;
    return {
      host: info.host,
      port: info.port ?? 30015,
      user: info.user,
      password: info.password,
      ...(info.database ? { databaseName: info.database } : {}),
      ...(tls ? { useTLS: true, rejectUnauthorized: p.validateCertificate !== 'false' } : {}),
      connectTimeout: this.config.connectTimeoutMs,
    };
  }

  protected async loadDriver(): Promise<HdbModule> {
    const specifier = (this.constructor as typeof SapHanaConnection).driverModule;
    try {
      const mod = (await import(/* @vite-ignore */ specifier)) as HdbModule & { default?: HdbModule };
      return typeof mod.createClient === 'function' ? mod : mod.default!;
    } catch (cause) {
      throw new MissingDriverError(this.type, 'hdb', cause);
    }
  }

  protected override async openSession(): Promise<JdbcSession> {
    const hdb = await this.loadDriver();
    const client = hdb.createClient(this.driverOptions());
    client.on?.('error', () => undefined); // connection errors also fail the pending call
    await new Promise<void>((resolve, reject) => client.connect((err) => (err ? reject(err) : resolve())));
    const session = new HanaSession(client);
    try {
      // DDL joins the transaction, so a staging-table swap commits or rolls back as one.
      await session.execute('SET TRANSACTION AUTOCOMMIT DDL OFF');
      const schema = this.config.schema ?? this.connectionInfo().params.currentschema;
      if (schema) await session.execute(`SET SCHEMA ${quoteIdentifier(schema.toUpperCase(), ANSI_QUOTES)}`);
      const level = this.config.isolationLevel ? ISOLATION[this.config.isolationLevel] : undefined;
      if (level) await session.execute(`SET TRANSACTION ISOLATION LEVEL ${level}`);
      if (this.config.sessionInitStatement) await session.execute(this.config.sessionInitStatement);
      return session;
    } catch (error) {
      await session.close().catch(() => undefined);
      throw error;
    }
  }

  protected override async checkProbe(signal: AbortSignal): Promise<string> {
    return this.withSession(async (s) => {
      await s.queryRows('SELECT 1 AS ok FROM DUMMY');
      return 'SELECT 1 FROM DUMMY succeeded';
    }, signal);
  }

  protected override renameSql(from: string[], to: string[]): string {
    return hanaRename(from, to[to.length - 1]!);
  }

  /** OpenLineage: namespace `hana://host:port`, name `[database.]SCHEMA.TABLE`. */
  override dataset(table: string): DatasetRef {
    const info = this.connectionInfo();
    return { namespace: `hana://${info.host ?? 'localhost'}:${info.port ?? 30015}`, name: [info.database, ...this.tableParts(table)].filter(Boolean).join('.') };
  }
}
