/**
 * `ServicebusConnection`: Azure Service Bus queues (and topic subscriptions for reading) on
 * `@azure/service-bus`. `StreamingConnection` owns the shared behaviour; this class maps it:
 *
 * - a queue is one partition (`"0"`); positions are Service Bus sequence numbers;
 * - produce fills `createMessageBatch`/`tryAddMessage` batches; key, headers and the record
 *   timestamp are application properties, `orderingKey` is the session id;
 * - a bounded read **peeks** (non-destructive, ignores locks) from a sequence number;
 * - a subscription receives in peek-lock mode: `ack()` completes, `nack()` abandons, and what is
 *   unsettled when the loop ends is abandoned, so it is redelivered at once; dead-lettering is
 *   `deadLetter()` on the delivery.
 */
import { z } from 'zod';
import type { ServiceBusClient, ServiceBusReceivedMessage, ServiceBusReceiver, ServiceBusMessage } from '@azure/service-bus';
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
  type StreamDelivery,
  type StreamMessage,
  type SubscribeOptions,
} from '@sparkle/core';

/** Config of the `servicebus` connection. */
export const servicebusConfigSchema = z
  .looseObject({
    /** `Endpoint=sb://<ns>.servicebus.windows.net/;SharedAccessKeyName=…;SharedAccessKey=…` (a secret). */
    connectionString: secret(z.string().min(1)).optional(),
    /** `<ns>.servicebus.windows.net`, with `credential`, instead of a connection string. */
    fullyQualifiedNamespace: z.string().min(1).optional(),
    /** Microsoft Entra ID: a service principal, or `default` for `DefaultAzureCredential`. */
    credential: z
      .union([z.literal('default'), z.strictObject({ tenantId: z.string().min(1), clientId: z.string().min(1), clientSecret: secret(z.string().min(1)) })])
      .optional(),
    /** The queue `check()` describes. */
    queue: z.string().min(1).optional(),
    /** Longest a receive waits for its first message, ms. Default 1000. */
    maxWaitTimeInMs: z.coerce.number().int().min(100).max(60_000).default(1000),
    /** The SDK's retries of a failed operation. */
    retry: z.strictObject({ maxRetries: z.number().int().min(0).max(10).default(3), retryDelayInMs: z.number().int().min(0).default(500), timeoutInMs: z.number().int().min(1000).default(30_000) }).default({ maxRetries: 3, retryDelayInMs: 500, timeoutInMs: 30_000 }),
  })
  .refine((c) => Boolean(c.connectionString) !== Boolean(c.fullyQualifiedNamespace && c.credential), {
    message: 'set either connectionString, or fullyQualifiedNamespace with credential',
    path: ['connectionString'],
  });

export type ServicebusConfig = z.output<typeof servicebusConfigSchema>;

export const SERVICEBUS_KEY_PROPERTY = MESSAGE_PROPERTIES.key;
export const SERVICEBUS_TIMESTAMP_PROPERTY = MESSAGE_PROPERTIES.timestamp;
export const SERVICEBUS_NULL_PROPERTY = MESSAGE_PROPERTIES.null;
/** Names of the properties sent base64-encoded because they are not UTF-8. */
export const SERVICEBUS_BINARY_PROPERTY = MESSAGE_PROPERTIES.binary;

/** A Service Bus delivery: the stream contract's, plus dead-lettering. */
export interface ServicebusDelivery extends StreamDelivery {
  /** Moves the message to the queue's dead-letter sub-queue. */
  deadLetter(reason?: string): Promise<void>;
}

/**
 * The `servicebus` connection (alias `azure_servicebus`).
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import { ServicebusConnection } from '@sparkle/connector-servicebus';
 *
 * await using bus = await getConnection<ServicebusConnection>('servicebus', { config: { connectionString: process.env.SERVICEBUS_CONNECTION, queue: 'orders' } });
 * await bus.produce('orders', [{ value: '{"id":1}' }]);
 * for await (const m of bus.subscribe('orders', { group: 'billing' })) await m.ack(); // completes the message
 * ```
 */
export class ServicebusConnection extends StreamingConnection<ServicebusConfig> {
  static override schema: z.ZodType = servicebusConfigSchema;
  static override family = 'streaming';
  static override description = 'Azure Service Bus queues (batched produce, peeked bounded reads into Arrow, peek-lock subscriptions)';
  #client: ServiceBusClient | undefined;
  /**
   * Receivers of ended subscriptions with their unsettled messages, per entity: kept open so a
   * delivery may still be acknowledged after the loop (at-least-once consumers often commit
   * after processing), given back (abandoned) when the next subscription of the entity starts
   * or the connection closes.
   */
  readonly #parked = new Map<string, Array<{ receiver: ServiceBusReceiver; unsettled: Set<ServiceBusReceivedMessage> }>>();

  constructor(init: ConnectionInit) {
    super(init);
    this.onClose(async () => {
      for (const entity of [...this.#parked.keys()]) await this.#release(entity);
      await this.#client?.close().catch(() => undefined);
    });
  }

  /** Abandons what ended subscriptions of `entity` left unsettled and closes their receivers. */
  async #release(entity: string): Promise<void> {
    const parked = this.#parked.get(entity) ?? [];
    this.#parked.delete(entity);
    for (const { receiver, unsettled } of parked) {
      const rest = [...unsettled];
      unsettled.clear();
      await Promise.all(rest.map((m) => receiver.abandonMessage(m).catch(() => undefined)));
      await receiver.close().catch(() => undefined);
    }
  }

  /** The SDK client (created on first use). */
  protected async bus(): Promise<ServiceBusClient> {
    this.assertOpen();
    if (this.#client) return this.#client;
    let sdk: typeof import('@azure/service-bus');
    try {
      sdk = await import('@azure/service-bus');
    } catch (cause) {
      throw new MissingDriverError(this.type, '@azure/service-bus', cause);
    }
    const options = { retryOptions: { ...this.config.retry } };
    if (this.config.connectionString) this.#client = new sdk.ServiceBusClient(this.config.connectionString, options);
    else {
      let identity: typeof import('@azure/identity');
      try {
        identity = await import('@azure/identity');
      } catch (cause) {
        throw new MissingDriverError(this.type, '@azure/identity', cause);
      }
      const c = this.config.credential!;
      const credential = c === 'default' ? new identity.DefaultAzureCredential() : new identity.ClientSecretCredential(c.tenantId, c.clientId, c.clientSecret);
      this.#client = new sdk.ServiceBusClient(this.config.fullyQualifiedNamespace!, credential, options);
    }
    return this.#client;
  }

  #endpoint(): { host: string; port: number } {
    if (this.config.connectionString) {
      const fields = Object.fromEntries(this.config.connectionString.split(';').map((p) => [p.slice(0, p.indexOf('=')).trim(), p.slice(p.indexOf('=') + 1).trim()]));
      const url = new URL(String(fields.Endpoint ?? '').replace(/^sb:/, 'http:'));
      return { host: url.hostname, port: url.port ? Number(url.port) : fields.UseDevelopmentEmulator === 'true' ? 5672 : 5671 };
    }
    return { host: this.config.fullyQualifiedNamespace!, port: 5671 };
  }

  protected override endpoints(): Endpoint[] {
    return [this.#endpoint()];
  }

  protected override healthTopic(): string | undefined {
    return this.config.queue;
  }

  #error(error: unknown, what: string, entity?: string): SparkleError {
    if (SparkleError.isInstance(error)) return error;
    const inner = error instanceof AggregateError && error.errors.length ? error.errors.at(-1) : error;
    const e = (inner ?? {}) as { name?: string; code?: string; message?: string; retryable?: boolean };
    const detail = `${e.code ?? e.name ?? 'Error'}: ${e.message ?? String(error)}`;
    const options = { connector: this.type, cause: error };
    if (/Unauthorized|InvalidSignature|401/.test(`${e.code} ${e.message}`)) {
      return new AuthenticationError(`${what}: Service Bus rejected the credentials (${detail}); check the connection string's SharedAccessKeyName/SharedAccessKey or the credential`, options);
    }
    if (/MessagingEntityNotFound|not-found|could not be found/.test(`${e.code} ${e.message}`)) {
      return new QueryError(`${what}: queue${entity ? ` '${entity}'` : ''} not found in ${this.#endpoint().host} (${detail}); create it or fix the name`, options);
    }
    if (/ServiceCommunication|ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET/.test(`${e.code} ${e.message}`)) {
      return new ConnectionFailedError(`${what}: cannot reach ${this.#endpoint().host}:${this.#endpoint().port} (${detail})`, { ...options, retryable: true });
    }
    return new QueryError(`${what} failed: ${detail}`, { ...options, retryable: Boolean(e.retryable) });
  }

  /** `queue`, or `topic/Subscriptions/name` for a topic subscription (reads only). */
  async #receiver(entity: string, mode: 'peekLock' | 'receiveAndDelete'): Promise<ServiceBusReceiver> {
    const bus = await this.bus();
    const sub = /^(.+)\/subscriptions\/([^/]+)$/i.exec(entity);
    return sub ? bus.createReceiver(sub[1]!, sub[2]!, { receiveMode: mode, maxAutoLockRenewalDurationInMs: 0, skipParsingBodyAsJson: true }) : bus.createReceiver(entity, { receiveMode: mode, maxAutoLockRenewalDurationInMs: 0, skipParsingBodyAsJson: true });
  }

  /** One partition; the queue is checked by a peek of one message (metadata only, nothing locked). */
  async describeTopic(topic: string, options: { signal?: AbortSignal } = {}): Promise<{ partitions: Array<{ id: string; earliest?: PartitionPosition; latest?: PartitionPosition }> }> {
    const receiver = await this.#receiver(topic, 'peekLock');
    try {
      const [first] = await receiver.peekMessages(1, { abortSignal: options.signal as never });
      return { partitions: [{ id: '0', ...(first?.sequenceNumber !== undefined ? { earliest: first.sequenceNumber.toString() } : {}) }] };
    } catch (error) {
      throw this.#error(error, `describe ${topic}`, topic);
    } finally {
      await receiver.close().catch(() => undefined);
    }
  }

  #message(record: ProducerRecord, index: number): ServiceBusMessage {
    const { body, properties } = recordToMessage(record, index, this.type);
    return {
      body: Buffer.from(body),
      ...(Object.keys(properties).length ? { applicationProperties: properties } : {}),
      ...(record.orderingKey ? { sessionId: record.orderingKey } : {}),
    };
  }

  /**
   * Sends records in `createMessageBatch`/`tryAddMessage` batches (sent when full or at
   * `batchSize`), one batch in flight. A message too large for an empty batch is an
   * `INVALID_ARGUMENT` error naming the record.
   */
  async produce(topic: string, records: Iterable<ProducerRecord> | AsyncIterable<ProducerRecord>, options: ProduceOptions = {}): Promise<ProduceResult> {
    const sender = (await this.bus()).createSender(topic);
    const max = options.batchSize ?? Infinity;
    let messages = 0;
    let bytes = 0;
    let pending = 0;
    try {
      let batch = await sender.createMessageBatch();
      const send = async () => {
        if (batch.count === 0) return;
        if (options.signal?.aborted) throw abortError(options.signal, `produce to ${topic}`, this.type);
        await sender.sendMessages(batch, { abortSignal: options.signal as never });
        messages += batch.count;
        bytes += pending;
        pending = 0;
        options.onProgress?.(messages, bytes);
        batch = await sender.createMessageBatch();
      };
      let index = 0;
      for await (const record of records) {
        const i = index++;
        const message = this.#message(record, i);
        if (batch.count >= max) await send();
        if (!batch.tryAddMessage(message)) {
          await send();
          if (!batch.tryAddMessage(message)) throw new InvalidArgumentError(`record ${i} does not fit in a Service Bus batch (at most ${batch.maxSizeInBytes} bytes)`, { connector: this.type, details: { record: i } });
        }
        pending += (message.body as Buffer).byteLength;
      }
      await send();
      return { messages, bytes };
    } catch (error) {
      if (options.signal?.aborted) throw abortError(options.signal, `produce to ${topic}`, this.type);
      throw this.#error(error, `send to ${topic}`, topic);
    } finally {
      await sender.close().catch(() => undefined);
    }
  }

  #read(topic: string, m: ServiceBusReceivedMessage): StreamMessage {
    const { key, value, headers, timestamp } = messageToRecord(m.applicationProperties as Record<string, unknown> | undefined, m.body);
    const at = timestamp ?? m.enqueuedTimeUtc;
    return {
      topic,
      partition: '0',
      ...(m.sequenceNumber !== undefined ? { position: m.sequenceNumber.toString() } : {}),
      key: key ?? null,
      value,
      headers,
      ...(at ? { timestamp: at } : {}),
    };
  }


  /**
   * A bounded read by **peeking** (nothing is locked or removed): from the first message, or
   * from a sequence number (inclusive), up to `to` (a sequence number, exclusive) or the end,
   * or `maxMessages`. Timestamps are refused (Service Bus peeks by sequence number only).
   */
  async *consumeRange(topic: string, options: ConsumeRangeOptions = {}): AsyncIterable<StreamMessage> {
    const from = options.from ?? 'earliest';
    const to = options.to ?? 'latest';
    if ((typeof from === 'object' && 'timestamp' in from) || (typeof to === 'object' && 'timestamp' in to) || from === 'latest') {
      throw new UnsupportedOperationError(`Service Bus reads by sequence number: from must be 'earliest' or a position, to 'latest' or a position`, { connector: this.type });
    }
    if (options.partitions && !options.partitions.includes('0')) return;
    const { default: Long } = (await import('long')) as { default: typeof import('long').default };
    let next = typeof from === 'object' && from.positions['0'] !== undefined ? BigInt(from.positions['0']) : 0n;
    const end = typeof to === 'object' && to.positions['0'] !== undefined ? BigInt(to.positions['0']) : undefined;
    const max = options.maxMessages ?? Infinity;
    let count = 0;
    const receiver = await this.#receiver(topic, 'peekLock');
    try {
      while (count < max) {
        if (options.signal?.aborted) throw abortError(options.signal, `read of ${topic}`, this.type);
        let page: ServiceBusReceivedMessage[];
        try {
          page = await receiver.peekMessages(Math.min(100, max - count), { fromSequenceNumber: Long.fromString(next.toString()), abortSignal: options.signal as never });
        } catch (error) {
          throw this.#error(error, `peek ${topic}`, topic);
        }
        if (!page.length) return;
        for (const m of page) {
          const seq = BigInt(m.sequenceNumber!.toString());
          if (end !== undefined && seq >= end) return;
          yield this.#read(topic, m);
          next = seq + 1n;
          if (++count >= max) return;
        }
      }
    } finally {
      await receiver.close().catch(() => undefined);
    }
  }

  /**
   * Peek-lock deliveries: `ack()` completes, `nack()` abandons, `deadLetter()` dead-letters.
   * What is still unsettled when the loop ends (break, abort, error) can still be acknowledged
   * until the next subscription of the queue starts (or the connection closes), which abandons
   * it, so it is redelivered at once. Locks are not renewed automatically: settle within the queue's lock
   * duration. `group` names the run in lineage (a queue has one set of competing consumers; read
   * a topic subscription as `topic/Subscriptions/<name>`).
   */
  protected async *openSubscription(topic: string, options: SubscribeOptions): AsyncIterable<ServicebusDelivery> {
    await this.#release(topic);
    const receiver = await this.#receiver(topic, 'peekLock');
    const signal = options.signal;
    const unsettled = new Set<ServiceBusReceivedMessage>();
    const maxUnacked = options.maxUnacked ?? 100;
    try {
      while (true) {
        if (signal?.aborted) throw abortError(signal, `subscription to ${topic}`, this.type);
        const room = maxUnacked - unsettled.size;
        if (room <= 0) {
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        let batch: ServiceBusReceivedMessage[];
        try {
          batch = await receiver.receiveMessages(Math.min(room, 100), { maxWaitTimeInMs: this.config.maxWaitTimeInMs, abortSignal: signal as never });
        } catch (error) {
          if (signal?.aborted) throw abortError(signal, `subscription to ${topic}`, this.type);
          throw this.#error(error, `receive from ${topic}`, topic);
        }
        for (const m of batch) unsettled.add(m);
        for (const m of batch) {
          if (signal?.aborted) throw abortError(signal, `subscription to ${topic}`, this.type);
          let settled: Promise<void> | undefined;
          const settle = (how: () => Promise<void>) =>
            (settled ??= (async () => {
              unsettled.delete(m);
              try {
                await how();
              } catch (error) {
                throw this.#error(error, `settle a message of ${topic}`, topic);
              }
            })());
          yield {
            ...this.#read(topic, m),
            ack: () => settle(() => receiver.completeMessage(m)),
            nack: () => settle(() => receiver.abandonMessage(m)),
            deadLetter: (reason?: string) => settle(() => receiver.deadLetterMessage(m, reason ? { deadLetterReason: reason, deadLetterErrorDescription: reason } : undefined)),
          };
        }
      }
    } finally {
      // Settling needs this receiver's link: park it with what is unsettled (see #parked).
      if (this.closed) await receiver.close().catch(() => undefined);
      else this.#parked.set(topic, [...(this.#parked.get(topic) ?? []), { receiver, unsettled }]);
    }
  }
}
