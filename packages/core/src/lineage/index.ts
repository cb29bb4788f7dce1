/**
 * OpenLineage for Sparkle: RunEvents for every read and write, dataset naming by the
 * OpenLineage conventions, and console / file / HTTP / composite transports configured like
 * the OpenLineage clients (`openlineage.yml`, `OPENLINEAGE__*`, `OPENLINEAGE_URL`).
 */
export {
  OpenLineageClient,
  OpenLineageRun,
  createLineageClient,
  getLineageClient,
  setLineageClient,
  type LineageClientOptions,
} from './client.js';
export {
  buildRunEvent,
  facet,
  schemaFacet,
  dataSourceFacet,
  isAbsoluteUri,
  SPARKLE_CORE_VERSION,
  SPARKLE_PRODUCER,
  SPARKLE_RUN_FACET_SCHEMA_URL,
  OPENLINEAGE_SCHEMA_URL,
  type BuildRunEventInput,
  type Facet,
  type Facets,
  type InputDataset,
  type OutputDataset,
  type OpenLineageDataset,
  type RunEvent,
  type RunEventType,
  type SchemaField,
} from './event.js';
export {
  datasetNamespace,
  jdbcDataset,
  jdbcDataSource,
  fileDataset,
  kafkaDataset,
  bigqueryDataset,
  snowflakeDataset,
  pubsubDataset,
  glueDataset,
  cosmosDataset,
  inMemoryDataset,
  splitHostPort,
  DEFAULT_PORTS,
  type NamespaceParts,
  type JdbcDataSource,
} from './naming.js';
export {
  resolveLineageConfig,
  findConfigFile,
  configFromEnv,
  createTransport,
  type LineageConfigSources,
  type ResolvedLineageConfig,
} from './config.js';
export { parseYaml } from './yaml.js';
export { uuidv7 } from './uuid.js';
export type { LineageTransport } from './transports/types.js';
export { ConsoleTransport, type ConsoleTransportOptions } from './transports/console.js';
export { FileTransport, type FileTransportOptions } from './transports/file.js';
export { HttpTransport, type HttpTransportOptions } from './transports/http.js';
export { CompositeTransport, type CompositeTransportOptions } from './transports/composite.js';
export { NoopTransport } from './transports/noop.js';
export { validateRunEvent, isUri, isUuid, isDateTime } from './validate.js';
