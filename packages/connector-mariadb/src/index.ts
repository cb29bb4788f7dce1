/**
 * `@sparkle/connector-mariadb`: the `mariadb` connection type (MariaDB 10.x).
 *
 * MariaDB speaks the MySQL protocol, so this package only changes what differs from
 * `@sparkle/connector-mysql`: the Spark driver (`org.mariadb.jdbc.Driver`), the JDBC
 * subprotocol (`jdbc:mariadb://`), the lineage scheme, and the statement time limit
 * (`max_statement_time`, in seconds, for every statement). Importing it registers `mariadb`.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-mariadb';
 *
 * await using db = await getConnection('mariadb', { config: { host: '127.0.0.1', database: 'test', user: 'root' } });
 * console.log(await db.test());
 * ```
 * @packageDocumentation
 */
import { registerConnection, type JdbcDefaults } from '@sparkle/core';
import { MySQLProtocolConnection } from '@sparkle/connector-mysql';
import { meta } from './meta.js';

/**
 * MariaDB 10.x: Spark reads it through MariaDB Connector/J, Node through mysql2.
 *
 * @example
 * ```ts
 * const db = new MariaDBConnection({ type: 'mariadb', config: { url: 'jdbc:mariadb://127.0.0.1:3306/test', user: 'root' } });
 * db.sparkRead('orders', {}).options.driver; // 'org.mariadb.jdbc.Driver'
 * db.sparkRead('orders', {}).options.url; // 'jdbc:mysql://127.0.0.1:3306/test?permitMysqlScheme' (Spark's MySQL dialect)
 * ```
 */
export class MariaDBConnection extends MySQLProtocolConnection {
  static override description = 'MariaDB 10.x';
  static override jdbc: JdbcDefaults = { driver: 'org.mariadb.jdbc.Driver', subprotocol: 'mariadb', defaultPort: 3306, lineageScheme: 'mariadb' };

  /**
   * Spark has no MariaDB dialect: a `jdbc:mariadb:` URL gets its generic one, which quotes names
   * with double quotes (string literals to MariaDB) and cannot find a backquoted partition column.
   * Spark is handed the same address as `jdbc:mysql:` (its MySQL dialect: backquotes, MySQL types),
   * and MariaDB's driver is told to accept that scheme (`permitMysqlScheme`).
   */
  protected override sparkBaseOptions(): Record<string, string> {
    const options = super.sparkBaseOptions();
    if (options.url?.startsWith('jdbc:mariadb:')) {
      const url = `jdbc:mysql:${options.url.slice('jdbc:mariadb:'.length)}`;
      options.url = /[?&]permitMysqlScheme\b/.test(url) ? url : `${url}${url.includes('?') ? '&' : '?'}permitMysqlScheme`;
    }
    return options;
  }

  /** MariaDB bounds every statement (not only SELECT) with `max_statement_time`, in seconds. */
  protected override queryTimeoutStatement(ms: number): string {
    return `SET SESSION max_statement_time = ${(ms / 1000).toFixed(3)}`;
  }
}

// Type, aliases, family and core range come from package.json's "sparkle" field (src/meta.ts, generated);
// capabilities are derived from the class's methods.
registerConnection(meta, MariaDBConnection);
