// Scaffolded by tools/generators/new-connector.ts (pnpm gen:connector). A starting point: this package owns it now.
/**
 * `ServicebusConnection`: Servicebus connection, a stream. `StreamingConnection` owns the shared behaviour —
 * topics as tables in Spark's Kafka layout for the local engine, bounded reads, append-only
 * writes, subscriptions with STREAMING lineage runs, the describe-topic health probe; this class
 * adds the system's client (produce, describe, read a range, subscribe with acks).
 */
import { z } from 'zod';
import {
  MissingDriverError,
  secret,
  StreamingConnection,
  UnsupportedOperationError,
  type ConnectionInit,
  type ConsumeRangeOptions,
  type Endpoint,
  type PartitionPosition,
  type ProduceOptions,
  type ProduceResult,
  type ProducerRecord,
  type StreamConsumer,
  type StreamDelivery,
  type StreamMessage,
  type StreamProducer,
  type SubscribeOptions,
} from '@sparkle/core';

/** Config of the `servicebus` connection. TODO: the real fields (brokers, client id, SASL/TLS); mark secrets with `secret()`. */
export const servicebusConfigSchema = z.looseObject({
  brokers: z.array(z.string().min(1)).default(['localhost']),
  user: z.string().optional(),
  password: secret(z.string()).optional(),
});

export type ServicebusConfig = z.output<typeof servicebusConfigSchema>;

/** What this connection needs from the system: the calls of the producer and consumer capabilities. */
export type ServicebusClient = StreamProducer & StreamConsumer;

/**
 * The `servicebus` connection.
 *
 * @example
 * ```ts
 * const conn = new ServicebusConnection({ type: 'servicebus', config: { brokers: ['localhost'] } });
 * await conn.produce('orders', [{ key: 'k1', value: '{"id":1}' }]);
 * for await (const m of conn.subscribe('orders', { group: 'billing' })) { console.log(m.position); await m.ack(); }
 * ```
 */
export class ServicebusConnection extends StreamingConnection<ServicebusConfig> {
  static override schema: z.ZodType = servicebusConfigSchema;
  static override family = 'streaming';
  static override description = 'Servicebus connection';
  readonly #client: ServicebusClient | undefined;

  /** `client` replaces the system's client (tests pass an in-memory stream). */
  constructor(init: ConnectionInit & { client?: ServicebusClient }) {
    super(init);
    this.#client = init.client;
  }

  /** The system's client. TODO: talk to the system here (its driver or HTTP API). */
  protected async client(): Promise<ServicebusClient> {
    if (this.#client) return this.#client;
    try {
      await import('@azure/service-bus'); // TODO: build the client from the driver
    } catch (cause) {
      throw new MissingDriverError(this.type, '@azure/service-bus', cause);
    }
    throw new UnsupportedOperationError(`${this.type}: the stream client is not implemented yet (src/connection.ts, client())`, { connector: this.type });
  }

  /** What the network tier of `check()` must reach: every `host:port` broker. */
  protected override endpoints(): Endpoint[] {
    return this.config.brokers.flatMap((broker) => {
      const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(broker);
      return match ? [{ host: match[1]!, port: Number(match[2]) }] : [];
    });
  }

  async produce(topic: string, records: Iterable<ProducerRecord> | AsyncIterable<ProducerRecord>, options?: ProduceOptions): Promise<ProduceResult> {
    return (await this.client()).produce(topic, records, options);
  }

  async describeTopic(topic: string, options?: { signal?: AbortSignal }): Promise<{ partitions: Array<{ id: string; earliest?: PartitionPosition; latest?: PartitionPosition }> }> {
    return (await this.client()).describeTopic(topic, options);
  }

  async *consumeRange(topic: string, options?: ConsumeRangeOptions): AsyncIterable<StreamMessage> {
    yield* (await this.client()).consumeRange(topic, options);
  }

  /** Deliveries for the base's `subscribe` (which adds lineage); acks go straight to the client. */
  protected async *openSubscription(topic: string, options: SubscribeOptions): AsyncIterable<StreamDelivery> {
    yield* (await this.client()).subscribe(topic, options);
  }
}
