/**
 * `@sparkle/connector-greenplum`: the `greenplum` connection type. Greenplum speaks the
 * PostgreSQL wire protocol, so this builds on `@sparkle/connector-postgres` (node-postgres with
 * binary COPY locally) and adds what is Greenplum's own: the optional Greenplum JDBC driver's
 * URL form for Spark and a `DISTRIBUTED BY` / `DISTRIBUTED RANDOMLY` clause for the tables a
 * write creates. Importing it registers `greenplum`.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-greenplum';
 *
 * await using gp = await getConnection('greenplum', {
 *   config: { url: 'jdbc:postgresql://gp-master:5432/warehouse', user: 'gpadmin', distributedBy: ['id'] },
 * });
 * console.log(await gp.test());
 * ```
 * @packageDocumentation
 */
import { registerConnection, type ConnectionClass } from '@sparkle/core';
import { GreenplumConnection } from './connection.js';
import { meta } from './meta.js';

export { GreenplumConnection, greenplumConfigSchema, GREENPLUM_DRIVER, type GreenplumConfig } from './connection.js';

// Type, aliases, family and core range come from package.json's "sparkle" field (src/meta.ts, generated);
// capabilities are derived from the class's methods.
registerConnection(meta, GreenplumConnection as unknown as ConnectionClass);
