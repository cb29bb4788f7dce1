/**
 * The in-memory reference implementations of the object-store, stream and document
 * capabilities. Each capability's conformance suite runs against its reference in testkit's own
 * tests, so the suites are known to pass on a correct implementation; the references also give
 * connector authors and `sparkle copy` tests real endpoints without a server.
 *
 * Importing `@sparkle/testkit` registers them as `memory_objects`, `memory_stream` and
 * `memory_docs`, and the catalog, ML registry, notify and directory references as
 * `memory_catalog`, `memory_ml`, `memory_notify` and `memory_directory`.
 */
import { registerConnection, type ConnectionClass } from '@sparkle/core';
import { MemoryDocumentConnection } from './documents.js';
import { MemoryObjectStoreConnection } from './object-store.js';
import { MemoryStreamConnection } from './stream.js';
import { MemoryCatalogConnection } from './catalog.js';
import { MemoryDirectoryConnection } from './directory.js';
import { MemoryMlConnection } from './ml.js';
import { MemoryNotifyConnection } from './notify.js';

export { MemoryObjectStoreConnection, memoryObjectStoreConfigSchema, type MemoryObjectStoreConfig } from './object-store.js';
export { MemoryStreamConnection, memoryStreamConfigSchema, type MemoryStreamConfig } from './stream.js';
export { MemoryDocumentConnection, memoryDocumentConfigSchema, type MemoryDocumentConfig, type InjectedFailure } from './documents.js';

/**
 * Registers the reference connections (idempotent; importing testkit already did).
 * @example
 * ```ts
 * registerReferenceConnections();
 * const store = await getConnection('memory_objects', { config: { bucket: 'lake' } });
 * ```
 */
export function registerReferenceConnections(): void {
  registerConnection(['memory_objects', 'memory_object_store'], MemoryObjectStoreConnection, { family: 'cloud_storage' });
  registerConnection(['memory_stream', 'memory_streams'], MemoryStreamConnection, { family: 'streaming' });
  registerConnection(['memory_docs', 'memory_documents'], MemoryDocumentConnection, { family: 'nosql' });
  registerConnection('memory_catalog', MemoryCatalogConnection as unknown as ConnectionClass, { family: 'catalog' });
  registerConnection('memory_ml', MemoryMlConnection as unknown as ConnectionClass, { family: 'ml' });
  registerConnection('memory_notify', MemoryNotifyConnection as unknown as ConnectionClass, { family: 'notify' });
  registerConnection('memory_directory', MemoryDirectoryConnection as unknown as ConnectionClass, { family: 'directory' });
}

registerReferenceConnections();
