/**
 * `StreamingConnection`: the family base of streams and queues (Kafka, Kinesis, Event Hubs,
 * Pub/Sub, Pulsar, RabbitMQ, SQS, Service Bus).
 *
 * A connector implements {@link StreamProducer} and {@link StreamConsumer} with its client (the
 * unbounded half as `openSubscription`); this base makes a topic a table for the local engine —
 * a bounded read ends in Arrow with Spark's Kafka-source columns, a write produces one record per
 * row — and reports subscriptions to lineage as STREAMING runs.
 */
import type { RecordBatch } from 'apache-arrow';
import { SparkleConnection } from '../connection.js';
import {
  getArrowToolkit,
  type ColumnSpec,
  type NativePartition,
  type NativeReadPlan,
  type NativeSource,
  type NativeWriteContext,
  type ReadTableOptions,
  type WriteResult,
  type WriteTableOptions,
} from '../engine.js';
import { InvalidArgumentError, UnsupportedOperationError } from '../errors.js';
import { HealthSkip } from '../health.js';
import type {
  ConsumeRangeOptions,
  PartitionPosition,
  ProduceOptions,
  ProduceResult,
  ProducerRecord,
  StreamConsumer,
  StreamDelivery,
  StreamMessage,
  StreamPayload,
  StreamPosition,
  StreamProducer,
  SubscribeOptions,
} from '../capabilities/stream.js';
import type { DatasetRef, LineageRun, RunStats } from '../lineage/types.js';
import { jsonText } from './document-schema.js';
import { decodePayloads, decodesPayloads, payloadColumns, payloadFormatsOf } from './stream-payload.js';

/** How a system's partitions and positions become Arrow columns. */
export interface StreamLayout {
  /** `int32` for numbered partitions (Kafka, Event Hubs), `utf8` for named ones (Kinesis shard ids). */
  partition: 'int32' | 'utf8';
  /** `int64` offsets in a column named `offset` (Kafka), or `utf8` positions in a column `position` (Kinesis sequence numbers exceed 2^64). */
  position: 'int64' | 'utf8';
}

/**
 * The columns of a bounded stream read: Spark's Kafka source layout — `key` binary, `value`
 * binary, `topic` utf8, `partition`, `offset` (or `position`), `timestamp`, `headers` as
 * `list<struct<key: utf8, value: binary>>` (Spark's `includeHeaders`). Spark's `timestampType`
 * column is left out: most systems do not say whether a time was set by producer or broker.
 */
export function streamColumns(layout: StreamLayout = { partition: 'int32', position: 'int64' }): ColumnSpec[] {
  return [
    { name: 'key', type: 'binary' },
    { name: 'value', type: 'binary' },
    { name: 'topic', type: 'utf8', nullable: false },
    { name: 'partition', type: layout.partition, nullable: false },
    layout.position === 'int64' ? { name: 'offset', type: 'int64' } : { name: 'position', type: 'utf8' },
    { name: 'timestamp', type: 'timestamp' },
    { name: 'headers', type: { list: { struct: [{ name: 'key', type: 'utf8', nullable: false }, { name: 'value', type: 'binary' }] } } },
  ];
}

/** Options of {@link StreamingConnection.subscribe}. */
export interface LineageSubscribeOptions extends SubscribeOptions {
  /** A lineage RUNNING event every this many messages; 0 only on demand (`subscription.running()`). Default 1000. */
  lineageEvery?: number;
}

/** An unbounded subscription, reported to lineage as one STREAMING run. */
export interface StreamSubscription extends AsyncIterable<StreamDelivery> {
  /** Messages delivered so far. */
  readonly messages: number;
  /** Emits a RUNNING lineage event with the counts so far (e.g. on a checkpoint). */
  running(): Promise<void>;
}

/**
 * Reads Spark's Kafka options (`startingOffsets`, `endingOffsets`, `startingTimestamp`,
 * `endingTimestamp`) into a consume range. Offsets are `earliest`, `latest` or Spark's JSON
 * `{"topic":{"0":23,"1":-2}}` (-2 earliest, -1 latest).
 * @example
 * ```ts
 * streamRangeOf('orders', { startingOffsets: '{"orders":{"0":5}}' }); // { from: { positions: { '0': '5' } }, to: 'latest' }
 * ```
 */
export function streamRangeOf(topic: string, options: Record<string, string> = {}): Pick<ConsumeRangeOptions, 'from' | 'to' | 'maxMessages'> {
  const position = (value: string | undefined, timestamp: string | undefined, name: string, fallback: 'earliest' | 'latest'): StreamPosition => {
    if (timestamp !== undefined) {
      const ms = Number(timestamp);
      if (!Number.isFinite(ms)) throw new InvalidArgumentError(`${name === 'startingOffsets' ? 'startingTimestamp' : 'endingTimestamp'} must be epoch milliseconds; got '${timestamp}'`);
      return { timestamp: new Date(ms) };
    }
    if (value === undefined || value === '') return fallback;
    if (value === 'earliest' || value === 'latest') return value;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch (cause) {
      throw new InvalidArgumentError(`${name} must be 'earliest', 'latest' or JSON like {"${topic}":{"0":23}}; got '${value}'`, { cause });
    }
    const perTopic = (parsed as Record<string, unknown> | null)?.[topic];
    if (!perTopic || typeof perTopic !== 'object') throw new InvalidArgumentError(`${name} has no entry for topic '${topic}': ${value}`);
    const positions: Record<string, PartitionPosition> = {};
    for (const [partition, offset] of Object.entries(perTopic as Record<string, unknown>)) {
      if (typeof offset !== 'number' && typeof offset !== 'string') throw new InvalidArgumentError(`${name}: the offset of partition ${partition} must be a number`);
      if (String(offset) === '-2' || String(offset) === '-1') {
        throw new UnsupportedOperationError(`${name}: per-partition -2/-1 markers are not supported; use 'earliest'/'latest' for the whole topic`);
      }
      positions[partition] = String(offset);
    }
    return { positions };
  };
  const max = options.maxMessages ?? options.maxOffsetsPerTrigger;
  const maxMessages = max === undefined ? undefined : Number(max);
  if (maxMessages !== undefined && (!Number.isInteger(maxMessages) || maxMessages < 1)) throw new InvalidArgumentError(`maxMessages must be a positive integer; got '${max}'`);
  return {
    from: position(options.startingOffsets, options.startingTimestamp, 'startingOffsets', 'earliest'),
    to: position(options.endingOffsets, options.endingTimestamp, 'endingOffsets', 'latest'),
    ...(maxMessages ? { maxMessages } : {}),
  };
}

async function quietly(action: Promise<void> | undefined): Promise<void> {
  try {
    await action;
  } catch {
    // Lineage never breaks a data operation.
  }
}

const encoder = new TextEncoder();

/** Bytes of a payload (strings as UTF-8); connectors use it to normalise what `produce` was given. */
export function payloadBytes(value: StreamPayload | null | undefined): Uint8Array | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? encoder.encode(value) : value;
}

/** A row value as a record payload: bytes and text as they are, structs and lists as JSON, other scalars as text. */
function toPayload(value: unknown): StreamPayload | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array || typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return jsonText(value);
  return String(value);
}

function toHeaders(value: unknown, row: number): Record<string, StreamPayload> | undefined {
  if (value === null || value === undefined) return undefined;
  const headers: Record<string, StreamPayload> = {};
  if (Array.isArray(value)) {
    for (const h of value as Array<{ key?: unknown; value?: unknown } | null>) {
      if (!h || typeof h.key !== 'string') throw new InvalidArgumentError(`headers of row ${row}: each entry needs a string 'key' (Spark's array<struct<key, value>>)`);
      const v = toPayload(h.value);
      if (v !== null) headers[h.key] = v;
    }
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const p = toPayload(v);
      if (p !== null) headers[k] = p;
    }
  } else {
    throw new InvalidArgumentError(`headers of row ${row}: expected a list of { key, value } or a map`);
  }
  return headers;
}

/**
 * Base class of stream and queue connections.
 *
 * @example
 * ```ts
 * class MyStreamConnection extends StreamingConnection {
 *   async produce(topic, records, options) { ... }
 *   async describeTopic(topic) { ... }
 *   async *consumeRange(topic, options) { ... }
 *   protected async *openSubscription(topic, options) { ... } // deliveries with ack()
 *   protected datasetForTopic(topic) { return kafkaDataset(this.config.brokers, topic); }
 * }
 * const frame = await conn.readTable('orders', { options: { startingOffsets: 'earliest' } });
 * for await (const m of conn.subscribe('orders', { group: 'billing' })) { await handle(m); await m.ack(); }
 * ```
 */
export abstract class StreamingConnection<TConfig extends object = Record<string, unknown>>
  extends SparkleConnection<TConfig>
  implements StreamProducer, StreamConsumer, NativeSource
{
  static override family = 'streaming';

  abstract produce(topic: string, records: Iterable<ProducerRecord> | AsyncIterable<ProducerRecord>, options?: ProduceOptions): Promise<ProduceResult>;
  abstract describeTopic(topic: string, options?: { signal?: AbortSignal }): Promise<{ partitions: Array<{ id: string; earliest?: PartitionPosition; latest?: PartitionPosition }> }>;
  abstract consumeRange(topic: string, options?: ConsumeRangeOptions): AsyncIterable<StreamMessage>;
  /** The connector's unbounded consumption; {@link subscribe} wraps it with lineage. */
  protected abstract openSubscription(topic: string, options: SubscribeOptions): AsyncIterable<StreamDelivery>;

  // -------------------------------------------------------------------------------------------
  // Hooks
  // -------------------------------------------------------------------------------------------

  /** How partitions and positions become columns; default Kafka's (`int32` partition, `int64` offset). */
  protected streamLayout(): StreamLayout {
    return { partition: 'int32', position: 'int64' };
  }

  /**
   * Columns a system reads after the standard ones ({@link streamColumns}), filled from each
   * message's `extra` by name (null when absent): Pub/Sub's `message_id`, `publish_time`, … Default none.
   */
  protected streamExtraColumns(): ColumnSpec[] {
    return [];
  }

  /** The OpenLineage dataset of a topic (`kafka://host:port` + topic, `pubsub` + `topic:project:id`, …). */
  protected datasetForTopic(topic: string): DatasetRef {
    return super.dataset(topic);
  }

  override dataset(name: string): DatasetRef {
    return this.datasetForTopic(name);
  }

  /** A topic the health probe may describe (a metadata request); `undefined` skips the probe. */
  protected healthTopic(): string | undefined {
    return undefined;
  }

  /** Health probe: describes {@link healthTopic} — partitions and end positions, no message read. */
  protected override async checkProbe(signal: AbortSignal): Promise<void | HealthSkip | string> {
    const topic = this.healthTopic();
    if (!topic) return new HealthSkip('no topic to describe (override healthTopic())');
    const { partitions } = await this.describeTopic(topic, { signal });
    return `${topic}: ${partitions.length} partition(s)`;
  }

  // -------------------------------------------------------------------------------------------
  // Unbounded consumption with lineage
  // -------------------------------------------------------------------------------------------

  /**
   * An unbounded subscription reported as one STREAMING lineage run: START when iteration
   * begins, RUNNING every `lineageEvery` messages (and on `running()`), then COMPLETE when the
   * loop ends or is left with `break`, ABORT when `signal` fired, FAIL on an error.
   * Positions are committed only by each delivery's `ack()`.
   */
  subscribe(topic: string, options: LineageSubscribeOptions): StreamSubscription {
    const { lineageEvery = 1000, ...subscribeOptions } = options;
    if (!Number.isInteger(lineageEvery) || lineageEvery < 0) throw new InvalidArgumentError(`lineageEvery must be a non-negative integer; got ${lineageEvery}`, { connector: this.type });
    const connection = this;
    const counts = { messages: 0, bytes: 0 };
    let run: LineageRun | undefined;
    const stats = (): RunStats => ({ rows: counts.messages, bytes: counts.bytes });
    return {
      get messages() {
        return counts.messages;
      },
      async running() {
        await quietly(run?.running?.(stats()));
      },
      async *[Symbol.asyncIterator]() {
        connection.assertOpen();
        run = connection.lineageRun('read', topic, { group: options.group, from: options.from ?? 'latest', subscription: true }, undefined, {
          processingType: 'STREAMING',
        });
        await quietly(run.start());
        let failed = false;
        try {
          for await (const delivery of connection.openSubscription(topic, subscribeOptions)) {
            counts.messages++;
            counts.bytes += (delivery.value?.byteLength ?? 0) + (delivery.key?.byteLength ?? 0);
            yield delivery;
            if (lineageEvery > 0 && counts.messages % lineageEvery === 0) await quietly(run.running?.(stats()));
          }
        } catch (error) {
          failed = true;
          const e = connection.wrapError(error, `subscription to ${topic}`);
          if (options.signal?.aborted) await quietly(run.abort ? run.abort(e, stats()) : run.fail(e, stats()));
          else await quietly(run.fail(e, stats()));
          throw e;
        } finally {
          if (!failed) {
            if (options.signal?.aborted) await quietly(run.abort ? run.abort(options.signal.reason, stats()) : run.fail(options.signal.reason, stats()));
            else await quietly(run.complete(stats()));
          }
        }
      },
    };
  }

  // -------------------------------------------------------------------------------------------
  // Native reads: a bounded range into Spark's Kafka layout
  // -------------------------------------------------------------------------------------------

  /**
   * A bounded read of `topic`: one partition per stream partition (or one in all when
   * `maxMessages` caps the total), from Spark's `startingOffsets`/`endingOffsets` (default
   * earliest → the end positions seen now). Columns: {@link streamColumns}; `columns` projects.
   */
  async nativeRead(topic: string, options: ReadTableOptions): Promise<NativeReadPlan> {
    if (options.where || options.filter || options.predicates?.length || options.partitionColumn) {
      throw new UnsupportedOperationError(`${this.type} reads a range of a topic; where, filter, predicates and partitionColumn do not apply. Set startingOffsets/endingOffsets in options`, {
        connector: this.type,
      });
    }
    const arrow = await getArrowToolkit(this.type);
    // keyFormat / valueFormat / onInvalidPayload: bytes (default), UTF-8 or JSON text (stream-payload.ts).
    const formats = payloadFormatsOf(options.options);
    const extras = this.streamExtraColumns();
    const all = payloadColumns([...streamColumns(this.streamLayout()), ...extras], formats);
    const columns = options.columns?.length
      ? options.columns.map((name) => {
          const column = all.find((c) => c.name === name);
          if (!column) throw new InvalidArgumentError(`${topic} has no column '${name}'; columns are ${all.map((c) => c.name).join(', ')}`, { connector: this.type });
          return column;
        })
      : all;
    const schema = arrow.schema(columns);
    const range = streamRangeOf(topic, options.options);
    const described = await this.describeTopic(topic, { signal: options.signal });
    // Freeze 'latest' now, so every partition of the read ends where the topic ended when it started.
    let to = range.to;
    if (to === 'latest' && described.partitions.every((p) => p.latest !== undefined)) {
      to = { positions: Object.fromEntries(described.partitions.map((p) => [p.id, p.latest!])) };
    }
    const layout = this.streamLayout();
    const toRow = (m: StreamMessage): Record<string, unknown> => ({
      key: m.key,
      value: m.value,
      topic: m.topic,
      partition: layout.partition === 'int32' ? Number(m.partition) : m.partition,
      [layout.position === 'int64' ? 'offset' : 'position']: m.position === undefined ? null : layout.position === 'int64' ? BigInt(m.position) : m.position,
      timestamp: m.timestamp ?? null,
      headers: Object.entries(m.headers).map(([key, value]) => ({ key, value })),
      ...Object.fromEntries(extras.map((c) => [c.name, m.extra?.[c.name] ?? null])),
    });
    const open = (partitions: string[] | undefined) => (signal: AbortSignal) => {
      const messages = this.consumeRange(topic, { from: range.from, to, ...(range.maxMessages ? { maxMessages: range.maxMessages } : {}), ...(partitions ? { partitions } : {}), signal });
      const decode = decodesPayloads(formats);
      const rows = (async function* () {
        for await (const m of messages) {
          const row = toRow(m);
          if (decode) decodePayloads(row, formats, () => `topic ${m.topic} partition ${m.partition}${m.position === undefined ? '' : ` position ${m.position}`}`);
          yield row;
        }
      })();
      return arrow.rowsToBatches(rows, { schema, ...(options.fetchSize ? { batchSize: options.fetchSize } : {}) });
    };
    const partitions: NativePartition[] =
      range.maxMessages || described.partitions.length === 0
        ? [{ description: `${topic} (all partitions)`, open: open(undefined) }]
        : described.partitions.map((p) => ({ description: `${topic} partition ${p.id}`, open: open([p.id]) }));
    return { partitions, schema };
  }

  // -------------------------------------------------------------------------------------------
  // Native writes: one record per row
  // -------------------------------------------------------------------------------------------

  /**
   * Produces one record per row: `value` (binary or text as is; a struct, list or map as JSON;
   * other scalars as text), `key` likewise, `headers` (Spark's list of `{ key, value }`, or a
   * map), `partition` and `timestamp` when present. A table without a `value` column is sent
   * whole, each row as a JSON object (Spark would need `to_json(struct(*)) AS value`). As in
   * Spark's Kafka sink, only `append` and `errorIfExists` (which appends) are allowed, and the
   * target topic wins over a `topic` column.
   */
  async nativeWrite(topic: string, batches: AsyncIterable<RecordBatch>, options: WriteTableOptions, context: NativeWriteContext): Promise<Omit<WriteResult, 'elapsedMs'>> {
    const mode = options.mode ?? 'errorIfExists';
    if (mode !== 'append' && mode !== 'errorIfExists') {
      throw new UnsupportedOperationError(`Save mode '${mode}' is not allowed for a stream (topics are append-only); use 'append'`, { connector: this.type });
    }
    const arrow = await getArrowToolkit(this.type);
    let index = 0;
    const records = (async function* (): AsyncGenerator<ProducerRecord> {
      for await (const batch of batches) {
        const names = new Set(batch.schema.fields.map((f) => f.name));
        const hasValue = names.has('value');
        for (const row of arrow.rows(batch)) {
          const i = index++;
          const record: ProducerRecord = { value: hasValue ? toPayload(row.value) : jsonText(row) };
          if (names.has('key')) record.key = toPayload(row.key);
          const headers = names.has('headers') ? toHeaders(row.headers, i) : undefined;
          if (headers) record.headers = headers;
          if (names.has('partition') && row.partition !== null && row.partition !== undefined) record.partition = String(row.partition);
          if (names.has('timestamp') && row.timestamp instanceof Date) record.timestamp = row.timestamp;
          yield record;
        }
      }
    })();
    const reported = { messages: 0, bytes: 0 };
    const result = await this.produce(topic, records, {
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      signal: context.signal,
      onProgress: (messages, bytes) => {
        if (messages > reported.messages) context.onRows(messages - reported.messages, Math.max(0, bytes - reported.bytes));
        reported.messages = messages;
        reported.bytes = bytes;
      },
    });
    return { table: topic, mode, rows: result.messages, bytes: result.bytes, written: true };
  }
}

