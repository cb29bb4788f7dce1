/**
 * Local data into Spark: rows, Arrow tables and streams of record batches become a plan node.
 *
 * Small data (at most `inlineBytes` of Arrow IPC) rides in the plan as a LocalRelation. Larger
 * data is cut into chunks of about `chunkBytes`; each chunk is a LocalRelation uploaded with
 * AddArtifacts as `cache/<sha256>` and referenced by a CachedLocalRelation, and the chunks are
 * glued back together with UNION ALL. Only one chunk is held in memory at a time, so a stream of
 * batches of any length moves with bounded memory; `maxBytes` caps the total (Spark keeps
 * uploaded relations in the driver's block manager).
 */
import { create, toBinary } from '@bufbuild/protobuf';
import {
  Binary,
  Bool,
  type Data,
  DataType,
  DateDay,
  Float64,
  Int64,
  Null,
  RecordBatch,
  RecordBatchStreamWriter,
  Table,
  TimestampMicrosecond,
  Timestamp,
  TimeUnit,
  Utf8,
  type Vector,
  vectorFromArray,
  DateUnit,
} from 'apache-arrow';
import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '@sparkle/core';
import { type LocalRelation, LocalRelationSchema, type Relation, SetOperation_SetOpType } from './gen/spark/connect/relations_pb.js';
import { type PlanIds, relation } from './plan.js';

const CONNECTOR = 'spark-connect';
const MiB = 1024 * 1024;

/** Bounds of a local upload. */
export interface LocalRelationOptions {
  /** DDL schema the server casts the data to (`'id bigint, name string'`); needed for empty row lists. */
  schema?: string;
  /** Largest Arrow IPC payload sent inline in the plan (default 4 MiB). */
  inlineBytes?: number;
  /** Target size of one uploaded chunk (default 16 MiB). */
  chunkBytes?: number;
  /** Largest total upload; more fails with InvalidArgumentError (default 1 GiB). */
  maxBytes?: number;
  signal?: AbortSignal;
}

/** What `createDataFrame` accepts. */
export type LocalData = Table | RecordBatch | Iterable<RecordBatch> | AsyncIterable<RecordBatch> | readonly Record<string, unknown>[];

/** Uploads one artifact; the session's client implements it. */
export type ArtifactUploader = (name: string, bytes: Uint8Array, signal?: AbortSignal) => Promise<void>;

/** Default bounds of `createDataFrame` uploads. */
export const createDataFrameLimits = { inlineBytes: 4 * MiB, chunkBytes: 16 * MiB, maxBytes: 1024 * MiB } as const;

// ---------------------------------------------------------------------------------------------
// Rows → Arrow
// ---------------------------------------------------------------------------------------------

function kindOf(value: unknown): string {
  if (value instanceof Date) return 'date';
  if (value instanceof Uint8Array) return 'binary';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'double';
  return typeof value;
}

/** The Arrow type of a column of plain values, as Spark's clients infer it. */
function inferType(column: string, values: unknown[]): DataType {
  const kinds = new Set(values.filter((v) => v !== null && v !== undefined).map(kindOf));
  if (kinds.size === 0) return new Null();
  if (kinds.size === 1 || [...kinds].every((k) => k === 'integer' || k === 'double' || k === 'bigint')) {
    if (kinds.has('double')) {
      if (kinds.has('bigint')) break_(column, 'mixes bigint and fractional numbers');
      return new Float64();
    }
    const [only] = kinds;
    switch (only) {
      case 'integer':
      case 'bigint':
        return new Int64();
      case 'boolean':
        return new Bool();
      case 'string':
        return new Utf8();
      case 'date':
        return new TimestampMicrosecond('UTC');
      case 'binary':
        return new Binary();
      default:
        if (kinds.size > 1) return new Int64(); // integer numbers mixed with bigints
        break_(column, `holds ${only} values`);
    }
  }
  return break_(column, `mixes ${[...kinds].join(', ')} values`);
}

function break_(column: string, why: string): never {
  throw new InvalidArgumentError(
    `createDataFrame: column '${column}' ${why}; rows may hold booleans, numbers, bigints, strings, Dates, Uint8Arrays and nulls — pass an apache-arrow Table for other types`,
    { connector: CONNECTOR },
  );
}

/** Rows of plain objects as an Arrow table (integral numbers → bigint, other numbers → double, Date → timestamp). */
export function rowsToTable(rows: readonly Record<string, unknown>[]): Table {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (!seen.has(key)) {
        seen.add(key);
        names.push(key);
      }
    }
  }
  const columns: Record<string, Vector> = {};
  for (const name of names) {
    const values = rows.map((r) => r[name] ?? null);
    const type = inferType(name, values);
    columns[name] = vectorFromArray(DataType.isInt(type) ? values.map((v) => (v === null ? null : BigInt(v as number | bigint))) : values, type);
  }
  return new Table(columns);
}

// ---------------------------------------------------------------------------------------------
// Arrow types Spark reads
// ---------------------------------------------------------------------------------------------

/** The Spark-readable type for an Arrow type, or undefined when it is readable already. */
function sparkReadable(type: DataType): DataType | undefined {
  // Spark reads timestamps only in microseconds and dates only in days.
  if (DataType.isTimestamp(type) && type.unit !== TimeUnit.MICROSECOND) return new Timestamp(TimeUnit.MICROSECOND, type.timezone);
  if (DataType.isDate(type) && type.unit !== DateUnit.DAY) return new DateDay();
  if (DataType.isDictionary(type)) return sparkReadable(type.dictionary) ?? type.dictionary;
  return undefined;
}

/** The batch with its top-level columns converted to types Spark's Arrow reader accepts. */
export function sparkCompatibleBatch(batch: RecordBatch): RecordBatch {
  const targets = batch.schema.fields.map((f) => sparkReadable(f.type));
  if (targets.every((t) => t === undefined)) return batch;
  const columns: Record<string, Vector> = {};
  batch.schema.fields.forEach((field, i) => {
    const vector = batch.getChildAt(i)!;
    const target = targets[i];
    columns[field.name] = target ? vectorFromArray([...vector], target) : vector;
  });
  return new Table(columns).batches[0] ?? batch;
}

// ---------------------------------------------------------------------------------------------
// Chunking
// ---------------------------------------------------------------------------------------------

function dataBytes(data: Data): number {
  let n = (data.values?.byteLength ?? 0) + (data.valueOffsets?.byteLength ?? 0) + (data.nullBitmap?.byteLength ?? 0) + (data.typeIds?.byteLength ?? 0);
  for (const child of data.children) n += dataBytes(child);
  return n;
}

/** Bytes a batch occupies (its buffers), an estimate of its IPC size. */
export function batchBytes(batch: RecordBatch): number {
  return dataBytes(batch.data);
}

// Duck-typed, not `instanceof`: a table built by another installed copy of apache-arrow is still a table.
function isTable(data: unknown): data is Table {
  return typeof data === 'object' && data !== null && Array.isArray((data as Table).batches) && 'schema' in data;
}

function isRecordBatch(data: unknown): data is RecordBatch {
  return typeof data === 'object' && data !== null && 'schema' in data && 'data' in data && typeof (data as RecordBatch).numRows === 'number' && !isTable(data);
}

async function* batchesOf(data: LocalData): AsyncGenerator<RecordBatch, void, undefined> {
  if (isTable(data)) {
    for (const batch of data.batches) yield batch;
  } else if (isRecordBatch(data)) {
    yield data;
  } else if (Array.isArray(data)) {
    for (const batch of rowsToTable(data as Record<string, unknown>[]).batches) yield batch;
  } else {
    for await (const batch of data as AsyncIterable<RecordBatch>) yield batch;
  }
}

/** Cuts a stream of batches into groups of about `chunkBytes`, slicing batches larger than that. */
async function* chunksOf(batches: AsyncIterable<RecordBatch>, chunkBytes: number): AsyncGenerator<RecordBatch[]> {
  let chunk: RecordBatch[] = [];
  let size = 0;
  for await (const raw of batches) {
    const batch = sparkCompatibleBatch(raw);
    const bytes = batchBytes(batch);
    const pieces = bytes > chunkBytes && batch.numRows > 1 ? Math.ceil(bytes / chunkBytes) : 1;
    const rowsPer = Math.ceil(batch.numRows / pieces);
    for (let start = 0; start < batch.numRows || (start === 0 && batch.numRows === 0); start += Math.max(rowsPer, 1)) {
      const piece = pieces === 1 ? batch : batch.slice(start, Math.min(start + rowsPer, batch.numRows));
      // A slice shares its parent's buffers, so measure it as its share of the rows.
      const pieceBytes = pieces === 1 ? bytes : Math.ceil((bytes * piece.numRows) / batch.numRows);
      if (chunk.length && size + pieceBytes > chunkBytes) {
        yield chunk;
        chunk = [];
        size = 0;
      }
      chunk.push(piece);
      size += pieceBytes;
      if (batch.numRows === 0) break;
    }
  }
  if (chunk.length) yield chunk;
}

/** One Arrow IPC stream (schema plus batches). */
export function ipcStreamOf(batches: RecordBatch[], schema = batches[0]?.schema): Uint8Array {
  const writer = new RecordBatchStreamWriter();
  if (schema) writer.reset(undefined, schema);
  for (const b of batches) writer.write(b);
  writer.finish();
  return writer.toUint8Array(true);
}

/** The artifact name Spark expects for a cached LocalRelation: `cache/<hex sha-256 of its bytes>`. */
export function cachedRelationArtifact(localRelation: LocalRelation): { name: string; hash: string; bytes: Uint8Array } {
  const bytes = toBinary(LocalRelationSchema, localRelation);
  const hash = createHash('sha256').update(bytes).digest('hex');
  return { name: `cache/${hash}`, hash, bytes };
}

/** UNION ALL (by position) of relations as a balanced tree, so the plan's depth grows as log(chunks). */
function unionAll(ids: PlanIds, parts: Relation[]): Relation {
  if (parts.length === 1) return parts[0]!;
  const mid = Math.ceil(parts.length / 2);
  return relation(ids, {
    case: 'setOp',
    value: { leftInput: unionAll(ids, parts.slice(0, mid)), rightInput: unionAll(ids, parts.slice(mid)), setOpType: SetOperation_SetOpType.UNION, isAll: true, byName: false },
  });
}

function tooLarge(total: number, maxBytes: number): InvalidArgumentError {
  return new InvalidArgumentError(
    `createDataFrame: the local data exceeds maxBytes (${total} > ${maxBytes} bytes of Arrow IPC); raise maxBytes, or write the data to files Spark can read (e.g. parquet) and load those`,
    { connector: CONNECTOR, details: { bytes: total, maxBytes } },
  );
}

/**
 * Builds the relation for local data: inline when small, else uploaded chunk by chunk.
 * @internal Used by `SparkSession.createDataFrame`.
 */
export async function localRelation(ids: PlanIds, data: LocalData, upload: ArtifactUploader, options: LocalRelationOptions = {}): Promise<Relation> {
  const inlineBytes = options.inlineBytes ?? createDataFrameLimits.inlineBytes;
  const chunkBytes = Math.max(1, options.chunkBytes ?? createDataFrameLimits.chunkBytes);
  const maxBytes = options.maxBytes ?? createDataFrameLimits.maxBytes;
  const schemaText = options.schema !== undefined ? { schema: options.schema } : {};
  if (Array.isArray(data) && data.length === 0) {
    if (!options.schema) throw new InvalidArgumentError('createDataFrame([]) needs options.schema (e.g. "id bigint, name string") to know the columns', { connector: CONNECTOR });
    return relation(ids, { case: 'localRelation', value: schemaText });
  }
  const schemaOnly = isTable(data) && data.batches.length === 0 ? data.schema : undefined;
  const chunks = chunksOf(batchesOf(data), chunkBytes);
  const parts: Relation[] = [];
  let total = 0;
  let first = await chunks.next();
  if (first.done) {
    // No batches at all: an IPC stream of the schema alone still tells Spark the columns.
    const ipc = schemaOnly ? { data: ipcStreamOf([], schemaOnly) } : {};
    if (!schemaOnly && !options.schema) throw new InvalidArgumentError('createDataFrame got no record batches; pass options.schema or a Table with a schema', { connector: CONNECTOR });
    return relation(ids, { case: 'localRelation', value: { ...ipc, ...schemaText } });
  }
  while (!first.done) {
    const ipc = ipcStreamOf(first.value);
    total += ipc.byteLength;
    if (total > maxBytes) throw tooLarge(total, maxBytes);
    const next = await chunks.next();
    if (parts.length === 0 && next.done && ipc.byteLength <= inlineBytes) {
      return relation(ids, { case: 'localRelation', value: { data: ipc, ...schemaText } });
    }
    options.signal?.throwIfAborted();
    const artifact = cachedRelationArtifact(create(LocalRelationSchema, { data: ipc, ...schemaText }));
    await upload(artifact.name, artifact.bytes, options.signal);
    parts.push(relation(ids, { case: 'cachedLocalRelation', value: { hash: artifact.hash } }));
    first = next;
  }
  return unionAll(ids, parts);
}
