/**
 * `PulsarConnection` (`pulsar`, alias `apache_pulsar`): Apache Pulsar over its WebSocket API
 * (produce, bounded reads, subscriptions; `ws` package) and its admin REST API (partitions,
 * last message ids, stats, topic lists; core's HTTP client). Both install everywhere: no native
 * library. The native `pulsar-client` package (a C++ library it downloads at install) is an
 * optional peer only, loaded by {@link PulsarConnection.nativeClient} on request.
 *
 * The streaming base makes a topic a table in Spark's Kafka layout (plus `publishTime` and
 * `eventTime`), one engine partition per topic partition; positions are message ids written
 * `ledgerId:entryId`.
 */
import {
  abortError,
  HealthSkip,
  InvalidArgumentError,
  MissingDriverError,
  QueryError,
  StreamingConnection,
  HttpError,
  type ColumnSpec,
  type ConnectionInit,
  type ConsumeRangeOptions,
  type DatasetRef,
  type Endpoint,
  type NativeReadPlan,
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
import { PulsarAdmin, partitionTopics, type AdminMessageId } from './admin.js';
import { pulsarConfigSchema, tlsOptionsOf, type PulsarConfig, type SUBSCRIPTION_TYPES } from './config.js';
import { pulsarError } from './errors.js';
import { parsePosition, type MessageId } from './message-id.js';
import { PULSAR_EXTRA_COLUMNS } from './messages.js';
import { produceRecords } from './produce.js';
import { hasMessages, readerStart, readPartition, type PartitionRead } from './read.js';
import { PulsarSocket } from './socket.js';
import { sparkReadSpec, sparkWriteSpec } from './spark.js';
import { consumeSocket } from './subscribe.js';
import { fullName, partitionTopic, restPath, topicName, type TopicName } from './topics.js';

/** `consumeRange` options of Pulsar: the shared ones plus "the last N messages of each partition". */
export interface PulsarConsumeRangeOptions extends ConsumeRangeOptions {
  /** Start `lastPerPartition` messages before each partition's end (overrides `from`). */
  lastPerPartition?: number;
}

/** `subscribe` options of Pulsar: the shared ones plus the subscription type and a dead-letter policy. */
export interface PulsarSubscribeOptions extends SubscribeOptions {
  subscriptionType?: (typeof SUBSCRIPTION_TYPES)[number];
  /** Redeliveries (after `nack()`) before a message moves to `deadLetterTopic`. */
  maxRedeliverCount?: number;
  deadLetterTopic?: string;
}

/** A topic as `discover()` lists it. */
export interface DiscoveredPulsarTopic {
  /** Full name, `persistent://tenant/namespace/topic`. */
  name: string;
  persistent: boolean;
  /** Partitions of a partitioned topic; 0 for a non-partitioned one (read as one partition). */
  partitions: number;
  /** With `stats: true`: messages published since the topic was loaded, and its storage size. */
  stats?: { msgInCounter?: number; storageSize?: number; subscriptions: string[] };
  /** The columns a bounded read returns. */
  columns: ColumnSpec[];
}

type Partition = { id: number; topic: TopicName };

const asMessageId = (id: AdminMessageId, partition: number): MessageId => ({ ledgerId: BigInt(id.ledgerId), entryId: BigInt(id.entryId), partition, batchIndex: id.batchIndex ?? -1 });

/**
 * The `pulsar` connection.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-pulsar';
 *
 * await using pulsar = await getConnection('pulsar', {
 *   config: { webServiceUrl: 'http://127.0.0.1:8080', serviceUrl: 'pulsar://127.0.0.1:6650', token: '${PULSAR_TOKEN}' },
 * });
 * await pulsar.produce('orders', [{ key: 'o-1', value: '{"id":1}', headers: { source: 'web' } }]);
 * const orders = await pulsar.readTable('orders', { options: { startingOffsets: 'earliest' } });
 * for await (const m of pulsar.subscribe('orders', { group: 'billing', from: 'earliest' })) {
 *   await bill(m.value);
 *   await m.ack(); // acknowledged only now: at-least-once
 * }
 * ```
 */
export class PulsarConnection extends StreamingConnection<PulsarConfig> {
  static override schema = pulsarConfigSchema;
  static override family = 'streaming';
  static override description = 'Apache Pulsar over its WebSocket and admin REST APIs: produce, bounded reads into Arrow, subscriptions with ack/nack, token auth and TLS';

  #admin: PulsarAdmin | undefined;

  constructor(init: ConnectionInit) {
    super(init);
  }

  // -------------------------------------------------------------------------------------------
  // Clients
  // -------------------------------------------------------------------------------------------

  /** The admin REST client (made on first use). */
  protected admin(): PulsarAdmin {
    this.assertOpen();
    this.#admin ??= new PulsarAdmin({
      webServiceUrl: this.config.webServiceUrl,
      ...(this.config.token ? { token: this.config.token } : {}),
      ...(tlsOptionsOf(this.config) ? { tls: tlsOptionsOf(this.config)! } : {}),
      timeoutMs: this.config.requestTimeoutMs,
      connector: this.type,
    });
    return this.#admin;
  }

  /** Opens a WebSocket to `/ws/v2/<kind>/<topic>[/<suffix>]`. */
  protected socket(kind: 'producer' | 'reader' | 'consumer', topic: TopicName, query: Record<string, string | number | boolean | undefined>, options: { suffix?: string; signal?: AbortSignal } = {}): Promise<PulsarSocket> {
    const url = new URL(this.config.webServiceUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/ws/v2/${kind}/${restPath(topic)}${options.suffix ? `/${encodeURIComponent(options.suffix)}` : ''}`;
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    const tls = tlsOptionsOf(this.config);
    return PulsarSocket.open(url.toString(), {
      timeoutMs: this.config.requestTimeoutMs,
      ...(this.config.token ? { token: this.config.token } : {}),
      ...(tls ? { tls } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /**
   * A native `pulsar-client` Client configured from this connection (service URL, token, TLS), for
   * what the WebSocket API does not offer (schemas, transactions). `pulsar-client` is an optional
   * peer: its install downloads a C++ library, so it is never installed for you.
   * @example
   * ```ts
   * const client = await pulsar.nativeClient(); // MissingDriverError naming pulsar-client when absent
   * ```
   */
  async nativeClient(): Promise<unknown> {
    if (!this.config.serviceUrl) throw new InvalidArgumentError("pulsar: the native client needs 'serviceUrl' (pulsar://host:6650)", { connector: this.type });
    let mod: { default?: unknown; Client?: unknown; AuthenticationToken?: unknown };
    try {
      // A computed specifier: bundlers and vitest must not try to resolve an optional package at build time.
      mod = (await import(/* @vite-ignore */ ['pulsar', 'client'].join('-'))) as typeof mod;
    } catch (cause) {
      throw new MissingDriverError(this.type, 'pulsar-client', cause);
    }
    const lib = (mod.default ?? mod) as { Client: new (o: Record<string, unknown>) => unknown; AuthenticationToken: new (o: { token: string }) => unknown };
    const tls = this.config.tls && typeof this.config.tls === 'object' ? this.config.tls : undefined;
    return new lib.Client({
      serviceUrl: this.config.serviceUrl,
      operationTimeoutSeconds: Math.ceil(this.config.requestTimeoutMs / 1000),
      ...(this.config.token ? { authentication: new lib.AuthenticationToken({ token: this.config.token }) } : {}),
      ...(tls?.ca ? { tlsTrustCertsFilePath: tls.ca } : {}),
      ...(tls && !tls.rejectUnauthorized ? { tlsAllowInsecureConnection: true } : {}),
    });
  }

  #fail(what: string, write = false) {
    return (error: unknown) => pulsarError(error, this.type, what, this.secretValues(), write);
  }

  #topic(name: string): TopicName {
    return topicName(name, this.config);
  }

  // -------------------------------------------------------------------------------------------
  // Health and metadata
  // -------------------------------------------------------------------------------------------

  protected override endpoints(): Endpoint[] {
    const url = new URL(this.config.webServiceUrl);
    return [{ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) }];
  }

  /** Authenticates with the admin API and finds the configured namespace among its tenant's. */
  protected override async checkAuth(signal: AbortSignal): Promise<string> {
    const { tenant, namespace } = this.config;
    try {
      const namespaces = await this.admin().namespaces(tenant, signal);
      if (!namespaces.includes(`${tenant}/${namespace}`)) {
        throw new QueryError(`Pulsar namespace '${tenant}/${namespace}' does not exist (tenant '${tenant}' has ${namespaces.join(', ') || 'none'}). Create it, or set 'namespace'`, {
          connector: this.type,
          details: { notFound: true },
        });
      }
      return `tenant ${tenant}: ${namespaces.length} namespace(s), ${tenant}/${namespace} found`;
    } catch (error) {
      throw this.#fail(`connecting to Pulsar at ${this.config.webServiceUrl}`)(error);
    }
  }

  protected override healthTopic(): string | undefined {
    return this.config.topic;
  }

  /** Describes the configured topic from the admin API's stats: partitions, producers, subscriptions. Never reads a message. */
  protected override async checkProbe(signal: AbortSignal): Promise<void | HealthSkip | string> {
    if (!this.config.topic) return new HealthSkip("no topic to describe (set 'topic' in the config)");
    const topic = this.#topic(this.config.topic);
    try {
      const partitions = await this.#partitionsOf(topic, signal);
      const stats = await this.admin().stats(topic, partitions.length > 1 || partitions[0]!.id >= 0, signal);
      return `${fullName(topic)}: ${partitions.length} partition(s), ${stats.publishers?.length ?? 0} producer(s), ${Object.keys(stats.subscriptions ?? {}).length} subscription(s)`;
    } catch (error) {
      throw this.#fail(`describing Pulsar topic '${this.config.topic}'`)(error);
    }
  }

  protected override defaultCheckTimeoutMs(): number {
    return 15_000;
  }

  protected override streamLayout(): StreamLayout {
    return { partition: 'int32', position: 'utf8' };
  }

  /** `publishTime` and `eventTime` after Spark's layout. */
  protected override streamExtraColumns(): ColumnSpec[] {
    return PULSAR_EXTRA_COLUMNS;
  }

  protected override datasetForTopic(topic: string): DatasetRef {
    // OpenLineage's Pulsar naming: namespace pulsar://{host}:{port}, name = the full topic name.
    const address = new URL((this.config.serviceUrl ?? this.config.webServiceUrl).replace(/^pulsar(\+ssl)?:/, 'http:'));
    return { namespace: `pulsar://${address.host}`, name: fullName(this.#topic(topic)) };
  }

  #notFound(topic: TopicName): QueryError {
    return new QueryError(`Pulsar topic '${fullName(topic)}' does not exist. Create it (createTopic, or produce with auto-creation on), or check tenant, namespace and name`, {
      connector: this.type,
      retryable: false,
      details: { notFound: true, topic: fullName(topic) },
    });
  }

  /** The partitions of an existing topic ([-1] for a non-partitioned one); a missing topic is a QueryError. */
  async #partitionsOf(topic: TopicName, signal?: AbortSignal): Promise<Partition[]> {
    const count = await this.admin().partitions(topic, signal);
    if (count === null) throw this.#notFound(topic);
    if (count === 0) {
      // The partitions endpoint answers 0 for a missing topic too: ask for its last message id.
      try {
        await this.admin().lastMessageId(topic, signal);
      } catch (error) {
        if (error instanceof HttpError && error.status === 404) throw this.#notFound(topic);
        throw error;
      }
    }
    return partitionTopics(topic, count);
  }

  /** Partitions of a topic with their end position (`ledgerId:entryId` one past the last message). */
  async describeTopic(topic: string, options: { signal?: AbortSignal } = {}): Promise<{ partitions: Array<{ id: string; earliest?: PartitionPosition; latest?: PartitionPosition }> }> {
    const name = this.#topic(topic);
    try {
      const partitions = await this.#partitionsOf(name, options.signal);
      const out = [];
      for (const p of partitions) {
        const last = await this.admin().lastMessageId(p.topic, options.signal);
        out.push({ id: String(Math.max(0, p.id)), latest: `${last.ledgerId}:${last.entryId + 1}` });
      }
      return { partitions: out };
    } catch (error) {
      throw this.#fail(`describing Pulsar topic '${topic}'`)(error);
    }
  }

  /**
   * Topics of the configured namespace (or `namespace`), persistent and non-persistent, each
   * partitioned topic once with its partition count; `stats: true` adds the admin API's counters.
   */
  async discover(options: { namespace?: string; pattern?: string; stats?: boolean; signal?: AbortSignal } = {}): Promise<DiscoveredPulsarTopic[]> {
    const [tenant, namespace] = (options.namespace ?? `${this.config.tenant}/${this.config.namespace}`).split('/') as [string, string];
    const pattern = options.pattern ? new RegExp(options.pattern) : undefined;
    const columns = this.#columns();
    try {
      const out: DiscoveredPulsarTopic[] = [];
      for (const persistence of ['persistent', 'non-persistent'] as const) {
        const partitioned = await this.admin().partitionedTopics(persistence, tenant, namespace, options.signal);
        const all = await this.admin().topics(persistence, tenant, namespace, options.signal);
        const names = new Set([...partitioned, ...all.filter((t) => !partitioned.some((p) => t.startsWith(`${p}-partition-`)))]);
        for (const name of [...names].sort()) {
          if (pattern && !pattern.test(name)) continue;
          const topic = this.#topic(name);
          const isPartitioned = partitioned.includes(name);
          const entry: DiscoveredPulsarTopic = { name, persistent: persistence === 'persistent', partitions: isPartitioned ? ((await this.admin().partitions(topic, options.signal)) ?? 0) : 0, columns };
          if (options.stats) {
            const stats = await this.admin().stats(topic, isPartitioned, options.signal);
            entry.stats = { ...(stats.msgInCounter !== undefined ? { msgInCounter: stats.msgInCounter } : {}), ...(stats.storageSize !== undefined ? { storageSize: stats.storageSize } : {}), subscriptions: Object.keys(stats.subscriptions ?? {}) };
          }
          out.push(entry);
        }
      }
      return out;
    } catch (error) {
      throw this.#fail(`listing Pulsar topics of ${tenant}/${namespace}`)(error);
    }
  }

  #columns(): ColumnSpec[] {
    return [
      { name: 'key', type: 'binary' },
      { name: 'value', type: 'binary' },
      { name: 'topic', type: 'utf8' },
      { name: 'partition', type: 'int32' },
      { name: 'position', type: 'utf8' },
      { name: 'timestamp', type: 'timestamp' },
      { name: 'headers', type: { list: { struct: [{ name: 'key', type: 'utf8' }, { name: 'value', type: 'binary' }] } } },
      ...PULSAR_EXTRA_COLUMNS,
    ];
  }

  /** Creates a topic: partitioned with `partitions` > 0, else non-partitioned. Resolves `false` when it existed. */
  async createTopic(topic: string, options: { partitions?: number; signal?: AbortSignal } = {}): Promise<boolean> {
    try {
      return await this.admin().createTopic(this.#topic(topic), options.partitions ?? 0, options.signal);
    } catch (error) {
      throw this.#fail(`creating Pulsar topic '${topic}'`)(error);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Produce
  // -------------------------------------------------------------------------------------------

  /**
   * Produces records (key, properties from headers, event time from `timestamp`) and resolves when
   * the broker acknowledged every one. A record naming a `partition` goes to that partition; the
   * others are routed by the broker's client (by key hash, else round robin). At most
   * `producer.maxPendingMessages` sends and `maxInFlightBytes` bytes wait for receipts.
   * Failures are `WriteError`s, `retryable` when the broker said so (timeouts, a full queue) or
   * `ConnectionFailedError`s when the socket was lost.
   */
  async produce(topic: string, records: Iterable<ProducerRecord> | AsyncIterable<ProducerRecord>, options: ProduceOptions = {}): Promise<ProduceResult> {
    const name = this.#topic(topic);
    const settings = this.config.producer;
    const fail = this.#fail(`producing to Pulsar topic '${fullName(name)}'`, true);
    let partitions: number;
    try {
      // A missing topic is created by the first send when the broker allows auto-creation.
      partitions = (await this.admin().partitions(name, options.signal)) ?? 0;
    } catch (error) {
      throw fail(error);
    }
    const type = this.type;
    try {
      return await produceRecords(records, {
        maxPendingMessages: options.batchSize ?? settings.maxPendingMessages,
        maxInFlightBytes: options.maxInFlightBytes ?? settings.maxInFlightBytes,
        open: (partition) =>
          this.socket('producer', partitionTopic(name, partition), {
            sendTimeoutMillis: settings.sendTimeoutMs,
            batchingEnabled: settings.batching,
            maxPendingMessages: settings.maxPendingMessages,
          }, options.signal ? { signal: options.signal } : {}),
        targetOf: (record, index) => {
          if (record.partition === undefined) return -1;
          const n = Number(record.partition);
          const valid = partitions === 0 ? n === 0 : Number.isInteger(n) && n >= 0 && n < partitions;
          if (!valid) {
            throw new InvalidArgumentError(`record ${index} names partition '${record.partition}', but Pulsar topic '${fullName(name)}' has ${partitions === 0 ? 'no partitions (use 0 or none)' : `partitions 0-${partitions - 1}`}`, { connector: type });
          }
          return partitions === 0 ? -1 : n;
        },
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
    } catch (error) {
      if (error instanceof InvalidArgumentError) throw error;
      throw fail(error);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Bounded reads
  // -------------------------------------------------------------------------------------------

  /** A start or end position of one partition as a message id (undefined: none / the end). */
  async #positionOf(position: StreamPosition, p: Partition, last: MessageId, signal?: AbortSignal): Promise<'earliest' | MessageId | undefined> {
    if (position === 'earliest') return 'earliest';
    if (position === 'latest') return { ...last, entryId: last.entryId + 1n, batchIndex: -1 };
    if ('timestamp' in position) {
      const id = await this.admin().messageIdAt(p.topic, position.timestamp, signal);
      return id ? asMessageId(id, p.id) : { ...last, entryId: last.entryId + 1n, batchIndex: -1 };
    }
    const given = position.positions[String(Math.max(0, p.id))];
    return given === undefined ? undefined : parsePosition(given, p.id);
  }

  /** The message id `n` messages before a partition's end (admin `examinemessage`), or earliest when it holds fewer. */
  async #lastN(p: Partition, n: number, signal?: AbortSignal): Promise<'earliest' | MessageId> {
    if (n === 0) return 'earliest';
    const response = await this.admin().http.request({ path: `${restPath(p.topic)}/examinemessage`, query: { initialPosition: 'latest', messagePosition: n }, throwHttpErrors: false, ...(signal ? { signal } : {}) });
    const header = response.headers.get('x-pulsar-message-id');
    await response.text().catch(() => undefined);
    if (response.status >= 300 || !header) return 'earliest';
    return parsePosition(header.split(':').slice(0, 2).join(':'), p.id);
  }

  /**
   * A bounded range of a topic, read once per partition through the WebSocket reader: from `from`
   * (default earliest) to `to` (exclusive; default the last message when the read starts, so it
   * terminates while producers write). `lastPerPartition` starts N messages before each end.
   */
  async *consumeRange(topic: string, options: PulsarConsumeRangeOptions = {}): AsyncGenerator<StreamMessage> {
    const name = this.#topic(topic);
    const fail = this.#fail(`reading Pulsar topic '${fullName(name)}'`);
    const plans: Array<{ p: Partition; plan: PartitionRead }> = [];
    try {
      const all = await this.#partitionsOf(name, options.signal);
      const wanted = options.partitions
        ? options.partitions.map((id) => {
            const p = all.find((q) => String(Math.max(0, q.id)) === id);
            if (!p) throw new InvalidArgumentError(`Pulsar topic '${fullName(name)}' has no partition '${id}' (it has ${all.length})`, { connector: this.type });
            return p;
          })
        : all;
      for (const p of wanted) {
        const last = asMessageId(await this.admin().lastMessageId(p.topic, options.signal), p.id);
        const start = options.lastPerPartition !== undefined ? await this.#lastN(p, options.lastPerPartition, options.signal) : ((await this.#positionOf(options.from ?? 'earliest', p, last, options.signal)) ?? 'earliest');
        const end = await this.#positionOf(options.to ?? 'latest', p, last, options.signal);
        plans.push({ p, plan: { topic, start, last, ...(end && end !== 'earliest' ? { end } : {}) } });
        if (end === 'earliest') plans.pop();
      }
    } catch (error) {
      if (error instanceof InvalidArgumentError) throw error;
      throw fail(error);
    }
    let remaining = options.maxMessages;
    for (const { p, plan } of plans) {
      if (remaining !== undefined && remaining <= 0) return;
      if (!hasMessages(plan)) continue;
      let socket: PulsarSocket;
      try {
        socket = await this.socket('reader', p.topic, { messageId: readerStart(plan.start), receiverQueueSize: this.config.consumer.receiverQueueSize }, options.signal ? { signal: options.signal } : {});
      } catch (error) {
        throw fail(error);
      }
      try {
        for await (const message of readPartition(socket, plan, {
          idleTimeoutMs: this.config.consumer.idleTimeoutMs,
          ...(remaining !== undefined ? { maxMessages: remaining } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          describe: `partition ${Math.max(0, p.id)} of '${fullName(name)}'`,
        })) {
          if (remaining !== undefined) remaining--;
          yield message;
        }
      } catch (error) {
        throw fail(error);
      }
    }
  }

  /** The base's bounded read, plus `lastMessages` (read option): the last N messages of each partition. */
  override async nativeRead(topic: string, options: ReadTableOptions): Promise<NativeReadPlan> {
    const lastMessages = options.options?.lastMessages;
    if (lastMessages === undefined) return super.nativeRead(topic, options);
    const n = Number(lastMessages);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`lastMessages must be a non-negative integer; got '${lastMessages}'`, { connector: this.type });
    const name = this.#topic(topic);
    const starts: Record<string, string> = {};
    try {
      for (const p of await this.#partitionsOf(name, options.signal)) {
        const start = await this.#lastN(p, n, options.signal);
        if (start !== 'earliest') starts[String(Math.max(0, p.id))] = `${start.ledgerId}:${start.entryId}`;
      }
    } catch (error) {
      throw this.#fail(`planning a read of Pulsar topic '${topic}'`)(error);
    }
    const { lastMessages: _, ...rest } = options.options ?? {};
    return super.nativeRead(topic, { ...options, options: Object.keys(starts).length ? { ...rest, startingOffsets: JSON.stringify({ [topic]: starts }) } : rest });
  }

  // -------------------------------------------------------------------------------------------
  // Subscriptions
  // -------------------------------------------------------------------------------------------

  #consumerQuery(options: PulsarSubscribeOptions, pull = false): Record<string, string | number | undefined> {
    const consumer = this.config.consumer;
    const maxRedeliverCount = options.maxRedeliverCount ?? consumer.maxRedeliverCount;
    const deadLetterTopic = options.deadLetterTopic ?? consumer.deadLetterTopic;
    return {
      subscriptionType: options.subscriptionType ?? consumer.subscriptionType,
      receiverQueueSize: pull ? 0 : consumer.receiverQueueSize,
      negativeAckRedeliveryDelay: consumer.negativeAckRedeliveryDelayMs,
      ...(maxRedeliverCount !== undefined ? { maxRedeliverCount } : {}),
      ...(deadLetterTopic !== undefined ? { deadLetterTopic: fullName(this.#topic(deadLetterTopic)) } : {}),
      ...(pull ? { pullMode: 'true' } : {}),
    };
  }

  /** Deliveries of a subscription; a message is acknowledged only by its `ack()` (individual acks, at-least-once). */
  protected async *openSubscription(topic: string, options: PulsarSubscribeOptions): AsyncGenerator<StreamDelivery> {
    const group = options.group || this.config.subscription;
    if (!group) throw new InvalidArgumentError("a subscription needs a name: pass { group } or set 'subscription' in the config", { connector: this.type });
    const name = this.#topic(topic);
    const fail = this.#fail(`consuming Pulsar topic '${fullName(name)}' as subscription '${group}'`);
    let socket: PulsarSocket;
    let partitions: Partition[];
    try {
      partitions = await this.#partitionsOf(name, options.signal);
      // The WebSocket consumer creates a missing subscription at the end; 'earliest' creates it first.
      if ((options.from ?? 'latest') === 'earliest' && name.persistence === 'persistent') await this.admin().createSubscriptionAtEarliest(name, group, options.signal);
      socket = await this.socket('consumer', name, this.#consumerQuery(options), { suffix: group, ...(options.signal ? { signal: options.signal } : {}) });
    } catch (error) {
      throw fail(error);
    }
    const ackLater = async (partition: number, frame: Record<string, unknown>) => {
      const target = partitions.length > 1 || partitions[0]!.id >= 0 ? partitionTopic(name, partition) : name;
      const late = await this.socket('consumer', target, this.#consumerQuery(options, true), { suffix: group });
      try {
        await late.send(frame);
      } finally {
        await late.close();
      }
    };
    try {
      yield* consumeSocket(socket, {
        topic,
        maxUnacked: options.maxUnacked ?? this.config.consumer.receiverQueueSize,
        ackLater,
        fail,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (options.signal?.aborted) throw abortError(options.signal, `the subscription '${group}' to '${fullName(name)}'`, this.type);
      throw fail(error);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Spark
  // -------------------------------------------------------------------------------------------

  /** Spark's `pulsar` source: `service.url`, `admin.url`, `topic`, offsets, token auth under `pulsar.client.`/`pulsar.admin.` (secret). */
  sparkRead(topic: string, options: ReadTableOptions): SparkReadSpec {
    return sparkReadSpec(this.config, topic, options);
  }

  /** Spark's `pulsar` sink: `topic` and the client options, append only. */
  sparkWrite(topic: string, options: WriteTableOptions): SparkWriteSpec {
    return sparkWriteSpec(this.config, topic, options);
  }
}
