/**
 * Capabilities: small interfaces a connection class implements, detected from its methods — so
 * the registry, `sparkle list` and the docs show what a connector can do from its code, not from
 * a hand-kept list.
 *
 * | capability | interface | methods |
 * |---|---|---|
 * | `read` / `write` / `query` | `NativeSource` | `nativeRead` / `nativeWrite` / `nativeQuery` |
 * | `spark` | `SparkSource` | `sparkRead` (+ `sparkWrite`) |
 * | `discover` | — | `discover` |
 * | `object_store` | {@link ObjectStore} | `listObjects`, `statObject`, `getObject`, `putObject`, `deleteObjects`, `copyObject`, `objectUri` |
 * | `stream_produce` | {@link StreamProducer} | `produce` |
 * | `stream_consume` | {@link StreamConsumer} | `describeTopic`, `consumeRange`, `subscribe` |
 * | `document` | {@link DocumentStore} | `listCollections`, `getDocument`, `findDocuments`, `upsertDocuments`, `deleteDocuments` |
 * | `catalog` | {@link Catalog} | `listNamespaces`, `listTables`, `getTable` |
 * | `ml_registry` | {@link MlRegistry} | `listExperiments`, `searchRuns`, `getRun`, `listModels`, `modelVersions` |
 * | `feature_retrieval` | {@link FeatureRetrieval} | `getOnlineFeatures` |
 * | `notify` | {@link Notifier} | `send` |
 * | `directory` | {@link DirectorySearch} | `searchDirectory` |
 *
 * A class that inherits a method it cannot honour (a base's `nativeRead` on a connector with no
 * Node driver) lists the capability in `static withoutCapabilities`.
 */
import type { NativeSource, SparkSource } from '../engine.js';
import type { Catalog } from './catalog.js';
import type { DocumentStore } from './document.js';
import type { FeatureRetrieval, MlRegistry } from './ml.js';
import type { DirectorySearch, Notifier } from './notify.js';
import type { ObjectStore } from './object-store.js';
import type { StreamConsumer, StreamProducer } from './stream.js';

export type * from './object-store.js';
export type * from './stream.js';
export type * from './document.js';
export type * from './catalog.js';
export type * from './ml.js';
export type * from './notify.js';
export * from './formats.js';
export * from './filter.js';

/** The methods that make each capability, in the order `sparkle list` shows them. */
export const CAPABILITY_METHODS = {
  read: ['nativeRead'],
  write: ['nativeWrite'],
  query: ['nativeQuery'],
  spark: ['sparkRead'],
  discover: ['discover'],
  object_store: ['listObjects', 'statObject', 'getObject', 'putObject', 'deleteObjects', 'copyObject', 'objectUri'],
  stream_produce: ['produce'],
  stream_consume: ['describeTopic', 'consumeRange', 'subscribe'],
  document: ['listCollections', 'getDocument', 'findDocuments', 'upsertDocuments', 'deleteDocuments'],
  catalog: ['listNamespaces', 'listTables', 'getTable'],
  ml_registry: ['listExperiments', 'searchRuns', 'getRun', 'listModels', 'modelVersions'],
  feature_retrieval: ['getOnlineFeatures'],
  notify: ['send'],
  directory: ['searchDirectory'],
} as const satisfies Record<string, readonly string[]>;

/** A capability name. */
export type CapabilityName = keyof typeof CAPABILITY_METHODS;

/** Every capability name, in display order. */
export const CAPABILITY_NAMES = Object.keys(CAPABILITY_METHODS) as CapabilityName[];

/** Maps a capability to the interface a connection implementing it satisfies. */
export interface CapabilityInterfaces {
  read: Pick<NativeSource, 'nativeRead'>;
  write: Pick<NativeSource, 'nativeWrite'>;
  query: Required<Pick<NativeSource, 'nativeQuery'>>;
  spark: SparkSource;
  discover: { discover(options?: Record<string, unknown>): Promise<unknown[]> };
  object_store: ObjectStore;
  stream_produce: StreamProducer;
  stream_consume: StreamConsumer;
  document: DocumentStore;
  catalog: Catalog;
  ml_registry: MlRegistry;
  feature_retrieval: FeatureRetrieval;
  notify: Notifier;
  directory: DirectorySearch;
}

type ClassLike = abstract new (...args: never[]) => unknown;

function prototypeOf(target: object | ClassLike): { proto: object; statics: Record<string, unknown> } {
  if (typeof target === 'function') return { proto: target.prototype as object, statics: target as unknown as Record<string, unknown> };
  return { proto: target, statics: (target as { constructor: unknown }).constructor as Record<string, unknown> };
}

/**
 * The capabilities a connection class (or instance) implements, from its methods.
 * @example
 * ```ts
 * capabilitiesOf(PostgresConnection); // ['read', 'write', 'query', 'spark', 'discover']
 * ```
 */
export function capabilitiesOf(target: object | ClassLike): CapabilityName[] {
  const { proto, statics } = prototypeOf(target);
  const without = new Set((statics?.withoutCapabilities as readonly string[] | undefined) ?? []);
  return CAPABILITY_NAMES.filter(
    (name) => !without.has(name) && CAPABILITY_METHODS[name].every((method) => typeof (proto as Record<string, unknown>)[method] === 'function'),
  );
}

/**
 * Narrows a connection to a capability's interface.
 * @example
 * ```ts
 * const conn = await getConnection('s3', { env: 'prod' });
 * if (hasCapability(conn, 'object_store')) for await (const o of conn.listObjects({ prefix: 'raw/' })) console.log(o.key);
 * ```
 */
export function hasCapability<C extends CapabilityName>(connection: object, capability: C): connection is CapabilityInterfaces[C] {
  return capabilitiesOf(connection).includes(capability);
}
