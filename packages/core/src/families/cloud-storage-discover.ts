/**
 * `discoverObjects`: what `discover()` shows of an object store, shared by the cloud-storage
 * connectors. Without a path it lists the root's top-level "tables" — prefixes (directories, as
 * Spark reads them) and objects — from one bounded listing; with a path (a key, a directory or a
 * glob) it plans a read through the file formats and returns the inferred Arrow schema.
 */
import type { ReadTableOptions } from '../engine.js';
import type { ObjectInfo } from '../capabilities/object-store.js';
import type { CloudStorageConnection } from './cloud-storage.js';
import { isHiddenKey } from './object-keys.js';

/** One entry of {@link discoverObjects}. */
export interface DiscoveredObjects {
  /** Key of the object, or the prefix (ending in `/`) of a directory, relative to the root; for a path: the path as given. */
  name: string;
  kind: 'object' | 'prefix' | 'table';
  /** The URI Spark reads it at (`gs://…`, `hdfs://…`). */
  uri: string;
  /** Objects under it (1 for an object). */
  objects: number;
  /** Total bytes of those objects. */
  bytes: number;
  /** For a path: the columns the file formats infer. */
  columns?: Array<{ name: string; type: string; nullable: boolean }>;
}

/** Options of {@link discoverObjects}. */
export interface DiscoverObjectsOptions {
  /** A key, directory or glob to infer the schema of; omitted: the root's top-level entries. */
  path?: string;
  /** Bound on the objects listed without a path (default 10 000): a huge bucket is summarised, not walked. */
  maxObjects?: number;
  /** Read options for the schema inference (`options.format`, CSV settings …). */
  read?: ReadTableOptions;
  signal?: AbortSignal;
}

/**
 * Lists a store's top-level entries, or infers a path's schema.
 *
 * @example
 * ```ts
 * const top = await discoverObjects(conn);                          // [{ name: 'raw/', kind: 'prefix', objects: 12, … }]
 * const [orders] = await discoverObjects(conn, { path: 'raw/orders/*.parquet' });
 * console.log(orders.columns);                                      // [{ name: 'id', type: 'Int64', nullable: true }, …]
 * ```
 */
export async function discoverObjects(store: CloudStorageConnection<object>, options: DiscoverObjectsOptions = {}): Promise<DiscoveredObjects[]> {
  if (options.path !== undefined) {
    const plan = await store.nativeRead(options.path, { ...(options.read ?? {}), ...(options.signal ? { signal: options.signal } : {}) });
    const objects = await store.resolveObjects(options.path, options.signal);
    return [
      {
        name: options.path,
        kind: 'table',
        uri: store.objectUri(options.path),
        objects: objects.length,
        bytes: objects.reduce((sum, o) => sum + o.size, 0),
        ...(plan.schema ? { columns: plan.schema.fields.map((f) => ({ name: f.name, type: String(f.type), nullable: f.nullable })) } : {}),
      },
    ];
  }
  const max = options.maxObjects ?? 10_000;
  const entries = new Map<string, DiscoveredObjects>();
  let seen = 0;
  const add = (info: ObjectInfo) => {
    const slash = info.key.indexOf('/');
    const name = slash >= 0 ? info.key.slice(0, slash + 1) : info.key;
    const entry = entries.get(name) ?? { name, kind: slash >= 0 ? 'prefix' : 'object', uri: store.objectUri(name), objects: 0, bytes: 0 };
    entry.objects += 1;
    entry.bytes += info.size;
    entries.set(name, entry);
  };
  for await (const info of store.listObjects({ limit: max, ...(options.signal ? { signal: options.signal } : {}) })) {
    if (!isHiddenKey(info.key)) add(info);
    if (++seen >= max) break;
  }
  return [...entries.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
