/**
 * `discover()` for the Azure stores: the prefixes ("directories") below the connection's root,
 * or, for a path, the Arrow schema the file formats infer for it, as `DiscoveredTable`s (the
 * shape the CLI prints for every connector).
 */
import { sqlKindOf, type DiscoveredColumn, type DiscoveredTable, type NativeReadPlan } from '@sparkle/core';
import type { Schema } from 'apache-arrow';

const SPARK_KIND: Readonly<Record<string, string>> = {
  boolean: 'boolean',
  smallint: 'short',
  int: 'int',
  bigint: 'bigint',
  real: 'float',
  double: 'double',
  text: 'string',
  binary: 'binary',
  date: 'date',
  time: 'string',
  timestamp: 'timestamp_ntz',
  timestamptz: 'timestamp',
  json: 'string',
};

/**
 * The columns of an Arrow schema, with Spark SQL type names.
 *
 * @example
 * ```ts
 * columnsOf(plan.schema); // [{ name: 'id', dataType: 'Int64', sparkType: 'bigint', nullable: true }, …]
 * ```
 */
export function columnsOf(schema: Schema | undefined): DiscoveredColumn[] {
  return (schema?.fields ?? []).map((field) => {
    const { kind, precision, scale } = sqlKindOf(field.type);
    const sparkType = kind === 'decimal' ? `decimal(${precision ?? 38},${scale ?? 0})` : (SPARK_KIND[kind] ?? 'string');
    return { name: field.name, dataType: String(field.type), sparkType, nullable: field.nullable };
  });
}

/** What an Azure connection gives {@link discoverStore}. */
export interface DiscoverableStore {
  /** Container or filesystem name (the `schema` of every entry). */
  readonly containerName: string;
  /** The prefixes directly below the root (`raw/`, `clean/`). */
  listTopPrefixes(signal?: AbortSignal): Promise<string[]>;
  nativeRead(path: string, options: { signal?: AbortSignal }): Promise<NativeReadPlan>;
}

/**
 * With `path`: one entry, the path with the columns the file formats infer (the files
 * themselves are not read beyond what schema inference needs). Without: one entry per prefix
 * below the root, with no columns.
 *
 * @example
 * ```ts
 * await discoverStore(conn, { path: 'raw/2024/*.parquet' }); // [{ schema: 'lake', name: 'raw/2024/*.parquet', columns: [...] }]
 * ```
 */
export async function discoverStore(store: DiscoverableStore, options: { path?: string; signal?: AbortSignal } = {}): Promise<DiscoveredTable[]> {
  const signal = options.signal ? { signal: options.signal } : {};
  if (options.path) {
    const plan = await store.nativeRead(options.path, signal);
    return [{ schema: store.containerName, name: options.path, columns: columnsOf(plan.schema) }];
  }
  const prefixes = await store.listTopPrefixes(options.signal);
  return prefixes.map((name) => ({ schema: store.containerName, name, columns: [] }));
}
