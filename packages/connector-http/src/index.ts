/**
 * @sparkle/connector-http — the generic `http` connection, and the building blocks the other API
 * connectors share (records → Arrow with a declared or inferred schema, batched deliveries with
 * idempotency keys). Importing it registers the `http` type.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-http';
 *
 * await using web = await getConnection('http', { config: { baseUrl: 'http://127.0.0.1:8080' } });
 * for await (const batch of await web.readTable('/export.ndjson')) console.log(batch.numRows);
 * ```
 * @packageDocumentation
 */
import { provideLocalEngine, registerConnection, type ConnectionClass } from '@sparkle/core';
import { HttpConnection } from './connection.js';
import { meta } from './meta.js';

// Type, aliases, family and core range come from package.json's "sparkle" field (src/meta.ts, generated);
// capabilities are derived from the class's methods.
registerConnection(meta, HttpConnection as unknown as ConnectionClass);

// Core cannot resolve the engine under pnpm's strict layout; this package depends on it.
provideLocalEngine(() => import('@sparkle/engine-local').then((m) => m.localEngine));

export { HttpConnection, httpConfigSchema, formatOf, HTTP_FORMATS, type HttpConfig, type HttpFormat } from './connection.js';
export { recordsReadPlan, refuseSqlOptions, DEFAULT_SAMPLE_SIZE, type RecordsPlanOptions } from './records.js';
export { columnsConfigSchema, columnsFromConfig, parseColumnType, coerceForColumn } from './schema.js';
export { sendBatches, deliveryRetryOn, type OutgoingBatch, type SendBatchesOptions, type SendBatchesResult } from './batches.js';
export { jsonValue, jsonRecord } from './plain.js';
