/**
 * `SqsConnection`: Amazon SQS queues as streams, on `@aws-sdk/client-sqs`. `StreamingConnection`
 * owns the shared behaviour (a queue as a table in Spark's Kafka layout for the local engine,
 * append-only writes, STREAMING lineage for subscriptions, the describe health probe); this class
 * maps it onto SQS:
 *
 * - a queue is one partition (`"0"`); FIFO queues give each message a position (its
 *   SequenceNumber, utf8 — it exceeds 2^64), standard queues none;
 * - produce sends SendMessageBatch groups (≤ 10 entries, ≤ 256 KiB) and retries failed entries;
 *   key, headers and the record timestamp travel as message attributes (`sparkle.key`,
 *   user headers, `sparkle.timestamp`); a value that is not SQS-legal text goes base64-encoded
 *   with `sparkle.body=base64`;
 * - a bounded read receives (long poll) until the queue answers empty or `maxMessages`, then
 *   makes what it received visible again (a peek; `boundedRead: 'delete'` drains instead);
 * - a subscription deletes a message on `ack()`, makes it visible on `nack()`, extends the
 *   visibility of what it holds unacknowledged, and returns all of it to the queue when it ends.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type {
  ChangeMessageVisibilityBatchRequestEntry,
  Message,
  MessageAttributeValue,
  SendMessageBatchRequestEntry,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  awsClientOptions,
  awsConfigShape,
  awsEndpoint,
  awsError,
  abortError,
  InvalidArgumentError,
  MissingDriverError,
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
  type StreamLayout,
  type StreamMessage,
  type SubscribeOptions,
  payloadBytes,
  SparkleError,
} from '@sparkle/core';
import { batchesOf, sendWithRetries, SQS_MAX_BATCH_BYTES, type OutgoingEntry } from './batching.js';

/** Config of the `sqs` connection. */
export const sqsConfigSchema = z.looseObject({
  ...awsConfigShape,
  /** The queue `check()` describes and the default of `readTable()`/`produce()` callers: a name or a queue URL. */
  queue: z.string().min(1).optional(),
  /** A queue URL (takes precedence for the queue it names; saves a GetQueueUrl call). */
  queueUrl: z.url().optional(),
  /** Whether `produce` creates a missing queue (`.fifo` names as FIFO queues). Default false. */
  createQueues: z.boolean().default(false),
  /** Long-poll wait of a subscription's ReceiveMessage, seconds (0–20). Default 20. */
  waitTimeSeconds: z.coerce.number().int().min(0).max(20).default(20),
  /** Long-poll wait of a bounded read: it ends when a receive waited this long for nothing. Default 1. */
  readWaitSeconds: z.coerce.number().int().min(0).max(20).default(1),
  /** Visibility timeout of received messages, seconds; subscriptions extend it while a message is unacknowledged. Default 30. */
  visibilityTimeout: z.coerce.number().int().min(1).max(43_200).default(30),
  /** What a bounded read leaves behind: `peek` returns every message to the queue, `delete` removes what it read. Default `peek`. */
  boundedRead: z.enum(['peek', 'delete']).default('peek'),
  /** FIFO: the MessageGroupId of a record with neither `orderingKey` nor key. Default `default`. */
  fifoGroupId: z.string().min(1).max(128).default('default'),
  /** FIFO: `generated` sends a MessageDeduplicationId per record (kept across retries); `content` leaves it to the queue's content-based deduplication. */
  deduplication: z.enum(['generated', 'content']).default('generated'),
});

export type SqsConfig = z.output<typeof sqsConfigSchema>;

/** Message attributes Sparkle uses to carry what SQS has no field for. */
export const SQS_KEY_ATTRIBUTE = 'sparkle.key';
export const SQS_TIMESTAMP_ATTRIBUTE = 'sparkle.timestamp';
export const SQS_BODY_ATTRIBUTE = 'sparkle.body';
const RESERVED = new Set([SQS_KEY_ATTRIBUTE, SQS_TIMESTAMP_ATTRIBUTE, SQS_BODY_ATTRIBUTE]);
/** SQS allows 10 message attributes per message. */
const MAX_ATTRIBUTES = 10;
/** Characters SQS accepts in a message body and a String attribute (its XML subset). */
const SQS_TEXT = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
const ATTRIBUTE_NAME = /^(?!aws\.|amazon\.)(?!.*\.\.)(?!\.)[A-Za-z0-9_.-]{1,256}(?<!\.)$/i;
const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** Text when the bytes are UTF-8 that SQS may carry as a String; otherwise undefined. */
function sqsText(bytes: Uint8Array): string | undefined {
  try {
    const text = decoder.decode(bytes);
    return text.length && SQS_TEXT.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

/** Attributes the queue reports in `describeQueue` (GetQueueAttributes `All`). */
export type SqsQueueAttributes = Record<string, string>;

interface Held {
  message: Message;
  acked: boolean;
}

/**
 * The `sqs` connection (alias `aws_sqs`).
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import { SqsConnection } from '@sparkle/connector-sqs';
 *
 * await using sqs = await getConnection<SqsConnection>('sqs', { config: { region: 'us-east-1', queue: 'orders' } });
 * await sqs.produce('orders', [{ key: 'k1', value: '{"id":1}', headers: { source: 'web' } }]);
 * for await (const m of sqs.subscribe('orders', { group: 'billing' })) {
 *   console.log(new TextDecoder().decode(m.value!));
 *   await m.ack(); // deletes the message
 * }
 * ```
 */
export class SqsConnection extends StreamingConnection<SqsConfig> {
  static override schema: z.ZodType = sqsConfigSchema;
  static override family = 'streaming';
  static override description = 'Amazon SQS queues (produce, bounded reads into Arrow, subscriptions with delete-on-ack)';
  #client: SQSClient | undefined;
  #sdk: typeof import('@aws-sdk/client-sqs') | undefined;
  readonly #urls = new Map<string, string>();

  constructor(init: ConnectionInit) {
    super(init);
    this.onClose(() => this.#client?.destroy());
  }

  /** The SDK client (created on first use). */
  protected async sqs(): Promise<{ client: SQSClient; sdk: typeof import('@aws-sdk/client-sqs') }> {
    this.assertOpen();
    if (!this.#sdk) {
      try {
        this.#sdk = await import('@aws-sdk/client-sqs');
      } catch (cause) {
        throw new MissingDriverError(this.type, '@aws-sdk/client-sqs', cause);
      }
    }
    this.#client ??= new this.#sdk.SQSClient(awsClientOptions(this.config));
    return { client: this.#client, sdk: this.#sdk };
  }

  /** One partition per queue; FIFO sequence numbers are wider than int64. */
  protected override streamLayout(): StreamLayout {
    return { partition: 'int32', position: 'utf8' };
  }

  protected override endpoints(): Endpoint[] {
    return [awsEndpoint(this.config, 'sqs')];
  }

  protected override healthTopic(): string | undefined {
    return this.config.queue ?? this.config.queueUrl;
  }

  /** Authentication tier: a ListQueues call of at most one queue (signed, metadata only). */
  protected override async checkAuth(signal: AbortSignal): Promise<string> {
    const { client, sdk } = await this.sqs();
    try {
      await client.send(new sdk.ListQueuesCommand({ MaxResults: 1 }), { abortSignal: signal });
    } catch (error) {
      throw this.#error(error, 'ListQueues');
    }
    return `authenticated in ${this.config.region}`;
  }

  #error(error: unknown, what: string, queue?: string): SparkleError {
    if (SparkleError.isInstance(error)) return error;
    return awsError(this.type, error, what, queue ? {
      match: /QueueDoesNotExist|NonExistentQueue|AWS\.SimpleQueueService\.NonExistentQueue/,
      message: `SQS queue '${queue}' does not exist in ${this.config.region}${this.config.endpoint ? ` at ${this.config.endpoint}` : ''}; create it, fix the name, or set createQueues: true`,
    } : undefined);
  }

  #isFifo(queue: string): boolean {
    return queue.endsWith('.fifo');
  }

  /** The URL of a queue given by name or URL (GetQueueUrl once per name, or created when `create`). */
  async queueUrl(queue: string, options: { create?: boolean; signal?: AbortSignal } = {}): Promise<string> {
    if (/^https?:\/\//.test(queue)) return queue;
    const cached = this.#urls.get(queue);
    if (cached) return cached;
    if (this.config.queueUrl && this.config.queueUrl.replace(/\/$/, '').endsWith(`/${queue}`)) {
      this.#urls.set(queue, this.config.queueUrl);
      return this.config.queueUrl;
    }
    const { client, sdk } = await this.sqs();
    try {
      const { QueueUrl } = await client.send(new sdk.GetQueueUrlCommand({ QueueName: queue }), { abortSignal: options.signal });
      this.#urls.set(queue, QueueUrl!);
      return QueueUrl!;
    } catch (error) {
      if (options.create && /QueueDoesNotExist|NonExistentQueue/.test((error as Error).name ?? '')) return this.createQueue(queue);
      throw this.#error(error, `GetQueueUrl ${queue}`, queue);
    }
  }

  /**
   * Creates a queue (idempotent for equal attributes); names ending in `.fifo` become FIFO queues.
   * @example
   * ```ts
   * // @readme-fragment
   * await sqs.createQueue('orders.fifo', { ContentBasedDeduplication: 'true' });
   * ```
   */
  async createQueue(name: string, attributes: Record<string, string> = {}): Promise<string> {
    const { client, sdk } = await this.sqs();
    try {
      const { QueueUrl } = await client.send(
        new sdk.CreateQueueCommand({ QueueName: name, Attributes: { ...(this.#isFifo(name) ? { FifoQueue: 'true' } : {}), ...attributes } }),
      );
      this.#urls.set(name, QueueUrl!);
      return QueueUrl!;
    } catch (error) {
      throw this.#error(error, `CreateQueue ${name}`);
    }
  }

  /** Every attribute of a queue: `ApproximateNumberOfMessages`, `…NotVisible`, `…Delayed`, `FifoQueue`, `VisibilityTimeout`, … */
  async describeQueue(queue: string, options: { signal?: AbortSignal } = {}): Promise<SqsQueueAttributes> {
    const url = await this.queueUrl(queue, options);
    const { client, sdk } = await this.sqs();
    try {
      const { Attributes } = await client.send(new sdk.GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }), { abortSignal: options.signal });
      return Attributes ?? {};
    } catch (error) {
      throw this.#error(error, `GetQueueAttributes ${queue}`, queue);
    }
  }

  /** One partition (`"0"`); the queue's attributes are read, so a missing queue fails here. No positions: a queue has no offsets. */
  async describeTopic(topic: string, options: { signal?: AbortSignal } = {}): Promise<{ partitions: Array<{ id: string; earliest?: PartitionPosition; latest?: PartitionPosition }> }> {
    await this.describeQueue(topic, options);
    return { partitions: [{ id: '0' }] };
  }

  // -------------------------------------------------------------------------------------------
  // Produce
  // -------------------------------------------------------------------------------------------

  #entry(queue: string, record: ProducerRecord, index: number): OutgoingEntry {
    const attributes: Record<string, MessageAttributeValue> = {};
    const attribute = (name: string, bytes: Uint8Array) => {
      const text = sqsText(bytes);
      attributes[name] = text !== undefined ? { DataType: 'String', StringValue: text } : { DataType: 'Binary', BinaryValue: bytes };
    };
    for (const [name, value] of Object.entries(record.headers ?? {})) {
      if (RESERVED.has(name)) throw new InvalidArgumentError(`record ${index}: header '${name}' is reserved by the sqs connector`, { connector: this.type });
      if (!ATTRIBUTE_NAME.test(name)) {
        throw new InvalidArgumentError(`record ${index}: header '${name}' is not a valid SQS message attribute name (letters, digits, '_', '-', '.'; no leading/trailing or double '.', not 'AWS.'/'Amazon.')`, { connector: this.type });
      }
      const bytes = payloadBytes(value)!;
      if (bytes.byteLength === 0) throw new InvalidArgumentError(`record ${index}: header '${name}' is empty; SQS attribute values must not be empty`, { connector: this.type });
      attribute(name, bytes);
    }
    const key = payloadBytes(record.key);
    if (key && key.byteLength) attribute(SQS_KEY_ATTRIBUTE, key);
    if (record.timestamp) attributes[SQS_TIMESTAMP_ATTRIBUTE] = { DataType: 'Number', StringValue: String(record.timestamp.getTime()) };
    const value = payloadBytes(record.value);
    let body: string;
    if (value === null) {
      body = '-';
      attributes[SQS_BODY_ATTRIBUTE] = { DataType: 'String', StringValue: 'null' };
    } else {
      const text = sqsText(value);
      if (text !== undefined) body = text;
      else {
        body = Buffer.from(value).toString('base64') || '-';
        attributes[SQS_BODY_ATTRIBUTE] = { DataType: 'String', StringValue: value.byteLength ? 'base64' : 'empty' };
      }
    }
    if (Object.keys(attributes).length > MAX_ATTRIBUTES) {
      throw new InvalidArgumentError(`record ${index}: ${Object.keys(attributes).length} message attributes (headers plus key/timestamp/encoding markers) exceed SQS's ${MAX_ATTRIBUTES}; send fewer headers`, { connector: this.type });
    }
    let size = encoder.encode(body).byteLength;
    for (const [name, a] of Object.entries(attributes)) size += name.length + a.DataType!.length + (a.StringValue !== undefined ? encoder.encode(a.StringValue).byteLength : a.BinaryValue!.byteLength);
    if (size > SQS_MAX_BATCH_BYTES) {
      throw new InvalidArgumentError(`record ${index} is ${size} bytes with its attributes; SQS takes at most ${SQS_MAX_BATCH_BYTES} (256 KiB) per message — store the payload elsewhere (S3) and send a reference`, {
        connector: this.type,
        details: { record: index, bytes: size },
      });
    }
    const id = String(index);
    const entry: SendMessageBatchRequestEntry = { Id: id, MessageBody: body, ...(Object.keys(attributes).length ? { MessageAttributes: attributes } : {}) };
    if (this.#isFifo(queue)) {
      entry.MessageGroupId = record.orderingKey ?? (key && sqsText(key)) ?? this.config.fifoGroupId;
      if (this.config.deduplication === 'generated') entry.MessageDeduplicationId = randomUUID();
    } else if (record.orderingKey) {
      throw new InvalidArgumentError(`record ${index}: orderingKey (MessageGroupId) needs a FIFO queue (a name ending in .fifo); '${queue}' is a standard queue`, { connector: this.type });
    }
    return { id, index, size, entry };
  }

  /**
   * Sends records in SendMessageBatch groups (≤ 10, ≤ 256 KiB), one group in flight at a time
   * (backpressure: the records iterator is pulled only as groups complete). Entries SQS fails
   * with a server fault or throttling are resent; a sender fault is a `WriteError` naming the
   * record. FIFO queues: MessageGroupId is the record's `orderingKey`, else its key, else
   * `fifoGroupId`; positions returned are the last SequenceNumber.
   */
  async produce(topic: string, records: Iterable<ProducerRecord> | AsyncIterable<ProducerRecord>, options: ProduceOptions = {}): Promise<ProduceResult> {
    const url = await this.queueUrl(topic, { create: this.config.createQueues, ...(options.signal ? { signal: options.signal } : {}) });
    const { client, sdk } = await this.sqs();
    const maxEntries = Math.max(1, Math.min(10, options.batchSize ?? 10));
    let messages = 0;
    let bytes = 0;
    let lastSequence: string | undefined;
    let index = 0;
    let group: OutgoingEntry[] = [];
    const flush = async (entries: OutgoingEntry[]) => {
      for (const batch of batchesOf(entries, maxEntries)) {
        if (options.signal?.aborted) throw abortError(options.signal, `produce to ${topic}`, this.type);
        const sent = await sendWithRetries(
          batch,
          async (pending) => {
            try {
              const out = await client.send(new sdk.SendMessageBatchCommand({ QueueUrl: url, Entries: pending.map((e) => e.entry as SendMessageBatchRequestEntry) }), {
                abortSignal: options.signal,
              });
              return {
                successful: (out.Successful ?? []).map((s) => ({ id: s.Id!, ...(s.SequenceNumber ? { sequenceNumber: s.SequenceNumber } : {}) })),
                failed: (out.Failed ?? []).map((f) => ({ id: f.Id!, code: f.Code, message: f.Message, senderFault: f.SenderFault })),
              };
            } catch (error) {
              if (options.signal?.aborted) throw abortError(options.signal, `produce to ${topic}`, this.type);
              throw this.#error(error, `SendMessageBatch to ${topic}`, topic);
            }
          },
          { connector: this.type, queue: topic, ...(options.signal ? { signal: options.signal } : {}) },
        );
        for (const e of batch) {
          messages++;
          bytes += e.size;
          const seq = sent.get(e.id);
          if (seq) lastSequence = seq;
        }
        options.onProgress?.(messages, bytes);
      }
    };
    let groupBytes = 0;
    for await (const record of records) {
      const entry = this.#entry(topic, record, index++);
      // Batch entry ids are unique per request only; the record index keeps them readable.
      group.push(entry);
      groupBytes += entry.size;
      if (group.length >= maxEntries || groupBytes >= SQS_MAX_BATCH_BYTES) {
        // Keep the last entry if it would overflow the batch: batchesOf splits it out.
        await flush(group);
        group = [];
        groupBytes = 0;
      }
    }
    if (group.length) await flush(group);
    return { messages, bytes, ...(lastSequence ? { positions: { '0': lastSequence } } : {}) };
  }

  // -------------------------------------------------------------------------------------------
  // Consume
  // -------------------------------------------------------------------------------------------

  #message(topic: string, m: Message): StreamMessage {
    const attrs = m.MessageAttributes ?? {};
    const bytesOf = (a: MessageAttributeValue | undefined): Uint8Array | null =>
      a === undefined ? null : a.BinaryValue !== undefined ? new Uint8Array(a.BinaryValue) : encoder.encode(a.StringValue ?? '');
    const headers: Record<string, Uint8Array> = {};
    for (const [name, a] of Object.entries(attrs)) if (!RESERVED.has(name)) headers[name] = bytesOf(a)!;
    const marker = attrs[SQS_BODY_ATTRIBUTE]?.StringValue;
    const body = m.Body ?? '';
    const value = marker === 'null' ? null : marker === 'empty' ? new Uint8Array() : marker === 'base64' ? new Uint8Array(Buffer.from(body, 'base64')) : encoder.encode(body);
    const produced = attrs[SQS_TIMESTAMP_ATTRIBUTE]?.StringValue;
    const sent = m.Attributes?.SentTimestamp;
    const at = produced ?? sent;
    const sequence = m.Attributes?.SequenceNumber;
    return {
      topic,
      partition: '0',
      ...(sequence ? { position: sequence } : {}),
      key: bytesOf(attrs[SQS_KEY_ATTRIBUTE]),
      value,
      headers,
      ...(at ? { timestamp: new Date(Number(at)) } : {}),
    };
  }

  async #receive(url: string, topic: string, max: number, wait: number, signal: AbortSignal | undefined): Promise<Message[]> {
    const { client, sdk } = await this.sqs();
    try {
      const out = await client.send(
        new sdk.ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: Math.max(1, Math.min(10, max)),
          WaitTimeSeconds: wait,
          VisibilityTimeout: this.config.visibilityTimeout,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
        { abortSignal: signal },
      );
      return out.Messages ?? [];
    } catch (error) {
      if (signal?.aborted) throw abortError(signal, `receive from ${topic}`, this.type);
      throw this.#error(error, `ReceiveMessage from ${topic}`, topic);
    }
  }

  /** Sets the visibility timeout of messages (0 returns them to the queue), ten per request. */
  async #changeVisibility(url: string, topic: string, messages: Message[], seconds: number): Promise<void> {
    if (!messages.length) return;
    const { client, sdk } = await this.sqs();
    for (let i = 0; i < messages.length; i += 10) {
      const entries: ChangeMessageVisibilityBatchRequestEntry[] = messages.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: seconds }));
      try {
        await client.send(new sdk.ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries: entries }));
      } catch (error) {
        throw this.#error(error, `ChangeMessageVisibilityBatch on ${topic}`, topic);
      }
    }
  }

  async #delete(url: string, topic: string, messages: Message[]): Promise<void> {
    const { client, sdk } = await this.sqs();
    for (let i = 0; i < messages.length; i += 10) {
      try {
        const out = await client.send(
          new sdk.DeleteMessageBatchCommand({ QueueUrl: url, Entries: messages.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle! })) }),
        );
        if (out.Failed?.length) throw new SparkleError('WRITE_FAILED', `SQS did not delete ${out.Failed.length} message(s) from '${topic}': ${out.Failed[0]!.Code}: ${out.Failed[0]!.Message ?? ''}`, { connector: this.type, retryable: !out.Failed[0]!.SenderFault });
      } catch (error) {
        throw this.#error(error, `DeleteMessageBatch on ${topic}`, topic);
      }
    }
  }

  /**
   * A bounded read: receives (long poll of `readWaitSeconds`) until a receive comes back empty
   * or `maxMessages` were read. A queue has no positions, so `from`/`to` other than
   * earliest/latest are refused. With `boundedRead: 'peek'` (default) every received message is
   * made visible again when the read ends; with `'delete'` the read deletes what it yielded.
   * A message seen twice (its visibility ran out during a slow read) is yielded once.
   */
  async *consumeRange(topic: string, options: ConsumeRangeOptions = {}): AsyncIterable<StreamMessage> {
    for (const [name, p] of [['from', options.from], ['to', options.to]] as const) {
      if (p !== undefined && p !== 'earliest' && p !== 'latest') {
        throw new UnsupportedOperationError(`SQS queues have no positions or timestamps to read from; '${name}' must be 'earliest' or 'latest' (omit startingOffsets/endingOffsets)`, { connector: this.type });
      }
    }
    if (options.partitions && !options.partitions.includes('0')) return;
    const url = await this.queueUrl(topic, options.signal ? { signal: options.signal } : {});
    const max = options.maxMessages ?? Infinity;
    const wait = options.idleTimeoutMs !== undefined ? Math.min(20, Math.ceil(options.idleTimeoutMs / 1000)) : this.config.readWaitSeconds;
    const received: Message[] = [];
    const seen = new Set<string>();
    let yielded = 0;
    try {
      while (yielded < max) {
        const batch = await this.#receive(url, topic, Math.min(10, max - yielded), wait, options.signal);

        if (!batch.length) break;
        received.push(...batch);
        for (const m of batch) {
          if (seen.has(m.MessageId!) || yielded >= max) continue;
          seen.add(m.MessageId!);
          if (options.signal?.aborted) throw abortError(options.signal, `read of ${topic}`, this.type);
          yielded++;
          yield this.#message(topic, m);
        }
      }
    } finally {
      if (this.config.boundedRead === 'delete') {
        const ids = new Set<string>();
        const read = received.filter((m) => seen.has(m.MessageId!) && !ids.has(m.MessageId!) && ids.add(m.MessageId!));
        const unread = received.filter((m) => !seen.has(m.MessageId!));
        await this.#delete(url, topic, read);
        await this.#changeVisibility(url, topic, unread, 0);
      } else {
        await this.#changeVisibility(url, topic, received, 0);
      }
    }
  }

  /**
   * Deliveries of a queue: `ack()` deletes the message, `nack()` makes it visible again. While a
   * message is held unacknowledged its visibility is extended (every half `visibilityTimeout`),
   * so slow processing does not hand it to another consumer; when the loop ends (break, abort,
   * error) everything unacknowledged goes back to the queue at once. SQS has no consumer groups:
   * `group` names the subscriber in lineage only, and every subscriber of a queue competes for
   * its messages.
   */
  protected async *openSubscription(topic: string, options: SubscribeOptions): AsyncIterable<StreamDelivery> {
    const url = await this.queueUrl(topic, options.signal ? { signal: options.signal } : {});
    const maxUnacked = options.maxUnacked ?? 100;
    const held = new Map<string, Held>();
    let wakeAck: (() => void) | undefined;
    const signal = options.signal;
    const extend = setInterval(
      () => {
        const messages = [...held.values()].filter((h) => !h.acked).map((h) => h.message);
        this.#changeVisibility(url, topic, messages, this.config.visibilityTimeout).catch(() => undefined);
      },
      Math.max(500, (this.config.visibilityTimeout * 1000) / 2),
    );
    extend.unref();
    const settle = (handle: string) => {
      held.delete(handle);
      wakeAck?.();
    };
    try {
      while (true) {
        if (signal?.aborted) throw abortError(signal, `subscription to ${topic}`, this.type);
        const room = maxUnacked - held.size;
        if (room <= 0) {
          await new Promise<void>((resolve) => {
            wakeAck = resolve;
            signal?.addEventListener('abort', () => resolve(), { once: true });
          });
          continue;
        }
        const batch = await this.#receive(url, topic, room, this.config.waitTimeSeconds, signal);
        for (const m of batch) held.set(m.ReceiptHandle!, { message: m, acked: false });
        for (const m of batch) {
          if (signal?.aborted) throw abortError(signal, `subscription to ${topic}`, this.type);
          const entry = held.get(m.ReceiptHandle!)!;
          let settled: Promise<void> | undefined;
          yield {
            ...this.#message(topic, m),
            ack: () =>
              (settled ??= (async () => {
                entry.acked = true;
                await this.#delete(url, topic, [m]);
                settle(m.ReceiptHandle!);
              })()),
            nack: () =>
              (settled ??= (async () => {
                entry.acked = true;
                await this.#changeVisibility(url, topic, [m], 0);
                settle(m.ReceiptHandle!);
              })()),
          };
        }
      }
    } finally {
      clearInterval(extend);
      const unacked = [...held.values()].filter((h) => !h.acked).map((h) => h.message);
      held.clear();
      if (!this.closed) await this.#changeVisibility(url, topic, unacked, 0).catch(() => undefined);
    }
  }
}
