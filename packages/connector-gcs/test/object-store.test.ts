/**
 * testkit's object-store conformance suite against the real fake-gcs-server through the official
 * client: listing by prefix and glob, ranged reads, a streamed put in several resumable chunks,
 * create-only puts and copies (ifGenerationMatch=0), delete, confinement, health, Spark specs,
 * tables through the real file formats and lineage. Each run gets fresh buckets.
 */
import { testObjectStore } from '@sparkle/testkit';
import '../src/index.js';
import { gcsService } from './helpers.js';

const service = gcsService('suite');
// 256 KiB parts: the 1.5 MiB streamed put crosses six resumable-upload chunks.
testObjectStore({ type: 'gcs', service, serviceRequired: true, partSize: 256 * 1024 });
testObjectStore({ type: 'gcs', service: gcsService('suite-pq', { prefix: 'warehouse/raw' }), serviceRequired: true, tableExtension: 'parquet' });
testObjectStore({ type: 'gcs', service: gcsService('suite-csv'), serviceRequired: true, tableExtension: 'csv' });
