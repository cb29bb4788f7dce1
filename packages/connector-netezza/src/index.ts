/**
 * `@sparkle/connector-netezza`: the `netezza` connection type (IBM Netezza / Netezza
 * Performance Server). Importing this module registers `netezza`.
 *
 * No maintained Node.js driver speaks Netezza's wire protocol (it descends from PostgreSQL's
 * but is not compatible with it, so `pg` cannot log in). Reads and writes therefore run under
 * Spark with IBM's JDBC driver (`org.netezza.Driver`); natively, `check()` verifies the config
 * and reaches the server over DNS + TCP, and says plainly that it skipped authentication.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-netezza';
 *
 * await using nz = await getConnection('netezza', { spark, config: { url: 'jdbc:netezza://nz:5480/SALES', user: 'admin', password: 'secret' } });
 * const df = await nz.readTable('ORDERS', { partitionColumn: 'ID', lowerBound: 0, upperBound: 1e6, numPartitions: 8 });
 * ```
 * @packageDocumentation
 */
import {
  ANSI_TYPE_NAMES,
  ansiDialect,
  NoNativeDriverConnection,
  registerConnection,
  provideLocalEngine,
  type JdbcDefaults,
  type JdbcDialect,
} from '@sparkle/core';
import { meta } from './meta.js';

/** Netezza's dialect: ANSI quoting, unquoted names stored in upper case (the base folds them). */
export const netezzaDialect: JdbcDialect = {
  ...ansiDialect,
  name: 'netezza',
  typeNames: { ...ANSI_TYPE_NAMES, text: 'NVARCHAR(16000)', binary: 'VARBINARY(64000)', json: 'NVARCHAR(16000)', timestamptz: 'TIMESTAMP', time: 'TIME' },
  transactionalDdl: true,
  unquotedCase: 'upper',
};

/**
 * IBM Netezza through Spark's JDBC data source; natively only reachability.
 *
 * @example
 * ```ts
 * const nz = new NetezzaConnection({ type: 'netezza', config: { host: 'nz', database: 'SALES' } });
 * nz.sparkRead('orders', {}).options; // { url: 'jdbc:netezza://nz:5480/SALES', driver: 'org.netezza.Driver', dbtable: '"ORDERS"' }
 * ```
 */
export class NetezzaConnection extends NoNativeDriverConnection {
  static override description = 'IBM Netezza';
  static override noDriverReason = 'no maintained Node.js driver speaks the Netezza protocol; authentication and queries run through Spark (org.netezza.Driver)';
  static override jdbc: JdbcDefaults = { driver: 'org.netezza.Driver', subprotocol: 'netezza', defaultPort: 5480, lineageScheme: 'netezza' };
  static override errorHints = { authCodes: ['28000'], retryableCodes: ['40001', '08006'] };

  override get dialect(): JdbcDialect {
    return netezzaDialect;
  }
}

// Type, aliases, family and core range come from package.json's "sparkle" field (src/meta.ts, generated);
// capabilities are derived from the class's methods.
registerConnection(meta, NetezzaConnection);

// Core imports @sparkle/engine-local lazily, but under strict layouts (pnpm) core itself cannot
// resolve it; this package depends on it, so it tells core how to load it, only when nobody did.
provideLocalEngine(() => import('@sparkle/engine-local').then((m) => m.localEngine));
