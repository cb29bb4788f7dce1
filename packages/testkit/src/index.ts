/**
 * @sparkle/testkit — the shared conformance suites (`testConnector` for tables; `testObjectStore`,
 * `testStream` and `testDocumentStore` per capability), the in-memory reference implementations
 * the capability suites are proven on (`memory_objects`, `memory_stream`, `memory_docs`), and
 * helpers that find or start the real services connector tests talk to.
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
export { validateOpenLineageEvent, RUN_EVENT_SCHEMA } from './openlineage.js';
export { MemoryLineageClient, runEventOf, lineageProblems, type RecordedLineageEvent } from './lineage.js';
export {
  MemoryObjectStoreConnection,
  MemoryStreamConnection,
  MemoryDocumentConnection,
  memoryObjectStoreConfigSchema,
  memoryStreamConfigSchema,
  memoryDocumentConfigSchema,
  registerReferenceConnections,
  type MemoryObjectStoreConfig,
  type MemoryStreamConfig,
  type MemoryDocumentConfig,
  type InjectedFailure,
} from './reference/index.js';
export { testObjectStore, type ObjectStoreSuiteOptions } from './suites/object-store.js';
export { testStream, type StreamSuiteOptions } from './suites/stream.js';
export { testDocumentStore, type DocumentSuiteOptions } from './suites/documents.js';
export { ensureLocalEngine, type CapabilitySuiteOptions } from './suites/common.js';
export { DOCUMENT_SAMPLE, FILTER_CASES, expectedIds } from './document-sample.js';
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
export { ensureService, findServicesRoot, parseExportLines, type EnsureServiceOptions } from './ensure-service.js';
export { liveJdbcSuite, type LiveJdbcSuiteOptions } from './live.js';
export { nativeDriverChecks, type NativeDriverChecksOptions } from './driver.js';
export { startHttpServer, sendJson, type SeenHttpRequest, type HttpHandler, type TestHttpServer } from './http-server.js';
export { AmqpBrokerFake } from './amqp-fake.js';
export { ensureSparkConnect, sparkGlobalSetup, sparkRemoteForTests, type SparkConnectService } from './spark.js';

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
