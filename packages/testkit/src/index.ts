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
export { ensureSparkConnect, sparkGlobalSetup, sparkRemoteForTests, type SparkConnectService } from './spark.js';
