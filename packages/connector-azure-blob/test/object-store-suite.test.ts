/**
 * testkit's object-store conformance suite against the REAL Blob API (Azurite, started by the
 * global setup): listing, ranged reads, streamed block uploads, create-only puts, delete, server
 * side copy, key confinement, health, Spark specs, lineage, and tables through the file formats.
 */
import { testObjectStore } from '@sparkle/testkit';
import '../src/index.js';
import { freshContainer } from './azurite.js';

const service = (label: string, extra: Record<string, unknown> = {}) => async () => ({ config: (await freshContainer(label, extra)).config });

testObjectStore({ type: 'azure_blob', service: service('suite-jsonl'), serviceRequired: true, partSize: 512 * 1024 });
testObjectStore({ type: 'wasbs', service: service('suite-csv'), serviceRequired: true, tableExtension: 'csv' });
testObjectStore({ type: 'azure_blob', service: service('suite-parquet', { prefix: 'lake/zone' }), serviceRequired: true, tableExtension: 'parquet' });
