/**
 * `discoverCollections`: what `discover()` means for a document/key-value store — every
 * collection the connection can see, with the Arrow columns inferred from a bounded sample of
 * its documents by the rule in `document-schema.ts`. Shared by the NoSQL connectors so their
 * `discover()` answers the same shape.
 */
import type { DocumentStore } from '../capabilities/document.js';
import type { ColumnSpec } from '../engine.js';
import { inferDocumentColumns } from './document-schema.js';

/** One collection found by {@link discoverCollections}. */
export interface DiscoveredCollection {
  /** The collection (table, key prefix, index) name. */
  name: string;
  /** Columns inferred from the sampled documents (empty for an empty collection). */
  columns: ColumnSpec[];
  /** How many documents the columns were inferred from. */
  sampled: number;
}

/** Options of {@link discoverCollections}. */
export interface DiscoverCollectionsOptions {
  /** Documents sampled per collection (default 100). */
  sampleSize?: number;
  /** Only these collections (default: all that `listCollections` returns). */
  collections?: readonly string[];
  signal?: AbortSignal;
}

/**
 * Lists collections and infers each one's columns from its first `sampleSize` documents.
 * @example
 * ```ts
 * import { discoverCollections } from '@sparkle/core';
 * declare const store: import('@sparkle/core').DocumentStore;
 * for (const c of await discoverCollections(store, { sampleSize: 50 })) console.log(c.name, c.columns.map((col) => col.name));
 * ```
 */
export async function discoverCollections(store: DocumentStore, options: DiscoverCollectionsOptions = {}): Promise<DiscoveredCollection[]> {
  const sampleSize = options.sampleSize ?? 100;
  const names = options.collections ?? (await store.listCollections(options.signal ? { signal: options.signal } : {}));
  const out: DiscoveredCollection[] = [];
  for (const name of names) {
    const sample: Array<Record<string, unknown>> = [];
    for await (const doc of store.findDocuments(name, { limit: sampleSize, ...(options.signal ? { signal: options.signal } : {}) })) sample.push(doc);
    out.push({ name, columns: inferDocumentColumns(sample), sampled: sample.length });
  }
  return out;
}
