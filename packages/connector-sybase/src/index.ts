/**
 * `@sparkle/connector-sybase`: the `sybase` connection type (SAP/Sybase ASE). Importing this
 * module registers `sybase`.
 *
 * ASE speaks TDS 5.0. The Node TDS driver (tedious) implements TDS 7.x for SQL Server only, and
 * the `sybase` package on the registry wraps a Java process rather than speaking the protocol,
 * so there is no maintained native Node driver. Reads and writes run under Spark with jConnect
 * (`com.sybase.jdbc4.jdbc.SybDriver`) or jTDS; natively, `check()` verifies the config and
 * reaches the server over DNS + TCP, and says plainly that it skipped authentication.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-sybase';
 *
 * await using ase = await getConnection('sybase', { spark, config: { url: 'jdbc:sybase:Tds:ase:5000/sales', user: 'sa', password: 'secret' } });
 * const df = await ase.readTable('dbo.orders');
 * ```
 * @packageDocumentation
 */
import {
  ANSI_TYPE_NAMES,
  BRACKETS,
  InvalidArgumentError,
  NoNativeDriverConnection,
  quoteIdentifier,
  registerConnection,
  provideLocalEngine,
  type JdbcDefaults,
  type JdbcDialect,
  type JdbcUrlParts,
} from '@sparkle/core';
import { meta } from './meta.js';

const q = (parts: string[]) => parts.map((p) => quoteIdentifier(p, BRACKETS)).join('.');

/** ASE's dialect: bracket quoting (valid whatever `quoted_identifier` is), T-SQL types, `sp_rename`. */
export const sybaseDialect: JdbcDialect = {
  name: 'sybase',
  quote: BRACKETS,
  typeNames: {
    ...ANSI_TYPE_NAMES,
    boolean: 'BIT',
    int: 'INT',
    double: 'FLOAT',
    text: 'UNIVARCHAR(16384)',
    binary: 'IMAGE',
    timestamp: 'BIGDATETIME',
    timestamptz: 'BIGDATETIME',
    time: 'BIGTIME',
    json: 'UNITEXT',
  },
  begin: 'BEGIN TRANSACTION',
  commit: 'COMMIT TRANSACTION',
  rollback: 'ROLLBACK TRANSACTION',
  transactionalDdl: false,
  swapTables(target, staging) {
    return [`DROP TABLE ${q(target)}`, `EXEC sp_rename '${q(staging).replace(/'/g, "''")}', '${target[target.length - 1]!.replace(/'/g, "''")}'`];
  },
  tableExists(parts) {
    return { sql: 'SELECT 1 FROM sysobjects WHERE type = \'U\' AND name = ?', params: [parts[parts.length - 1]] };
  },
  columnsQuery() {
    return {
      sql: "SELECT user_name(o.uid) AS schema_name, o.name AS table_name, c.name AS column_name, t.name AS data_type, CASE WHEN c.status & 8 = 8 THEN 'YES' ELSE 'NO' END AS is_nullable FROM sysobjects o JOIN syscolumns c ON c.id = o.id JOIN systypes t ON t.usertype = c.usertype WHERE o.type = 'U' ORDER BY 1, 2, c.colid",
      params: [],
    };
  },
};

/**
 * Parses jConnect's `jdbc:sybase:Tds:host:port[/database][?k=v&…]` and jTDS's
 * `jdbc:jtds:sybase://host:port[/database][;k=v…]`.
 *
 * @example
 * parseSybaseUrl('jdbc:sybase:Tds:ase:5000/sales?CHARSET=utf8');
 * // { subprotocol: 'sybase', host: 'ase', port: 5000, database: 'sales', params: { CHARSET: 'utf8' } }
 */
export function parseSybaseUrl(url: string): JdbcUrlParts & { flavour: 'jconnect' | 'jtds' } {
  const jconnect = /^jdbc:sybase:Tds:(\[[^\]]+\]|[^:/?]+)(?::(\d+))?(?:\/([^?]*))?(?:\?(.*))?$/i.exec(url);
  const jtds = /^jdbc:jtds:sybase:\/\/(\[[^\]]+\]|[^:/;?]+)(?::(\d+))?(?:\/([^;?]*))?(?:[;?](.*))?$/i.exec(url);
  const m = jconnect ?? jtds;
  if (!m) throw new InvalidArgumentError(`Not a Sybase JDBC URL (expected jdbc:sybase:Tds:host:port/db or jdbc:jtds:sybase://host:port/db)`, { connector: 'sybase' });
  const params: Record<string, string> = {};
  for (const pair of (m[4] ?? '').split(/[&;]/)) {
    if (!pair) continue;
    const i = pair.indexOf('=');
    params[decodeURIComponent(i === -1 ? pair : pair.slice(0, i))] = i === -1 ? '' : decodeURIComponent(pair.slice(i + 1));
  }
  return {
    subprotocol: 'sybase',
    flavour: jconnect ? 'jconnect' : 'jtds',
    host: m[1]!.replace(/^\[|\]$/g, ''),
    port: m[2] ? Number(m[2]) : undefined,
    database: m[3] || params.DATABASE || params.databaseName || undefined,
    params,
  };
}

/**
 * Sybase ASE through Spark's JDBC data source; natively only reachability.
 *
 * @example
 * ```ts
 * const ase = new SybaseConnection({ type: 'sybase', config: { url: 'jdbc:jtds:sybase://ase:5000/sales' } });
 * ase.sparkRead('dbo.orders', {}).options.driver; // 'net.sourceforge.jtds.jdbc.Driver'
 * ```
 */
export class SybaseConnection extends NoNativeDriverConnection {
  static override description = 'SAP/Sybase ASE';
  static override noDriverReason = 'no maintained Node.js driver speaks TDS 5.0 (Sybase ASE); authentication and queries run through Spark (jConnect or jTDS)';
  static override jdbc: JdbcDefaults = { driver: 'com.sybase.jdbc4.jdbc.SybDriver', subprotocol: 'sybase', defaultPort: 5000, lineageScheme: 'sybase' };
  /** ASE error numbers: 4002 login failed; 1205 deadlock. */
  static override errorHints = { authCodes: [4002], retryableCodes: [1205] };

  override get dialect(): JdbcDialect {
    return sybaseDialect;
  }

  protected override urlParts(): JdbcUrlParts | undefined {
    return this.config.url ? parseSybaseUrl(this.config.url) : undefined;
  }

  /** jConnect's URL form unless a jTDS URL was configured. */
  override jdbcUrl(): string {
    if (this.config.url) return this.config.url;
    const info = this.connectionInfo();
    return `jdbc:sybase:Tds:${info.host}:${info.port}${info.database ? `/${info.database}` : ''}`;
  }

  /** The jTDS driver class for jTDS URLs. */
  protected override sparkBaseOptions(): Record<string, string> {
    const options = super.sparkBaseOptions();
    if (!this.config.driver && this.config.url && parseSybaseUrl(this.config.url).flavour === 'jtds') options.driver = 'net.sourceforge.jtds.jdbc.Driver';
    return options;
  }
}

// Type, aliases, family and core range come from package.json's "sparkle" field (src/meta.ts, generated);
// capabilities are derived from the class's methods.
registerConnection(meta, SybaseConnection);

// Core imports @sparkle/engine-local lazily, but under strict layouts (pnpm) core itself cannot
// resolve it; this package depends on it, so it tells core how to load it, only when nobody did.
provideLocalEngine(() => import('@sparkle/engine-local').then((m) => m.localEngine));
