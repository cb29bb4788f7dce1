/**
 * `MemoryDocumentConnection`: the in-memory reference document store (type `memory_docs`).
 * Filters are evaluated with core's `matchesFilter` — the reference semantics every connector's
 * translation is checked against — and bulk upserts report per-item errors the way MongoDB's
 * bulkWrite and DynamoDB's BatchWriteItem do; a test can inject item failures (retryable or not)
 * to see retries and error reporting at work. Databases live in the process and are shared by
 * every connection naming the same database.
 */
import { z } from 'zod';
import {
  fieldValue,
  InvalidArgumentError,
  matchesFilter,
  NoSQLConnection,
  UnsupportedOperationError,
  type BulkItemError,
  type BulkWriteResult,
  type DatasetRef,
  type Document,
  type DocumentKey,
  type DocumentPartition,
  type FindDocumentsOptions,
  type UpsertDocumentsOptions,
} from '@sparkle/core';

/** Config of `memory_docs`. */
export const memoryDocumentConfigSchema = z.looseObject({
  /** The database: connections naming the same database share its collections. */
  database: z.string().min(1),
  /** The primary key field of every collection (MongoDB's `_id`). */
  keyField: z.string().min(1).default('_id'),
});

export type MemoryDocumentConfig = z.output<typeof memoryDocumentConfigSchema>;

/** What an injected failure does to one upsert attempt of one document. */
export interface InjectedFailure {
  message: string;
  /** Retryable failures are retried (up to `itemRetries`); others are reported at once. */
  retryable: boolean;
  /** Attempts that fail before the item goes through; default: every attempt. */
  attempts?: number;
}

type Collections = Map<string, Map<string, Document>>;

const DATABASES_KEY = Symbol.for('sparkle.testkit.memory-documents');

function databases(): Map<string, Collections> {
  const g = globalThis as Record<symbol, unknown>;
  g[DATABASES_KEY] ??= new Map();
  return g[DATABASES_KEY] as Map<string, Collections>;
}

/** A key as a map key: `7` and `'7'` differ, as they do in MongoDB. */
function keyString(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? { $bigint: v.toString() } : v instanceof Date ? { $date: v.toISOString() } : v));
}

/** Picks dotted paths out of a document, keeping their nesting (MongoDB projection). */
function project(doc: Document, projection: readonly string[] | undefined): Document {
  if (!projection?.length) return doc;
  const out: Document = {};
  for (const path of projection) {
    const value = fieldValue(doc, path);
    if (value === undefined) continue;
    const parts = path.split('.');
    let target = out;
    for (const part of parts.slice(0, -1)) target = (target[part] ??= {}) as Document;
    target[parts.at(-1)!] = value;
  }
  return out;
}

/**
 * The in-memory document store.
 * @example
 * ```ts
 * import '@sparkle/testkit';
 * await using docs = await getConnection('memory_docs', { config: { database: 'shop' } });
 * await docs.upsertDocuments('orders', [{ _id: 1, status: 'open' }]);
 * for await (const d of docs.findDocuments('orders', { filter: where.eq('status', 'open') })) console.log(d);
 * ```
 */
export class MemoryDocumentConnection extends NoSQLConnection<MemoryDocumentConfig> {
  static override schema = memoryDocumentConfigSchema;
  static override description = 'In-memory document store (testkit reference implementation)';

  #inject: ((doc: Document, index: number) => InjectedFailure | undefined) | undefined;
  readonly #attempts = new Map<number, number>();

  /** Drops a database (tests). */
  static reset(database: string): void {
    databases().delete(database);
  }

  /**
   * Makes upserts fail per item: `decide` sees each document (and its input position) and
   * returns the failure to inject, or `undefined`. `undefined` removes the injection.
   */
  injectFailures(decide: ((doc: Document, index: number) => InjectedFailure | undefined) | undefined): void {
    this.#inject = decide;
    this.#attempts.clear();
  }

  #collections(): Collections {
    let db = databases().get(this.config.database);
    if (!db) databases().set(this.config.database, (db = new Map()));
    return db;
  }

  #collection(name: string, create: boolean): Map<string, Document> | undefined {
    if (!/^[A-Za-z0-9_.-]{1,120}$/.test(name)) throw new InvalidArgumentError(`Invalid collection name '${name}'`, { connector: this.type });
    let c = this.#collections().get(name);
    if (!c && create) this.#collections().set(name, (c = new Map()));
    return c;
  }

  /** The key string of a document key argument (a value, or `{ field: value }` for the key field). */
  #keyOf(key: DocumentKey): string {
    if (key !== null && typeof key === 'object') {
      const fields = Object.keys(key);
      if (fields.length !== 1 || fields[0] !== this.config.keyField) {
        throw new InvalidArgumentError(`Keys of '${this.config.database}' are single values of '${this.config.keyField}'; got fields ${fields.join(', ')}`, {
          connector: this.type,
        });
      }
      return keyString((key as Record<string, unknown>)[this.config.keyField]);
    }
    return keyString(key);
  }

  protected override datasetForCollection(collection: string): DatasetRef {
    return { namespace: `memory-docs://${this.config.database}`, name: collection };
  }

  async listCollections(): Promise<string[]> {
    this.assertOpen();
    return [...this.#collections().keys()].sort();
  }

  async getDocument(collection: string, key: DocumentKey, options: { projection?: readonly string[] } = {}): Promise<Document | undefined> {
    this.assertOpen();
    const wanted = this.#keyOf(key);
    const doc = this.#collection(collection, false)?.get(wanted);
    return doc ? project(structuredClone(doc), options.projection) : undefined;
  }

  async *findDocuments(collection: string, options: FindDocumentsOptions = {}): AsyncGenerator<Document> {
    yield* this.#find(collection, options);
  }

  async *#find(collection: string, options: FindDocumentsOptions, keys?: readonly string[]): AsyncGenerator<Document> {
    this.assertOpen();
    if (options.native !== undefined) throw new UnsupportedOperationError('The memory document store has no native query language; use filter', { connector: this.type });
    const docs = this.#collection(collection, false);
    if (!docs) return;
    let count = 0;
    for (const key of keys ?? [...docs.keys()]) {
      options.signal?.throwIfAborted();
      const doc = docs.get(key);
      if (!doc || (options.filter && !matchesFilter(doc, options.filter))) continue;
      if (options.limit !== undefined && count >= options.limit) return;
      count++;
      yield project(structuredClone(doc), options.projection);
    }
  }

  /** Contiguous slices of the collection's keys as they are when the read is planned (like a paginate-into-partitions partitioner). */
  async documentPartitions(collection: string, options: FindDocumentsOptions & { partitions?: number }): Promise<DocumentPartition[]> {
    this.assertOpen();
    const keys = [...(this.#collection(collection, false)?.keys() ?? [])];
    const n = Math.max(1, Math.min(options.partitions ?? 1, keys.length || 1));
    const size = Math.ceil(keys.length / n);
    return Array.from({ length: n }, (_, i) => {
      const slice = keys.slice(i * size, (i + 1) * size);
      return { description: `${collection} [${i * size}, ${i * size + slice.length})`, find: (o: FindDocumentsOptions) => this.#find(collection, o, slice) };
    });
  }

  /** Applies upserts to `target` with per-item errors, retries and injection. */
  async #upsertInto(target: Map<string, Document>, documents: Iterable<Document> | AsyncIterable<Document>, options: UpsertDocumentsOptions): Promise<BulkWriteResult> {
    const keyFields = options.keyFields ?? [this.config.keyField];
    this.#attempts.clear();
    const retries = options.itemRetries ?? 2;
    const failed: BulkItemError[] = [];
    let written = 0;
    let index = 0;
    for await (const doc of documents as AsyncIterable<Document>) {
      options.signal?.throwIfAborted();
      const i = index++;
      const missing = keyFields.filter((f) => fieldValue(doc, f) === undefined || fieldValue(doc, f) === null);
      if (missing.length) {
        failed.push({ index: i, message: `document has no key field ${missing.map((f) => `'${f}'`).join(', ')}`, retryable: false });
        continue;
      }
      const keyValue = keyFields.length === 1 ? fieldValue(doc, keyFields[0]!) : Object.fromEntries(keyFields.map((f) => [f, fieldValue(doc, f)]));
      let error: InjectedFailure | undefined;
      for (let attempt = 0; attempt <= retries; attempt++) {
        const injected = this.#inject?.(doc, i);
        const tries = (this.#attempts.get(i) ?? 0) + 1;
        this.#attempts.set(i, tries);
        error = injected && (injected.attempts === undefined || tries <= injected.attempts) ? injected : undefined;
        if (!error || !error.retryable) break;
      }
      if (error) {
        failed.push({ index: i, key: keyValue as DocumentKey, message: error.message, retryable: error.retryable });
        continue;
      }
      target.set(keyString(keyValue), structuredClone(doc));
      written++;
      if (written % (options.batchSize ?? 100) === 0) options.onProgress?.(written);
    }
    options.onProgress?.(written);
    return { written, failed };
  }

  async upsertDocuments(collection: string, documents: Iterable<Document> | AsyncIterable<Document>, options: UpsertDocumentsOptions = {}): Promise<BulkWriteResult> {
    this.assertOpen();
    return this.#upsertInto(this.#collection(collection, true)!, documents, options);
  }

  /** Overwrite, atomically: the new documents go into a staging map that replaces the collection only when every item was written. */
  protected override async replaceCollection(collection: string, documents: AsyncIterable<Document>, options: UpsertDocumentsOptions): Promise<BulkWriteResult> {
    this.assertOpen();
    const staging = new Map<string, Document>();
    const result = await this.#upsertInto(staging, documents, options);
    if (result.failed.length) return { written: 0, failed: result.failed };
    this.#collection(collection, true);
    this.#collections().set(collection, staging);
    return result;
  }

  async deleteDocuments(collection: string, keys: readonly DocumentKey[]): Promise<number> {
    this.assertOpen();
    const wanted = keys.map((k) => this.#keyOf(k));
    const docs = this.#collection(collection, false);
    let deleted = 0;
    for (const key of wanted) if (docs?.delete(key)) deleted++;
    return deleted;
  }
}
