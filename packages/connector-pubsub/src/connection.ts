/**
 * `PubsubConnection`: Google Cloud Pub/Sub on `@google-cloud/pubsub`. `StreamingConnection` owns
 * the shared behaviour (a table in Spark's Kafka layout for the local engine, append-only writes,
 * STREAMING lineage for subscriptions, the describe health probe); this class maps it onto
 * Pub/Sub:
 *
 * - **writes name topics, reads name subscriptions** (a read of `orders` pulls subscription
 *   `orders`); Pub/Sub has no partitions, so there is one (`"0"`) and no positions;
 * - produce publishes through the client's batching publisher with at most `maxInFlightBytes`
 *   unacknowledged (the record iterator is pulled only as room frees up);
 * - a bounded read pulls (unary Pull) until `emptyPullsToStop` pulls in a row come back empty or
 *   `maxMessages`, holding the leases, then gives everything back (peek) or acknowledges it (remove);
 * - a subscription pulls while fewer than `maxUnacked` are held, extends the leases of held
 *   messages with modifyAckDeadline, acks on `ack()`, nacks on `nack()` and when it ends;
 * - no Spark mapping (standard Pub/Sub has no maintained Spark source): with a Spark engine,
 *   reads and writes fail with a typed UNSUPPORTED error; read through the local engine instead.
 */
import {
  abortError,
  HealthSkip,
  InvalidArgumentError,
  MissingDriverError,
  StreamingConnection,
  UnsupportedOperationError,
  type ColumnSpec,
  type ConnectionInit,
  type ConsumeRangeOptions,
  type DatasetRef,
  type Endpoint,
  type PartitionPosition,
  type ProduceOptions,
  type ProduceResult,
  type ProducerRecord,
  type StreamDelivery,
  type StreamLayout,
  type StreamMessage,
  type SubscribeOptions,
} from '@sparkle/core';
import type { ClientConfig, PubSub, v1 } from '@google-cloud/pubsub';
import { parseServiceAccountKey, pubsubConfigSchema, type PubsubConfig, type ServiceAccountKey } from './config.js';
import { GRPC, grpcCode, pubsubError, type PubsubFailure } from './errors.js';
import { fromPubsubMessage, inPublishOrder, PUBSUB_EXTRA_COLUMNS, toPubsubMessage, type ReceivedMessage } from './messages.js';

type Sdk = typeof import('@google-cloud/pubsub');
type SubscriberClient = InstanceType<typeof v1.SubscriberClient>;

/** A delivery of a Pub/Sub subscription, with what Pub/Sub tells about it. */
export interface PubsubDelivery extends StreamDelivery {
  messageId: string;
  /** Delivery attempt, counted by Pub/Sub only on subscriptions with a dead-letter policy. */
  deliveryAttempt: number | undefined;
  orderingKey: string | undefined;
}

/** `consumeRange` options of Pub/Sub. */
export interface PubsubConsumeRangeOptions extends ConsumeRangeOptions {
  /** `peek` (default from config `boundedRead`): every message is given back; `remove`: what the read yielded is acknowledged. */
  mode?: 'peek' | 'remove';
  /** Only the last `n` messages (by publish time) of what the read found; memory holds `n` messages. */
  last?: number;
}

/** Options of {@link PubsubConnection.createSubscription}. */
export interface CreateSubscriptionOptions {
  /** Lease of a pulled message before Pub/Sub redelivers it, seconds. Default 10 (Pub/Sub's). */
  ackDeadlineSeconds?: number;
  /** Deliver messages with the same ordering key in publish order. */
  enableMessageOrdering?: boolean;
  /** Dead-letter topic: messages delivered `maxDeliveryAttempts` times without an ack go there. */
  deadLetterTopic?: string;
  /** Deliveries before a message is dead-lettered (5–100 on Google Cloud). Default 5. */
  maxDeliveryAttempts?: number;
  /** A Pub/Sub filter on attributes, e.g. `attributes.source = "web"`. */
  filter?: string;
}

/** A topic or subscription as `discover()` lists it. */
export interface DiscoveredPubsubResource {
  name: string;
  kind: 'topic' | 'subscription';
  /** The subscription's topic. */
  topic?: string;
  /** Where a subscription dead-letters, with its attempt limit. */
  deadLetter?: { topic: string; maxDeliveryAttempts: number };
  /** The columns a bounded read of a subscription returns. */
  columns: Array<{ name: string }>;
}

/** The short id of `projects/p/topics/id` / `projects/p/subscriptions/id`, or the name as given. */
function shortName(name: string): string {
  const m = /^projects\/[^/]+\/(?:topics|subscriptions)\/(.+)$/.exec(name);
  return m ? m[1]! : name;
}

/** Waits until `ms` passed or `signal` fired. */
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/**
 * The `pubsub` connection (alias `google_pubsub`).
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import type { PubsubConnection } from '@sparkle/connector-pubsub';
 *
 * await using ps = await getConnection<PubsubConnection>('pubsub', { config: { projectId: 'acme', credentials: { keyFile: '/etc/keys/pubsub.json' } } });
 * await ps.produce('orders', [{ key: 'o-1', value: '{"id":1}', headers: { source: 'web' }, orderingKey: 'customer-7' }]);
 * const table = await ps.readTable('orders-audit'); // a bounded peek of subscription 'orders-audit'
 * for await (const m of ps.subscribe('orders-billing', { group: 'billing' })) {
 *   console.log(new TextDecoder().decode(m.value!));
 *   await m.ack();
 * }
 * ```
 */
export class PubsubConnection extends StreamingConnection<PubsubConfig> {
  static override schema = pubsubConfigSchema;
  static override family = 'streaming';
  static override description = 'Google Cloud Pub/Sub (publish with batching, bounded pulls of subscriptions into Arrow, subscriptions with ack/nack and lease extension)';

  readonly #key: ServiceAccountKey | undefined;
  #sdk: Sdk | undefined;
  #pubsub: PubSub | undefined;
  #subscriber: Promise<SubscriberClient> | undefined;
  /** Releases of ended subscriptions whose handed-out messages are still leased (see `ackGraceMs`). */
  readonly #lingering = new Set<() => Promise<void>>();

  constructor(init: ConnectionInit) {
    super(init);
    const json = this.config.credentials?.serviceAccountJson;
    // The schema already refused a bad key; parse it once here and keep it private.
    const parsed = json === undefined ? undefined : parseServiceAccountKey(json);
    this.#key = typeof parsed === 'object' ? parsed : undefined;
    this.onClose(async () => {
      for (const release of [...this.#lingering]) await release();
      const subscriber = this.#subscriber;
      this.#subscriber = undefined;
      await (await subscriber?.catch(() => undefined))?.close().catch(() => undefined);
      await this.#pubsub?.close().catch(() => undefined);
      this.#pubsub = undefined;
    });
  }

  /** The project of topic and subscription names (config, else the key's). */
  get projectId(): string | undefined {
    // An emulator serves any project name; without one, asking ADC would leave this machine.
    return this.config.projectId ?? this.#key?.project_id ?? (this.config.emulatorHost ? 'sparkle-emulator' : undefined);
  }

  protected override secretValues(): readonly string[] {
    return [...super.secretValues(), ...(this.#key ? [this.#key.private_key] : [])];
  }

  /** The client options: emulator (plain gRPC, no credentials), or Google with a key or ADC. */
  protected clientConfig(): ClientConfig {
    const c = this.config;
    const project = this.projectId;
    // An emulator takes no credentials; naming the universe keeps the auth library from probing
    // for Application Default Credentials (a metadata-server lookup off this machine).
    if (c.emulatorHost) return { apiEndpoint: c.emulatorHost, emulatorMode: true, universeDomain: 'googleapis.com', projectId: project };
    return {
      ...(project ? { projectId: project } : {}),
      ...(c.apiEndpoint ? { apiEndpoint: c.apiEndpoint, emulatorMode: false } : {}),
      ...(this.#key ? { credentials: { client_email: this.#key.client_email, private_key: this.#key.private_key } } : {}),
      ...(c.credentials?.keyFile ? { keyFilename: c.credentials.keyFile } : {}),
    };
  }

  async #sdkModule(): Promise<Sdk> {
    this.assertOpen();
    if (!this.#sdk) {
      try {
        this.#sdk = await import('@google-cloud/pubsub');
      } catch (cause) {
        throw new MissingDriverError(this.type, '@google-cloud/pubsub', cause);
      }
    }
    return this.#sdk;
  }

  /** The client for publishing and admin calls (created on first use). */
  protected async client(): Promise<PubSub> {
    const sdk = await this.#sdkModule();
    this.#pubsub ??= new sdk.PubSub(this.clientConfig());
    return this.#pubsub;
  }

  /** The low-level Subscriber client for unary Pull, Acknowledge and ModifyAckDeadline. */
  protected subscriber(): Promise<SubscriberClient> {
    this.#subscriber ??= (async () => {
      const sdk = await this.#sdkModule();
      const pubsub = await this.client();
      return new sdk.v1.SubscriberClient((await pubsub.getClientConfig()) as ConstructorParameters<typeof v1.SubscriberClient>[0]);
    })().catch((error: unknown) => {
      this.#subscriber = undefined;
      throw error;
    });
    return this.#subscriber;
  }

  /** The project the client resolved (config, key, or ADC). */
  async #project(): Promise<string> {
    if (this.projectId) return this.projectId;
    const pubsub = await this.client();
    try {
      return await pubsub.auth.getProjectId();
    } catch (error) {
      throw this.#fail({ op: 'admin', what: 'Finding the Google Cloud project' })(error);
    }
  }

  async topicPath(name: string): Promise<string> {
    return name.startsWith('projects/') ? name : `projects/${await this.#project()}/topics/${name}`;
  }

  async subscriptionPath(name: string): Promise<string> {
    return name.startsWith('projects/') ? name : `projects/${await this.#project()}/subscriptions/${name}`;
  }

  #fail(failure: Omit<PubsubFailure, 'connector' | 'secrets'>) {
    return (error: unknown) => pubsubError(error, { project: this.projectId, ...failure, connector: this.type, secrets: this.secretValues() });
  }

  /** Runs a gax call that can be cancelled: an abort cancels it (and fails as ABORTED). */
  async #call<T>(promise: Promise<T> & { cancel?: () => void }, signal: AbortSignal | undefined, what: string): Promise<T> {
    if (!signal) return promise;
    if (signal.aborted) {
      promise.cancel?.();
      promise.catch(() => undefined);
      throw abortError(signal, what, this.type);
    }
    const onAbort = () => promise.cancel?.();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await promise;
    } catch (error) {
      if (signal.aborted) throw abortError(signal, what, this.type);
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Layout, lineage, health
  // -------------------------------------------------------------------------------------------

  /** One partition; no positions (Pub/Sub has neither partitions nor offsets). */
  protected override streamLayout(): StreamLayout {
    return { partition: 'int32', position: 'utf8' };
  }

  /** `message_id`, `publish_time`, `ordering_key`, `delivery_attempt` after the standard columns. */
  protected override streamExtraColumns(): ColumnSpec[] {
    return PUBSUB_EXTRA_COLUMNS.map((c) => ({ ...c }));
  }

  /** OpenLineage's Pub/Sub naming: namespace `pubsub`, name `topic:{project}:{id}` (`subscription:…` for subscription paths). */
  protected override datasetForTopic(name: string): DatasetRef {
    const project = /^projects\/([^/]+)\//.exec(name)?.[1] ?? this.projectId ?? 'default';
    const kind = /^projects\/[^/]+\/subscriptions\//.test(name) ? 'subscription' : 'topic';
    return { namespace: 'pubsub', name: `${kind}:${project}:${shortName(name)}` };
  }

  protected override endpoints(): Endpoint[] {
    const c = this.config;
    const hostPort = c.emulatorHost ?? c.apiEndpoint ?? 'pubsub.googleapis.com:443';
    const [host, port] = hostPort.replace(/^https?:\/\//, '').split(':');
    return [{ host: host!, port: Number(port ?? 443) }];
  }

  protected override healthTopic(): string | undefined {
    return this.config.subscription ?? this.config.topic;
  }

  /** Authentication tier: lists one topic of the project (signed, metadata only). Emulators take no credentials. */
  protected override async checkAuth(signal: AbortSignal): Promise<string | HealthSkip> {
    const pubsub = await this.client();
    const project = await this.#project();
    try {
      await this.#call(pubsub.getTopics({ pageSize: 1, autoPaginate: false, gaxOpts: { timeout: this.config.timeoutMs } }) as Promise<unknown> & { cancel?: () => void }, signal, 'ListTopics');
    } catch (error) {
      throw this.#fail({ op: 'admin', what: `ListTopics in project '${project}'` })(error);
    }
    return this.config.emulatorHost ? `emulator at ${this.config.emulatorHost} answers (no credentials)` : `authenticated for project ${project}`;
  }

  // -------------------------------------------------------------------------------------------
  // Admin: topics and subscriptions
  // -------------------------------------------------------------------------------------------

  /**
   * Creates a topic.
   * @example
   * ```ts
   * // @readme-fragment
   * await ps.createTopic('orders');
   * ```
   */
  async createTopic(name: string): Promise<void> {
    const pubsub = await this.client();
    const path = await this.topicPath(name);
    try {
      await pubsub.createTopic(path, { timeout: this.config.timeoutMs });
    } catch (error) {
      throw this.#fail({ op: 'admin', what: `CreateTopic`, resource: `topic '${name}'` })(error);
    }
  }

  /**
   * Creates a subscription of `topic` (the name reads and subscriptions take).
   * @example
   * ```ts
   * // @readme-fragment
   * await ps.createSubscription('orders-billing', 'orders', { deadLetterTopic: 'orders-dead', maxDeliveryAttempts: 5 });
   * ```
   */
  async createSubscription(name: string, topic: string, options: CreateSubscriptionOptions = {}): Promise<void> {
    const pubsub = await this.client();
    const [path, topicPath] = [await this.subscriptionPath(name), await this.topicPath(topic)];
    const deadLetter = options.deadLetterTopic ? { deadLetterTopic: await this.topicPath(options.deadLetterTopic), maxDeliveryAttempts: options.maxDeliveryAttempts ?? 5 } : undefined;
    try {
      await pubsub.createSubscription(topicPath, path, {
        ...(options.ackDeadlineSeconds ? { ackDeadlineSeconds: options.ackDeadlineSeconds } : {}),
        ...(options.enableMessageOrdering ? { enableMessageOrdering: true } : {}),
        ...(deadLetter ? { deadLetterPolicy: deadLetter } : {}),
        ...(options.filter ? { filter: options.filter } : {}),
        gaxOpts: { timeout: this.config.timeoutMs },
      });
    } catch (error) {
      const code = grpcCode(error);
      const resource = code === GRPC.NOT_FOUND ? `topic '${topic}'${deadLetter ? ` (or dead-letter topic '${options.deadLetterTopic}')` : ''}` : `subscription '${name}'`;
      throw this.#fail({ op: 'admin', what: 'CreateSubscription', resource })(error);
    }
  }

  /** Deletes a topic (its subscriptions stay, detached, until deleted). */
  async deleteTopic(name: string): Promise<void> {
    const pubsub = await this.client();
    try {
      await pubsub.topic(await this.topicPath(name)).delete({ timeout: this.config.timeoutMs });
    } catch (error) {
      throw this.#fail({ op: 'admin', what: 'DeleteTopic', resource: `topic '${name}'` })(error);
    }
  }

  /** Deletes a subscription and its unacknowledged messages. */
  async deleteSubscription(name: string): Promise<void> {
    const pubsub = await this.client();
    try {
      await pubsub.subscription(await this.subscriptionPath(name)).delete({ timeout: this.config.timeoutMs });
    } catch (error) {
      throw this.#fail({ op: 'admin', what: 'DeleteSubscription', resource: `subscription '${name}'` })(error);
    }
  }

  /** The metadata of a topic (`google.pubsub.v1.Topic`). */
  async describePubsubTopic(name: string, options: { signal?: AbortSignal } = {}): Promise<Record<string, unknown>> {
    const pubsub = await this.client();
    const path = await this.topicPath(name);
    try {
      const [metadata] = await this.#call(pubsub.topic(path).getMetadata({ timeout: this.config.timeoutMs }) as Promise<[Record<string, unknown>]>, options.signal, `GetTopic ${name}`);
      return metadata;
    } catch (error) {
      throw this.#fail({ op: 'admin', what: 'GetTopic', resource: `topic '${name}'` })(error);
    }
  }

  /** The metadata of a subscription (`google.pubsub.v1.Subscription`: topic, ackDeadlineSeconds, deadLetterPolicy, …). */
  async describeSubscription(name: string, options: { signal?: AbortSignal } = {}): Promise<Record<string, unknown>> {
    const pubsub = await this.client();
    const path = await this.subscriptionPath(name);
    try {
      const [metadata] = await this.#call(pubsub.subscription(path).getMetadata({ timeout: this.config.timeoutMs }) as Promise<[Record<string, unknown>]>, options.signal, `GetSubscription ${name}`);
      return metadata;
    } catch (error) {
      throw this.#fail({ op: 'read', what: 'GetSubscription', resource: `subscription '${name}'` })(error);
    }
  }

  /**
   * One partition (`"0"`), no positions. A subscription of that name is described; failing that,
   * a topic (so a produce target describes too). Metadata only: nothing is pulled.
   */
  async describeTopic(name: string, options: { signal?: AbortSignal } = {}): Promise<{ partitions: Array<{ id: string; earliest?: PartitionPosition; latest?: PartitionPosition }> }> {
    try {
      await this.describeSubscription(name, options);
    } catch (error) {
      if (grpcCode((error as { cause?: unknown }).cause) !== GRPC.NOT_FOUND) throw error;
      try {
        await this.describePubsubTopic(name, options);
      } catch (topicError) {
        if (grpcCode((topicError as { cause?: unknown }).cause) !== GRPC.NOT_FOUND) throw topicError;
        throw this.#fail({ op: 'read', what: `Describing '${name}'`, resource: `neither a subscription nor a topic named '${name}'` })((topicError as { cause?: unknown }).cause);
      }
    }
    return { partitions: [{ id: '0' }] };
  }

  /** Topics and subscriptions of the project (names as given to reads and writes). */
  async discover(options: { pattern?: string } = {}): Promise<DiscoveredPubsubResource[]> {
    const pubsub = await this.client();
    const pattern = options.pattern ? new RegExp(options.pattern) : undefined;
    const columns = [...['key', 'value', 'topic', 'partition', 'position', 'timestamp', 'headers'], ...PUBSUB_EXTRA_COLUMNS.map((c) => c.name)].map((name) => ({ name }));
    try {
      const [topics] = await pubsub.getTopics({ gaxOpts: { timeout: this.config.timeoutMs } });
      const [subscriptions] = await pubsub.getSubscriptions({ gaxOpts: { timeout: this.config.timeoutMs } });
      const out: DiscoveredPubsubResource[] = [];
      for (const t of topics) out.push({ name: shortName(t.name), kind: 'topic', columns: [] });
      for (const s of subscriptions) {
        const m = (s.metadata ?? {}) as { topic?: string | null; deadLetterPolicy?: { deadLetterTopic?: string | null; maxDeliveryAttempts?: number | null } | null };
        out.push({
          name: shortName(s.name),
          kind: 'subscription',
          ...(m.topic ? { topic: shortName(m.topic) } : {}),
          ...(m.deadLetterPolicy?.deadLetterTopic ? { deadLetter: { topic: shortName(m.deadLetterPolicy.deadLetterTopic), maxDeliveryAttempts: m.deadLetterPolicy.maxDeliveryAttempts ?? 5 } } : {}),
          columns,
        });
      }
      return out.filter((r) => !pattern || pattern.test(r.name)).sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
    } catch (error) {
      throw this.#fail({ op: 'admin', what: `Listing topics and subscriptions of project '${this.projectId ?? 'default'}'` })(error);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Produce
  // -------------------------------------------------------------------------------------------

  /**
   * Publishes records in the client's batches (`batchMessages`, `batchBytes`, `batchDelayMs`),
   * with at most `maxInFlightBytes` unacknowledged: the record iterator is pulled only as
   * earlier publishes complete (bounded memory, backpressure). A record's `orderingKey` (or its
   * key with `orderingKeyFromKey`) is its Pub/Sub ordering key; `partition` has no meaning in
   * Pub/Sub and is ignored. Resolves when every message is acknowledged; the first failure is a
   * typed error (retryable where the gRPC status is), after the messages in flight settled.
   */
  async produce(topic: string, records: Iterable<ProducerRecord> | AsyncIterable<ProducerRecord>, options: ProduceOptions = {}): Promise<ProduceResult> {
    const pubsub = await this.client();
    const path = await this.topicPath(topic);
    if (this.config.createTopics) {
      try {
        await this.describePubsubTopic(topic, options.signal ? { signal: options.signal } : {});
      } catch (error) {
        if (grpcCode((error as { cause?: unknown }).cause) !== GRPC.NOT_FOUND) throw error;
        await this.createTopic(topic).catch((e: unknown) => {
          if ((e as { code?: string }).code !== 'TABLE_EXISTS') throw e;
        });
      }
    }
    const publisher = pubsub.topic(path, {
      batching: { maxMessages: options.batchSize ?? this.config.batchMessages, maxBytes: this.config.batchBytes, maxMilliseconds: this.config.batchDelayMs },
      messageOrdering: true,
      gaxOpts: { timeout: this.config.timeoutMs },
    });
    const limit = options.maxInFlightBytes ?? this.config.maxInFlightBytes;
    const inFlight: Array<{ promise: Promise<string>; size: number; index: number }> = [];
    let inFlightBytes = 0;
    let messages = 0;
    let bytes = 0;
    let failure: { error: unknown; index: number } | undefined;
    const settleOldest = async () => {
      const oldest = inFlight.shift()!;
      inFlightBytes -= oldest.size;
      try {
        await oldest.promise;
        messages++;
        bytes += oldest.size;
        options.onProgress?.(messages, bytes);
      } catch (error) {
        failure ??= { error, index: oldest.index };
      }
    };
    let index = 0;
    try {
      for await (const record of records) {
        if (options.signal?.aborted) throw abortError(options.signal, `produce to ${topic}`, this.type);
        const message = toPubsubMessage(record, index, this.type, this.config.orderingKeyFromKey);
        const promise = publisher.publishMessage(message);
        promise.catch(() => undefined); // settled in order by settleOldest
        inFlight.push({ promise, size: message.size, index });
        inFlightBytes += message.size;
        index++;
        while (inFlight.length && (inFlightBytes > limit || failure)) await settleOldest();
        if (failure) break;
      }
    } finally {
      // Every publish in flight settles before produce returns or throws.
      if (inFlight.length) await publisher.flush().catch(() => undefined);
      while (inFlight.length) await settleOldest();
    }
    if (failure) {
      const error = this.#fail({ op: 'write', what: `Publish of record ${failure.index} to topic '${topic}'`, resource: `topic '${topic}'` })(failure.error);
      throw error;
    }
    return { messages, bytes };
  }

  // -------------------------------------------------------------------------------------------
  // Pull, ack, lease
  // -------------------------------------------------------------------------------------------

  async #pull(subscription: string, name: string, max: number, signal: AbortSignal | undefined): Promise<ReceivedMessage[]> {
    const client = await this.subscriber();
    try {
      const [response] = await this.#call(
        client.pull({ subscription, maxMessages: max }, { timeout: this.config.timeoutMs }) as unknown as Promise<[{ receivedMessages?: ReceivedMessage[] | null }]> & { cancel?: () => void },
        signal,
        `Pull of ${name}`,
      );
      return response.receivedMessages ?? [];
    } catch (error) {
      // An empty long poll may end in DEADLINE_EXCEEDED: nothing arrived.
      if (grpcCode(error) === GRPC.DEADLINE_EXCEEDED && !signal?.aborted) return [];
      throw this.#fail({ op: 'read', what: `Pull of subscription '${name}'`, resource: `subscription '${name}'` })(error);
    }
  }

  /** Acknowledges (removes) messages, 1000 ack ids per request. */
  async #ack(subscription: string, name: string, ackIds: string[]): Promise<void> {
    if (!ackIds.length) return;
    const client = await this.subscriber();
    for (let i = 0; i < ackIds.length; i += 1000) {
      try {
        await client.acknowledge({ subscription, ackIds: ackIds.slice(i, i + 1000) }, { timeout: this.config.timeoutMs });
      } catch (error) {
        throw this.#fail({ op: 'read', what: `Acknowledge on subscription '${name}'`, resource: `subscription '${name}'` })(error);
      }
    }
  }

  /** Sets the lease of messages: `seconds` from now, or 0 to give them back at once (nack). */
  async #lease(subscription: string, name: string, ackIds: string[], seconds: number): Promise<void> {
    if (!ackIds.length) return;
    const client = await this.subscriber();
    for (let i = 0; i < ackIds.length; i += 1000) {
      try {
        await client.modifyAckDeadline({ subscription, ackIds: ackIds.slice(i, i + 1000), ackDeadlineSeconds: seconds }, { timeout: this.config.timeoutMs });
      } catch (error) {
        throw this.#fail({ op: 'read', what: `ModifyAckDeadline on subscription '${name}'`, resource: `subscription '${name}'` })(error);
      }
    }
  }

  /** The subscription's path and its own ack deadline (seconds); a missing subscription fails here, naming the fix. */
  async #subscriptionFor(name: string, signal: AbortSignal | undefined): Promise<{ path: string; ackDeadlineSeconds: number }> {
    let metadata: Record<string, unknown>;
    try {
      metadata = await this.describeSubscription(name, signal ? { signal } : {});
    } catch (error) {
      if (grpcCode((error as { cause?: unknown }).cause) === GRPC.NOT_FOUND) {
        const isTopic = await this.describePubsubTopic(name).then(
          () => true,
          () => false,
        );
        if (isTopic) {
          throw new InvalidArgumentError(`'${name}' is a Pub/Sub topic, and reads take a subscription: create one (createSubscription('${name}-reader', '${name}')) and read that. A new subscription receives only messages published after it was created`, {
            connector: this.type,
            cause: (error as { cause?: unknown }).cause,
          });
        }
      }
      throw error;
    }
    return { path: await this.subscriptionPath(name), ackDeadlineSeconds: Number(metadata.ackDeadlineSeconds) || 10 };
  }

  /** Keeps `leased()` messages leased: modifyAckDeadline well before the shorter of both deadlines runs out. */
  #keepLeased(path: string, name: string, subscriptionDeadline: number, leased: () => string[]): () => Promise<void> {
    const seconds = this.config.ackDeadlineSeconds;
    const every = Math.max(250, (Math.min(subscriptionDeadline, seconds) * 1000) / 3);
    let extending: Promise<void> = Promise.resolve();
    const timer = setInterval(() => {
      extending = this.#lease(path, name, leased(), seconds).catch(() => undefined);
    }, every);
    timer.unref();
    // Stopping waits for an extension in flight, so it cannot land after a final ack or nack.
    return () => {
      clearInterval(timer);
      return extending;
    };
  }

  /**
   * A bounded read of a subscription: pulls until `emptyPullsToStop` pulls in a row come back
   * empty ("until caught up") or `maxMessages`; `last: n` keeps only the last n by publish time.
   * Every message stays leased until the read ends, then `peek` (default) gives all of them back
   * and `remove` acknowledges what was yielded. Pub/Sub hands a pulled batch out in no particular
   * order; each batch is yielded in publish order. A subscription has no positions: `from`/`to`
   * other than earliest/latest are refused.
   */
  async *consumeRange(name: string, options: PubsubConsumeRangeOptions = {}): AsyncIterable<StreamMessage> {
    for (const [field, p] of [['from', options.from], ['to', options.to]] as const) {
      if (p !== undefined && p !== 'earliest' && p !== 'latest') {
        throw new UnsupportedOperationError(`Pub/Sub subscriptions have no offsets to read from; '${field}' must be 'earliest' or 'latest' (omit startingOffsets/endingOffsets; a seek to a time or snapshot is an admin action on the subscription)`, { connector: this.type });
      }
    }
    if (options.last !== undefined && (!Number.isInteger(options.last) || options.last < 1)) throw new InvalidArgumentError(`last must be a positive integer; got ${options.last}`, { connector: this.type });
    if (options.partitions && !options.partitions.includes('0')) return;
    const { path, ackDeadlineSeconds } = await this.#subscriptionFor(name, options.signal);
    const mode = options.mode ?? this.config.boundedRead;
    const max = options.maxMessages ?? Infinity;
    const held = new Map<string, string>(); // message id → ack id (the newest delivery's)
    const yielded = new Set<string>();
    const stopLeasing = this.#keepLeased(path, name, ackDeadlineSeconds, () => [...held.values()]);
    const tail: StreamMessage[] = [];
    let empty = 0;
    let count = 0;
    try {
      while (count < max && empty < this.config.emptyPullsToStop) {
        const batch = await this.#pull(path, name, Math.min(this.config.pullBatchSize, max === Infinity ? this.config.pullBatchSize : max - count), options.signal);
        if (!batch.length) {
          empty++;
          continue;
        }
        empty = 0;
        // Every pulled message is held (and released when the read ends) before any is yielded:
        // a consumer that stops mid-batch must not strand the rest of it.
        const ordered = inPublishOrder(batch).map((r) => {
          const id = r.message?.messageId ?? r.ackId!;
          const seen = held.has(id) || yielded.has(id);
          held.set(id, r.ackId!);
          return { r, id, seen };
        });
        for (const { r, id, seen } of ordered) {
          if (seen || count >= max) continue;
          if (options.signal?.aborted) throw abortError(options.signal, `read of ${name}`, this.type);
          yielded.add(id);
          count++;
          const message = fromPubsubMessage(name, r);
          if (options.last !== undefined) {
            tail.push(message);
            if (tail.length > options.last) tail.shift();
          } else {
            yield message;
          }
        }
      }
      if (options.last !== undefined) yield* tail;
    } finally {
      await stopLeasing();
      if (!this.closed) {
        const take = mode === 'remove' ? [...held].filter(([id]) => yielded.has(id)).map(([, ack]) => ack) : [];
        const giveBack = mode === 'remove' ? [...held].filter(([id]) => !yielded.has(id)).map(([, ack]) => ack) : [...held.values()];
        await this.#ack(path, name, take);
        await this.#lease(path, name, giveBack, 0);
      }
    }
  }

  /**
   * Deliveries of a subscription: pulls while fewer than `maxUnacked` (default 100) messages are
   * held, extends their leases (modifyAckDeadline) while the caller works, acknowledges on
   * `ack()`, gives a message back on `nack()`. When the loop ends (break, abort, error) every
   * unacknowledged message is given back at once. A subscription is Pub/Sub's consumer group:
   * `group` names the run in lineage, and subscribers of one subscription share its messages.
   * On a subscription with a dead-letter policy, a message nacked (or left to expire)
   * `maxDeliveryAttempts` times goes to the dead-letter topic; `deliveryAttempt` counts.
   */
  protected async *openSubscription(name: string, options: SubscribeOptions): AsyncIterable<PubsubDelivery> {
    const signal = options.signal;
    const { path, ackDeadlineSeconds } = await this.#subscriptionFor(name, signal);
    const maxUnacked = options.maxUnacked ?? 100;
    const held = new Map<string, string>(); // message id → ack id
    let wake: (() => void) | undefined;
    const stopLeasing = this.#keepLeased(path, name, ackDeadlineSeconds, () => [...held.values()]);
    const yielded = new Set<string>();
    const settle = (id: string) => {
      held.delete(id);
      yielded.delete(id);
      wake?.();
    };
    try {
      while (true) {
        if (signal?.aborted) throw abortError(signal, `subscription to ${name}`, this.type);
        const room = maxUnacked - held.size;
        if (room <= 0) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            signal?.addEventListener('abort', () => resolve(), { once: true });
          });
          continue;
        }
        const batch = await this.#pull(path, name, Math.min(room, this.config.pullBatchSize), signal);
        if (!batch.length) {
          // An emulator or a quiet subscription may answer at once: do not spin.
          await sleep(100, signal);
          continue;
        }
        const fresh = inPublishOrder(batch).filter((r) => {
          const id = r.message?.messageId ?? r.ackId!;
          const again = held.has(id);
          held.set(id, r.ackId!);
          return !again;
        });
        for (const r of fresh) {
          if (signal?.aborted) throw abortError(signal, `subscription to ${name}`, this.type);
          const id = r.message?.messageId ?? r.ackId!;
          yielded.add(id);
          let settled: Promise<void> | undefined;
          const message = fromPubsubMessage(name, r);
          yield {
            ...message,
            messageId: id,
            deliveryAttempt: r.deliveryAttempt || undefined,
            orderingKey: r.message?.orderingKey || undefined,
            ack: () =>
              (settled ??= (async () => {
                const ackId = held.get(id) ?? r.ackId!;
                settle(id);
                await this.#ack(path, name, [ackId]);
              })()),
            nack: () =>
              (settled ??= (async () => {
                const ackId = held.get(id) ?? r.ackId!;
                settle(id);
                await this.#lease(path, name, [ackId], 0);
              })()),
          };
        }
      }
    } finally {
      // Pulled but never handed out: back at once. Handed out and not yet settled: leased for
      // ackGraceMs more (the caller may ack right after leaving the loop), then given back.
      const handedOut = new Set(yielded);
      const unseen = [...held].filter(([id]) => !handedOut.has(id));
      for (const [id] of unseen) held.delete(id);
      if (!this.closed) await this.#lease(path, name, unseen.map(([, ack]) => ack), 0).catch(() => undefined);
      if (held.size === 0 || this.config.ackGraceMs === 0 || this.closed) {
        await stopLeasing();
        if (!this.closed) await this.#lease(path, name, [...held.values()], 0).catch(() => undefined);
        held.clear();
      } else {
        this.#linger(async () => {
          await stopLeasing();
          const rest = [...held.values()];
          held.clear();
          await this.#lease(path, name, rest, 0).catch(() => undefined);
        });
      }
    }
  }

  /** Runs `release` after ackGraceMs, or when the connection closes, whichever comes first. */
  #linger(release: () => Promise<void>): void {
    let done = false;
    const once = async () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      this.#lingering.delete(once);
      await release();
    };
    const timer = setTimeout(() => void once(), this.config.ackGraceMs);
    timer.unref();
    this.#lingering.add(once);
  }
}
