/**
 * `EventhubConnection`: Azure Event Hubs on `@azure/event-hubs`. `StreamingConnection` owns the
 * shared behaviour (a hub as a table in Spark's Kafka layout, append-only writes, STREAMING
 * lineage, the describe health probe); this class maps it onto Event Hubs:
 *
 * - partitions are the hub's partition ids, positions its sequence numbers (int64 `offset`);
 * - produce fills `createBatch`/`tryAdd` batches (per partition id or partition key) and sends
 *   each when full; key, headers and the record timestamp are application properties;
 * - a bounded read runs a per-partition receive from a start position to the partition's last
 *   enqueued sequence number at the time of the call (or the given end);
 * - subscriptions keep per-group checkpoints in this process (Event Hubs stores none; the SDK's
 *   blob checkpoint store is not used), committed only over acknowledged events.
 */
import { z } from 'zod';
import type { EventData, EventHubConsumerClient, EventHubProducerClient, EventPosition, ReceivedEventData } from '@azure/event-hubs';
import {
  MESSAGE_PROPERTIES,
  messageToRecord,
  recordToMessage,
  abortError,
  AuthenticationError,
  ConnectionFailedError,
  InvalidArgumentError,
  MissingDriverError,
  payloadBytes,
  QueryError,
  secret,
  SparkleError,
  StreamingConnection,
  UnsupportedOperationError,
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
  type StreamMessage,
  type SubscribeOptions,
  type WriteTableOptions,
} from '@sparkle/core';
import { Channel } from './channel.js';

/** Config of the `eventhub` connection. */
export const eventhubConfigSchema = z
  .looseObject({
    /** `Endpoint=sb://<ns>.servicebus.windows.net/;SharedAccessKeyName=…;SharedAccessKey=…[;EntityPath=<hub>]` (a secret). */
    connectionString: secret(z.string().min(1)).optional(),
    /** `<ns>.servicebus.windows.net`, with `credential`, instead of a connection string. */
    fullyQualifiedNamespace: z.string().min(1).optional(),
    /** Microsoft Entra ID: a service principal, or `default` for `DefaultAzureCredential` (`@azure/identity`). */
    credential: z
      .union([z.literal('default'), z.strictObject({ tenantId: z.string().min(1), clientId: z.string().min(1), clientSecret: secret(z.string().min(1)) })])
      .optional(),
    /** The hub `check()` describes (a connection string's `EntityPath` also names it). */
    eventHubName: z.string().min(1).optional(),
    /** The Event Hubs consumer group reads use. Default `$Default`. */
    consumerGroup: z.string().min(1).default('$Default'),
    /** Longest a receive waits to fill a batch, seconds. Default 1. */
    maxWaitTimeInSeconds: z.coerce.number().int().min(1).max(60).default(1),
    /** The SDK's retries of a failed operation. */
    retry: z.strictObject({ maxRetries: z.number().int().min(0).max(10).default(3), retryDelayInMs: z.number().int().min(0).default(500), timeoutInMs: z.number().int().min(1000).default(30_000) }).default({ maxRetries: 3, retryDelayInMs: 500, timeoutInMs: 30_000 }),
    /** How Spark reads a hub: `kafka` (its Kafka endpoint; default) or `eventhubs` (the unmaintained native connector). */
    sparkMapping: z.enum(['kafka', 'eventhubs']).default('kafka'),
  })
  .refine((c) => Boolean(c.connectionString) !== Boolean(c.fullyQualifiedNamespace && c.credential), {
    message: 'set either connectionString, or fullyQualifiedNamespace with credential',
    path: ['connectionString'],
  });

export type EventhubConfig = z.output<typeof eventhubConfigSchema>;

/** Application properties Sparkle uses for what Event Hubs has no field for. */
export const EVENTHUB_KEY_PROPERTY = MESSAGE_PROPERTIES.key;
export const EVENTHUB_TIMESTAMP_PROPERTY = MESSAGE_PROPERTIES.timestamp;
export const EVENTHUB_NULL_PROPERTY = MESSAGE_PROPERTIES.null;
/** Names of the properties (headers, the key) sent base64-encoded because they are not UTF-8 (the SDK sends no binary property values). */
export const EVENTHUB_BINARY_PROPERTY = MESSAGE_PROPERTIES.binary;
const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

/** Fields of a connection string. */
function parseConnectionString(cs: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of cs.split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

interface PartitionCheckpoint {
  committed?: number;
  delivered: number[];
  acked: Set<number>;
}
const CHECKPOINTS = Symbol.for('sparkle.connector-eventhub.checkpoints');
function checkpoints(): Map<string, Map<string, PartitionCheckpoint>> {
  const g = globalThis as Record<symbol, unknown>;
  g[CHECKPOINTS] ??= new Map();
  return g[CHECKPOINTS] as Map<string, Map<string, PartitionCheckpoint>>;
}


/**
 * The `eventhub` connection (alias `azure_eventhub`).
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import { EventhubConnection } from '@sparkle/connector-eventhub';
 *
 * await using hubs = await getConnection<EventhubConnection>('eventhub', { config: { connectionString: process.env.EVENTHUB_CONNECTION } });
 * await hubs.produce('orders', [{ key: 'o-1', value: '{"id":1}' }]);
 * for await (const m of hubs.consumeRange('orders')) console.log(m.partition, m.position);
 * ```
 */
export class EventhubConnection extends StreamingConnection<EventhubConfig> {
  static override schema: z.ZodType = eventhubConfigSchema;
  static override family = 'streaming';
  static override description = 'Azure Event Hubs (batched produce, bounded partition reads into Arrow, checkpointed subscriptions)';
  #sdk: typeof import('@azure/event-hubs') | undefined;
  readonly #producers = new Map<string, EventHubProducerClient>();
  readonly #consumers = new Map<string, EventHubConsumerClient>();

  constructor(init: ConnectionInit) {
    super(init);
    this.onClose(async () => {
      const clients = [...this.#producers.values(), ...this.#consumers.values()];
      this.#producers.clear();
      this.#consumers.clear();
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    });
  }

  async #load(): Promise<typeof import('@azure/event-hubs')> {
    this.assertOpen();
    if (!this.#sdk) {
      try {
        this.#sdk = await import('@azure/event-hubs');
      } catch (cause) {
        throw new MissingDriverError(this.type, '@azure/event-hubs', cause);
      }
    }
    return this.#sdk;
  }

  /** The connection string without `EntityPath`, so one string serves every hub of the namespace. */
  #namespaceConnectionString(): string | undefined {
    return this.config.connectionString
      ?.split(';')
      .filter((p) => p.trim() && !/^EntityPath=/i.test(p.trim()))
      .join(';');
  }

  async #credential(): Promise<unknown> {
    const credential = this.config.credential!;
    let identity: typeof import('@azure/identity');
    try {
      identity = await import('@azure/identity');
    } catch (cause) {
      throw new MissingDriverError(this.type, '@azure/identity', cause);
    }
    return credential === 'default' ? new identity.DefaultAzureCredential() : new identity.ClientSecretCredential(credential.tenantId, credential.clientId, credential.clientSecret);
  }

  #clientOptions() {
    return { retryOptions: { ...this.config.retry } };
  }

  /** The producer client of a hub (one per hub, kept until close). */
  protected async producer(hub: string): Promise<EventHubProducerClient> {
    const sdk = await this.#load();
    let client = this.#producers.get(hub);
    if (!client) {
      const cs = this.#namespaceConnectionString();
      client = cs
        ? new sdk.EventHubProducerClient(cs, hub, this.#clientOptions())
        : new sdk.EventHubProducerClient(this.config.fullyQualifiedNamespace!, hub, (await this.#credential()) as never, this.#clientOptions());
      this.#producers.set(hub, client);
    }
    return client;
  }

  /** The consumer client of a hub in the configured consumer group. */
  protected async consumer(hub: string): Promise<EventHubConsumerClient> {
    const sdk = await this.#load();
    let client = this.#consumers.get(hub);
    if (!client) {
      const cs = this.#namespaceConnectionString();
      client = cs
        ? new sdk.EventHubConsumerClient(this.config.consumerGroup, cs, hub, this.#clientOptions())
        : new sdk.EventHubConsumerClient(this.config.consumerGroup, this.config.fullyQualifiedNamespace!, hub, (await this.#credential()) as never, this.#clientOptions());
      this.#consumers.set(hub, client);
    }
    return client;
  }

  #endpoint(): { host: string; port: number; emulator: boolean } {
    if (this.config.connectionString) {
      const fields = parseConnectionString(this.config.connectionString);
      const emulator = fields.UseDevelopmentEmulator === 'true';
      const url = new URL((fields.Endpoint ?? '').replace(/^sb:/, 'http:'));
      return { host: url.hostname, port: url.port ? Number(url.port) : emulator ? 5672 : 5671, emulator };
    }
    return { host: this.config.fullyQualifiedNamespace!, port: 5671, emulator: false };
  }

  protected override endpoints(): Endpoint[] {
    const { host, port } = this.#endpoint();
    return [{ host, port }];
  }

  protected override healthTopic(): string | undefined {
    return this.config.eventHubName ?? (this.config.connectionString ? parseConnectionString(this.config.connectionString).EntityPath : undefined);
  }

  /** A typed error for an SDK failure (the SDK's MessagingError codes), never carrying the key. */
  #error(error: unknown, what: string, hub?: string): SparkleError {
    if (SparkleError.isInstance(error)) return error;
    // The SDK's retries end in an AggregateError of every attempt's error: classify the last.
    const inner = error instanceof AggregateError && error.errors.length ? error.errors.at(-1) : error;
    const e = (inner ?? {}) as { name?: string; code?: string; message?: string; retryable?: boolean };
    const detail = `${e.code ?? e.name ?? 'Error'}: ${e.message ?? String(error)}`;
    const options = { connector: this.type, cause: error };
    if (/Unauthorized|InvalidSignature|401/.test(`${e.code} ${e.message}`)) {
      return new AuthenticationError(`${what}: Event Hubs rejected the credentials (${detail}); check the connection string's SharedAccessKeyName/SharedAccessKey or the credential`, options);
    }
    if (/MessagingEntityNotFound|not-found|could not be found/.test(`${e.code} ${e.message}`)) {
      return new QueryError(`${what}: event hub${hub ? ` '${hub}'` : ''} not found in ${this.#endpoint().host} (${detail}); create it or fix the name`, options);
    }
    if (/ServiceCommunication|ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET/.test(`${e.code} ${e.message}`)) {
      return new ConnectionFailedError(`${what}: cannot reach ${this.#endpoint().host}:${this.#endpoint().port} (${detail})`, { ...options, retryable: true });
    }
    return new QueryError(`${what} failed: ${detail}`, { ...options, retryable: Boolean(e.retryable) });
  }

  /** Partitions with their first sequence number and the one after the last (Kafka-style exclusive end). */
  async describeTopic(topic: string, options: { signal?: AbortSignal } = {}): Promise<{ partitions: Array<{ id: string; earliest?: PartitionPosition; latest?: PartitionPosition }> }> {
    const client = await this.producer(topic);
    try {
      const { partitionIds } = await client.getEventHubProperties({ abortSignal: options.signal as never });
      const partitions = [];
      for (const id of partitionIds) {
        const p = await client.getPartitionProperties(id, { abortSignal: options.signal as never });
        partitions.push({ id, earliest: String(p.beginningSequenceNumber), latest: String(p.isEmpty ? p.beginningSequenceNumber : p.lastEnqueuedSequenceNumber + 1) });
      }
      return { partitions };
    } catch (error) {
      throw this.#error(error, `describe event hub ${topic}`, topic);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Produce
  // -------------------------------------------------------------------------------------------

  #event(record: ProducerRecord, index: number): EventData {
    const { body, properties } = recordToMessage(record, index, this.type);
    return { body: Buffer.from(body), ...(Object.keys(properties).length ? { properties } : {}) };
  }


  /** Where a record goes: an explicit partition id, else its ordering key or text key as partition key, else round-robin. */
  #route(record: ProducerRecord): { partitionId?: string; partitionKey?: string } {
    if (record.partition !== undefined) return { partitionId: record.partition };
    if (record.orderingKey) return { partitionKey: record.orderingKey };
    const key = payloadBytes(record.key);
    if (key?.byteLength) {
      try {
        return { partitionKey: strictDecoder.decode(key) };
      } catch {
        return { partitionKey: Buffer.from(key).toString('base64') };
      }
    }
    return {};
  }

  /**
   * Sends records in `createBatch`/`tryAdd` batches: consecutive records with the same route
   * (partition id, partition key, or none) share a batch, which is sent when full, when the
   * route changes, or at `batchSize` records; one batch in flight. An event too large for an
   * empty batch is an `INVALID_ARGUMENT` error naming the record.
   */
  async produce(topic: string, records: Iterable<ProducerRecord> | AsyncIterable<ProducerRecord>, options: ProduceOptions = {}): Promise<ProduceResult> {
    const client = await this.producer(topic);
    const max = options.batchSize ?? Infinity;
    let messages = 0;
    let bytes = 0;
    let batch: Awaited<ReturnType<EventHubProducerClient['createBatch']>> | undefined;
    let routeKey = '';
    let pendingBytes = 0;
    const send = async () => {
      if (!batch || batch.count === 0) return;
      if (options.signal?.aborted) throw abortError(options.signal, `produce to ${topic}`, this.type);
      try {
        await client.sendBatch(batch, { abortSignal: options.signal as never });
      } catch (error) {
        if (options.signal?.aborted) throw abortError(options.signal, `produce to ${topic}`, this.type);
        throw this.#error(error, `send to ${topic}`, topic);
      }
      messages += batch.count;
      bytes += pendingBytes;
      pendingBytes = 0;
      options.onProgress?.(messages, bytes);
      batch = undefined;
    };
    const newBatch = async (route: { partitionId?: string; partitionKey?: string }) => {
      try {
        return await client.createBatch(route);
      } catch (error) {
        throw this.#error(error, `createBatch for ${topic}`, topic);
      }
    };
    let index = 0;
    for await (const record of records) {
      const i = index++;
      const event = this.#event(record, i);
      const route = this.#route(record);
      const key = JSON.stringify(route);
      if (batch && (key !== routeKey || batch.count >= max)) await send();
      routeKey = key;
      batch ??= await newBatch(route);
      if (!batch.tryAdd(event)) {
        await send();
        batch = await newBatch(route);
        if (!batch.tryAdd(event)) {
          throw new InvalidArgumentError(`record ${i} does not fit in an Event Hubs batch (at most ${batch.maxSizeInBytes} bytes)`, { connector: this.type, details: { record: i } });
        }
      }
      pendingBytes += (event.body as Buffer).byteLength;
    }
    await send();
    return { messages, bytes };
  }

  // -------------------------------------------------------------------------------------------
  // Consume
  // -------------------------------------------------------------------------------------------

  #message(topic: string, partition: string, e: ReceivedEventData): StreamMessage {
    const { key, value, headers, timestamp } = messageToRecord(e.properties as Record<string, unknown> | undefined, e.body);
    return {
      topic,
      partition,
      position: String(e.sequenceNumber),
      key: key ?? (e.partitionKey ? encoder.encode(e.partitionKey) : null),
      value,
      headers,
      timestamp: timestamp ?? e.enqueuedTimeUtc,
    };
  }


  #startOf(from: ConsumeRangeOptions['from'], partition: string, earliest: EventPosition, latest: EventPosition): EventPosition {
    if (from === undefined || from === 'earliest') return earliest;
    if (from === 'latest') return latest;
    if ('timestamp' in from) return { enqueuedOn: from.timestamp };
    const p = from.positions[partition];
    if (p === undefined) return earliest;
    if (!/^\d+$/.test(p)) throw new InvalidArgumentError(`'${p}' is not an Event Hubs sequence number for partition ${partition}`, { connector: this.type });
    return { sequenceNumber: Number(p), isInclusive: true };
  }

  /**
   * A bounded read: each partition from `from` (earliest, latest, a sequence number inclusive, or
   * an enqueued time) up to its last sequence number when the read starts (or `to`: a sequence
   * number, exclusive, or a time), or `maxMessages` in total.
   */
  async *consumeRange(topic: string, options: ConsumeRangeOptions = {}): AsyncIterable<StreamMessage> {
    const sdk = await this.#load();
    const described = await this.describeTopic(topic, options.signal ? { signal: options.signal } : {});
    const ids = options.partitions ?? described.partitions.map((p) => p.id);
    const client = await this.consumer(topic);
    const max = options.maxMessages ?? Infinity;
    let count = 0;
    for (const id of ids) {
      const part = described.partitions.find((p) => p.id === id);
      if (!part) throw new InvalidArgumentError(`event hub '${topic}' has no partition '${id}'`, { connector: this.type });
      const to = options.to ?? 'latest';
      let end = Number(part.latest);
      if (typeof to === 'object' && 'positions' in to && to.positions[id] !== undefined) end = Math.min(end, Number(to.positions[id]));
      const until = typeof to === 'object' && 'timestamp' in to ? to.timestamp.getTime() : undefined;
      if (to === 'latest' && options.from === 'latest') continue;
      const start = this.#startOf(options.from, id, sdk.earliestEventPosition, sdk.latestEventPosition);
      if ('sequenceNumber' in start && start.sequenceNumber !== undefined && Number(start.sequenceNumber) >= end) continue;
      if (end <= Number(part.earliest)) continue;
      const channel = new Channel<ReceivedEventData>(options.signal);
      const subscription = client.subscribe(
        id,
        {
          processEvents: async (events) => {
            if (events.length) await channel.push(events);
            else channel.idle();
          },
          processError: async (error) => channel.fail(this.#error(error, `read of ${topic}/${id}`, topic)),
        },
        { startPosition: start, maxBatchSize: 500, maxWaitTimeInSeconds: this.config.maxWaitTimeInSeconds, skipParsingBodyAsJson: true },
      );
      try {
        let idle = 0;
        outer: while (true) {
          const next = await channel.next();
          if (next === 'idle') {
            // Nothing within the wait although the end is ahead (events expired): stop after a few.
            if (++idle >= 3) break;
            continue;
          }
          idle = 0;
          for (const e of next) {
            if (e.sequenceNumber >= end || (until !== undefined && e.enqueuedTimeUtc.getTime() >= until)) break outer;
            yield this.#message(topic, id, e);
            if (++count >= max) return;
            if (e.sequenceNumber >= end - 1) break outer;
          }
        }
      } catch (error) {
        if (options.signal?.aborted) throw abortError(options.signal, `read of ${topic}`, this.type);
        throw error;
      } finally {
        await subscription.close().catch(() => undefined);
      }
    }
  }

  /**
   * Deliveries from every partition, after the group's checkpoint (or from the earliest/latest
   * event for a new group). `ack()` moves a partition's checkpoint only over an unbroken run of
   * acknowledged events, so a new subscription gets everything unacknowledged again
   * (at-least-once). Checkpoints live in this process; `group` names them, the Event Hubs
   * consumer group is the config's `consumerGroup`.
   */
  protected async *openSubscription(topic: string, options: SubscribeOptions): AsyncIterable<StreamDelivery> {
    const sdk = await this.#load();
    const signal = options.signal;
    const described = await this.describeTopic(topic, signal ? { signal } : {});
    const groupKey = `${this.#endpoint().host}:${this.#endpoint().port}|${topic}|${this.config.consumerGroup}|${options.group}`;
    let group = checkpoints().get(groupKey);
    if (!group) checkpoints().set(groupKey, (group = new Map()));
    const startPosition: Record<string, EventPosition> = {};
    for (const { id } of described.partitions) {
      let cp = group.get(id);
      if (!cp) group.set(id, (cp = { delivered: [], acked: new Set() }));
      cp.delivered = [];
      startPosition[id] =
        cp.committed !== undefined ? { sequenceNumber: cp.committed, isInclusive: false } : options.from === 'earliest' ? sdk.earliestEventPosition : sdk.latestEventPosition;
    }
    const client = await this.consumer(topic);
    const channel = new Channel<{ partition: string; events: ReceivedEventData[] }>(signal, options.maxUnacked ?? 1000);
    const subscription = client.subscribe(
      {
        // Empty batches are kept: they tell the start-up below that a partition has answered.
        processEvents: async (events, context) => channel.push([{ partition: context.partitionId, events }]),
        processError: async (error) => {
          const e = this.#error(error, `subscription to ${topic}`, topic);
          if (!e.retryable) channel.fail(e);
        },
      },
      { startPosition, maxBatchSize: 100, maxWaitTimeInSeconds: this.config.maxWaitTimeInSeconds, skipParsingBodyAsJson: true },
    );
    const ids = described.partitions.map((p) => p.id);
    const buffered = new Map<string, ReceivedEventData[]>(ids.map((id) => [id, []]));
    const answered = new Set<string>();
    const take = async () => {
      const next = await channel.next();
      if (next === 'idle') return;
      for (const { partition, events } of next) {
        answered.add(partition);
        buffered.get(partition)?.push(...events);
      }
    };
    try {
      // Start in a fixed order: wait until every partition answered once (events, or an empty
      // wait), so a restarted subscription hands out the same first events, partition by partition.
      while (answered.size < ids.length) await take();
      while (true) {
        let delivered = 0;
        for (const partition of ids) {
          const events = buffered.get(partition)!;
          const cp = group.get(partition)!;
          while (events.length) {
            const event = events.shift()!;
            if (signal?.aborted) throw abortError(signal, `subscription to ${topic}`, this.type);
            const sequence = event.sequenceNumber;
            if (cp.acked.has(sequence)) continue;
            cp.delivered.push(sequence);
            delivered++;
            let done = false;
            yield {
              ...this.#message(topic, partition, event),
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
        if (!delivered || [...buffered.values()].every((b) => !b.length)) await take();
      }
    } catch (error) {
      if (signal?.aborted) throw abortError(signal, `subscription to ${topic}`, this.type);
      throw error;
    } finally {
      await subscription.close().catch(() => undefined);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Spark
  // -------------------------------------------------------------------------------------------

  #sparkOptions(hub: string, direction: 'read' | 'write', given: Record<string, string>): { format: string; options: Record<string, string>; secretOptions: string[] } {
    const cs = this.#namespaceConnectionString();
    if (!cs) {
      throw new UnsupportedOperationError(`Spark's Event Hubs mappings authenticate with a connection string; this connection uses a credential. Read through the local engine, or configure connectionString`, {
        connector: this.type,
      });
    }
    if (this.config.sparkMapping === 'eventhubs') {
      return {
        format: 'eventhubs',
        options: { 'eventhubs.connectionString': `${cs};EntityPath=${hub}`, 'eventhubs.consumerGroup': this.config.consumerGroup, ...Object.fromEntries(Object.entries(given).filter(([k]) => k.startsWith('eventhubs.'))) },
        secretOptions: ['eventhubs.connectionString'],
      };
    }
    const options: Record<string, string> = {
      'kafka.bootstrap.servers': `${this.#endpoint().host}:9093`,
      'kafka.security.protocol': 'SASL_SSL',
      'kafka.sasl.mechanism': 'PLAIN',
      'kafka.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required username="$ConnectionString" password="${cs}";`,
      [direction === 'read' ? 'subscribe' : 'topic']: hub,
    };
    for (const key of ['startingOffsets', 'endingOffsets', 'startingTimestamp', 'endingTimestamp', 'maxOffsetsPerTrigger']) if (direction === 'read' && given[key] !== undefined) options[key] = given[key]!;
    for (const [k, v] of Object.entries(given)) if (k.startsWith('kafka.')) options[k] = v;
    return { format: 'kafka', options, secretOptions: ['kafka.sasl.jaas.config'] };
  }

  /** Spark's read of a hub: through its Kafka endpoint (`kafka` format, SASL PLAIN with `$ConnectionString`), or the native `eventhubs` source when `sparkMapping: 'eventhubs'`. */
  sparkRead(hub: string, options: ReadTableOptions): SparkReadSpec {
    return this.#sparkOptions(hub, 'read', options.options ?? {});
  }

  /** Spark's write to a hub, mapped as {@link sparkRead}. */
  sparkWrite(hub: string, options: WriteTableOptions): SparkWriteSpec {
    return { ...this.#sparkOptions(hub, 'write', options.options ?? {}), mode: options.mode ?? 'append' };
  }
}
