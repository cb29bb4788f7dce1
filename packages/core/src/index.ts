/**
 * @sparkle/core — the connection registry, config loader, errors, lineage and engine contract
 * every Sparkle connector builds on.
 *
 * @example
 * ```ts
 * import { getConnection, ConnectionFactory } from '@sparkle/core';
 *
 * console.log(`Available: ${ConnectionFactory.listAvailable().length} connection types`);
 * await using conn = await getConnection('postgres', { env: 'prod' });
 * if (!(await conn.test())) throw new Error('Connection failed');
 * ```
 * @packageDocumentation
 */
export * from './errors.js';
export * from './secrets.js';
export * from './engine.js';
export * from './registry.js';
export * from './discovery.js';
export * from './semver-range.js';
export * from './version.js';
export * from './connection.js';
export * from './factory.js';
export * from './health.js';
export * from './leftovers.js';
export * from './classify.js';
export * from './util/async.js';
export * from './http/index.js';
export * from './config/index.js';
export type * from './config/types.js';
export * from './lineage/index.js';
export type * from './lineage/types.js';
export * from './families/sql.js';
export * from './families/jdbc-url.js';
export * from './families/arrow-sql.js';
export * from './families/jdbc.js';
export * from './families/object-keys.js';
export { hiveValuesOf, hiveGroups, hiveTypeOf, type HiveGroup } from './families/hive-partitions.js';
export * from './families/cloud-storage.js';
export * from './families/aws.js';
export * from './families/google.js';
export * from './families/cloud-storage-discover.js';
export * from './families/streaming.js';
export * from './families/stream-payload.js';
export * from './families/message-properties.js';
export * from './families/document-schema.js';
export * from './families/nosql.js';
export * from './families/nosql-bulk.js';
export * from './families/document-discover.js';
export * from './util/provided.js';
export * from './families/service.js';
export * from './families/arrow-rows.js';
export * from './families/catalog.js';
export * from './families/ml.js';
export * from './families/notify.js';
export * from './families/notify-text.js';
export * from './families/directory.js';
export * from './families/warehouse.js';
export * from './families/table-format.js';
export * from './capabilities/index.js';
export * from './families/api.js';
