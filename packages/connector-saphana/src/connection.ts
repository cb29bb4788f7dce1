/**
 * `SapHanaConnection` (`saphana`, alias `hana`): Spark reads it through SAP's JDBC driver
 * (ngdbc); Node through hdb, SAP's pure-JavaScript client (no native build).
 */
import {
  ANSI_QUOTES,
  JDBCConnection,
  quoteIdentifier,
  type ErrorHints,
  type JdbcDefaults,
  type JdbcDialect,
  type JdbcSession,
} from '@sparkle/core';
import { hanaDialect, hanaRename } from './dialect.js';
import { HanaSession, type HanaClientLike } from './session.js';

type HdbModule = { createClient(options: Record<string, unknown>): HanaClientLike & { connect(cb: (err: Error | null) => void): void; on?(event: string, fn: () => void): void } };

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
  static override driverPackage = 'hdb';

  override get dialect(): JdbcDialect {
    return hanaDialect;
  }

  /** `schema`, else the URL's `currentschema` property. */
  protected override defaultSchema(): string | undefined {
    return this.config.schema ?? this.connectionInfo().params.currentschema;
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

  protected override async connectSession(): Promise<JdbcSession> {
    const hdb = await this.importDriver<HdbModule>('createClient');
    const client = hdb.createClient(this.driverOptions());
    client.on?.('error', () => undefined); // connection errors also fail the pending call
    await new Promise<void>((resolve, reject) => client.connect((err) => (err ? reject(err) : resolve())));
    return new HanaSession(client);
  }

  /** DDL joins the transaction, so a staging-table swap commits or rolls back as one; then the default schema. */
  protected override setupStatements(): string[] {
    const schema = this.defaultSchema();
    return ['SET TRANSACTION AUTOCOMMIT DDL OFF', ...(schema ? [`SET SCHEMA ${quoteIdentifier(schema.toUpperCase(), ANSI_QUOTES)}`] : [])];
  }

  protected override renameSql(from: string[], to: string[]): string {
    return hanaRename(from, to[to.length - 1]!);
  }
}
