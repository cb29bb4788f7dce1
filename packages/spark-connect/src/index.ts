/**
 * @sparkle/spark-connect — a Spark Connect client for TypeScript (gRPC, Arrow results,
 * reattachable execution) and the Spark engine for Sparkle connections.
 *
 * @example
 * ```ts
 * import { SparkSession } from '@sparkle/spark-connect';
 *
 * const spark = await SparkSession.builder().remote('sc://localhost:15002').getOrCreate();
 * const rows = await spark.sql('SELECT 1 AS one').collect();
 * await spark.stop();
 * ```
 * @packageDocumentation
 */
export { parseConnectionString, defaultRemote, DEFAULT_PORT, type ConnectionSpec } from './connection-string.js';
export { SparkConnectClient, MAX_MESSAGE_BYTES, ARTIFACT_CHUNK_BYTES, type SparkConnectClientOptions, type ExecuteOptions } from './client.js';
export { ReattachableExecution } from './execution.js';
export { DEFAULT_RETRY_POLICY, backoffDelay, isRetryableGrpcError, withRetries, defaultSleep, type RetryPolicy } from './retry.js';
export { toSparkleError, sparkErrorInfo, enrichWithDetails, type SparkErrorInfo } from './errors.js';
export { SparkSession, SparkSessionBuilder, RuntimeConfig, type SessionOptions } from './session.js';
export { Column, col, lit, expr, fn, toColumn, type ColumnLike, type LiteralValue, type NullsOrder } from './column.js';
export {
  createDataFrameLimits,
  rowsToTable,
  type LocalData,
  type LocalRelationOptions,
} from './local-relation.js';
export {
  DataFrame,
  GroupedData,
  type JoinType,
  DataFrameWriter,
  DataStreamWriter,
  type ActionOptions,
  type ExplainMode,
  type StreamingQuery,
  type Trigger,
  type WriteOutcome,
} from './dataframe.js';
export { DataFrameReader, DataStreamReader, type JdbcPartitioning } from './reader.js';
export { SparkConnectEngine, ENGINE_NAME } from './engine.js';
export { decodeArrowBatches, collectTable, rowsOf, timeOfDay, decimalText } from './arrow.js';
export { typeString, toStructType, type StructField, type StructType } from './types.js';
export { serviceDefinition, methodPath } from './grpc-codec.js';
export { VERSION } from './version.js';
/** The generated protocol messages (Sparkle's own `spark.connect` subset). */
export * as proto from './gen/spark/connect/base_pb.js';
export * as relationsProto from './gen/spark/connect/relations_pb.js';
export * as commandsProto from './gen/spark/connect/commands_pb.js';
export * as expressionsProto from './gen/spark/connect/expressions_pb.js';
export * as typesProto from './gen/spark/connect/types_pb.js';
export * as statusProto from './gen/google/rpc/status_pb.js';
