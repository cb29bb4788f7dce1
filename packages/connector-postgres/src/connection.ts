/**
 * `PostgreSQLConnection`: PostgreSQL through Spark's JDBC data source or, locally, node-postgres
 * with binary COPY in both directions.
 */
import {
  ansiDialect,
  JDBCConnection,
  type JdbcConfig,
  type JdbcDialect,
  type JdbcSession,
  type SqlTypeKind,
} from '@sparkle/core';
import { loadDrivers } from './deps.js';
import { pgClientSettings, searchPathSql, type PgClientSettings } from './settings.js';

const POSTGRES_TYPE_NAMES: Record<SqlTypeKind, string> = {
  ...ansiDialect.typeNames,
  binary: 'BYTEA',
  double: 'DOUBLE PRECISION',
  json: 'JSONB',
  timestamptz: 'TIMESTAMPTZ',
};

/**
 * PostgreSQL's dialect: ANSI quoting, transactional DDL (so the overwrite swap is one atomic
 * transaction), `to_regclass` for existence (honours `search_path`), column types with their
 * numeric precision for `discover()`.
 */
export const postgresDialect: JdbcDialect = {
  ...ansiDialect,
  name: 'postgres',
  typeNames: POSTGRES_TYPE_NAMES,
  tableExists(parts) {
    return { sql: 'SELECT 1 AS present WHERE to_regclass($1) IS NOT NULL', params: [parts.map((p) => `"${p.replace(/"/g, '""')}"`).join('.')] };
  },
  tablesQuery(schema) {
    return schema
      ? { sql: 'SELECT table_schema AS schema_name, table_name FROM information_schema.tables WHERE table_schema = $1', params: [schema] }
      : { sql: 'SELECT table_schema AS schema_name, table_name FROM information_schema.tables WHERE table_schema = current_schema()', params: [] };
  },
  columnsQuery(schema) {
    return {
      sql:
        "SELECT table_schema AS schema_name, table_name, column_name, CASE WHEN data_type = 'numeric' AND numeric_precision IS NOT NULL " +
        "THEN 'numeric(' || numeric_precision || ',' || numeric_scale || ')' ELSE data_type END AS data_type, is_nullable " +
        'FROM information_schema.columns' +
        (schema ? ' WHERE table_schema = $1' : " WHERE table_schema NOT IN ('information_schema', 'pg_catalog') AND table_schema NOT LIKE 'pg\\_%'") +
        ' ORDER BY table_schema, table_name, ordinal_position',
      params: schema ? [schema] : [],
    };
  },
};

/**
 * A PostgreSQL connection (types `postgres`, `postgresql`).
 *
 * Config is the seed's JDBC shape: `url` (`jdbc:postgresql://host:5432/db`), `user`, `password`,
 * `driver`, `properties` (JDBC driver properties such as `ssl`, `sslmode`, `currentSchema`,
 * `ApplicationName`, `connectTimeout`, `fetchsize`). Spark reads it through its JDBC source;
 * the local engine reads and writes through binary COPY.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-postgres';
 *
 * await using pg = await getConnection('postgres', {
 *   config: { url: 'jdbc:postgresql://127.0.0.1:5432/test', user: 'postgres' },
 * });
 * console.log(await pg.test()); // true
 * ```
 */
export class PostgreSQLConnection extends JDBCConnection {
  static override description = 'PostgreSQL (JDBC for Spark; node-postgres with binary COPY locally)';
  static override jdbc = { driver: 'org.postgresql.Driver', subprotocol: 'postgresql', defaultPort: 5432, lineageScheme: 'postgres' };
  static override errorHints = {
    // invalid_password, invalid_authorization_specification
    authCodes: ['28P01', '28000'],
    // serialization_failure, deadlock_detected, admin_shutdown, too_many_connections,
    // cannot_connect_now (server starting up)
    retryableCodes: ['40001', '40P01', '57P01', '53300', '57P03'],
  };

  override get dialect(): JdbcDialect {
    return postgresDialect;
  }

  /** node-postgres settings derived from the JDBC config (no secrets are logged from here). */
  clientSettings(): PgClientSettings {
    return pgClientSettings(this.connectionInfo(), this.config as JdbcConfig);
  }

  protected override async openSession(): Promise<JdbcSession> {
    const drivers = await loadDrivers();
    const { openPgSession } = await import('./session.js');
    const c = this.config as JdbcConfig;
    const settings = this.clientSettings();
    return openPgSession(drivers, settings, {
      searchPath: searchPathSql(this.connectionInfo(), c),
      applicationName: settings.application_name,
      isolationLevel: c.isolationLevel,
      sessionInitStatement: c.sessionInitStatement,
    });
  }
}
