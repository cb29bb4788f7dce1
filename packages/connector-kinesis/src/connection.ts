/**
 * `KinesisConnection`: Amazon Kinesis Data Streams on `@aws-sdk/client-kinesis`.
 * `StreamingConnection` owns the shared behaviour (a stream as a table in Spark's Kafka layout,
 * append-only writes, STREAMING lineage for subscriptions, the describe health probe); this
 * class maps it onto Kinesis:
 *
 * - partitions are shards (`shardId-000000000000`, utf8), positions are sequence numbers (utf8:
 *   they exceed 2^64);
 * - produce sends PutRecords batches (≤ 500 records, ≤ 5 MiB) and resends the records a batch
 *   failed, by index; an explicit `partition` (a shard id) becomes that shard's starting hash key;
 * - a bounded read walks each shard from TRIM_HORIZON / LATEST / a sequence number / a timestamp
 *   until it is caught up (`MillisBehindLatest` 0) or reaches the end position;
 * - subscriptions keep per-group checkpoints in this process (Kinesis has no server-side
 *   consumer groups; the KCL keeps them in DynamoDB), committed only over acknowledged records.
 */
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { KinesisClient, PutRecordsRequestEntry, Shard, ShardIteratorType } from '@aws-sdk/client-kinesis';
import {
  awsClientOptions,
  awsConfigShape,
  awsEndpoint,
  awsError,
  abortError,
  InvalidArgumentError,
  MissingDriverError,
  payloadBytes,
  SparkleError,
  StreamingConnection,
  WriteError,
  type ConnectionInit,
  type ConsumeRangeOptions,
  type Endpoint,
  type PartitionPosition,
  type ProduceOptions,
  type ProduceResult,
  type ProducerRecord,
  type ReadTableOptions,
  type SparkReadSpec,
  type SparkWriteSpec,
  type StreamDelivery,
  type StreamLayout,
  type StreamMessage,
  type StreamPosition,
  type SubscribeOptions,
  type WriteTableOptions,
} from '@sparkle/core';
import { unwrap, wrap } from './envelope.js';

/** Config of the `kinesis` connection. */
export const kinesisConfigSchema = z.looseObject({
  ...awsConfigShape,
  /** The stream `check()` describes. */
  stream: z.string().min(1).optional(),
  /**
   * `raw` (default): the record data is the value, as every Kinesis consumer expects; headers are
   * refused (Kinesis records have none). `envelope`: data is framed with headers, the producer
   * timestamp and non-text keys (see the README), readable by Sparkle on the other side.
   */
  recordFormat: z.enum(['raw', 'envelope']).default('raw'),
  /** GetRecords `Limit` per call (1–10 000). Default 1000. */
  readLimit: z.coerce.number().int().min(1).max(10_000).default(1000),
  /** A subscription's pause after a round over all shards returned nothing, ms. Default 1000 (Kinesis allows 5 GetRecords per second per shard). */
  pollIntervalMs: z.coerce.number().int().min(0).max(60_000).default(1000),
});

export type KinesisConfig = z.output<typeof kinesisConfigSchema>;

/** Kinesis limits of PutRecords. */
export const KINESIS_MAX_BATCH_RECORDS = 500;
export const KINESIS_MAX_BATCH_BYTES = 5 * 1024 * 1024;
export const KINESIS_MAX_RECORD_BYTES = 1024 * 1024;

/** Error codes of a PutRecords entry worth resending. */
const RETRYABLE_ENTRY = /ProvisionedThroughputExceeded|InternalFailure|ServiceUnavailable|Throttl/;

interface ShardCheckpoint {
  /** Last sequence number committed (every record up to it acknowledged). */
  committed?: string;
  /** Delivered in this order and not yet committed. */
  delivered: string[];
  /** Acknowledged but behind an unacknowledged one. */
  acked: Set<string>;
}

const CHECKPOINTS = Symbol.for('sparkle.connector-kinesis.checkpoints');
/** Per-process checkpoints: `endpoint|stream|group` → shard → checkpoint. */
function checkpoints(): Map<string, Map<string, ShardCheckpoint>> {
  const g = globalThis as Record<symbol, unknown>;
  g[CHECKPOINTS] ??= new Map();
  return g[CHECKPOINTS] as Map<string, Map<string, ShardCheckpoint>>;
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** A key as a partition key: its text when it is 1–256 characters of UTF-8, else a SHA-256 hex of the bytes (stable, so equal keys share a shard). */
function partitionKeyOf(key: Uint8Array): { partitionKey: string; text: boolean } {
  try {
    const text = textDecoder.decode(key);
    if (text.length >= 1 && text.length <= 256) return { partitionKey: text, text: true };
  } catch {
    // not UTF-8: hashed below
  }
  return { partitionKey: createHash('sha256').update(key).digest('hex'), text: false };
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * The `kinesis` connection (alias `aws_kinesis`).
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import { KinesisConnection } from '@sparkle/connector-kinesis';
 *
 * await using kinesis = await getConnection<KinesisConnection>('kinesis', { config: { region: 'us-east-1', stream: 'clicks' } });
 * await kinesis.produce('clicks', [{ key: 'user-1', value: '{"page":"/"}' }]);
 * for await (const m of kinesis.consumeRange('clicks', { from: 'earliest' })) console.log(m.partition, m.position);
 * ```
 */
export class KinesisConnection extends StreamingConnection<KinesisConfig> {
  static override schema: z.ZodType = kinesisConfigSchema;
  static override family = 'streaming';
  static override description = 'Amazon Kinesis Data Streams (PutRecords produce, bounded shard reads into Arrow, checkpointed subscriptions)';
  #client: KinesisClient | undefined;
  #sdk: typeof import('@aws-sdk/client-kinesis') | undefined;
  readonly #shards = new Map<string, Shard[]>();

  constructor(init: ConnectionInit) {
    super(init);
    this.onClose(() => this.#client?.destroy());
  }

  /** The SDK client (created on first use). */
  protected async kinesis(): Promise<{ client: KinesisClient; sdk: typeof import('@aws-sdk/client-kinesis') }> {
    this.assertOpen();
    if (!this.#sdk) {
      try {
        this.#sdk = await import('@aws-sdk/client-kinesis');
      } catch (cause) {
        throw new MissingDriverError(this.type, '@aws-sdk/client-kinesis', cause);
      }
    }
    if (!this.#client) {
      // HTTP/1.1: the client defaults to HTTP/2 (for SubscribeToShard, which this connector does
      // not use), which plain-http endpoints such as local fakes and some proxies do not speak.
      const { NodeHttpHandler } = await import('@smithy/node-http-handler');
      this.#client = new this.#sdk.KinesisClient({ ...awsClientOptions(this.config), requestHandler: new NodeHttpHandler() });
    }
    return { client: this.#client, sdk: this.#sdk };
  }

  protected override streamLayout(): StreamLayout {
    return { partition: 'utf8', position: 'utf8' };
  }

  protected override endpoints(): Endpoint[] {
    return [awsEndpoint(this.config, 'kinesis')];
  }

  protected override healthTopic(): string | undefined {
    return this.config.stream;
  }

  /** Authentication tier: a ListStreams call of at most one stream (signed, metadata only). */
  protected override async checkAuth(signal: AbortSignal): Promise<string> {
    const { client, sdk } = await this.kinesis();
    try {
      await client.send(new sdk.ListStreamsCommand({ Limit: 1 }), { abortSignal: signal });
    } catch (error) {
      throw this.#error(error, 'ListStreams');
    }
    return `authenticated in ${this.config.region}`;
  }

  #error(error: unknown, what: string, stream?: string): SparkleError {
    if (SparkleError.isInstance(error)) return error;
    return awsError(
      this.type,
      error,
      what,
      stream ? { match: /ResourceNotFound/, message: `Kinesis stream '${stream}' (or its shard) does not exist in ${this.config.region}${this.config.endpoint ? ` at ${this.config.endpoint}` : ''}; create it or fix the name` } : undefined,
    );
  }

  /**
   * Creates a stream with `shards` shards (provisioned) and waits until it is ACTIVE.
   * @example
   * ```ts
   * // @readme-fragment
   * await kinesis.createStream('clicks', 4);
   * ```
   */
  async createStream(stream: string, shards = 1, options: { signal?: AbortSignal } = {}): Promise<void> {
    const { client, sdk } = await this.kinesis();
    try {
      await client.send(new sdk.CreateStreamCommand({ StreamName: stream, ShardCount: shards }), { abortSignal: options.signal });
      for (let i = 0; i < 120; i++) {
        const { StreamDescriptionSummary } = await client.send(new sdk.DescribeStreamSummaryCommand({ StreamName: stream }), { abortSignal: options.signal });
        if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
        await sleep(500, options.signal);
      }
      throw new SparkleError('TIMEOUT', `Kinesis stream '${stream}' did not become ACTIVE within 60 s`, { connector: this.type, retryable: true });
    } catch (error) {
      throw this.#error(error, `CreateStream ${stream}`);
    } finally {
      this.#shards.delete(stream);
    }
  }

  /** Every shard of a stream (ListShards, paginated), cached per connection. */
  async shards(stream: string, options: { signal?: AbortSignal; refresh?: boolean } = {}): Promise<Shard[]> {
    const cached = this.#shards.get(stream);
    if (cached && !options.refresh) return cached;
    const { client, sdk } = await this.kinesis();
    const out: Shard[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await client.send(new sdk.ListShardsCommand(token ? { NextToken: token } : { StreamName: stream }), { abortSignal: options.signal });
        out.push(...(page.Shards ?? []));
        token = page.NextToken;
      } while (token);
    } catch (error) {
      throw this.#error(error, `ListShards ${stream}`, stream);
    }
    this.#shards.set(stream, out);
    return out;
  }

  /** Shards as partitions, with the first sequence number each still holds as `earliest`. */
  async describeTopic(topic: string, options: { signal?: AbortSignal } = {}): Promise<{ partitions: Array<{ id: string; earliest?: PartitionPosition; latest?: PartitionPosition }> }> {
    const shards = await this.shards(topic, { ...options, refresh: true });
    return {
      partitions: shards.map((s) => ({ id: s.ShardId!, ...(s.SequenceNumberRange?.StartingSequenceNumber ? { earliest: s.SequenceNumberRange.StartingSequenceNumber } : {}) })),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Produce
  // -------------------------------------------------------------------------------------------

  async #entry(stream: string, record: ProducerRecord, index: number): Promise<{ entry: PutRecordsRequestEntry; size: number }> {
    const value = payloadBytes(record.value);
    const key = payloadBytes(record.key);
    const headers = Object.entries(record.headers ?? {});
    const envelope = this.config.recordFormat === 'envelope';
    if (headers.length && !envelope) {
      throw new InvalidArgumentError(`record ${index}: Kinesis records have no headers; drop them, or set recordFormat: 'envelope' (Sparkle frames them into the data)`, { connector: this.type });
    }
    const pk = key && key.byteLength ? partitionKeyOf(key) : undefined;
    const partitionKey = pk?.partitionKey ?? (record.orderingKey || randomUUID());
    let data: Uint8Array;
    if (envelope) {
      data = wrap({
        headers: Object.fromEntries(headers.map(([k, v]) => [k, payloadBytes(v)!])),
        ...(record.timestamp ? { timestamp: record.timestamp } : {}),
        ...(key === null || key === undefined ? { key: null } : pk && !pk.text ? { key } : {}),
        value,
      });
    } else {
      if (value === null) throw new InvalidArgumentError(`record ${index}: a null value needs recordFormat: 'envelope' (a raw Kinesis record is its data)`, { connector: this.type });
      data = value;
    }
    const size = data.byteLength + encoder.encode(partitionKey).byteLength;
    if (size > KINESIS_MAX_RECORD_BYTES) {
      throw new InvalidArgumentError(`record ${index} is ${size} bytes with its partition key; Kinesis takes at most 1 MiB per record`, { connector: this.type, details: { record: index, bytes: size } });
    }
    const entry: PutRecordsRequestEntry = { Data: data, PartitionKey: partitionKey };
    if (record.partition !== undefined) {
      const shard = (await this.shards(stream)).find((s) => s.ShardId === record.partition);
      if (!shard) throw new InvalidArgumentError(`record ${index}: stream '${stream}' has no shard '${record.partition}' (partition must be a shard id such as shardId-000000000000)`, { connector: this.type });
      entry.ExplicitHashKey = shard.HashKeyRange!.StartingHashKey!;
    }
    return { entry, size };
  }

  /**
   * Sends records in PutRecords batches (≤ `batchSize`, default and at most 500, ≤ 5 MiB), one
   * batch in flight (the iterator is pulled as batches complete). Records a batch failed with
   * throughput or internal errors are resent by index (up to 5 attempts, backing off); other
   * entry errors are a `WriteError` naming the record. A resent record may land after records
   * sent later to the same shard (as with any Kinesis producer that retries).
   */
  async produce(topic: string, records: Iterable<ProducerRecord> | AsyncIterable<ProducerRecord>, options: ProduceOptions = {}): Promise<ProduceResult> {
    const { client, sdk } = await this.kinesis();
    const max = Math.max(1, Math.min(KINESIS_MAX_BATCH_RECORDS, options.batchSize ?? KINESIS_MAX_BATCH_RECORDS));
    let messages = 0;
    let bytes = 0;
    const positions: Record<string, string> = {};
    let batch: Array<{ entry: PutRecordsRequestEntry; size: number; index: number }> = [];
    let batchBytes = 0;
    const flush = async () => {
      let pending = batch;
      batch = [];
      batchBytes = 0;
      for (let attempt = 1; pending.length; attempt++) {
        if (options.signal?.aborted) throw abortError(options.signal, `produce to ${topic}`, this.type);
        let out;
        try {
          out = await client.send(new sdk.PutRecordsCommand({ StreamName: topic, Records: pending.map((p) => p.entry) }), { abortSignal: options.signal });
        } catch (error) {
          if (options.signal?.aborted) throw abortError(options.signal, `produce to ${topic}`, this.type);
          throw this.#error(error, `PutRecords to ${topic}`, topic);
        }
        const retry: typeof pending = [];
        (out.Records ?? []).forEach((r, i) => {
          const sent = pending[i]!;
          if (r.ErrorCode) {
            if (!RETRYABLE_ENTRY.test(r.ErrorCode)) {
              throw new WriteError(`Kinesis refused record ${sent.index} of the produce to '${topic}': ${r.ErrorCode}: ${r.ErrorMessage ?? ''}`, { connector: this.type, details: { record: sent.index, code: r.ErrorCode } });
            }
            if (attempt >= 5) {
              throw new WriteError(`Kinesis kept failing record ${sent.index} of the produce to '${topic}' after 5 attempts: ${r.ErrorCode}`, { connector: this.type, retryable: true, details: { record: sent.index, code: r.ErrorCode } });
            }
            retry.push(sent);
          } else {
            messages++;
            bytes += sent.size;
            positions[r.ShardId!] = r.SequenceNumber!;
          }
        });
        if ((out.Records ?? []).length !== pending.length) {
          throw new WriteError(`Kinesis answered ${(out.Records ?? []).length} results for ${pending.length} records of the produce to '${topic}'`, { connector: this.type, retryable: true });
        }
        options.onProgress?.(messages, bytes);
        pending = retry;
        if (pending.length) await sleep(Math.min(2000, 100 * 2 ** (attempt - 1)), options.signal);
      }
    };
    let index = 0;
    for await (const record of records) {
      const { entry, size } = await this.#entry(topic, record, index);
      if (batch.length && (batch.length >= max || batchBytes + size > KINESIS_MAX_BATCH_BYTES)) await flush();
      batch.push({ entry, size, index: index++ });
      batchBytes += size;
    }
    if (batch.length) await flush();
    return { messages, bytes, positions };
  }

  // -------------------------------------------------------------------------------------------
  // Consume
  // -------------------------------------------------------------------------------------------

  #message(topic: string, shard: string, r: { Data?: Uint8Array; PartitionKey?: string; SequenceNumber?: string; ApproximateArrivalTimestamp?: Date }): StreamMessage {
    const data = r.Data ?? new Uint8Array();
    const meta = this.config.recordFormat === 'envelope' ? unwrap(data) : undefined;
    const arrival = r.ApproximateArrivalTimestamp;
    const key = meta && 'key' in meta ? (meta.key ?? null) : r.PartitionKey !== undefined ? encoder.encode(r.PartitionKey) : null;
    const timestamp = meta?.timestamp ?? arrival;
    return {
      topic,
      partition: shard,
      position: r.SequenceNumber!,
      key,
      value: meta ? meta.value : data,
      headers: meta?.headers ?? {},
      ...(timestamp ? { timestamp } : {}),
    };
  }

  async #iterator(topic: string, shard: string, from: { type: ShardIteratorType; sequence?: string; timestamp?: Date }, signal?: AbortSignal): Promise<string | undefined> {
    const { client, sdk } = await this.kinesis();
    try {
      const out = await client.send(
        new sdk.GetShardIteratorCommand({
          StreamName: topic,
          ShardId: shard,
          ShardIteratorType: from.type,
          ...(from.sequence ? { StartingSequenceNumber: from.sequence } : {}),
          ...(from.timestamp ? { Timestamp: from.timestamp } : {}),
        }),
        { abortSignal: signal },
      );
      return out.ShardIterator;
    } catch (error) {
      if (signal?.aborted) throw abortError(signal, `read of ${topic}`, this.type);
      throw this.#error(error, `GetShardIterator ${topic}/${shard}`, topic);
    }
  }

  async #records(topic: string, iterator: string, signal?: AbortSignal) {
    const { client, sdk } = await this.kinesis();
    try {
      return await client.send(new sdk.GetRecordsCommand({ ShardIterator: iterator, Limit: this.config.readLimit }), { abortSignal: signal });
    } catch (error) {
      if (signal?.aborted) throw abortError(signal, `read of ${topic}`, this.type);
      throw this.#error(error, `GetRecords ${topic}`, topic);
    }
  }

  #start(position: StreamPosition, shard: string): { type: ShardIteratorType; sequence?: string; timestamp?: Date } {
    if (position === 'earliest') return { type: 'TRIM_HORIZON' };
    if (position === 'latest') return { type: 'LATEST' };
    if ('timestamp' in position) return { type: 'AT_TIMESTAMP', timestamp: position.timestamp };
    const sequence = position.positions[shard];
    if (sequence === undefined) return { type: 'TRIM_HORIZON' };
    if (!/^\d+$/.test(sequence)) throw new InvalidArgumentError(`'${sequence}' is not a Kinesis sequence number (digits) for shard ${shard}`, { connector: this.type });
    return { type: 'AT_SEQUENCE_NUMBER', sequence };
  }

  /**
   * A bounded read: each shard (in shard order) from `from` — TRIM_HORIZON (earliest), LATEST,
   * AT_SEQUENCE_NUMBER (a start position, inclusive) or AT_TIMESTAMP — until it is caught up
   * (`MillisBehindLatest` 0, or the shard is closed and drained), stops at its `to` position
   * (exclusive) or timestamp, or `maxMessages` in total.
   */
  async *consumeRange(topic: string, options: ConsumeRangeOptions = {}): AsyncIterable<StreamMessage> {
    const ids = options.partitions ?? (await this.shards(topic, { refresh: true, ...(options.signal ? { signal: options.signal } : {}) })).map((s) => s.ShardId!);
    const from = options.from ?? 'earliest';
    const to = options.to ?? 'latest';
    const max = options.maxMessages ?? Infinity;
    let count = 0;
    for (const shard of ids) {
      const end = typeof to === 'object' && 'positions' in to ? to.positions[shard] : undefined;
      const endBig = end !== undefined ? BigInt(end) : undefined;
      const until = typeof to === 'object' && 'timestamp' in to ? to.timestamp.getTime() : undefined;
      let iterator = await this.#iterator(topic, shard, this.#start(from, shard), options.signal);
      while (iterator) {
        if (options.signal?.aborted) throw abortError(options.signal, `read of ${topic}`, this.type);
        const out = await this.#records(topic, iterator, options.signal);
        let stop = false;
        for (const r of out.Records ?? []) {
          if (endBig !== undefined && BigInt(r.SequenceNumber!) >= endBig) {
            stop = true;
            break;
          }
          if (until !== undefined && r.ApproximateArrivalTimestamp && r.ApproximateArrivalTimestamp.getTime() >= until) {
            stop = true;
            break;
          }
          yield this.#message(topic, shard, r);
          if (++count >= max) return;
        }
        if (stop || out.MillisBehindLatest === 0 || !out.NextShardIterator) break;
        iterator = out.NextShardIterator;
        // Behind but nothing returned (a sparse stretch of the shard): keep walking, politely.
        if (!out.Records?.length) await sleep(200, options.signal);
      }
    }
  }

  /**
   * Deliveries from every shard, round-robin, starting after the group's checkpoint (or at
   * TRIM_HORIZON / LATEST for a new group). `ack()` marks a record; a shard's checkpoint moves
   * only over an unbroken run of acknowledged records, so after a restart everything
   * unacknowledged is delivered again (at-least-once). Checkpoints live in this process; closed
   * shards are read to their end, their children are not followed.
   */
  protected async *openSubscription(topic: string, options: SubscribeOptions): AsyncIterable<StreamDelivery> {
    const signal = options.signal;
    const groupKey = `${this.config.endpoint ?? this.config.region}|${topic}|${options.group}`;
    let group = checkpoints().get(groupKey);
    if (!group) checkpoints().set(groupKey, (group = new Map()));
    const shards = (await this.shards(topic, { refresh: true, ...(signal ? { signal } : {}) })).map((s) => s.ShardId!);
    const iterators = new Map<string, string | undefined>();
    for (const shard of shards) {
      let cp = group.get(shard);
      if (!cp) group.set(shard, (cp = { delivered: [], acked: new Set() }));
      cp.delivered = [];
      const start = cp.committed ? { type: 'AFTER_SEQUENCE_NUMBER' as const, sequence: cp.committed } : { type: options.from === 'earliest' ? ('TRIM_HORIZON' as const) : ('LATEST' as const) };
      iterators.set(shard, await this.#iterator(topic, shard, start, signal));
    }
    const maxUnacked = options.maxUnacked ?? 1000;
    while (true) {
      let got = 0;
      for (const shard of shards) {
        const iterator = iterators.get(shard);
        if (!iterator) continue;
        if (signal?.aborted) throw abortError(signal, `subscription to ${topic}`, this.type);
        const cp = group.get(shard)!;
        const out = await this.#records(topic, iterator, signal);
        iterators.set(shard, out.NextShardIterator);
        for (const r of out.Records ?? []) {
          const sequence = r.SequenceNumber!;
          if (cp.acked.has(sequence)) continue; // acknowledged earlier, behind a gap
          while ([...group.values()].reduce((n, c) => n + c.delivered.length, 0) >= maxUnacked) {
            if (signal?.aborted) throw abortError(signal, `subscription to ${topic}`, this.type);
            await sleep(50, signal);
          }
          if (signal?.aborted) throw abortError(signal, `subscription to ${topic}`, this.type);
          cp.delivered.push(sequence);
          got++;
          let done = false;
          yield {
            ...this.#message(topic, shard, r),
            ack: async () => {
              if (done) return;
              done = true;
              cp.acked.add(sequence);
              while (cp.delivered.length && cp.acked.has(cp.delivered[0]!)) {
                cp.committed = cp.delivered.shift()!;
                cp.acked.delete(cp.committed);
              }
            },
          };
        }
      }
      if (![...iterators.values()].some(Boolean)) return; // every shard closed and drained
      if (!got) await sleep(this.config.pollIntervalMs, signal);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Spark (the awslabs `aws-kinesis` source)
  // -------------------------------------------------------------------------------------------

  #sparkOptions(stream: string, extra: Record<string, string> = {}): { options: Record<string, string>; secretOptions: string[] } {
    const options: Record<string, string> = {
      'kinesis.streamName': stream,
      'kinesis.region': this.config.region,
      'kinesis.endpointUrl': this.config.endpoint ?? `https://kinesis.${this.config.region}.amazonaws.com`,
      'kinesis.consumerType': 'GetRecords',
    };
    const secretOptions: string[] = [];
    if (this.config.credentials) {
      options['kinesis.awsAccessKeyId'] = this.config.credentials.accessKeyId;
      options['kinesis.awsSecretKey'] = this.config.credentials.secretAccessKey;
      secretOptions.push('kinesis.awsSecretKey');
    }
    for (const [k, v] of Object.entries(extra)) if (k.startsWith('kinesis.')) options[k] = v;
    return { options, secretOptions };
  }

  /**
   * Spark's read of a stream through the awslabs connector (`aws-kinesis`): stream, region,
   * endpoint, GetRecords consumer, `kinesis.startingPosition` from `startingOffsets`
   * (`earliest` → TRIM_HORIZON, `latest` → LATEST; default TRIM_HORIZON), static credentials
   * (the secret key marked secret); other `kinesis.*` options pass through.
   */
  sparkRead(stream: string, options: ReadTableOptions): SparkReadSpec {
    const given = options.options ?? {};
    const starting = given.startingOffsets === 'latest' ? 'LATEST' : given.startingOffsets === undefined || given.startingOffsets === 'earliest' ? 'TRIM_HORIZON' : undefined;
    if (!starting && !given['kinesis.startingPosition']) {
      throw new InvalidArgumentError(`startingOffsets for Spark's Kinesis source must be 'earliest' or 'latest' (or set kinesis.startingPosition); got '${given.startingOffsets}'`, { connector: this.type });
    }
    const { options: sparkOptions, secretOptions } = this.#sparkOptions(stream, given);
    return { format: 'aws-kinesis', options: { 'kinesis.startingPosition': starting ?? given['kinesis.startingPosition']!, ...sparkOptions }, secretOptions };
  }

  /** Spark's write to a stream through the same connector (its sink takes the same connection options). */
  sparkWrite(stream: string, options: WriteTableOptions): SparkWriteSpec {
    const { options: sparkOptions, secretOptions } = this.#sparkOptions(stream, options.options ?? {});
    return { format: 'aws-kinesis', options: sparkOptions, mode: options.mode ?? 'append', secretOptions };
  }
}
