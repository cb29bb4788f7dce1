/**
 * The document/key-value capability: MongoDB, Cassandra/ScyllaDB, DynamoDB, Cosmos DB,
 * Elasticsearch/OpenSearch, HBase, Couchbase, Neo4j and Redis — shaped after the MongoDB driver
 * (find with filter/projection, bulkWrite with per-item errors), DynamoDB (key conditions,
 * BatchWriteItem's unprocessed items, parallel Scan segments) and the Spark connectors' way of
 * splitting work (Mongo sample partitioner, Cassandra token ranges, DynamoDB segments, ES slices).
 *
 * Queries are typed {@link Filter}s plus, where the system has a richer language, a `native`
 * query object passed through as a value (a Mongo filter document, an ES DSL object, Cypher
 * with parameters) — never a string spliced with user values.
 */
import type { Filter } from './filter.js';

/** A document: a JSON-like record (nested objects and arrays allowed). */
export type Document = Record<string, unknown>;

/** A primary key: one value, or the values of a composite key by field name. */
export type DocumentKey = string | number | bigint | Record<string, unknown>;

/** `findDocuments` options. */
export interface FindDocumentsOptions {
  filter?: Filter;
  /**
   * The system's own query object, used instead of (or with) `filter` where the connector
   * documents it: `{ cypher, params }` for Neo4j, an ES `query` object, a Mongo filter document.
   */
  native?: unknown;
  /** Fields to return (pushed down); dotted paths allowed. Default: all. */
  projection?: readonly string[];
  /** Stop after this many documents. */
  limit?: number;
  /** Documents per round trip. */
  pageSize?: number;
  signal?: AbortSignal;
}

/** One independently readable slice of a collection (a token range, a scan segment, a slice). */
export interface DocumentPartition {
  readonly description: string;
  find(options: FindDocumentsOptions): AsyncIterable<Document>;
}

/** Why one item of a bulk write failed. */
export interface BulkItemError {
  /** Position of the item in the input. */
  index: number;
  key?: DocumentKey;
  message: string;
  /** True when retrying this item later may succeed (throttling, unprocessed items). */
  retryable: boolean;
}

/** What a bulk upsert reports. The call throws only when nothing could be attempted. */
export interface BulkWriteResult {
  written: number;
  failed: BulkItemError[];
}

/** `upsertDocuments` options. */
export interface UpsertDocumentsOptions {
  /** Key fields of each document (default: the collection's primary key, e.g. `_id`). */
  keyFields?: readonly string[];
  /** Items per bulk request (Mongo bulkWrite, DynamoDB ≤ 25, ES _bulk). */
  batchSize?: number;
  /** Retries of retryable item failures (throttling, unprocessed items) before they are reported. */
  itemRetries?: number;
  signal?: AbortSignal;
  onProgress?: (written: number) => void;
}

/**
 * The document/key-value capability (`document`).
 *
 * @example
 * ```ts
 * import { where } from '@sparkle/core';
 * for await (const doc of store.findDocuments('orders', { filter: where.and(where.eq('status', 'open'), where.gt('total', 100)), projection: ['_id', 'total'] })) {
 *   console.log(doc);
 * }
 * const { failed } = await store.upsertDocuments('orders', docs, { keyFields: ['_id'] });
 * ```
 */
export interface DocumentStore {
  /** Collections / tables / indices / labels / key patterns the connection can see. */
  listCollections(options?: { signal?: AbortSignal }): Promise<string[]>;
  getDocument(collection: string, key: DocumentKey, options?: { projection?: readonly string[]; signal?: AbortSignal }): Promise<Document | undefined>;
  findDocuments(collection: string, options?: FindDocumentsOptions): AsyncIterable<Document>;
  /** Splits a read the way the system's Spark connector does; one partition when it cannot. */
  documentPartitions?(collection: string, options: FindDocumentsOptions & { partitions?: number }): Promise<DocumentPartition[]>;
  /** Inserts or replaces documents by key; per-item errors are reported, not thrown. */
  upsertDocuments(collection: string, documents: Iterable<Document> | AsyncIterable<Document>, options?: UpsertDocumentsOptions): Promise<BulkWriteResult>;
  /** Deletes by key; returns how many existed. */
  deleteDocuments(collection: string, keys: readonly DocumentKey[], options?: { signal?: AbortSignal }): Promise<number>;
}
