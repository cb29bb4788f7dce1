/**
 * A stream record as a Pub/Sub message and back. Pub/Sub messages have data, string attributes
 * and an ordering key; core's `recordToMessage` carries what they have no field for (the record
 * key, its own timestamp, a null value, binary headers) in reserved `sparkle.*` attributes, here
 * all as strings (Pub/Sub attributes are `map<string, string>`).
 */
import { InvalidArgumentError, MESSAGE_PROPERTIES, messageToRecord, payloadBytes, recordToMessage, type ProducerRecord, type StreamMessage } from '@sparkle/core';

/** Pub/Sub's limit on one message (data, attributes and ordering key), bytes. */
export const PUBSUB_MAX_MESSAGE_BYTES = 10_000_000;
/** Pub/Sub's limits on attributes: 100 per message, keys up to 256 bytes, values up to 1024 bytes. */
const MAX_ATTRIBUTES = 100;
const MAX_ATTRIBUTE_KEY_BYTES = 256;
const MAX_ATTRIBUTE_VALUE_BYTES = 1024;
const MAX_ORDERING_KEY_BYTES = 1024;

const decoder = new TextDecoder('utf-8', { fatal: true });

/** A message ready to publish, with the bytes Pub/Sub counts against its limit. */
export interface OutgoingMessage {
  data: Buffer;
  attributes: Record<string, string>;
  orderingKey?: string;
  size: number;
}

/**
 * The Pub/Sub message of a record; refuses (naming the record) what Pub/Sub would refuse:
 * oversized messages and attributes, a message with neither data nor attributes.
 * @example
 * ```ts
 * const m = toPubsubMessage({ key: 'k1', value: '{"id":1}', headers: { source: 'web' } }, 0, 'pubsub', false);
 * // m.attributes: { source: 'web', 'sparkle.key': 'k1' }
 * ```
 */
export function toPubsubMessage(record: ProducerRecord, index: number, connector: string, orderingKeyFromKey: boolean): OutgoingMessage {
  const { body, properties } = recordToMessage(record, index, connector);
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(properties)) attributes[name] = String(value);
  let orderingKey = record.orderingKey;
  if (orderingKey === undefined && orderingKeyFromKey) {
    const key = payloadBytes(record.key);
    if (key) {
      try {
        orderingKey = decoder.decode(key);
      } catch {
        throw new InvalidArgumentError(`record ${index}: its key is not UTF-8 text, so it cannot be the ordering key (orderingKeyFromKey)`, { connector });
      }
    }
  }
  const entries = Object.entries(attributes);
  if (entries.length > MAX_ATTRIBUTES) throw new InvalidArgumentError(`record ${index}: ${entries.length} attributes (headers plus sparkle.* markers) exceed Pub/Sub's ${MAX_ATTRIBUTES}`, { connector });
  let size = body.byteLength + (orderingKey ? Buffer.byteLength(orderingKey) : 0);
  for (const [name, value] of entries) {
    const k = Buffer.byteLength(name);
    const v = Buffer.byteLength(value);
    if (k > MAX_ATTRIBUTE_KEY_BYTES) throw new InvalidArgumentError(`record ${index}: attribute name '${name.slice(0, 40)}…' is ${k} bytes; Pub/Sub allows ${MAX_ATTRIBUTE_KEY_BYTES}`, { connector });
    if (v > MAX_ATTRIBUTE_VALUE_BYTES) throw new InvalidArgumentError(`record ${index}: attribute '${name}' is ${v} bytes; Pub/Sub allows ${MAX_ATTRIBUTE_VALUE_BYTES} per value (put large values in the data)`, { connector });
    size += k + v;
  }
  if (orderingKey !== undefined && Buffer.byteLength(orderingKey) > MAX_ORDERING_KEY_BYTES) {
    throw new InvalidArgumentError(`record ${index}: its ordering key is longer than Pub/Sub's ${MAX_ORDERING_KEY_BYTES} bytes`, { connector });
  }
  if (size > PUBSUB_MAX_MESSAGE_BYTES) {
    throw new InvalidArgumentError(`record ${index} is ${size} bytes with its attributes; Pub/Sub takes at most ${PUBSUB_MAX_MESSAGE_BYTES} (10 MB) per message — store the payload elsewhere (GCS) and send a reference`, {
      connector,
      details: { record: index, bytes: size },
    });
  }
  if (body.byteLength === 0 && entries.length === 0) {
    throw new InvalidArgumentError(`record ${index} has an empty value and no headers; Pub/Sub refuses a message with neither data nor attributes`, { connector });
  }
  return { data: Buffer.from(body.buffer, body.byteOffset, body.byteLength), attributes, ...(orderingKey ? { orderingKey } : {}), size };
}

/** A received message as the gRPC client decodes it (`google.pubsub.v1.ReceivedMessage`). */
export interface ReceivedMessage {
  ackId?: string | null;
  deliveryAttempt?: number | null;
  message?: {
    data?: Uint8Array | string | null;
    attributes?: Record<string, string> | null;
    messageId?: string | null;
    publishTime?: { seconds?: number | string | { toString(): string } | null; nanos?: number | null } | null;
    orderingKey?: string | null;
  } | null;
}

/** A protobuf Timestamp as a Date (millisecond precision). */
export function timestampOf(t: { seconds?: number | string | { toString(): string } | null; nanos?: number | null } | null | undefined): Date | undefined {
  if (!t || t.seconds === undefined || t.seconds === null) return undefined;
  return new Date(Number(String(t.seconds)) * 1000 + Math.floor((t.nanos ?? 0) / 1e6));
}

/** The extra columns of a bounded read ({@link StreamMessage.extra}). */
export const PUBSUB_EXTRA_COLUMNS = [
  { name: 'message_id', type: 'utf8' },
  { name: 'publish_time', type: 'timestamp' },
  { name: 'ordering_key', type: 'utf8' },
  { name: 'delivery_attempt', type: 'int32' },
] as const;

/**
 * The stream message of a received Pub/Sub message: headers are the attributes (less the
 * reserved ones), `timestamp` the record's own time when it had one, else the publish time.
 */
export function fromPubsubMessage(name: string, received: ReceivedMessage): StreamMessage {
  const m = received.message ?? {};
  const raw: Record<string, unknown> = { ...(m.attributes ?? {}) };
  // recordToMessage wrote these as numbers and booleans; attributes bring them back as strings.
  if (typeof raw[MESSAGE_PROPERTIES.timestamp] === 'string') raw[MESSAGE_PROPERTIES.timestamp] = Number(raw[MESSAGE_PROPERTIES.timestamp]);
  if (raw[MESSAGE_PROPERTIES.null] === 'true') raw[MESSAGE_PROPERTIES.null] = true;
  const data = typeof m.data === 'string' ? new Uint8Array(Buffer.from(m.data, 'base64')) : new Uint8Array(m.data ?? []);
  const record = messageToRecord(raw, data);
  const published = timestampOf(m.publishTime);
  const timestamp = record.timestamp ?? published;
  return {
    topic: name,
    partition: '0',
    key: record.key ?? null,
    value: record.value,
    headers: record.headers,
    ...(timestamp ? { timestamp } : {}),
    extra: {
      message_id: m.messageId ?? null,
      publish_time: published ?? null,
      ordering_key: m.orderingKey || null,
      delivery_attempt: received.deliveryAttempt || null,
    },
  };
}

/** Orders a pulled batch by publish time, then message id (Pub/Sub hands a batch out in no order). */
export function inPublishOrder<T extends ReceivedMessage>(batch: T[]): T[] {
  const at = (r: ReceivedMessage) => timestampOf(r.message?.publishTime)?.getTime() ?? 0;
  const nanos = (r: ReceivedMessage) => r.message?.publishTime?.nanos ?? 0;
  return [...batch].sort((a, b) => at(a) - at(b) || nanos(a) - nanos(b) || (a.message?.messageId ?? '').localeCompare(b.message?.messageId ?? '', 'en', { numeric: true }));
}
