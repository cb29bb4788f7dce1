/**
 * `CloudStorageConnection`: the family base of object stores (S3 and S3-compatible servers,
 * ADLS Gen2, Azure Blob, GCS, HDFS, SFTP, FTP and the local filesystem).
 *
 * A connector implements the byte-moving half of {@link ObjectStore} (list, stat, ranged get,
 * put, delete, copy, `objectUri`) and states its `storeSemantics`; this base adds what every
 * store shares: tables are files read and written through the file formats (`getFileFormats()`),
 * Spark reads the same keys through Hadoop URIs, health lists the root, lineage names datasets
 * by OpenLineage's conventions.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { SparkleConnection } from '../connection.js';
import type { RecordBatch } from 'apache-arrow';
import type {
  NativeReadPlan,
  NativeSource,
  NativeWriteContext,
  ReadTableOptions,
  SparkReadSpec,
  SparkSource,
  SparkWriteSpec,
  WriteMode,
  WriteResult,
  WriteTableOptions,
} from '../engine.js';
import { InvalidArgumentError, QueryError, SparkleError, UnsupportedOperationError } from '../errors.js';
import { HealthSkip } from '../health.js';
import { fileDataset } from '../lineage/naming.js';
import type { DatasetRef } from '../lineage/types.js';
import { getFileFormats, type FileFormatName, type FileFormatOptions } from '../capabilities/formats.js';
import type {
  GetObjectOptions,
  ListObjectsOptions,
  ObjectBody,
  ObjectInfo,
  ObjectStore,
  ObjectStoreSemantics,
  PutObjectOptions,
} from '../capabilities/object-store.js';
import { confineKey, globPrefix, isGlob, isHiddenKey } from './object-keys.js';
import { partitionField, partitionValuesOf, splitByPartition, withPartitionColumns } from './hive-partitions.js';


/** Config every object store shares: the default file format and its settings. */
export const cloudStorageConfigSchema = z.looseObject({
  /** Format of every key (`csv`, `jsonl`, `arrow`, `parquet`); default: by each key's extension. */
  format: z.string().min(1).optional(),
  /** Format settings (CSV `header`, `delimiter`; Parquet `compression` …), passed to the file formats and to Spark. */
  formatOptions: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  connectTimeoutMs: z.coerce.number().int().positive().default(10_000),
});

export type CloudStorageConfig = z.output<typeof cloudStorageConfigSchema>;

/** Spark options an object store adds to every read and write (Hadoop `fs.*` keys), and which of them are secret. */
export interface SparkHadoopOptions {
  options: Record<string, string>;
  secretOptions: string[];
}

/** Spark's file source names for our formats (Arrow IPC has no Spark file source). */
const SPARK_FORMATS: Readonly<Record<string, string>> = { csv: 'csv', jsonl: 'json', json: 'json', ndjson: 'json', parquet: 'parquet', orc: 'orc', avro: 'avro', txt: 'text', text: 'text' };
const EXTENSION_FORMATS: Readonly<Record<string, FileFormatName>> = {
  csv: 'csv',
  tsv: 'csv',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  json: 'jsonl',
  arrow: 'arrow',
  feather: 'arrow',
  ipc: 'arrow',
  parquet: 'parquet',
  orc: 'orc',
  avro: 'avro',
  txt: 'text',
};
/** Formats whose files can be appended to (the formats rewrite old bytes + new); the others are replaced whole. */
const APPENDABLE_FORMATS: ReadonlySet<string> = new Set(['csv', 'jsonl', 'text']);

/**
 * Base class of object-store connections.
 *
 * @example
 * ```ts
 * class MyStoreConnection extends CloudStorageConnection {
 *   readonly storeSemantics = { atomicPut: true, conditionalPut: true, atomicRename: false, listAfterWrite: 'strong' } as const;
 *   async *listObjects(options) { ... }
 *   async statObject(key) { ... }
 *   async *getObject(key, options) { ... }
 *   async putObject(key, body, options) { ... }
 *   async deleteObjects(keys) { ... }
 *   async copyObject(from, to) { ... }
 *   objectUri(key) { return `s3a://${this.config.bucket}/${key}`; }
 *   protected sparkHadoopOptions() { return { options: { 'fs.s3a.endpoint': this.config.endpoint }, secretOptions: [] }; }
 * }
 * registerConnection('my_store', MyStoreConnection);
 * const frame = await conn.readTable('raw/2024-*.csv'); // every matching object, one partition each
 * ```
 */
export abstract class CloudStorageConnection<TConfig extends object = CloudStorageConfig>
  extends SparkleConnection<TConfig>
  implements ObjectStore, NativeSource, SparkSource
{
  static override schema: z.ZodType = cloudStorageConfigSchema;
  static override family = 'cloud_storage';

  /** The store's atomicity, stated honestly per connector. */
  abstract readonly storeSemantics: ObjectStoreSemantics;
  abstract listObjects(options?: ListObjectsOptions): AsyncIterable<ObjectInfo>;
  abstract statObject(key: string, options?: { signal?: AbortSignal }): Promise<ObjectInfo | undefined>;
  abstract getObject(key: string, options?: GetObjectOptions): AsyncIterable<Uint8Array>;
  abstract putObject(key: string, body: ObjectBody, options?: PutObjectOptions): Promise<ObjectInfo>;
  abstract deleteObjects(keys: readonly string[], options?: { signal?: AbortSignal }): Promise<number>;
  abstract copyObject(from: string, to: string, options?: { signal?: AbortSignal; ifNoneMatch?: '*' }): Promise<ObjectInfo>;
  abstract objectUri(key: string): string;

  /**
   * A key confined to the root (see {@link confineKey}); connectors call it on every key they are
   * given. For `what = 'glob'` the pattern is checked with its wildcards masked and returned as
   * the glob to list with. Stores with another notion of a key (the filesystem also takes
   * absolute paths under its base) override it.
   */
  protected key(key: string, what = 'key'): string {
    if (what === 'glob') {
      confineKey(key.replace(/[*?[\]{}()!]/g, 'x'), this.type, what);
      return key;
    }
    return confineKey(key, this.type, what);
  }

  // -------------------------------------------------------------------------------------------
  // Hooks
  // -------------------------------------------------------------------------------------------

  /** Hadoop `fs.*` options (endpoint, credentials provider, keys) Spark needs for this store. */
  protected sparkHadoopOptions(): SparkHadoopOptions {
    return { options: {}, secretOptions: [] };
  }

  /**
   * The OpenLineage dataset of a key: by default from {@link objectUri} by the naming conventions
   * (`s3://bucket` + key, `gs://bucket` + key, `abfss://container@account.dfs.core.windows.net` + path,
   * `file` + absolute path).
   */
  protected datasetForKey(key: string): DatasetRef {
    return fileDataset(this.objectUri(key));
  }

  override dataset(name: string): DatasetRef {
    try {
      return this.datasetForKey(this.key(name, isGlob(name) ? 'glob' : 'key'));
    } catch {
      // Naming must not throw (lineage names a run before the read refuses the key): the
      // store's namespace with the name as given; the read itself reports the bad key.
      return { namespace: fileDataset(this.objectUri('')).namespace, name };
    }
  }

  /**
   * The file format and its settings for a key: read options, then config; no `format` leaves it
   * to the file formats (by extension). Override to fix a connector's format (`parquet`) or to
   * map a config section of its own to settings.
   */
  protected fileFormatOptions(_key: string, options: { options?: Record<string, string> } = {}): FileFormatOptions {
    const config = this.config as Partial<CloudStorageConfig>;
    const { format: optionFormat, ...rest } = options.options ?? {};
    return {
      ...(optionFormat ?? config.format ? { format: optionFormat ?? config.format } : {}),
      settings: { ...(config.formatOptions ?? {}), ...rest },
    };
  }

  /**
   * Whether an object found under a key read as a directory belongs to the table; `relative` is
   * its key below the directory. Default: every object but hidden and bookkeeping ones (`.x`,
   * `_SUCCESS`), as Spark reads a directory.
   */
  protected acceptsDirectoryEntry(_key: string, relative: string): boolean {
    return !isHiddenKey(relative);
  }

  /** The format name of a key as far as the connection knows it (explicit or by extension), for messages and Spark. */
  protected formatNameOf(key: string, options: { options?: Record<string, string> } = {}): FileFormatName | undefined {
    const explicit = this.fileFormatOptions(key, options).format;
    if (explicit) return explicit;
    const ext = key.toLowerCase().match(/\.([a-z0-9]+)(?:\.(?:gz|bz2|zst|snappy|lz4))?$/)?.[1];
    return ext ? EXTENSION_FORMATS[ext] : undefined;
  }

  /**
   * Natively, a Parquet or Arrow file is written whole and cannot be appended to; CSV and JSON
   * lines can. On Spark every mode works (Spark appends new files to a directory). Hints and the
   * local engine's up-front check come from this, so nobody is told to try what cannot work.
   */
  override supportedWriteModes(table: string, options: { partitionBy?: readonly string[] } = {}): readonly WriteMode[] {
    const all: readonly WriteMode[] = ['append', 'overwrite', 'errorIfExists', 'ignore'];
    // Spark appends new files to a directory; so does a partitioned write (a directory of files).
    if (this.spark || options.partitionBy?.length) return all;
    let format: string | undefined;
    try {
      format = this.formatNameOf(table);
    } catch {
      return all;
    }
    return !format || APPENDABLE_FORMATS.has(format) ? all : ['overwrite', 'errorIfExists', 'ignore'];
  }

  // -------------------------------------------------------------------------------------------
  // Native (local engine)
  // -------------------------------------------------------------------------------------------

  /**
   * The objects a read covers: the matches of a glob, the object itself, or every object under a
   * key used as a directory (`raw/orders` → `raw/orders/…`). None: `QueryError` with `details.notFound`.
   */
  async resolveObjects(pathOrGlob: string, signal?: AbortSignal): Promise<ObjectInfo[]> {
    const found: ObjectInfo[] = [];
    if (isGlob(pathOrGlob)) {
      for await (const info of this.listObjects({ glob: this.key(pathOrGlob, 'glob'), signal })) found.push(info);
    } else {
      const key = this.key(pathOrGlob);
      const info = key === '' || key.endsWith('/') ? undefined : await this.statObject(key, { signal });
      if (info) found.push(info);
      else {
        // '' is the root (a store whose key() allows naming it, as the filesystem's '.').
        const prefix = key === '' || key.endsWith('/') ? key : `${key}/`;
        for await (const o of this.listObjects({ prefix, signal })) if (this.acceptsDirectoryEntry(o.key, o.key.slice(prefix.length))) found.push(o);
      }
    }
    if (found.length === 0) {
      throw new QueryError(`No object matches '${pathOrGlob}' in ${this.objectUri('')}; check the key or glob (keys are relative to the connection's root)`, {
        connector: this.type,
        details: { notFound: true, key: pathOrGlob },
      });
    }
    return found;
  }

  /** Lists the objects and hands them to the file formats: one partition per file (or row group). */
  async nativeRead(pathOrGlob: string, options: ReadTableOptions): Promise<NativeReadPlan> {
    if (options.predicates?.length || options.partitionColumn) {
      throw new UnsupportedOperationError(`${this.type} reads split by file, not by predicates or a partition column; drop predicates/partitionColumn`, {
        connector: this.type,
      });
    }
    if (options.where || options.filter) {
      // Files have no query engine behind them: refusing beats returning unfiltered rows.
      throw new UnsupportedOperationError(`${this.type} reads whole files; '${options.where ? 'where' : 'filter'}' cannot be pushed down. Read the table and filter the rows afterwards`, {
        connector: this.type,
      });
    }
    const objects = await this.resolveObjects(pathOrGlob, options.signal);
    const chosen = [...new Set(objects.map((o) => this.fileFormatOptions(o.key, options).format))];
    if (chosen.length > 1) {
      throw new InvalidArgumentError(`'${pathOrGlob}' matches objects of different formats (${chosen.join(', ')}); narrow the pattern or set format`, { connector: this.type });
    }
    const formats = await getFileFormats();
    try {
      const partitioned = await this.#planPartitionedRead(pathOrGlob, objects, options);
      if (partitioned) return partitioned;
      return await formats.planRead(this, objects, { ...options, ...this.fileFormatOptions(objects[0]!.key, options) });
    } catch (error) {
      throw this.wrapError(error, `read ${pathOrGlob}`);
    }
  }

  /**
   * A directory or glob whose objects lie in Hive-style `column=value/` directories (as Spark's
   * `partitionBy` writes them) reads those values as columns, after the files' own columns, as
   * Spark does: Int64 when every value is an integer, else Utf8. `undefined` when there are none.
   */
  async #planPartitionedRead(pathOrGlob: string, objects: readonly ObjectInfo[], options: ReadTableOptions): Promise<NativeReadPlan | undefined> {
    const key = this.key(pathOrGlob, isGlob(pathOrGlob) ? 'glob' : 'key');
    const single = objects.length === 1 && objects[0]!.key === key;
    if (single) return undefined;
    const root = isGlob(key) ? globPrefix(key) : key === '' || key.endsWith('/') ? key : `${key}/`;
    const valuesOf = objects.map((o) => partitionValuesOf(o.key.slice(root.length)));
    if (valuesOf.every((v) => v.length === 0)) return undefined;
    const names = valuesOf[0]!.map(([name]) => name);
    if (valuesOf.some((v) => v.map(([name]) => name).join('/') !== names.join('/'))) {
      throw new InvalidArgumentError(`'${pathOrGlob}' mixes partition directories (${[...new Set(valuesOf.map((v) => v.map(([n]) => n).join('/') || '(none)'))].join('; ')}); read one partitioning at a time`, {
        connector: this.type,
      });
    }
    const fields = await Promise.all(names.map((name, i) => partitionField(name, valuesOf.map((v) => v[i]![1]))));
    const wanted = options.columns ? fields.filter((f) => options.columns!.includes(f.name)) : fields;
    const dataColumns = options.columns?.filter((c) => !names.includes(c));
    const groups = new Map<string, { objects: ObjectInfo[]; values: Array<string | null> }>();
    objects.forEach((o, i) => {
      const values = valuesOf[i]!.map(([, v]) => v);
      const id = JSON.stringify(values);
      const group = groups.get(id) ?? { objects: [], values };
      group.objects.push(o);
      groups.set(id, group);
    });
    const formats = await getFileFormats();
    const plan: NativeReadPlan = { partitions: [], estimatedRows: 0 };
    for (const group of groups.values()) {
      const part = await formats.planRead(this, group.objects, { ...options, ...(dataColumns ? { columns: dataColumns } : {}), ...this.fileFormatOptions(group.objects[0]!.key, options) });
      const constants = wanted.map((field) => ({ field, value: group.values[names.indexOf(field.name)] ?? null }));
      for (const p of part.partitions) plan.partitions.push({ description: p.description, open: (signal) => withPartitionColumns(p.open(signal), constants) });
      plan.estimatedRows = (plan.estimatedRows ?? 0) + (part.estimatedRows ?? 0);
      if (!plan.schema && part.schema) {
        const { Schema } = await import('apache-arrow');
        plan.schema = new Schema([...part.schema.fields, ...wanted]);
      }
    }
    return plan;
  }

  /**
   * Writes batches as one object through the file formats, with Spark's save modes:
   * `errorIfExists` and `ignore` look at the key first (and pass `ifNoneMatch='*'` so a store
   * with conditional puts also refuses a racing writer, which `ignore` then yields to);
   * `overwrite` and `append` are left to the formats, which write whole-or-nothing as
   * `storeSemantics` allows (append: CSV and JSON lines only).
   */
  async nativeWrite(key: string, batches: AsyncIterable<RecordBatch>, options: WriteTableOptions, context: NativeWriteContext): Promise<Omit<WriteResult, 'elapsedMs'>> {
    const target = this.key(key);
    if (options.partitionBy?.length && !isGlob(target)) return this.#writePartitioned(key, target.replace(/\/+$/, ''), batches, options, context);
    if (isGlob(target) || target.endsWith('/')) {
      throw new InvalidArgumentError(`Cannot write to ${target.endsWith('/') ? 'a directory' : 'a glob'} ('${key}'); give the key of one object, e.g. 'out/orders.parquet'`, { connector: this.type });
    }
    const mode = options.mode ?? 'errorIfExists';
    const extra: Record<string, string> = {};
    if (mode === 'errorIfExists' || mode === 'ignore') {
      const existing = await this.statObject(target, { signal: context.signal });
      if (existing && mode === 'ignore') return { table: key, mode, rows: 0, written: false };
      if (existing) {
        const format = this.formatNameOf(target, options);
        const hint = !format || APPENDABLE_FORMATS.has(format) ? "use mode 'overwrite', 'append' or 'ignore'" : `use mode 'overwrite' or 'ignore' (a ${format} file cannot be appended to)`;
        throw new SparkleError('TABLE_EXISTS', `${this.objectUri(target)} already exists (mode 'errorIfExists'); ${hint}`, {
          connector: this.type,
          details: { key: target },
        });
      }
      extra.ifNoneMatch = '*';
    }
    const formats = await getFileFormats();
    const format = this.fileFormatOptions(target, options);
    try {
      const { rows, bytes } = await formats.write(this, target, batches, {
        ...options,
        mode,
        signal: context.signal,
        onRows: (rows, bytes) => context.onRows(rows, bytes),
        options: { ...(options.options ?? {}), ...extra },
        ...format,
      });
      return { table: key, mode, rows, bytes, written: true };
    } catch (error) {
      // Another writer created the object after the stat above: `ignore` means leave it.
      if (mode === 'ignore' && SparkleError.isInstance(error) && error.code === 'TABLE_EXISTS') return { table: key, mode, rows: 0, written: false };
      throw this.wrapError(error, `write ${this.objectUri(target)}`);
    }
  }

  /**
   * `partitionBy`: the key is a directory (`out/orders.parquet`, its extension or `format` names
   * the file format) holding Hive-style `column=value/` directories, one file per partition per
   * input batch (`part-<n>-<run>.<ext>`), the partition columns in the path, not in the files —
   * as Spark writes it. Each file is written whole (as every put); `errorIfExists`/`ignore` look
   * for any object under the directory first; `overwrite` deletes the old objects only after
   * every new file is written (a failure deletes the new ones and keeps the old table, though a
   * reader listing in between the two may see both); `append` adds files.
   */
  async #writePartitioned(table: string, dir: string, batches: AsyncIterable<RecordBatch>, options: WriteTableOptions, context: NativeWriteContext): Promise<Omit<WriteResult, 'elapsedMs'>> {
    const mode = options.mode ?? 'errorIfExists';
    const format = this.formatNameOf(dir, options);
    const extension = format === 'jsonl' ? 'jsonl' : format;
    if (!format || !['csv', 'jsonl', 'arrow', 'parquet'].includes(format)) {
      throw new InvalidArgumentError(`Cannot tell which file format to write under '${table}' with partitionBy; name the directory with an extension ('out/orders.parquet') or set format`, { connector: this.type });
    }
    const existing: string[] = [];
    for await (const o of this.listObjects({ prefix: `${dir}/`, signal: context.signal })) existing.push(o.key);
    if (existing.length && mode === 'ignore') return { table, mode, rows: 0, written: false };
    if (existing.length && mode === 'errorIfExists') {
      throw new SparkleError('TABLE_EXISTS', `${this.objectUri(dir)} already holds ${existing.length} object(s) (mode 'errorIfExists'); use mode 'overwrite', 'append' or 'ignore'`, {
        connector: this.type,
        details: { key: dir },
      });
    }
    const formats = await getFileFormats();
    const run = randomBytes(6).toString('hex');
    const written: string[] = [];
    let rows = 0;
    let bytes = 0;
    try {
      for await (const { path, batch } of splitByPartition(batches, options.partitionBy!)) {
        const file = `${dir}/${path}/part-${String(written.length).padStart(5, '0')}-${run}.${extension}`;
        const result = await formats.write(this, file, (async function* () { yield batch; })(), {
          ...options,
          ...this.fileFormatOptions(file, options),
          format,
          mode: 'overwrite',
          signal: context.signal,
          onRows: (r, b) => context.onRows(r, b),
        });
        written.push(file);
        rows += result.rows;
        bytes += result.bytes;
      }
    } catch (error) {
      await this.deleteObjects(written).catch(() => undefined);
      throw this.wrapError(error, `write ${this.objectUri(dir)}`);
    }
    if (mode === 'overwrite' && existing.length) await this.deleteObjects(existing, { signal: context.signal });
    return { table, mode, rows, bytes, written: true };
  }

  // -------------------------------------------------------------------------------------------
  // Spark
  // -------------------------------------------------------------------------------------------

  /** Spark's file source for a key's format (`jsonl` → `json`); Arrow IPC has none. */
  protected sparkFormat(key: string, options: { options?: Record<string, string> } = {}): string {
    const format = this.formatNameOf(key, options);
    const spark = format ? SPARK_FORMATS[format] : undefined;
    if (!spark) {
      throw new UnsupportedOperationError(
        format
          ? `Spark has no file source for format '${format}' (${key}); convert it with the local engine, or use csv, jsonl or parquet`
          : `Cannot tell the format of '${key}' from its extension; set 'format' in the connection config or options.format`,
        { connector: this.type, details: { key } },
      );
    }
    return spark;
  }

  /**
   * The Spark data source options of a format for a key (CSV `header`, `sep`; Parquet
   * `compression` …): by default `header=true` for CSV, then config `formatOptions`, then the
   * call's options. Connectors with their own format config override it.
   */
  protected sparkFormatOptions(format: string, _key: string, options: { options?: Record<string, string> }, _direction: 'read' | 'write'): Record<string, string> {
    const config = this.config as Partial<CloudStorageConfig>;
    const settings: Record<string, string> = format === 'csv' ? { header: 'true' } : {};
    for (const [k, v] of Object.entries(config.formatOptions ?? {})) settings[k] = String(v);
    const { format: _format, ...rest } = options.options ?? {};
    return { ...settings, ...rest };
  }

  /** The URI Spark reads or writes a key at: {@link objectUri}; a store may add checks (the filesystem resolves links). */
  protected sparkPath(key: string): string {
    return this.objectUri(key);
  }

  sparkRead(pathOrGlob: string, options: ReadTableOptions = {}): SparkReadSpec {
    const key = this.key(pathOrGlob, isGlob(pathOrGlob) ? 'glob' : 'key');
    const hadoop = this.sparkHadoopOptions();
    const format = this.sparkFormat(key, options);
    return {
      format,
      options: { ...hadoop.options, ...this.sparkFormatOptions(format, key, options, 'read') },
      paths: [this.sparkPath(key)],
      secretOptions: hadoop.secretOptions,
    };
  }

  sparkWrite(key: string, options: WriteTableOptions = {}): SparkWriteSpec {
    const target = this.key(key);
    const hadoop = this.sparkHadoopOptions();
    const format = this.sparkFormat(target, options);
    return {
      format,
      options: { ...hadoop.options, ...this.sparkFormatOptions(format, target, options, 'write') },
      mode: options.mode ?? 'errorIfExists',
      path: this.sparkPath(target),
      ...(options.partitionBy?.length ? { partitionBy: options.partitionBy } : {}),
      secretOptions: hadoop.secretOptions,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Health: network from endpoints(); auth lists the root, the probe stats what it found
  // -------------------------------------------------------------------------------------------

  #firstObject: ObjectInfo | undefined;

  protected override async checkAuth(signal: AbortSignal): Promise<void | HealthSkip | string> {
    this.#firstObject = undefined;
    for await (const info of this.listObjects({ limit: 1, signal })) {
      this.#firstObject = info;
      break;
    }
    return this.#firstObject ? `listed ${this.objectUri('')}` : `listed ${this.objectUri('')} (empty)`;
  }

  protected override async checkProbe(signal: AbortSignal): Promise<void | HealthSkip | string> {
    const first = this.#firstObject;
    if (!first) return new HealthSkip('the root holds no object to stat');
    const info = await this.statObject(first.key, { signal });
    if (!info) throw new QueryError(`${first.key} was listed but stat found nothing (listing is ${this.storeSemantics.listAfterWrite})`, { connector: this.type });
    return `stat ${info.key}: ${info.size} bytes`;
  }
}
