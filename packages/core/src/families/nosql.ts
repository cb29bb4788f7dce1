/**
 * `NoSQLConnection`: the family base of document and key-value stores (MongoDB, Cassandra,
 * DynamoDB, Cosmos DB, Elasticsearch, HBase, Couchbase, Neo4j, Redis).
 *
 * A connector implements {@link DocumentStore} with its driver; this base makes a collection a
 * table for the local engine: reads split the way the system's Spark connector does
 * (`documentPartitions`), filter with typed {@link Filter}s (never SQL), and end in Arrow with a
 * schema the connector knows or one inferred from a bounded sample (see `document-schema.ts`
 * for the rule); writes turn batches into documents and bulk-upsert them, failing the write when
 * any item still failed after its retries.
 */
import type { RecordBatch } from 'apache-arrow';
import { SparkleConnection } from '../connection.js';
import {
  getArrowToolkit,
  type ColumnSpec,
  type NativePartition,
  type NativeReadPlan,
  type NativeSource,
  type NativeWriteContext,
  type ReadTableOptions,
  type WriteResult,
  type WriteTableOptions,
} from '../engine.js';
import { SparkleError, UnsupportedOperationError, WriteError } from '../errors.js';
import type {
  BulkWriteResult,
  Document,
  DocumentKey,
  DocumentPartition,
  DocumentStore,
  FindDocumentsOptions,
  UpsertDocumentsOptions,
} from '../capabilities/document.js';
import { parseFilter } from '../capabilities/filter.js';
import type { DatasetRef } from '../lineage/types.js';
import type { HealthSkip } from '../health.js';
import { conformDocument, inferDocumentColumns, projectColumns } from './document-schema.js';


/** Documents sampled to infer a schema when the read sets no `sampleSize`. */
export const DEFAULT_SAMPLE_SIZE = 1000;

/**
 * Base class of document and key-value connections.
 *
 * @example
 * ```ts
 * class MyDocsConnection extends NoSQLConnection {
 *   async listCollections() { ... }
 *   async getDocument(collection, key) { ... }
 *   async *findDocuments(collection, { filter, projection, limit }) { ... } // filter → the system's own query
 *   async upsertDocuments(collection, docs, options) { ... }                 // per-item errors reported
 *   async deleteDocuments(collection, keys) { ... }
 * }
 * const frame = await conn.readTable('orders', { filter: where.eq('status', 'open'), columns: ['_id', 'total'] });
 * await conn.writeTable(frame, 'orders_copy', { mode: 'append', options: { idFieldList: '_id' } });
 * ```
 */
export abstract class NoSQLConnection<TConfig extends object = Record<string, unknown>> extends SparkleConnection<TConfig> implements DocumentStore, NativeSource {
  static override family = 'nosql';

  abstract listCollections(options?: { signal?: AbortSignal }): Promise<string[]>;
  abstract getDocument(collection: string, key: DocumentKey, options?: { projection?: readonly string[]; signal?: AbortSignal }): Promise<Document | undefined>;
  abstract findDocuments(collection: string, options?: FindDocumentsOptions): AsyncIterable<Document>;
  abstract upsertDocuments(collection: string, documents: Iterable<Document> | AsyncIterable<Document>, options?: UpsertDocumentsOptions): Promise<BulkWriteResult>;
  abstract deleteDocuments(collection: string, keys: readonly DocumentKey[], options?: { signal?: AbortSignal }): Promise<number>;
  /** Optional: how the system's Spark connector splits a read (token ranges, scan segments, slices). */
  documentPartitions?(collection: string, options: FindDocumentsOptions & { partitions?: number }): Promise<DocumentPartition[]>;

  // -------------------------------------------------------------------------------------------
  // Hooks
  // -------------------------------------------------------------------------------------------

  /**
   * The collection's columns when the system knows them (Cassandra tables, a configured schema);
   * `undefined` infers them from a sample. Override per connector.
   */
  protected async collectionColumns(_collection: string, _options: ReadTableOptions): Promise<ColumnSpec[] | undefined> {
    return undefined;
  }

  /** The OpenLineage dataset of a collection (`mongodb://host:port` + `db.collection`, `azurecosmos://…` + `colls/…`, …). */
  protected datasetForCollection(collection: string): DatasetRef {
    return super.dataset(collection);
  }

  override dataset(name: string): DatasetRef {
    return this.datasetForCollection(name);
  }

  /**
   * Replaces a collection's documents for `overwrite` writes, as atomically as the system allows
   * (MongoDB: write a temporary collection, then `renameCollection` with `dropTarget`). Without
   * it, `overwrite` is refused rather than emptied and refilled non-atomically.
   */
  protected replaceCollection?(collection: string, documents: AsyncIterable<Document>, options: UpsertDocumentsOptions): Promise<BulkWriteResult>;

  /** Health probe: a cheap metadata request — listing the collections the credentials can see. */
  protected override async checkProbe(signal: AbortSignal): Promise<void | HealthSkip | string> {
    const collections = await this.listCollections({ signal });
    return `${collections.length} collection(s) visible`;
  }

  // -------------------------------------------------------------------------------------------
  // Native reads
  // -------------------------------------------------------------------------------------------

  /** The find options a table read means: its typed filter and projected columns. SQL is refused. */
  protected findOptionsOf(collection: string, options: ReadTableOptions): FindDocumentsOptions {
    if (options.where || options.predicates?.length) {
      throw new UnsupportedOperationError(
        `${this.type} does not run SQL: '${options.where ? 'where' : 'predicates'}' cannot filter ${collection}. ` +
          `Pass a typed filter instead, e.g. { filter: where.eq('status', 'open') }`,
        { connector: this.type },
      );
    }
    if (options.partitionColumn) {
      throw new UnsupportedOperationError(`${this.type} splits reads its own way (numPartitions); drop partitionColumn`, { connector: this.type });
    }
    return {
      ...(options.filter ? { filter: parseFilter(options.filter) } : {}),
      ...(options.columns?.length ? { projection: options.columns } : {}),
      ...(options.fetchSize ? { pageSize: options.fetchSize } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    };
  }

  /**
   * A read plan over `documentPartitions` (or one partition), each streaming `findDocuments`
   * results into Arrow batches of one schema (given by {@link collectionColumns} or inferred
   * from the first `sampleSize` matching documents).
   */
  async nativeRead(collection: string, options: ReadTableOptions): Promise<NativeReadPlan> {
    const find = this.findOptionsOf(collection, options);
    const arrow = await getArrowToolkit(this.type);
    let columns = await this.collectionColumns(collection, options);
    const sampleSize = options.sampleSize ?? DEFAULT_SAMPLE_SIZE;
    if (!columns) {
      const sample: Document[] = [];
      for await (const doc of this.findDocuments(collection, { ...find, limit: sampleSize })) sample.push(doc);
      columns = inferDocumentColumns(sample);
    }
    const projected = Boolean(find.projection?.length);
    if (projected) columns = projectColumns(columns, find.projection);
    const schema = arrow.schema(columns);
    const fixed = columns;
    const sources: DocumentPartition[] = this.documentPartitions
      ? await this.documentPartitions(collection, { ...find, partitions: options.numPartitions })
      : [{ description: collection, find: (o) => this.findDocuments(collection, o) }];
    const batchSize = options.fetchSize;
    const partitions: NativePartition[] = sources.map((source, p) => ({
      description: source.description,
      open: (signal: AbortSignal) => {
        let n = 0;
        const rows = (async function* () {
          for await (const doc of source.find({ ...find, signal })) {
            yield conformDocument(doc, fixed, `${collection} document ${n++} of partition ${p}`, projected);
          }
        })();
        return arrow.rowsToBatches(rows, { schema, ...(batchSize ? { batchSize } : {}) });
      },
    }));
    return { partitions, schema };
  }

  // -------------------------------------------------------------------------------------------
  // Native writes
  // -------------------------------------------------------------------------------------------

  /**
   * Writes batches as documents with Spark's save modes: `append` (and `errorIfExists` on a new
   * collection) upserts by key (`options.idFieldList`, comma-separated, as the MongoDB Spark
   * connector names it); `ignore` writes nothing into an existing collection; `overwrite` needs
   * {@link replaceCollection}. `options.ignoreNullValues: 'true'` (the MongoDB Spark connector's
   * name) leaves null fields out of the documents, nested ones included (array elements are kept). Any item that still failed after its retries fails the write with
   * a `WriteError` naming the first failures; `details.committed` says whether others landed.
   */
  async nativeWrite(collection: string, batches: AsyncIterable<RecordBatch>, options: WriteTableOptions, context: NativeWriteContext): Promise<Omit<WriteResult, 'elapsedMs'>> {
    const mode = options.mode ?? 'errorIfExists';
    if (mode === 'errorIfExists' || mode === 'ignore') {
      const exists = (await this.listCollections({ signal: context.signal })).includes(collection);
      if (exists && mode === 'ignore') return { table: collection, mode, rows: 0, written: false };
      if (exists) {
        throw new SparkleError('TABLE_EXISTS', `Collection '${collection}' already exists (mode 'errorIfExists'); use mode 'append', 'overwrite' or 'ignore'`, {
          connector: this.type,
          details: { collection },
        });
      }
    }
    if (mode === 'overwrite' && !this.replaceCollection) {
      throw new UnsupportedOperationError(`${this.type} cannot replace a collection atomically; write with mode 'append' (upsert by key) instead of 'overwrite'`, {
        connector: this.type,
      });
    }
    const arrow = await getArrowToolkit(this.type);
    const keyFields = options.options?.idFieldList?.split(',').map((s) => s.trim()).filter(Boolean);
    const dropNulls = options.options?.ignoreNullValues === 'true';
    let rows = 0;
    const documents = (async function* () {
      for await (const batch of batches) {
        for (const row of arrow.rows(batch)) {
          rows++;
          yield toDocument(row, dropNulls);
        }
      }
    })();
    let reported = 0;
    const upsertOptions: UpsertDocumentsOptions = {
      ...(keyFields?.length ? { keyFields } : {}),
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      signal: context.signal,
      onProgress: (written) => {
        if (written > reported) context.onRows(written - reported, 0);
        reported = written;
      },
    };
    const result = mode === 'overwrite' ? await this.replaceCollection!(collection, documents, upsertOptions) : await this.upsertDocuments(collection, documents, upsertOptions);
    if (result.failed.length) {
      const first = result.failed
        .slice(0, 3)
        .map((f) => `#${f.index}${f.key !== undefined ? ` (key ${JSON.stringify(typeof f.key === 'bigint' ? f.key.toString() : f.key)})` : ''}: ${f.message}`)
        .join('; ');
      throw new WriteError(
        `${result.failed.length} of ${rows} documents could not be written to '${collection}' after retries (${result.written} written): ${first}` +
          (result.failed.length > 3 ? ` … and ${result.failed.length - 3} more` : ''),
        {
          connector: this.type,
          retryable: result.failed.every((f) => f.retryable),
          details: { committed: result.written > 0, written: result.written, failed: result.failed.length, firstFailures: result.failed.slice(0, 3) },
        },
      );
    }
    return { table: collection, mode, rows: result.written, written: true };
  }
}

/** A row from Arrow as a document: safe int64s back to numbers, everything else as read; nulls dropped on request. */
function toDocument(row: Record<string, unknown>, dropNulls: boolean): Document {
  const out: Document = {};
  for (const [k, v] of Object.entries(row)) {
    if (dropNulls && (v === null || v === undefined)) continue;
    out[k] = plainValue(v, dropNulls);
  }
  return out;
}

/** Safe int64s as numbers; nested objects without null fields when `dropNulls` (array elements are kept: positions matter). */
function plainValue(value: unknown, dropNulls: boolean): unknown {
  if (typeof value === 'bigint') return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  if (Array.isArray(value)) return value.map((v) => plainValue(v, dropNulls));
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !(value instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (dropNulls && (v === null || v === undefined)) continue;
      out[k] = plainValue(v, dropNulls);
    }
    return out;
  }
  return value;
}
