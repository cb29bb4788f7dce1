/**
 * `@sparkle/connector-mysql`: the `mysql` connection type, and the MySQL-protocol base that
 * `@sparkle/connector-mariadb` builds on. Importing this module registers `mysql`.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-mysql';
 *
 * await using db = await getConnection('mysql', { config: { host: '127.0.0.1', database: 'test', user: 'root' } });
 * const frame = await db.readTable('orders', { partitionColumn: 'id', numPartitions: 4 });
 * ```
 * @packageDocumentation
 */
import { provideLocalEngine, registerConnection } from '@sparkle/core';
import { MySQLConnection } from './connection.js';
import { meta } from './meta.js';

export { MySQLConnection, MySQLProtocolConnection, mysqlConfigSchema, type MysqlConfig } from './connection.js';
export { mysqlDialect, MYSQL_TYPE_NAMES, quoteMysql } from './dialect.js';
export { MysqlSession, DEFAULT_BATCH_ROWS, type MysqlBulkLoad } from './session.js';
export { arrowTypeOfColumn, arrowFieldOfColumn, MysqlType, type MysqlColumn } from './types.js';
// The exact Arrow builders and cell readers live in @sparkle/engine-local; re-exported here so
// code written against this package's earlier API keeps working.
export {
  columnBuilder,
  batchFromBuilders,
  emptyBatch,
  ArrowTypes,
  decimalStringToBigInt,
  bigIntToDecimalString,
  parseTimestampMicros,
  formatTimestampMicros,
  cellReader,
  type ColumnBuilder,
  type Cell,
} from '@sparkle/engine-local';

// Lets core load the local engine through this package's own dependency on it (see @sparkle/core provideLocalEngine).
provideLocalEngine(() => import('@sparkle/engine-local').then((m) => m.localEngine));

// Type, aliases, family and core range come from package.json's "sparkle" field (src/meta.ts, generated);
// capabilities are derived from the class's methods.
registerConnection(meta, MySQLConnection);
