/**
 * @sparkle/testkit — the shared conformance suite (`testConnector`) and helpers that find or
 * start the real services connector tests talk to.
 *
 * @example
 * ```ts
 * // packages/connector-x/test/conformance.test.ts
 * import { testConnector, findPostgres } from '@sparkle/testkit';
 * import '../src/index.js';
 *
 * testConnector({
 *   type: 'postgres',
 *   validConfig: { url: 'jdbc:postgresql://db:5432/app', user: 'u', password: 'not-a-real-secret' },
 *   secretFields: ['password'],
 *   capabilities: { read: true, write: true, query: true, discover: true, spark: true, health: true },
 *   service: findPostgres,
 * });
 * ```
 * @packageDocumentation
 */
export { testConnector, collectRows, type ConnectorTestOptions, type ConnectorCapabilities, type InvalidConfigCase, type ServiceResult } from './conformance.js';
export { MemoryLineageClient, type RecordedLineageEvent } from './lineage.js';
export { SAMPLE_ROWS, sampleTable, normaliseRows, plain } from './sample.js';
export {
  tcpOpen,
  tempDir,
  findPostgres,
  startPglite,
  startPostgresCluster,
  postgresBinDir,
  findMariaDb,
  blackHole,
  type TempDir,
  type PostgresService,
  type MariaDbService,
} from './services.js';
export { liveJdbcSuite, type LiveJdbcSuiteOptions } from './live.js';
export { nativeDriverChecks, type NativeDriverChecksOptions } from './driver.js';

// -- Capability suites and in-memory references: catalog, ML registry, notify, directory ----------
export { testCatalog, type CatalogSuiteOptions } from './suites/catalog.js';
export { testMlRegistry, type MlRegistrySuiteOptions } from './suites/ml.js';
export { testNotifier, type NotifierSuiteOptions, type ReceivedMessage } from './suites/notify.js';
export { testDirectory, type DirectorySuiteOptions } from './suites/directory.js';
export { type ServiceSuiteOptions } from './suites/service-common.js';
export { MemoryCatalogConnection, memoryCatalogConfigSchema, type MemoryCatalogConfig } from './reference/catalog.js';
export { MemoryMlConnection, memoryMlConfigSchema, type MemoryMlConfig } from './reference/ml.js';
export { MemoryNotifyConnection, memoryNotifyConfigSchema, type MemoryNotifyConfig, type DeliveredMessage } from './reference/notify.js';
export { MemoryDirectoryConnection, memoryDirectoryConfigSchema, entryMatches, normalizeDn, type MemoryDirectoryConfig } from './reference/directory.js';
export { memoryState, dropMemoryStore } from './reference/memory-store.js';
