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
import { hiveGroups, planHivePartitioned } from './hive-partitions.js';
import { writePartitioned } from './partitioned-write.js';
import { parseTempFileName, type Leftover, type LeftoverCleaner } from '../leftovers.js';


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
  implements ObjectStore, NativeSource, SparkSource, LeftoverCleaner
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
   * A copy whose bytes stream through this process, for stores with no server-side copy (SFTP,
   * FTP, WebHDFS, the ADLS DFS API): the read is pinned to the source's etag, so a source changed
   * mid-copy fails instead of producing a mix, and the write is the store's own atomic put
   * (`ifNoneMatch: '*'` passed on). A missing source is a not-found `QueryError`.
   */
  protected async copyThroughProcess(from: string, to: string, options: { signal?: AbortSignal; ifNoneMatch?: '*' } = {}): Promise<ObjectInfo> {
    // Both keys are refused here when they leave the root, before any byte moves.
    this.key(from);
    this.key(to);
    const signal = options.signal ? { signal: options.signal } : {};
    const info = await this.statObject(from, signal);
    if (!info) throw new QueryError(`${this.type}: no object '${from}' to copy (${this.objectUri(this.key(from))})`, { connector: this.type, details: { notFound: true, key: from } });
    return this.putObject(to, this.getObject(from, { ...(info.etag ? { ifMatch: info.etag } : {}), ...signal }), {
      ...signal,
      ...(options.ifNoneMatch ? { ifNoneMatch: options.ifNoneMatch } : {}),
      ...(info.contentType ? { contentType: info.contentType } : {}),
      ...(info.metadata ? { metadata: info.metadata } : {}),
    });
  }

  /**
   * Temporary objects (`.name.<token>.sparkle-tmp`) that interrupted writes left under `scope`
   * (a key prefix; the whole root when absent). Judge and remove them with `cleanLeftovers()`
   * or `sparkle clean`; a later write to the same key also removes those no live writer owns.
   */
  async findLeftovers(options: { scope?: string; signal?: AbortSignal } = {}): Promise<Leftover[]> {
    const prefix = options.scope ? this.key(options.scope, 'prefix') : undefined;
    const found: Leftover[] = [];
    for await (const object of this.listObjects({ ...(prefix ? { prefix } : {}), ...(options.signal ? { signal: options.signal } : {}) })) {
      const slash = object.key.lastIndexOf('/');
      const parsed = parseTempFileName(object.key.slice(slash + 1));
      if (parsed) found.push({ kind: 'object', name: object.key, target: `${object.key.slice(0, slash + 1)}${parsed.target}`, token: parsed.token });
    }
    return found;
  }

  /** Deletes one temporary object found by {@link CloudStorageConnection.findLeftovers}; refuses any other key. */
  async removeLeftover(leftover: Leftover, options: { signal?: AbortSignal } = {}): Promise<void> {
    const key = this.key(leftover.name);
    if (!parseTempFileName(key.slice(key.lastIndexOf('/') + 1))) {
      throw new InvalidArgumentError(`${leftover.name} is not a leftover of a Sparkle write (no .<name>.<token>.sparkle-tmp form): not deleted`, { connector: this.type });
    }
    await this.deleteObjects([key], options.signal ? { signal: options.signal } : {});
  }

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
    // Spark appends anything; a partitioned write appends by adding part files, whatever the format.
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
    const format = this.fileFormatOptions(objects[0]!.key, options);
    try {
      const root = this.#partitionRoot(pathOrGlob, objects);
      const hive = root === undefined ? undefined : hiveGroups(objects, root);
      if (hive?.columns.length) {
        // Hive-style `name=value/` directories below the path read are columns, as in Spark.
        return await planHivePartitioned(hive.groups, hive.columns, options.columns, (group, columns) =>
          formats.planRead(this, group, { ...options, ...(columns ? { columns } : {}), ...format }),
        );
      }
      return await formats.planRead(this, objects, { ...options, ...format });
    } catch (error) {
      throw this.wrapError(error, `read ${pathOrGlob}`);
    }
  }

  /** The key below which `name=value/` segments are partition columns: a glob's literal prefix, a directory's key; none for one object. */
  #partitionRoot(pathOrGlob: string, objects: readonly ObjectInfo[]): string | undefined {
    if (isGlob(pathOrGlob)) return globPrefix(this.key(pathOrGlob, 'glob'));
    const key = this.key(pathOrGlob);
    if (objects.length === 1 && objects[0]!.key === key) return undefined;
    return key === '' || key.endsWith('/') ? key : `${key}/`;
  }

  /**
   * Writes batches as one object through the file formats, with Spark's save modes:
   * `errorIfExists` and `ignore` look at the key first (and pass `ifNoneMatch='*'` so a store
   * with conditional puts also refuses a racing writer, which `ignore` then yields to);
   * `overwrite` and `append` are left to the formats, which write whole-or-nothing as
   * `storeSemantics` allows (append: CSV and JSON lines only).
   */
  async nativeWrite(key: string, batches: AsyncIterable<RecordBatch>, options: WriteTableOptions, context: NativeWriteContext): Promise<Omit<WriteResult, 'elapsedMs'>> {
    if (options.partitionBy?.length) return this.#writePartitioned(key, batches, options, context);
    const target = this.key(key);
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
   * `partitionBy`: the key is a directory of Hive-style `name=value/` folders (see
   * {@link writePartitioned}); the part files' format is the call's or config's `format`,
   * else Parquet.
   */
  async #writePartitioned(key: string, batches: AsyncIterable<RecordBatch>, options: WriteTableOptions, context: NativeWriteContext): Promise<Omit<WriteResult, 'elapsedMs'>> {
    const directory = this.key(key).replace(/\/+$/, '');
    if (isGlob(directory)) throw new InvalidArgumentError(`Cannot write to a glob ('${key}'); give the directory of the partitioned table, e.g. 'out/orders'`, { connector: this.type });
    const mode = options.mode ?? 'errorIfExists';
    // The format: the call's or config's, else the directory name's extension (`out/orders.csv/` holds CSV parts, as Spark names them), else Parquet.
    const explicit = this.formatNameOf(directory, options) ?? 'parquet';
    const settings = this.fileFormatOptions(`${directory}/x.${explicit}`, options);
    const formats = await getFileFormats();
    try {
      const result = await writePartitioned(this, batches, {
        directory,
        partitionBy: options.partitionBy!,
        mode,
        extension: explicit,
        uri: this.objectUri(directory),
        connector: this.type,
        signal: context.signal,
        writeFile: (file, part) =>
          formats.write(this, file, part, { ...options, partitionBy: undefined, mode: 'overwrite', signal: context.signal, onRows: (rows, bytes) => context.onRows(rows, bytes), ...settings, format: explicit }),
      });
      return { table: key, mode, rows: result.rows, bytes: result.bytes, written: result.written };
    } catch (error) {
      throw this.wrapError(error, `write ${this.objectUri(directory)}`);
    }
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
