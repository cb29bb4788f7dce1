/**
 * @sparkle/engine-local — Sparkle's in-process engine: partitioned parallel reads and atomic
 * writes as streams of Apache Arrow record batches, through each connector's native driver.
 * Core imports this package lazily when a connection has no Spark session; importing it only
 * defines classes and functions.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import type { LocalFrame } from '@sparkle/engine-local';
 *
 * await using conn = await getConnection('sqlite', { config: { path: './demo.db' } });
 * const frame = await conn.readTable<LocalFrame>('orders', { partitionColumn: 'id', numPartitions: 4 });
 * console.log(await frame.count());
 * ```
 * @packageDocumentation
 */
export { LocalEngine, localEngine, type LocalEngineOptions, type WriteInternals } from './engine.js';
export { LocalFrame, type FrameSource, type ConsumeOptions } from './frame.js';
export { copyTable, type CopyTableOptions, type CopySource, type CopyTarget, type CopyResult, type CopyProgress } from './copy.js';
export {
  RowBatchBuilder,
  rowsToBatches,
  inferSchema,
  batchByteLength,
  emptyBatch,
  iterateBatches,
  isRecordBatch,
  DEFAULT_BATCH_SIZE,
  type Row,
  type InferSchemaOptions,
  type RowsToBatchesOptions,
  type IterateBatchesOptions,
} from './arrow.js';
export { arrowToolkit } from './toolkit.js';
export { columnBuilder, batchFromBuilders, ArrowTypes, type ColumnBuilder } from './columns.js';
export {
  encodeDecimal,
  decimalStringToBigInt,
  decimalToUnscaled,
  bigIntToDecimalString,
  decimalWordsToBigInt,
} from './decimal.js';
export {
  parseTimestampMicros,
  parseTimestampNanos,
  formatTimestampMicros,
  parseDateDays,
  formatDateDays,
  parseTimeMicros,
  formatTimeMicros,
} from './temporal.js';
export { cellReader, columnReaders, formatDate, formatTimestamp, type Cell, type CellKind, type ColumnReader } from './sql-cells.js';
export {
  arrowTypeOfSqlName,
  arrowFieldOf,
  timestampTextToMs,
  cellConverter,
  rowPagesToBatches,
  type ColumnDescription,
} from './sql-types.js';
export { mergePartitions, type MergeOptions } from './merge.js';
export type { LineageParent } from './lineage.js';
export {
  writeAtomically,
  pathExists,
  type AtomicMode,
  type AtomicWriteOptions,
} from './files.js';
