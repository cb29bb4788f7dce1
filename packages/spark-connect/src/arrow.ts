/**
 * Decoding of ExecutePlan results. Every `arrow_batch.data` is a complete Arrow IPC stream with
 * its own schema message, so each is decoded on its own; only one response's batches are held
 * at a time, which bounds memory by the batch size rather than the result size.
 */
import { type RecordBatch, RecordBatchReader, type Schema, Table, Vector } from 'apache-arrow';
import type { ExecutePlanResponse } from './gen/spark/connect/base_pb.js';

/** Decoded Arrow batches of one execution, with the schema once the first IPC stream is read. */
export interface ArrowResult {
  schema: Schema | undefined;
}

/** Yields the record batches of `responses` as they arrive; `state.schema` is set on the first. */
export async function* decodeArrowBatches(responses: AsyncIterable<ExecutePlanResponse>, state: ArrowResult = { schema: undefined }): AsyncGenerator<RecordBatch> {
  for await (const response of responses) {
    if (response.responseType.case !== 'arrowBatch') continue;
    const reader = RecordBatchReader.from(response.responseType.value.data);
    reader.open();
    state.schema ??= reader.schema;
    for (const batch of reader) {
      // An empty IPC stream still carries the schema; zero-row batches are not worth yielding.
      if (batch.numRows > 0) yield batch;
    }
  }
}

/** Collects every batch into one Table (the schema survives an empty result). */
export async function collectTable(responses: AsyncIterable<ExecutePlanResponse>): Promise<Table> {
  const state: ArrowResult = { schema: undefined };
  const batches: RecordBatch[] = [];
  for await (const batch of decodeArrowBatches(responses, state)) batches.push(batch);
  if (batches.length) return new Table(batches);
  return state.schema ? new Table(state.schema) : new Table();
}

/** A cell as a plain value: Arrow list vectors become arrays, struct and map rows objects, at any depth. */
function plainValue(value: unknown): unknown {
  if (value instanceof Vector) return Array.from(value as Vector, plainValue);
  // StructRow and MapRow (apache-arrow's row proxies) expose toJSON(); their cells may be vectors.
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !ArrayBuffer.isView(value) && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    const json = (value as { toJSON(): Record<string, unknown> }).toJSON();
    return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, plainValue(v)]));
  }
  return value;
}

/** A row of a batch as a plain object (nested structs and lists become objects and arrays). */
export function rowsOf(batch: RecordBatch): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < batch.numRows; i++) {
    const row = batch.get(i);
    rows.push(row ? (plainValue(row) as Record<string, unknown>) : {});
  }
  return rows;
}
