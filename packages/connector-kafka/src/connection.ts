/**
 * `KafkaConnection` (`kafka`): Apache Kafka through kafkajs (imported lazily), on the streaming
 * family base. The base makes a topic a table in Spark's Kafka layout (bounded reads, append-only
 * writes, STREAMING lineage for subscriptions); this class brings the client: produce (batched,
 * idempotent or transactional on request), describe (admin offsets), bounded range reads,
 * subscriptions that commit only acknowledged offsets, discovery of topics, and the Spark
 * `kafka` source options.
 */
import {
  HealthSkip,
  InvalidArgumentError,
  MissingDriverError,
  QueryError,
  StreamingConnection,
  UnsupportedOperationError,
  getArrowToolkit,
  inferDocumentColumns,
  payloadColumns,
  payloadFormatsOf,
  streamColumns,
  streamRangeOf,
  type ColumnSpec,
  type ConnectionInit,
  type ConsumeRangeOptions,
  type DatasetRef,
  type Endpoint,
  type NativePartition,
  type NativeReadPlan,
  type PartitionPosition,
  type ProduceOptions,
  type ProduceResult,
  type ProducerRecord,
  type ReadTableOptions,
  type SparkReadSpec,
  type SparkWriteSpec,
  type StreamDelivery,
  type StreamMessage,
  type StreamPosition,
  type SubscribeOptions,
  type WriteTableOptions,
} from '@sparkle/core';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { brokersOf, kafkaConfigSchema, kafkaJsOptions, type KafkaConfig } from './config.js';
import { kafkaError } from './errors.js';
import { disconnectQuietly, produceBatches } from './produce.js';
import { chunksToBatches } from './native-read.js';
import { readRange, type PartitionRange } from './range.js';
import { SharedRangeReader } from './shared-range.js';
import { sparkReadSpec, sparkWriteSpec } from './spark.js';
import { subscribeTopic } from './subscription.js';

type KafkaJs = typeof import('kafkajs');

/** `produce` options of Kafka: the shared ones plus a transaction. */
export interface KafkaProduceOptions extends ProduceOptions {
  /** Sends the whole call as one Kafka transaction with this transactional id (committed at the end, aborted on failure). */
  transactionalId?: string;
}

/** `consumeRange` options of Kafka: the shared ones plus "the last N messages of each partition". */
export interface KafkaConsumeRangeOptions extends ConsumeRangeOptions {
  /** Start `lastPerPartition` messages before each partition's end (overrides `from`). */
  lastPerPartition?: number;
}

/** A topic as `discover()` lists it. */
export interface DiscoveredTopic {
  name: string;
  partitions: number;
  /** Messages currently retained (sum of latest − earliest offsets), when `offsets: true` was asked. */
  messages?: number;
  /** The columns a bounded read returns (Spark's Kafka layout). */
  columns: Array<{ name: string }>;
  /** With `sample`: the columns inferred from the sampled values that are JSON objects (see `inferDocumentColumns`). */
  valueSchema?: ColumnSpec[];
  /** With `sample`: how many values were sampled, and how many of them were not JSON objects. */
  sampled?: { messages: number; notJson: number };
}

/**
 * The `kafka` connection.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-kafka';
 *
 * await using kafka = await getConnection('kafka', {
 *   config: { brokers: ['127.0.0.1:9092'], sasl: { mechanism: 'SCRAM-SHA-512', username: 'app', password: '${KAFKA_PASSWORD}' } },
 * });
 * await kafka.produce('orders', [{ key: 'o-1', value: '{"id":1}', headers: { source: 'web' } }]);
 * const orders = await kafka.readTable('orders', { options: { startingOffsets: 'earliest' } });
 * for await (const m of kafka.subscribe('orders', { group: 'billing', from: 'earliest' })) {
 *   await bill(m.value);
 *   await m.ack(); // committed only now: at-least-once
 * }
 * ```
 */
export class KafkaConnection extends StreamingConnection<KafkaConfig> {
  static override schema = kafkaConfigSchema;
  static override family = 'streaming';
  static override description = 'Apache Kafka (kafkajs): produce, bounded reads into Arrow, consumer groups with commit-after-ack, SASL/TLS';

  #kafka: Kafka | undefined;
  #admin: Promise<Admin> | undefined;
  readonly #producers = new Map<string, Promise<Producer>>();

  constructor(init: ConnectionInit) {
    super(init);
    this.onClose(async () => {
      const admin = this.#admin;
      this.#admin = undefined;
      const producers = [...this.#producers.values()];
      this.#producers.clear();
      for (const p of producers) await disconnectQuietly(await p.catch(() => undefined));
      await (await admin?.catch(() => undefined))?.disconnect().catch(() => undefined);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Client
  // -------------------------------------------------------------------------------------------

  /** The kafkajs client (module imported on first use). */
  protected async kafka(): Promise<Kafka> {
    this.assertOpen();
    if (this.#kafka) return this.#kafka;
    let kafkajs: KafkaJs;
    try {
      kafkajs = await import('kafkajs');
    } catch (cause) {
      throw new MissingDriverError(this.type, 'kafkajs', cause);
    }
    // kafkajs logs every retry to the console; Sparkle reports failures as typed errors instead.
    const quiet = () => () => undefined;
    this.#kafka = new kafkajs.Kafka(kafkaJsOptions(this.config, quiet));
    return this.#kafka;
  }

  /** A connected admin client, shared by the connection's metadata calls. */
  protected admin(): Promise<Admin> {
    this.#admin ??= (async () => {
      const admin = (await this.kafka()).admin({ retry: { retries: this.config.retries, initialRetryTime: 100, maxRetryTime: 2000 } });
      await admin.connect();
      return admin;
    })().catch((error: unknown) => {
      this.#admin = undefined;
      throw error;
    });
    return this.#admin;
  }

  /** A connected producer per kind (plain, idempotent, transactional id), reused across calls. */
  async #producer(kind: { idempotent: boolean; transactionalId?: string }): Promise<Producer> {
    const key = kind.transactionalId ? `tx:${kind.transactionalId}` : kind.idempotent ? 'idempotent' : 'plain';
    let producer = this.#producers.get(key);
    if (!producer) {
      const settings = this.config.producer;
      producer = (async () => {
        const kafkajs = await import('kafkajs');
        const p = (await this.kafka()).producer({
          allowAutoTopicCreation: settings.allowAutoTopicCreation,
          createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
          ...(kind.idempotent || kind.transactionalId ? { idempotent: true, maxInFlightRequests: 1 } : {}),
          ...(kind.transactionalId ? { transactionalId: kind.transactionalId } : {}),
        });
        await p.connect();
        return p;
      })();
      this.#producers.set(key, producer);
      producer.catch(() => this.#producers.delete(key));
    }
    return producer;
  }

  #fail(what: string, write = false) {
    return (error: unknown) => kafkaError(error, this.type, what, this.secretValues(), write);
  }

  // -------------------------------------------------------------------------------------------
  // Health and metadata
  // -------------------------------------------------------------------------------------------

  /** Every bootstrap broker: the network tier of `check()` opens a TCP connection to each. */
  protected override endpoints(): Endpoint[] {
    return brokersOf(this.config).flatMap((broker) => {
      const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(broker);
      return match ? [{ host: match[1]!, port: Number(match[2]) }] : [];
    });
  }

  /** Authenticates (SASL, TLS) and reads the cluster's metadata. */
  protected override async checkAuth(_signal: AbortSignal): Promise<string> {
    try {
      const cluster = await (await this.admin()).describeCluster();
      return `cluster ${cluster.clusterId}: ${cluster.brokers.length} broker(s)`;
    } catch (error) {
      throw this.#fail('connecting to Kafka')(error);
    }
  }

  protected override healthTopic(): string | undefined {
    return this.config.topic;
  }

  protected override async checkProbe(signal: AbortSignal): Promise<void | HealthSkip | string> {
    if (!this.config.topic) return new HealthSkip("no topic to describe (set 'topic' in the config)");
    return super.checkProbe(signal);
  }

  protected override defaultCheckTimeoutMs(): number {
    return 15_000;
  }

  protected override datasetForTopic(topic: string): DatasetRef {
    // OpenLineage's Kafka naming: namespace kafka://{first bootstrap broker}, name = topic.
    return { namespace: `kafka://${brokersOf(this.config)[0]}`, name: topic };
  }

  async #requireTopic(topic: string): Promise<void> {
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic)) {
      throw new InvalidArgumentError(`Invalid Kafka topic name '${topic}': use letters, digits, '.', '_' and '-' (at most 249)`, { connector: this.type });
    }
    const topics = await (await this.admin()).listTopics();
    if (!topics.includes(topic)) {
      throw new QueryError(`Kafka topic '${topic}' does not exist on ${brokersOf(this.config).join(',')}. Create it (or produce to it with auto-creation on), or check the name`, {
        connector: this.type,
        details: { notFound: true, topic },
      });
    }
  }

  /** Partitions of a topic with their earliest and latest (high watermark) offsets. */
  async describeTopic(topic: string, options: { signal?: AbortSignal } = {}): Promise<{ partitions: Array<{ id: string; earliest?: PartitionPosition; latest?: PartitionPosition }> }> {
    try {
      options.signal?.throwIfAborted();
      await this.#requireTopic(topic);
      const offsets = await (await this.admin()).fetchTopicOffsets(topic);
      return { partitions: offsets.sort((a, b) => a.partition - b.partition).map((p) => ({ id: String(p.partition), earliest: p.low, latest: p.high })) };
    } catch (error) {
      throw this.#fail(`describing Kafka topic '${topic}'`)(error);
    }
  }

  /**
   * Topics (internal `__` topics left out) with their partition counts; `offsets: true` adds the
   * number of retained messages; `sample: n` reads the last n messages of each partition and
   * infers a value schema from the JSON objects among them.
   */
  async discover(options: { offsets?: boolean; pattern?: string; sample?: number } = {}): Promise<DiscoveredTopic[]> {
    try {
      const admin = await this.admin();
      const pattern = options.pattern ? new RegExp(options.pattern) : undefined;
      const names = (await admin.listTopics()).filter((t) => !t.startsWith('__') && (!pattern || pattern.test(t))).sort();
      if (names.length === 0) return [];
      const { topics } = await admin.fetchTopicMetadata({ topics: names });
      const columns = ['key', 'value', 'topic', 'partition', 'offset', 'timestamp', 'headers'].map((name) => ({ name }));
      const out: DiscoveredTopic[] = [];
      for (const t of topics.sort((a, b) => a.name.localeCompare(b.name))) {
        const entry: DiscoveredTopic = { name: t.name, partitions: t.partitions.length, columns };
        if (options.offsets) {
          const offsets = await admin.fetchTopicOffsets(t.name);
          entry.messages = offsets.reduce((n, p) => n + Number(BigInt(p.high) - BigInt(p.low)), 0);
        }
        if (options.sample) Object.assign(entry, await this.#sampleSchema(t.name, options.sample));
        out.push(entry);
      }
      return out;
    } catch (error) {
      throw this.#fail('listing Kafka topics')(error);
    }
  }

  /** Infers a value schema from the last `n` messages of each partition (JSON objects only). */
  async #sampleSchema(topic: string, n: number): Promise<Pick<DiscoveredTopic, 'valueSchema' | 'sampled'>> {
    const documents: Array<Record<string, unknown>> = [];
    let messages = 0;
    const decoder = new TextDecoder();
    for await (const m of this.consumeRange(topic, { lastPerPartition: n })) {
      messages++;
      try {
        const value = m.value ? (JSON.parse(decoder.decode(m.value)) as unknown) : undefined;
        if (value && typeof value === 'object' && !Array.isArray(value)) documents.push(value as Record<string, unknown>);
      } catch {
        // Not JSON: counted as such below.
      }
    }
    return { valueSchema: inferDocumentColumns(documents), sampled: { messages, notJson: messages - documents.length } };
  }

  /**
   * Creates a topic (admin `createTopics`) and waits until every partition has a leader; an
   * existing topic is left as it is. Resolves `false` when the topic existed.
   */
  async createTopic(topic: string, options: { partitions?: number; replicationFactor?: number; configs?: Record<string, string>; signal?: AbortSignal } = {}): Promise<boolean> {
    try {
      const admin = await this.admin();
      const created = await admin.createTopics({
        waitForLeaders: false,
        topics: [
          {
            topic,
            numPartitions: options.partitions ?? -1,
            replicationFactor: options.replicationFactor ?? -1,
            configEntries: Object.entries(options.configs ?? {}).map(([name, value]) => ({ name, value })),
          },
        ],
      });
      // kafkajs' own wait gives up on the transient "unknown topic" a new topic answers with while
      // its metadata spreads; wait here instead, bounded by the request timeout.
      const deadline = AbortSignal.any([AbortSignal.timeout(this.config.requestTimeoutMs), ...(options.signal ? [options.signal] : [])]);
      for (;;) {
        deadline.throwIfAborted();
        // Ready when every partition has a leader that answers for its offsets.
        const ready = await admin
          .fetchTopicMetadata({ topics: [topic] })
          .then(async ({ topics }) => {
            if (!(topics[0] !== undefined && topics[0].partitions.length > 0 && topics[0].partitions.every((p) => p.leader >= 0))) return false;
            await admin.fetchTopicOffsets(topic);
            return true;
          })
          .catch((error: unknown) => {
            if ((error as { retriable?: boolean }).retriable || (error as Error).name === 'KafkaJSNumberOfRetriesExceeded') return false;
            throw error;
          });
        if (ready) return created;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } catch (error) {
      throw this.#fail(`creating Kafka topic '${topic}'`)(error);
    }
  }

  /** Deletes topics (admin `deleteTopics`). */
  async deleteTopics(topics: string[]): Promise<void> {
    try {
      await (await this.admin()).deleteTopics({ topics });
    } catch (error) {
      throw this.#fail(`deleting Kafka topics ${topics.join(', ')}`)(error);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Produce
  // -------------------------------------------------------------------------------------------

  /**
   * Produces records in order per partition; resolves when the broker acknowledged every one.
   * Batches of `batchSize` records (config `producer.batchSize`), one request in flight.
   * `idempotent` (or config `producer.idempotent`) uses Kafka's idempotent producer;
   * `transactionalId` (or config `producer.transactionalId`) makes the call one transaction.
   * Failures are `WriteError`s (`retryable` as kafkajs judged them) or connection/auth errors.
   */
  async produce(topic: string, records: Iterable<ProducerRecord> | AsyncIterable<ProducerRecord>, options: KafkaProduceOptions = {}): Promise<ProduceResult> {
    const settings = this.config.producer;
    const transactionalId = options.transactionalId ?? settings.transactionalId;
    const idempotent = options.idempotent ?? settings.idempotent;
    const fail = this.#fail(`producing to Kafka topic '${topic}'`, true);
    const kafkajs = await import('kafkajs');
    let producer: Producer;
    try {
      producer = await this.#producer({ idempotent, ...(transactionalId ? { transactionalId } : {}) });
    } catch (error) {
      throw fail(error);
    }
    const produceSettings = {
      batchSize: options.batchSize ?? settings.batchSize,
      maxInFlightBytes: options.maxInFlightBytes ?? settings.maxInFlightBytes,
      acks: idempotent || transactionalId ? -1 : settings.acks,
      compression: settings.compression === 'gzip' ? kafkajs.CompressionTypes.GZIP : kafkajs.CompressionTypes.None,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      fail,
    };
    // kafkajs drops a message for a partition the topic does not have without an error; check
    // explicit partitions against the topic's partition count (read once, on the first one).
    let partitionCount: number | null | undefined;
    const partitionsOf = async () => {
      const topics = await (await this.admin()).listTopics();
      if (!topics.includes(topic)) return null; // auto-created on produce, with the broker's default count
      const { topics: meta } = await (await this.admin()).fetchTopicMetadata({ topics: [topic] });
      return meta[0]?.partitions.length ?? null;
    };
    const type = this.type;
    const checkPartition = (record: ProducerRecord, index: number) => {
      const n = Number(record.partition);
      if (partitionCount !== null && partitionCount !== undefined && (!Number.isInteger(n) || n < 0 || n >= partitionCount)) {
        throw new InvalidArgumentError(`record ${index} names partition '${record.partition}', but Kafka topic '${topic}' has partitions 0-${partitionCount - 1}`, { connector: type });
      }
    };
    // Only a record naming its partition is checked; the topic's partition count is read once, on the first one.
    const check = (record: ProducerRecord, index: number): Promise<void> | undefined => {
      if (record.partition === undefined) return undefined;
      if (partitionCount !== undefined) return void checkPartition(record, index);
      return partitionsOf().then(
        (count) => {
          partitionCount = count;
          checkPartition(record, index);
        },
        (error: unknown) => {
          throw fail(error);
        },
      );
    };
    const settingsWithCheck = { ...produceSettings, check };
    if (!transactionalId) return produceBatches(producer, topic, records, settingsWithCheck);
    let transaction;
    try {
      transaction = await producer.transaction();
    } catch (error) {
      throw fail(error);
    }
    try {
      const result = await produceBatches(transaction, topic, records, settingsWithCheck);
      await transaction.commit();
      return result;
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw fail(error);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Bounded reads
  // -------------------------------------------------------------------------------------------

  /** Offsets of a position, per partition (`fallback` for partitions a position map leaves out). */
  async #offsetsOf(topic: string, position: StreamPosition, partitions: Array<{ id: number; low: bigint; high: bigint }>, fallback: 'earliest' | 'latest', partitionCount: number): Promise<Map<number, bigint>> {
    const out = new Map<number, bigint>();
    if (position === 'earliest' || position === 'latest') {
      for (const p of partitions) out.set(p.id, position === 'earliest' ? p.low : p.high);
    } else if ('timestamp' in position) {
      const found = await (await this.admin()).fetchTopicOffsetsByTimestamp(topic, position.timestamp.getTime());
      for (const p of partitions) {
        const offset = found.find((f) => f.partition === p.id)?.offset;
        // -1: no message at or after the time; the partition's end.
        out.set(p.id, offset === undefined || offset === '-1' ? p.high : BigInt(offset));
      }
    } else {
      for (const p of partitions) {
        const given = position.positions[String(p.id)];
        if (given === undefined) out.set(p.id, fallback === 'earliest' ? p.low : p.high);
        else if (!/^\d+$/.test(given)) throw new InvalidArgumentError(`Offset '${given}' of partition ${p.id} is not a non-negative integer`, { connector: this.type });
        else out.set(p.id, BigInt(given));
      }
      for (const id of Object.keys(position.positions)) {
        const n = Number(id);
        if (!Number.isInteger(n) || n < 0 || n >= partitionCount) throw new InvalidArgumentError(`Kafka topic '${topic}' has no partition '${id}' (it has ${partitionCount})`, { connector: this.type });
      }
    }
    return out;
  }

  /**
   * A bounded range of a topic, read once: from `from` (default earliest) to `to` (default the
   * end offsets when the read starts, so it terminates while producers write), per partition in
   * offset order. A start below the retained log is refused (the messages are gone).
   */
  async *consumeRange(topic: string, options: KafkaConsumeRangeOptions = {}): AsyncGenerator<StreamMessage> {
    const ranges = await this.#planRanges(topic, options);
    yield* readRange(await this.kafka(), topic, ranges, {
      ...this.#rangeSettings(topic),
      ...(options.maxMessages !== undefined ? { maxMessages: options.maxMessages } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** The consumer settings of a bounded read. */
  #rangeSettings(topic: string) {
    const consumer = this.config.consumer;
    return {
      clientId: this.config.clientId,
      maxWaitTimeMs: consumer.maxWaitTimeMs,
      maxBytesPerPartition: consumer.maxBytesPerPartition,
      sessionTimeoutMs: consumer.sessionTimeoutMs,
      heartbeatIntervalMs: consumer.heartbeatIntervalMs,
      bufferMessages: consumer.bufferMessages,
      fail: this.#fail(`reading Kafka topic '${topic}'`),
    };
  }

  /** The offsets `[start, end)` per partition a bounded read covers (see {@link consumeRange}). */
  async #planRanges(topic: string, options: KafkaConsumeRangeOptions, describedNow?: Awaited<ReturnType<KafkaConnection['describeTopic']>>): Promise<PartitionRange[]> {
    const described = describedNow ?? (await this.describeTopic(topic, options.signal ? { signal: options.signal } : {}));
    const all = described.partitions.map((p) => ({ id: Number(p.id), low: BigInt(p.earliest ?? '0'), high: BigInt(p.latest ?? '0') }));
    const wanted = options.partitions
      ? options.partitions.map((id) => {
          const p = all.find((q) => String(q.id) === id);
          if (!p) throw new InvalidArgumentError(`Kafka topic '${topic}' has no partition '${id}' (it has ${all.length})`, { connector: this.type });
          return p;
        })
      : all;
    let starts: Map<number, bigint>;
    let ends: Map<number, bigint>;
    try {
      ends = await this.#offsetsOf(topic, options.to ?? 'latest', wanted, 'latest', all.length);
      if (options.lastPerPartition !== undefined) {
        if (!Number.isInteger(options.lastPerPartition) || options.lastPerPartition < 0) throw new InvalidArgumentError(`lastPerPartition must be a non-negative integer; got ${options.lastPerPartition}`, { connector: this.type });
        const n = BigInt(options.lastPerPartition);
        starts = new Map(wanted.map((p) => [p.id, ends.get(p.id)! - n > p.low ? ends.get(p.id)! - n : p.low]));
      } else starts = await this.#offsetsOf(topic, options.from ?? 'earliest', wanted, 'earliest', all.length);
    } catch (error) {
      throw this.#fail(`planning a read of Kafka topic '${topic}'`)(error);
    }
    const ranges: PartitionRange[] = wanted.map((p) => {
      const start = starts.get(p.id)!;
      // An end beyond the log's end now would wait for messages that may never come: stop at the end.
      const end = ends.get(p.id)! > p.high ? p.high : ends.get(p.id)!;
      if (start < p.low && start < end) {
        throw new InvalidArgumentError(`Offset ${start} of partition ${p.id} of '${topic}' is out of range: the log starts at ${p.low} (older messages were deleted). Start from 'earliest' or a later offset`, {
          connector: this.type,
          details: { offsetOutOfRange: true, partition: p.id, earliest: String(p.low) },
        });
      }
      return { partition: p.id, start, end };
    });
    return ranges;
  }

  /**
   * The base's bounded read, plus `lastMessages` (read option): the last N messages of each
   * partition, turned into `startingOffsets` from the end offsets seen now.
   */
  override async nativeRead(topic: string, options: ReadTableOptions): Promise<NativeReadPlan> {
    const last = options.options?.lastMessages;
    if (last === undefined) return this.#batchRead(topic, options);
    const n = Number(last);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`lastMessages must be a non-negative integer; got '${last}'`, { connector: this.type });
    const { partitions } = await this.describeTopic(topic, options.signal ? { signal: options.signal } : {});
    const starts = Object.fromEntries(partitions.map((p) => [p.id, Number(BigInt(p.latest ?? '0') - BigInt(n) > BigInt(p.earliest ?? '0') ? BigInt(p.latest ?? '0') - BigInt(n) : BigInt(p.earliest ?? '0'))]));
    const { lastMessages: _, ...rest } = options.options ?? {};
    return this.#batchRead(topic, { ...options, options: { ...rest, startingOffsets: JSON.stringify({ [topic]: starts }) } });
  }

  /**
   * The family base's bounded read (same options, columns, partitions and errors), read at batch
   * level: the engine partitions (one per topic partition) share one consumer, so the read joins
   * one throwaway group instead of one per partition, and fetched messages go straight into
   * Arrow column builders (native-read.ts).
   */
  async #batchRead(topic: string, options: ReadTableOptions): Promise<NativeReadPlan> {
    if (options.where || options.filter || options.predicates?.length || options.partitionColumn) {
      throw new UnsupportedOperationError(`${this.type} reads a range of a topic; where, filter, predicates and partitionColumn do not apply. Set startingOffsets/endingOffsets in options`, {
        connector: this.type,
      });
    }
    const arrow = await getArrowToolkit(this.type);
    const formats = payloadFormatsOf(options.options);
    const all = payloadColumns(streamColumns(this.streamLayout()), formats);
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
    const describedAt = Date.now();
    // Freeze 'latest' now, so every partition of the read ends where the topic ended when it started.
    let to = range.to;
    if (to === 'latest' && described.partitions.every((p) => p.latest !== undefined)) {
      to = { positions: Object.fromEntries(described.partitions.map((p) => [p.id, p.latest!])) };
    }
    // One reader for the whole plan, planned and started by the first partition that opens.
    let reader: Promise<SharedRangeReader> | undefined;
    const readerOf = (signal: AbortSignal) =>
      (reader ??= (async () => {
        // The offsets just described serve the plan (one metadata round trip less); a read that
        // opens later than this describes again, as consumeRange would.
        const fresh = Date.now() - describedAt < 1000 ? described : undefined;
        const ranges = await this.#planRanges(topic, { from: range.from, to, signal }, fresh);
        return new SharedRangeReader(await this.kafka(), topic, ranges, this.#rangeSettings(topic));
      })());
    const batchSize = options.fetchSize ?? 10_000;
    const open = (partitions: number[] | undefined) =>
      async function* (this: void, signal: AbortSignal) {
        const shared = await readerOf(signal);
        yield* chunksToBatches(shared.chunks(partitions ?? described.partitions.map((p) => Number(p.id)), signal), {
          schema,
          topic,
          formats,
          batchSize,
          ...(range.maxMessages ? { maxMessages: range.maxMessages } : {}),
        });
      };
    const partitions: NativePartition[] =
      range.maxMessages || described.partitions.length === 0
        ? [{ description: `${topic} (all partitions)`, open: open(undefined) }]
        : described.partitions.map((p) => ({ description: `${topic} partition ${p.id}`, open: open([Number(p.id)]) }));
    return { partitions, schema };
  }

  // -------------------------------------------------------------------------------------------
  // Subscriptions
  // -------------------------------------------------------------------------------------------

  /** Consumer-group deliveries; an offset is committed once it and everything before it in its partition was acknowledged. */
  protected async *openSubscription(topic: string, options: SubscribeOptions): AsyncGenerator<StreamDelivery> {
    const consumer = this.config.consumer;
    const group = options.group || this.config.groupId;
    if (!group) throw new InvalidArgumentError("a subscription needs a consumer group: pass { group } or set 'groupId' in the config", { connector: this.type });
    await this.#requireTopic(topic).catch((error: unknown) => {
      throw this.#fail(`subscribing to Kafka topic '${topic}'`)(error);
    });
    yield* subscribeTopic(await this.kafka(), topic, {
      group,
      from: options.from ?? 'latest',
      ...(options.maxUnacked !== undefined ? { maxUnacked: options.maxUnacked } : {}),
      bufferMessages: consumer.bufferMessages,
      maxWaitTimeMs: consumer.maxWaitTimeMs,
      maxBytesPerPartition: consumer.maxBytesPerPartition,
      sessionTimeoutMs: consumer.sessionTimeoutMs,
      heartbeatIntervalMs: consumer.heartbeatIntervalMs,
      ...(options.signal ? { signal: options.signal } : {}),
      fail: this.#fail(`consuming Kafka topic '${topic}' as group '${group}'`),
    });
  }

  // -------------------------------------------------------------------------------------------
  // Spark
  // -------------------------------------------------------------------------------------------

  /** Spark's `kafka` source: brokers, `subscribe`/`assign`, offsets, `kafka.`-prefixed security (the JAAS line is secret). */
  sparkRead(topic: string, options: ReadTableOptions): SparkReadSpec {
    return sparkReadSpec(this.config, topic, options);
  }

  /** Spark's `kafka` sink: the `topic` option; rows need a `value` column (and may have `key`, `headers`, `partition`). */
  sparkWrite(topic: string, options: WriteTableOptions): SparkWriteSpec {
    return sparkWriteSpec(this.config, topic, options);
  }
}
