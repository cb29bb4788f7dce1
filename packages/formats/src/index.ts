/**
 * @sparkle/formats — the file formats every Sparkle object store shares: CSV (a small exact parser),
 * JSON lines, Arrow IPC (apache-arrow) and Parquet (parquet-wasm), read and written over core's
 * `ObjectStore` capability, plus glob matching of keys (re-exported from core). `fileFormats` implements
 * core's `FileFormats` contract.
 *
 * @example
 * ```ts
 * import { fileFormats } from '@sparkle/formats';
 *
 * const plan = await fileFormats.planRead(store, objects, { columns: ['id', 'amount'] });
 * const { rows } = await fileFormats.write(store, 'out/orders.parquet', batches, { mode: 'overwrite' });
 * ```
 * @packageDocumentation
 */
export { fileFormats, publishObject, tempKeyFor, type PlanReadOptions, type FormatWriteOptions, type SparkleFileFormats } from './file-formats.js';
export {
  FILE_FORMATS,
  FORMAT_EXTENSIONS,
  SPARK_FORMAT,
  csvSettings,
  extensionOf,
  formatOf,
  parquetSettings,
  samplingRows,
  type CsvSettings,
  type FileFormat,
  type ParquetSettings,
} from './formats.js';
export { CsvParser, csvRecords, formatCsvField, formatCsvRecord, type CsvDialect, type CsvRecord } from './csv.js';
export { globPrefix, isGlob, isHiddenKey, keyMatcher } from './glob.js';
export { objectBlob, type RangeBlob } from './store-blob.js';
export {
  encodeParquet,
  loadParquetWasm,
  parquetInfo,
  readParquetBatches,
  rowGroupRows,
  writeParquet,
  type EncodeStats,
  type ParquetCompression,
  type ParquetEncodeOptions,
  type ParquetFileInfo,
  type ParquetSource,
  type ReadParquetOptions,
  type WriteParquetOptions,
  type WriteParquetResult,
} from './parquet.js';
export { arrowSchema, jsonlRows, readArrow, readCsv, readJsonl, sampleCsvSchema, sampleJsonlSchema, textChunks, type OpenBytes, type ReadBatchesOptions } from './readers.js';
export { encodeArrow, encodeCsv, encodeJsonl, type EncodeTextOptions } from './writers.js';
export { decimalToString, formattedRows, inferCsvSchema, valueFormatter, type ValueFormatter } from './values.js';
