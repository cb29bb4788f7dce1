/**
 * Which format a key is in, and each format's settings as connectors pass them (a config's
 * `csv`/`parquet` section, per-call string options as Spark spells them).
 */
import { InvalidArgumentError } from '@sparkle/core';
import type { CsvDialect } from './csv.js';
import type { ParquetCompression } from './parquet.js';

/** The formats this package reads and writes. */
export type FileFormat = 'csv' | 'jsonl' | 'arrow' | 'parquet';

/** Every format name, in the order error messages list them. */
export const FILE_FORMATS: readonly FileFormat[] = ['csv', 'jsonl', 'arrow', 'parquet'];

/** Extensions and the format they imply. */
export const FORMAT_EXTENSIONS: Readonly<Record<string, FileFormat>> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.txt': 'csv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.json': 'jsonl',
  '.arrow': 'arrow',
  '.ipc': 'arrow',
  '.feather': 'arrow',
  '.arrows': 'arrow',
  '.parquet': 'parquet',
  '.parq': 'parquet',
};

/** The format Spark's file sources call each format by. */
export const SPARK_FORMAT: Readonly<Record<FileFormat, string>> = { csv: 'csv', jsonl: 'json', arrow: 'arrow', parquet: 'parquet' };

/** The lower-cased extension of a key's last segment (`raw/a.CSV` → `.csv`), or ''. */
export function extensionOf(key: string): string {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

/**
 * The format of a key: an explicit choice wins, then the extension (`.csv.gz` is not supported).
 *
 * @example
 * ```ts
 * formatOf('raw/a.ndjson'); // 'jsonl'
 * formatOf('raw/a.txt', 'csv'); // 'csv'
 * ```
 */
export function formatOf(key: string, explicit?: string): FileFormat {
  if (explicit) {
    if (!(FILE_FORMATS as readonly string[]).includes(explicit)) throw new InvalidArgumentError(`Unknown file format '${explicit}': use ${FILE_FORMATS.join(', ')}`);
    return explicit as FileFormat;
  }
  const format = FORMAT_EXTENSIONS[extensionOf(key)];
  if (!format) throw new InvalidArgumentError(`Cannot tell the format of '${key}' from its extension; set format (${FILE_FORMATS.join(', ')}) in the config or options`);
  return format;
}

/** CSV read/write settings, settled. */
export interface CsvSettings extends CsvDialect {
  header: boolean;
  /** Infer Int64/Float64/Bool/Date/Timestamp columns (Spark's `inferSchema`); else all text. */
  inferSchema: boolean;
}

/** Parquet write settings, settled. */
export interface ParquetSettings {
  compression: ParquetCompression;
  rowGroupSize?: number;
  rowGroupBytes?: number;
}

function bool(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidArgumentError(`Expected true or false, got ${JSON.stringify(value)}`);
}

function positive(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * CSV settings for a key from loose settings (booleans or Spark's `'true'`/`'false'`; `sep` as
 * an alias of `delimiter`). A `.tsv` key is tab-separated unless a delimiter is given.
 *
 * @example
 * ```ts
 * csvSettings('a.tsv', { header: 'false' }); // { delimiter: '\t', quote: '"', header: false, inferSchema: true }
 * ```
 */
export function csvSettings(key: string, settings: Record<string, unknown> = {}): CsvSettings {
  const delimiter = (settings.delimiter ?? settings.sep) as string | undefined;
  const nullValue = settings.nullValue as string | undefined;
  return {
    header: bool(settings.header, true),
    delimiter: delimiter ?? (extensionOf(key) === '.tsv' ? '\t' : ','),
    quote: (settings.quote as string | undefined) ?? '"',
    ...(nullValue !== undefined ? { nullValue } : {}),
    inferSchema: bool(settings.inferSchema, true),
  };
}

/** Parquet settings from loose settings. */
export function parquetSettings(settings: Record<string, unknown> = {}): ParquetSettings {
  const compression = (settings.compression as string | undefined) ?? 'snappy';
  if (!['snappy', 'zstd', 'gzip', 'none'].includes(compression)) throw new InvalidArgumentError(`Unknown Parquet compression '${compression}': use snappy, zstd, gzip or none`);
  const rowGroupSize = positive(settings.rowGroupSize, 'rowGroupSize');
  const rowGroupBytes = positive(settings.rowGroupBytes, 'rowGroupBytes');
  return { compression: compression as ParquetCompression, ...(rowGroupSize ? { rowGroupSize } : {}), ...(rowGroupBytes ? { rowGroupBytes } : {}) };
}

/** Rows looked at to settle the schema of CSV and JSON lines files (`samplingRows`, default 10 000). */
export function samplingRows(settings: Record<string, unknown> = {}): number {
  return positive(settings.samplingRows, 'samplingRows') ?? 10_000;
}
