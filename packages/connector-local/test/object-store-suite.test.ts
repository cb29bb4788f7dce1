/**
 * testkit's object-store conformance suite against a real `local` connection on a temp
 * directory: the same checks every object store (S3, GCS, ADLS …) passes — listing, ranged
 * reads, streamed and create-only puts, confinement, health, Spark specs, lineage — with tables
 * written and read through the real `@sparkle/formats` (provided on import of the package).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { testObjectStore } from '@sparkle/testkit';
import '../src/index.js';

const base = mkdtempSync(join(tmpdir(), 'sparkle-local-suite-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

testObjectStore({ type: 'local', config: { basePath: base } });
testObjectStore({ type: 'file', config: { basePath: base }, tableExtension: 'csv' });
testObjectStore({ type: 'local', config: { basePath: base }, tableExtension: 'parquet' });
