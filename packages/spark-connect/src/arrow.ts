/**
 * Decoding of ExecutePlan results. Every `arrow_batch.data` is a complete Arrow IPC stream with
 * its own schema message, so each is decoded on its own; only one response's batches are held
 * at a time, which bounds memory by the batch size rather than the result size.
 */
import { type RecordBatch, RecordBatchReader, type Schema, Table, Vector } from 'apache-arrow';
import { DataType, type Field, TimeUnit, util } from 'apache-arrow';
import { UnsupportedOperationError } from '@sparkle/core';
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

type Convert = (value: unknown) => unknown;

const NANOS_PER_UNIT: Record<number, bigint> = { [TimeUnit.SECOND]: 1_000_000_000n, [TimeUnit.MILLISECOND]: 1_000_000n, [TimeUnit.MICROSECOND]: 1000n, [TimeUnit.NANOSECOND]: 1n };

/** `HH:MM:SS[.fraction]` of a time of day (Spark sends TIME as Arrow Time64 nanoseconds). */
export function timeOfDay(value: bigint | number, unit: TimeUnit): string {
  const nanos = BigInt(value) * (NANOS_PER_UNIT[unit] ?? 1n);
  const seconds = nanos / 1_000_000_000n;
  const fraction = (nanos % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  const pad = (n: bigint) => n.toString().padStart(2, '0');
  return `${pad(seconds / 3600n)}:${pad((seconds / 60n) % 60n)}:${pad(seconds % 60n)}${fraction ? `.${fraction}` : ''}`;
}

/** A decimal's exact text (`-12.50`), from Arrow's unscaled big number. */
export function decimalText(value: unknown, scale: number): string {
  const unscaled = util.bigNumToBigInt(value as Parameters<typeof util.bigNumToBigInt>[0]);
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return negative ? `-${text}` : text;
}

/** Spark marks a VARIANT column as a struct whose `metadata` child carries `variant: true`. */
function isVariant(type: DataType): boolean {
  return DataType.isStruct(type) && type.children.some((c) => c.metadata.get('variant') === 'true');
}

/**
 * A converter for values of `type` into plain JavaScript, or undefined when Arrow's own
 * `toJSON()` is right already. Decimals become exact strings, TIME values `HH:MM:SS.ffffff`;
 * types this client cannot decode fail with an error naming the column and the type.
 */
function converterFor(field: Field, path: string): Convert | undefined {
  const type = field.type as DataType;
  if (isVariant(type)) {
    throw new UnsupportedOperationError(
      `Column '${path}' has Spark type VARIANT, which this client cannot decode; select to_json(${path}) (or cast it to string) instead`,
      { connector: 'spark-connect', details: { column: path, sparkType: 'variant' } },
    );
  }
  if (DataType.isDecimal(type)) return (v) => (v === null || v === undefined ? null : decimalText(v, type.scale));
  if (DataType.isTime(type)) return (v) => (v === null || v === undefined ? null : timeOfDay(v as bigint | number, type.unit));
  if (DataType.isList(type) || DataType.isFixedSizeList(type)) {
    const inner = converterFor(type.children[0]!, `${path}[]`);
    return inner && ((v) => (v === null || v === undefined ? null : Array.from(v as Iterable<unknown>, inner)));
  }
  if (DataType.isStruct(type)) {
    const children = type.children.map((c) => [c.name, converterFor(c, `${path}.${c.name}`)] as const);
    if (children.every(([, c]) => !c)) return undefined;
    return (v) => {
      if (v === null || v === undefined) return null;
      const out: Record<string, unknown> = {};
      const row = v as Record<string, unknown>;
      for (const [name, c] of children) out[name] = c ? c(row[name]) : plainValue(row[name]);
      return out;
    };
  }
  if (DataType.isMap(type)) {
    const valueField = type.children[0]!.type.children[1]!;
    const inner = converterFor(valueField, `${path}{}`);
    return inner && ((v) => (v === null || v === undefined ? null : Object.fromEntries([...(v as Map<unknown, unknown>)].map(([k, x]) => [String(k), inner(x)]))));
  }
  return undefined;
}

/** Converters for the top-level columns of a schema (cached per schema object). */
const convertersCache = new WeakMap<Schema, (Convert | undefined)[]>();
function convertersOf(schema: Schema): (Convert | undefined)[] {
  let converters = convertersCache.get(schema);
  if (!converters) {
    converters = schema.fields.map((f) => converterFor(f, f.name));
    convertersCache.set(schema, converters);
  }
  return converters;
}

/**
 * A row of a batch as a plain object (nested structs and lists become objects and arrays).
 * 64-bit integers are bigints, decimals exact strings, TIME values `HH:MM:SS.ffffff` strings,
 * dates and timestamps epoch milliseconds; VARIANT columns fail with a clear error.
 */
export function rowsOf(batch: RecordBatch): Record<string, unknown>[] {
  const converters = convertersOf(batch.schema);
  const special = converters.some((c) => c !== undefined);
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < batch.numRows; i++) {
    const row = batch.get(i);
    const plain = row ? (plainValue(row) as Record<string, unknown>) : {};
    if (special) {
      batch.schema.fields.forEach((f, j) => {
        const c = converters[j];
        if (c) plain[f.name] = c(row ? (row as unknown as Record<string, unknown>)[f.name] : null);
      });
    }
    rows.push(plain);
  }
  return rows;
}
