/**
 * `@sparkle/connector-trino`: the `trino` connection type (Trino, formerly PrestoSQL).
 *
 * Trino speaks the same HTTP statement protocol as Presto with `X-Trino-*` headers, so this
 * package only changes what differs from `@sparkle/connector-presto`: the headers, the Spark
 * driver (`io.trino.jdbc.TrinoDriver`), the `jdbc:trino://` subprotocol, the lineage scheme
 * and timestamp precision in type names. Importing it registers `trino`.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-trino';
 *
 * await using trino = await getConnection('trino', { config: { url: 'jdbc:trino://127.0.0.1:8080/memory/default', user: 'me' } });
 * const frame = await trino.readTable('orders', { partitionColumn: 'id', numPartitions: 4 });
 * ```
 * @packageDocumentation
 */
import { registerConnection, provideLocalEngine, type JdbcDefaults, type JdbcDialect } from '@sparkle/core';
import { PrestoFamilyConnection, prestoFamilyDialect, TRINO_TYPE_NAMES, type PrestoProtocol } from '@sparkle/connector-presto';
import { meta } from './meta.js';

/**
 * Trino: Spark reads it through the Trino JDBC driver, Node over the HTTP protocol.
 *
 * @example
 * ```ts
 * const trino = new TrinoConnection({ type: 'trino', config: { url: 'jdbc:trino://coordinator:8080/hive/sales', user: 'etl' } });
 * trino.sparkRead('orders', {}).options.driver; // 'io.trino.jdbc.TrinoDriver'
 * ```
 */
export class TrinoConnection extends PrestoFamilyConnection {
  static override description = 'Trino (formerly PrestoSQL)';
  static override protocol: PrestoProtocol = { headerPrefix: 'X-Trino' };
  static override jdbc: JdbcDefaults = { driver: 'io.trino.jdbc.TrinoDriver', subprotocol: 'trino', defaultPort: 8080, lineageScheme: 'trino' };

  override get dialect(): JdbcDialect {
    return prestoFamilyDialect('trino', TRINO_TYPE_NAMES);
  }
}

// Type, aliases, family and core range come from package.json's "sparkle" field (src/meta.ts, generated);
// capabilities are derived from the class's methods.
registerConnection(meta, TrinoConnection);

// Core imports @sparkle/engine-local lazily, but under strict layouts (pnpm) core itself cannot
// resolve it; this package depends on it, so it tells core how to load it, only when nobody did.
provideLocalEngine(() => import('@sparkle/engine-local').then((m) => m.localEngine));
