/**
 * `RabbitMQConnection` (`rabbitmq`): RabbitMQ through amqplib (imported lazily), on the streaming
 * family base. A queue is one partition (`0`) without positions: bounded reads take messages
 * with `basic.get` (peeking by default, so the queue keeps them), subscriptions consume with a
 * prefetch and acknowledge per message, publishing uses publisher confirms. Spark has no RabbitMQ
 * source for queues, so the Spark side refuses and names the local path.
 */
import {
  HealthSkip,
  InvalidArgumentError,
  MissingDriverError,
  StreamingConnection,
  UnsupportedOperationError,
  WriteError,
  type ConnectionInit,
  type ConsumeRangeOptions,
  type DatasetRef,
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
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, GetMessage } from 'amqplib';
import { connectArguments, endpointOf, rabbitmqConfigSchema, vhostOf, type RabbitMQConfig } from './config.js';
import { rabbitError } from './errors.js';
import { toPublish, toStreamMessage } from './messages.js';

/** A delivery of a RabbitMQ subscription: `ack`, `nack` (requeue) and `deadLetter` (reject without requeue). */
export interface RabbitMQDelivery extends StreamDelivery {
  /** Rejects without requeue: the queue's dead-letter exchange gets it, if it has one; else it is dropped. */
  deadLetter(): Promise<void>;
}

/** `produce` options of RabbitMQ. */
export interface RabbitMQProduceOptions extends ProduceOptions {
  /** Routing key for an `exchange:<name>` target without one (default: each record's key as text). */
  routingKey?: string;
}

/** `consumeRange` options of RabbitMQ. */
export interface RabbitMQConsumeRangeOptions extends ConsumeRangeOptions {
  /** `peek` (default from config `boundedRead`): the queue keeps the messages; `remove`: they are acknowledged. */
  mode?: 'peek' | 'remove';
}

/** A queue as `discover()` lists it. */
export interface DiscoveredQueue {
  name: string;
  /** Ready messages (not counting unacknowledged ones), as the passive declare reports. */
  messages?: number;
  consumers?: number;
  /** The queue does not exist (only named queues are checked; AMQP cannot list queues). */
  missing?: true;
  columns: Array<{ name: string }>;
}

/** Where a publish goes: the default exchange with the queue as routing key, or a named exchange. */
function targetOf(target: string): { exchange: string; routingKey?: string; queue?: string } {
  if (!target.startsWith('exchange:')) return { exchange: '', queue: target, routingKey: target };
  const rest = target.slice('exchange:'.length);
  const slash = rest.indexOf('/');
  return slash === -1 ? { exchange: rest } : { exchange: rest.slice(0, slash), routingKey: rest.slice(slash + 1) };
}

/**
 * The `rabbitmq` connection.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import type { RabbitMQConnection } from '@sparkle/connector-rabbitmq';
 *
 * await using mq = await getConnection<RabbitMQConnection>('rabbitmq', { config: { url: 'amqp://app:${RABBITMQ_PASSWORD}@mq:5672/prod' } });
 * await mq.produce('orders', [{ key: 'o-1', value: '{"id":1}' }]);               // default exchange → queue 'orders'
 * await mq.produce('exchange:events/order.created', [{ value: '{"id":1}' }]);  // a named exchange and routing key
 * for await (const m of mq.subscribe('orders', { group: 'billing' })) { await m.ack(); }
 * ```
 */
export class RabbitMQConnection extends StreamingConnection<RabbitMQConfig> {
  static override schema = rabbitmqConfigSchema;
  static override family = 'streaming';
  static override description = 'RabbitMQ (amqplib): publish with confirms, bounded reads of queues into Arrow, subscriptions with ack/nack';

  #connection: Promise<ChannelModel> | undefined;
  /** Channels of ended subscriptions that still hold unacknowledged deliveries (see `ackGraceMs`). */
  readonly #lingering = new Map<string, Set<() => Promise<void>>>();

  constructor(init: ConnectionInit) {
    super(init);
    this.onClose(async () => {
      for (const set of this.#lingering.values()) for (const release of [...set]) await release();
      const connection = this.#connection;
      this.#connection = undefined;
      await (await connection?.catch(() => undefined))?.close().catch(() => undefined);
    });
  }

  #fail(what: string, write = false) {
    return (error: unknown) => rabbitError(error, this.type, what, this.secretValues(), write);
  }

  /** The AMQP connection (amqplib imported on first use), reopened after the broker closed it. */
  protected connection(): Promise<ChannelModel> {
    this.assertOpen();
    this.#connection ??= (async () => {
      let amqplib: typeof import('amqplib');
      try {
        amqplib = await import('amqplib');
      } catch (cause) {
        throw new MissingDriverError(this.type, 'amqplib', cause);
      }
      const { target, socket } = connectArguments(this.config);
      const connection = await amqplib.connect(target as string, socket);
      // A connection-level error is followed by 'close'; the next call reconnects.
      connection.on('error', () => undefined);
      connection.on('close', () => {
        this.#connection = undefined;
      });
      return connection;
    })().catch((error: unknown) => {
      this.#connection = undefined;
      throw error;
    });
    return this.#connection;
  }

  /** A fresh channel: AMQP closes a channel on any error, so each operation has its own. */
  async #channel<T extends 'plain' | 'confirm'>(kind: T): Promise<T extends 'confirm' ? ConfirmChannel : Channel> {
    const connection = await this.connection();
    const channel = kind === 'confirm' ? await connection.createConfirmChannel() : await connection.createChannel();
    channel.on('error', () => undefined);
    return channel as T extends 'confirm' ? ConfirmChannel : Channel;
  }

  // -------------------------------------------------------------------------------------------
  // Health and metadata
  // -------------------------------------------------------------------------------------------

  protected override endpoints(): Endpoint[] {
    const { host, port } = endpointOf(this.config);
    return [{ host, port }];
  }

  /** Opens the AMQP connection: the handshake authenticates and opens the vhost. */
  protected override async checkAuth(_signal: AbortSignal): Promise<string> {
    try {
      const connection = await this.connection();
      const server = (connection as unknown as { connection?: { serverProperties?: { product?: string; version?: string } } }).connection?.serverProperties;
      return `${server?.product ?? 'AMQP broker'} ${server?.version ?? ''}`.trim() + `, vhost ${vhostOf(this.config)}`;
    } catch (error) {
      throw this.#fail('connecting to RabbitMQ')(error);
    }
  }

  protected override healthTopic(): string | undefined {
    return this.config.queue;
  }

  protected override async checkProbe(_signal: AbortSignal): Promise<void | HealthSkip | string> {
    if (!this.config.queue) return new HealthSkip("no queue to describe (set 'queue' in the config)");
    const q = await this.describeQueue(this.config.queue);
    return `${q.queue}: ${q.messageCount} message(s), ${q.consumerCount} consumer(s)`;
  }

  protected override datasetForTopic(queue: string): DatasetRef {
    const { host, port, tls } = endpointOf(this.config);
    const vhost = vhostOf(this.config);
    return { namespace: `${tls ? 'amqps' : 'amqp'}://${host}:${port}${vhost === '/' ? '' : `/${encodeURIComponent(vhost)}`}`, name: queue };
  }

  /** Message and consumer counts of a queue (a passive declare: it must exist). */
  async describeQueue(queue: string): Promise<{ queue: string; messageCount: number; consumerCount: number }> {
    const channel = await this.#channel('plain').catch((error: unknown) => {
      throw this.#fail(`describing RabbitMQ queue '${queue}'`)(error);
    });
    try {
      return await channel.checkQueue(queue);
    } catch (error) {
      throw this.#fail(`describing RabbitMQ queue '${queue}'`)(error);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  /** A queue is one partition (`0`) without positions. */
  async describeTopic(queue: string, options: { signal?: AbortSignal } = {}): Promise<{ partitions: Array<{ id: string; earliest?: PartitionPosition; latest?: PartitionPosition }> }> {
    options.signal?.throwIfAborted();
    await this.describeQueue(queue);
    return { partitions: [{ id: '0' }] };
  }

  /**
   * The queues named in config `queues` (and `queue`), each checked with a passive declare. AMQP
   * 0-9-1 has no call that lists queues, and the management HTTP API is an optional plugin, so
   * only named queues are reported; a missing one is listed with `missing: true`.
   */
  async discover(options: { queues?: string[] } = {}): Promise<DiscoveredQueue[]> {
    const names = [...new Set([...(options.queues ?? this.config.queues), ...(this.config.queue && !options.queues ? [this.config.queue] : [])])];
    const columns = ['key', 'value', 'topic', 'partition', 'offset', 'timestamp', 'headers'].map((name) => ({ name }));
    const out: DiscoveredQueue[] = [];
    for (const name of names) {
      try {
        const q = await this.describeQueue(name);
        out.push({ name, messages: q.messageCount, consumers: q.consumerCount, columns });
      } catch (error) {
        if ((error as { details?: { notFound?: boolean } }).details?.notFound) out.push({ name, missing: true, columns });
        else throw error;
      }
    }
    return out;
  }

  /** Declares a queue (durable by default); an existing queue with the same settings is left as it is. */
  async createQueue(queue: string, options: { durable?: boolean; arguments?: Record<string, unknown> } = {}): Promise<void> {
    const channel = await this.#channel('plain');
    try {
      await channel.assertQueue(queue, { durable: options.durable ?? true, ...(options.arguments ? { arguments: options.arguments } : {}) });
    } catch (error) {
      throw this.#fail(`declaring RabbitMQ queue '${queue}'`)(error);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  /** Deletes a queue (and the messages in it). */
  async deleteQueue(queue: string): Promise<void> {
    const channel = await this.#channel('plain');
    try {
      await channel.deleteQueue(queue);
    } catch (error) {
      throw this.#fail(`deleting RabbitMQ queue '${queue}'`)(error);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Produce
  // -------------------------------------------------------------------------------------------

  /**
   * Publishes records to a queue (`target` = its name, through the default exchange) or an
   * exchange (`exchange:<name>/<routing key>`; without a routing key each record's key is used),
   * with publisher confirms: resolves when the broker confirmed every message. A nack is a
   * retryable `WriteError`; a message no queue took (mandatory flag returned) is a `WriteError`
   * with `details.unroutable`. Waits on the channel's `drain` (TCP backpressure) and after every
   * `batchSize` messages for their confirms, so memory stays bounded.
   */
  async produce(target: string, records: Iterable<ProducerRecord> | AsyncIterable<ProducerRecord>, options: RabbitMQProduceOptions = {}): Promise<ProduceResult> {
    const fail = this.#fail(`publishing to RabbitMQ ${target}`, true);
    const route = targetOf(target);
    const batchSize = options.batchSize ?? this.config.batchSize;
    let channel: ConfirmChannel;
    try {
      channel = await this.#channel('confirm');
      // Check the destination first: publishing to a missing exchange closes the channel, and a
      // missing queue would only show as returned messages.
      if (route.queue !== undefined) await channel.checkQueue(route.queue);
      else if (route.exchange !== '') await channel.checkExchange(route.exchange);
    } catch (error) {
      throw fail(error);
    }
    let returned: ConsumeMessage | undefined;
    channel.on('return', (message: ConsumeMessage) => {
      returned ??= message;
    });
    let closed: unknown;
    channel.on('close', () => {
      closed ??= new Error('the broker closed the channel');
    });
    channel.on('error', (error: unknown) => {
      closed = error;
    });
    let sent = 0;
    let sentBytes = 0;
    let confirmed = 0;
    let confirmedBytes = 0;
    const settle = async () => {
      if (sent === confirmed) return;
      try {
        await channel.waitForConfirms();
      } catch (error) {
        throw closed !== undefined
          ? fail(closed)
          : new WriteError(`publishing to RabbitMQ ${target} failed: the broker refused (nack) ${sent - confirmed > 1 ? 'some of the last ' + (sent - confirmed) + ' messages' : 'a message'}; they may be retried`, {
              connector: this.type,
              retryable: true,
              cause: error,
              details: { nack: true },
            });
      }
      if (returned) {
        const key = returned.fields.routingKey;
        throw new WriteError(`publishing to RabbitMQ ${target} failed: no queue took the message with routing key '${key}' (exchange '${returned.fields.exchange || '(default)'}' has no matching binding)`, {
          connector: this.type,
          retryable: false,
          details: { unroutable: true, routingKey: key },
        });
      }
      confirmed = sent;
      confirmedBytes = sentBytes;
      options.onProgress?.(confirmed, confirmedBytes);
    };
    try {
      let index = 0;
      for await (const record of records as AsyncIterable<ProducerRecord>) {
        options.signal?.throwIfAborted();
        if (closed !== undefined) throw fail(closed);
        if (record.partition !== undefined && record.partition !== '0') {
          throw new InvalidArgumentError(`record ${index}: a RabbitMQ queue has one partition ('0'); got '${record.partition}'`, { connector: this.type });
        }
        const { content, options: publish, bytes } = toPublish(record, this.config.persistent);
        const routingKey = route.routingKey ?? options.routingKey ?? (record.key === null || record.key === undefined ? '' : typeof record.key === 'string' ? record.key : new TextDecoder().decode(record.key));
        const room = channel.publish(route.exchange, routingKey, content, publish);
        sent++;
        sentBytes += bytes;
        index++;
        if (!room) await new Promise<void>((resolve) => channel.once('drain', resolve));
        if (sent - confirmed >= batchSize) await settle();
      }
      await settle();
      return { messages: confirmed, bytes: confirmedBytes };
    } catch (error) {
      throw fail(error);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Bounded reads
  // -------------------------------------------------------------------------------------------

  /**
   * Reads the messages in a queue when the read starts (or `maxMessages`) with `basic.get`, in
   * queue order. `peek` (default: config `boundedRead`) takes them unacknowledged and gives them
   * back when the read ends, so the queue keeps them (other consumers do not see them meanwhile,
   * and they come back marked redelivered); `remove` acknowledges each once the reader asks for
   * the next. A queue has no positions: `from`/`to` may only be `earliest`/`latest`.
   */
  async *consumeRange(queue: string, options: RabbitMQConsumeRangeOptions = {}): AsyncGenerator<StreamMessage> {
    const from = options.from ?? 'earliest';
    const to = options.to ?? 'latest';
    if ((from !== 'earliest' && from !== 'latest') || (to !== 'latest' && to !== 'earliest')) {
      throw new UnsupportedOperationError(`RabbitMQ queue '${queue}' has no positions or timestamps to read from; read it whole ('earliest' to 'latest') or cap it with maxMessages`, { connector: this.type });
    }
    if (options.partitions && options.partitions.some((p) => p !== '0')) {
      throw new InvalidArgumentError(`RabbitMQ queue '${queue}' has one partition ('0'); got ${options.partitions.join(', ')}`, { connector: this.type });
    }
    if (from === 'latest' || to === 'earliest') return;
    const mode = options.mode ?? this.config.boundedRead;
    const fail = this.#fail(`reading RabbitMQ queue '${queue}'`);
    let channel: Channel;
    let available: number;
    try {
      channel = await this.#channel('plain');
      // The count now bounds the read: it ends although producers keep publishing.
      available = (await channel.checkQueue(queue)).messageCount;
    } catch (error) {
      throw fail(error);
    }
    const limit = Math.min(available, options.maxMessages ?? Infinity);
    let previous: GetMessage | undefined;
    try {
      for (let n = 0; n < limit; n++) {
        options.signal?.throwIfAborted();
        if (previous && mode === 'remove') channel.ack(previous);
        const message = await channel.get(queue, { noAck: false });
        if (message === false) break;
        previous = message;
        yield toStreamMessage(queue, message);
      }
      if (previous && mode === 'remove') channel.ack(previous);
    } catch (error) {
      throw options.signal?.aborted ? options.signal.reason : fail(error);
    } finally {
      // Closing the channel gives every unacknowledged message back to the queue, in order.
      await channel.close().catch(() => undefined);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Subscriptions
  // -------------------------------------------------------------------------------------------

  /** Closes the channels of ended subscriptions of `queue`: their unacknowledged deliveries go back to the queue first. */
  async #release(queue: string): Promise<void> {
    for (const release of [...(this.#lingering.get(queue) ?? [])]) await release();
  }

  /**
   * Consumes with a prefetch of `maxUnacked` (default config `prefetch`); each delivery is
   * acknowledged by `ack()`, requeued by `nack()`, or dead-lettered by `deadLetter()`. `group`
   * names the consumer (its tag); competing subscribers of one queue share its messages.
   * `from` does not apply (a queue hands out what it holds). When the loop ends, deliveries not
   * yet handed out go back at once; handed-out ones not yet settled may still be acknowledged
   * for `ackGraceMs`, then (or when this connection subscribes to the queue again, or closes)
   * they go back to the queue.
   */
  protected async *openSubscription(queue: string, options: SubscribeOptions): AsyncGenerator<RabbitMQDelivery> {
    await this.#release(queue);
    const fail = this.#fail(`consuming RabbitMQ queue '${queue}'`);
    let channel: Channel;
    try {
      channel = await this.#channel('plain');
      await channel.checkQueue(queue);
      await channel.prefetch(options.maxUnacked ?? this.config.prefetch);
    } catch (error) {
      throw fail(error);
    }
    const buffer: ConsumeMessage[] = [];
    let failure: { error: unknown } | undefined;
    let wake: (() => void) | undefined;
    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    let open = true;
    channel.on('close', () => {
      open = false;
      failure ??= { error: new Error('the broker closed the channel') };
      notify();
    });
    channel.on('error', (error: unknown) => {
      failure = { error };
      notify();
    });
    const onAbort = () => notify();
    options.signal?.addEventListener('abort', onAbort);
    const unsettled = new Set<ConsumeMessage>();
    let consumerTag: string | undefined;
    try {
      const consumer = await channel.consume(
        queue,
        (message) => {
          if (message === null) failure ??= { error: new Error(`the broker cancelled the consumer (queue '${queue}' was deleted)`) };
          else buffer.push(message);
          notify();
        },
        { noAck: false, consumerTag: `${options.group}-${Math.random().toString(36).slice(2, 10)}` },
      );
      consumerTag = consumer.consumerTag;
      for (;;) {
        if (options.signal?.aborted || this.closed) return;
        const message = buffer.shift();
        if (message) {
          unsettled.add(message);
          const settle = (action: () => void) => async () => {
            if (!unsettled.delete(message)) return;
            if (!open) throw new InvalidArgumentError(`the channel of this delivery is closed (it went back to queue '${queue}'); it will be delivered again`, { connector: this.type });
            action();
          };
          yield {
            ...toStreamMessage(queue, message),
            ack: settle(() => channel.ack(message)),
            nack: settle(() => channel.nack(message, false, true)),
            deadLetter: settle(() => channel.nack(message, false, false)),
          };
          continue;
        }
        if (failure) throw fail(failure.error);
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    } catch (error) {
      throw fail(error);
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      if (open && consumerTag) await channel.cancel(consumerTag).catch(() => undefined);
      // Fetched but never handed out: back to the queue now.
      for (const message of buffer.splice(0)) if (open) channel.nack(message, false, true);
      await this.#linger(queue, channel, unsettled, () => open);
    }
  }

  /** Keeps a finished subscription's channel while handed-out deliveries may still be settled. */
  async #linger(queue: string, channel: Channel, unsettled: Set<ConsumeMessage>, isOpen: () => boolean): Promise<void> {
    if (!isOpen()) return;
    if (unsettled.size === 0 || this.config.ackGraceMs === 0) {
      await channel.close().catch(() => undefined);
      return;
    }
    let set = this.#lingering.get(queue);
    if (!set) this.#lingering.set(queue, (set = new Set()));
    const lingering = set;
    let timer: NodeJS.Timeout | undefined;
    const release = async () => {
      if (!lingering.delete(release)) return;
      clearTimeout(timer);
      // Still-unsettled deliveries go back to the queue; a later ack() of one is refused (its channel is gone).
      await channel.close().catch(() => undefined);
    };
    lingering.add(release);
    timer = setTimeout(() => void release(), this.config.ackGraceMs);
    timer.unref();
  }

  // -------------------------------------------------------------------------------------------
  // Spark
  // -------------------------------------------------------------------------------------------

  /**
   * Refuses: Spark has no maintained source for RabbitMQ queues (only the community
   * `rabbitmq_streams` connector, for the Streams plugin). Read without `spark` (bounded, into
   * Arrow) and hand the frame to Spark.
   */
  sparkRead(queue: string, _options: ReadTableOptions): SparkReadSpec {
    throw new UnsupportedOperationError(
      `rabbitmq: Spark has no data source for RabbitMQ queues, so '${queue}' cannot be read by Spark directly. Open the connection without 'spark', read it into Arrow (readTable: a bounded read), and hand that frame to Spark (e.g. write it to a table Spark reads, or create a DataFrame from the Arrow batches)`,
      { connector: this.type },
    );
  }

  /** Refuses, as {@link sparkRead} does: write from the local engine instead. */
  sparkWrite(queue: string, _options: WriteTableOptions): SparkWriteSpec {
    throw new UnsupportedOperationError(
      `rabbitmq: Spark has no sink for RabbitMQ queues, so '${queue}' cannot be written by Spark. Collect the rows (Arrow) and write them with a connection opened without 'spark' (writeTable or produce)`,
      { connector: this.type },
    );
  }
}
