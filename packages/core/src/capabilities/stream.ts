/**
 * The stream capability: Kafka, Kinesis, Event Hubs, Pub/Sub, Pulsar, RabbitMQ, SQS and Service
 * Bus — shaped after kafkajs (producer.send with key/headers/partition, consumer groups with
 * commits after processing, per-partition offsets) and the cloud SDKs' equivalents (shard
 * sequence numbers, Event Hubs offsets/sequence numbers, Pub/Sub ack ids, SQS receipt handles).
 *
 * Reads end in Arrow through the engine with Spark's Kafka-source column layout (key, value,
 * topic, partition, offset, timestamp, headers), so `readTable('topic')` and `sparkle copy` work
 * for every stream; unbounded consumption is an async iterator with explicit acknowledgement.
 */

/** A value on the wire: bytes, or text (UTF-8 encoded on produce). */
export type StreamPayload = Uint8Array | string;

/** One message to produce. */
export interface ProducerRecord {
  key?: StreamPayload | null;
  value: StreamPayload | null;
  headers?: Record<string, StreamPayload>;
  /** Explicit partition/shard (Kafka partition number, Kinesis explicit hash key target, Event Hubs partition id). */
  partition?: string;
  /** Ordering key where the system has one (Pub/Sub ordering key, SQS FIFO group id, Service Bus session id). */
  orderingKey?: string;
  timestamp?: Date;
}

/**
 * A position in one partition, as the system writes it: a Kafka offset (`"42"`), a Kinesis
 * sequence number, an Event Hubs sequence number. Kept as a string: Kinesis sequence numbers
 * exceed 2^64.
 */
export type PartitionPosition = string;

/** Where a consumer starts or stops. */
export type StreamPosition =
  | 'earliest'
  | 'latest'
  /** Per-partition positions; a start position is inclusive, an end position exclusive. */
  | { positions: Record<string, PartitionPosition> }
  /** The first message at or after this time (Kafka offsetsForTimes, Kinesis AT_TIMESTAMP, Event Hubs enqueuedOn). */
  | { timestamp: Date };

/** One consumed message. */
export interface StreamMessage {
  topic: string;
  partition: string;
  /** The message's own position (offset / sequence number); absent for queues without one (SQS, RabbitMQ). */
  position?: PartitionPosition;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: Record<string, Uint8Array>;
  timestamp?: Date;
  /**
   * Fields of the system beyond the common ones (Pub/Sub's message id, publish time, ordering key,
   * delivery attempt), by column name; a bounded read puts them in the connection's extra columns.
   */
  extra?: Record<string, unknown>;
}

/** A consumed message of an unbounded subscription, acknowledged after processing. */
export interface StreamDelivery extends StreamMessage {
  /** Commits the offset / deletes the queue message / acks the Pub/Sub message. Idempotent. */
  ack(): Promise<void>;
  /** Gives the message back for redelivery (where the system can); otherwise a no-op. */
  nack?(): Promise<void>;
}

/** `produce` options. */
export interface ProduceOptions {
  /** Records per request (kafkajs batch, Kinesis PutRecords ≤ 500, SQS ≤ 10). */
  batchSize?: number;
  /** Unacknowledged bytes in flight before `produce` waits (bounded memory, backpressure). */
  maxInFlightBytes?: number;
  /** Idempotent / exactly-once producer where the system offers it (Kafka `idempotent`). */
  idempotent?: boolean;
  signal?: AbortSignal;
  onProgress?: (messages: number, bytes: number) => void;
}

/** What a finished `produce` reports. */
export interface ProduceResult {
  messages: number;
  bytes: number;
  /** Last position written per partition, where the system returns one. */
  positions?: Record<string, PartitionPosition>;
}

/** Bounded consume: a range of a topic, read once and finished (Spark's batch Kafka read). */
export interface ConsumeRangeOptions {
  /** Default `'earliest'`. */
  from?: StreamPosition;
  /** Default `'latest'` as of the call: the read ends at the end positions seen when it starts. */
  to?: StreamPosition;
  /** Stop after this many messages in total. */
  maxMessages?: number;
  /** Queues without positions (SQS, RabbitMQ, Service Bus) stop after this long without a message. */
  idleTimeoutMs?: number;
  /** Only these partitions. */
  partitions?: string[];
  signal?: AbortSignal;
}

/** Unbounded consume with a consumer group; positions are committed only by `ack()`. */
export interface SubscribeOptions {
  /** Consumer group / subscription / queue consumer name. */
  group: string;
  /** Where a group without committed positions starts. Default `'latest'`. */
  from?: 'earliest' | 'latest';
  /** Messages delivered but not yet acknowledged before the iterator waits. */
  maxUnacked?: number;
  signal?: AbortSignal;
}

/** The producing half of the stream capability (`stream_produce`). */
export interface StreamProducer {
  /** Sends records in order per partition; resolves when every record is acknowledged by the system. */
  produce(topic: string, records: Iterable<ProducerRecord> | AsyncIterable<ProducerRecord>, options?: ProduceOptions): Promise<ProduceResult>;
}

/** The consuming half of the stream capability (`stream_consume`). */
export interface StreamConsumer {
  /** Partitions (or shards) of a topic, with their current end positions when known. */
  describeTopic(topic: string, options?: { signal?: AbortSignal }): Promise<{ partitions: Array<{ id: string; earliest?: PartitionPosition; latest?: PartitionPosition }> }>;
  /** A bounded range, read once; the iterator ends at the range's end. */
  consumeRange(topic: string, options?: ConsumeRangeOptions): AsyncIterable<StreamMessage>;
  /** An unbounded subscription; breaking out of the loop or aborting leaves the group cleanly. */
  subscribe(topic: string, options: SubscribeOptions): AsyncIterable<StreamDelivery>;
}
