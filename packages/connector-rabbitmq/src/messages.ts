/**
 * Records ↔ AMQP messages. RabbitMQ has no message key or position: the key travels in the
 * header `x-message-key`; AMQP properties appear among the headers as `amqp.<property>` on
 * read (and are set from such headers on publish, so a copy keeps them). AMQP timestamps are
 * whole seconds.
 */
import { payloadBytes, type ProducerRecord, type StreamMessage } from '@sparkle/core';
import type { ConsumeMessage, GetMessage, Options } from 'amqplib';

/** The header that carries a record's key. */
export const KEY_HEADER = 'x-message-key';

/** AMQP basic properties exposed as `amqp.<name>` headers. */
const PROPERTIES = {
  'content-type': 'contentType',
  'content-encoding': 'contentEncoding',
  'correlation-id': 'correlationId',
  'reply-to': 'replyTo',
  expiration: 'expiration',
  'message-id': 'messageId',
  type: 'type',
  'user-id': 'userId',
  'app-id': 'appId',
  priority: 'priority',
} as const;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const asBuffer = (u: Uint8Array) => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));

/** A header value as bytes: strings UTF-8, buffers as they are, anything else as JSON text. */
function headerBytes(value: unknown): Uint8Array | undefined {
  if (value === undefined || value === null) return undefined;
  if (Buffer.isBuffer(value)) return bytes(value);
  if (typeof value === 'string') return encoder.encode(value);
  return encoder.encode(JSON.stringify(value));
}

/**
 * A record as publish arguments: content, and the options with headers and properties.
 * @example
 * ```ts
 * const { content, options } = toPublish({ key: 'k1', value: '{"id":1}', headers: { 'amqp.content-type': 'application/json' } }, true);
 * ```
 */
export function toPublish(record: ProducerRecord, persistent: boolean): { content: Buffer; options: Options.Publish; bytes: number } {
  const value = payloadBytes(record.value);
  const key = payloadBytes(record.key);
  const content = value ? asBuffer(value) : Buffer.alloc(0);
  const headers: Record<string, unknown> = {};
  const options: Options.Publish = { persistent, mandatory: true, headers };
  let size = content.byteLength;
  for (const [name, v] of Object.entries(record.headers ?? {})) {
    const property = name.startsWith('amqp.') ? PROPERTIES[name.slice(5) as keyof typeof PROPERTIES] : undefined;
    const text = typeof v === 'string' ? v : decoder.decode(v);
    if (property === 'priority') options.priority = Number(text);
    else if (property) (options as Record<string, unknown>)[property] = text;
    else if (name.startsWith('amqp.')) continue; // read-only facts of a delivery (routing key, exchange, redelivered)
    else headers[name] = typeof v === 'string' ? v : asBuffer(v);
    size += name.length + (typeof v === 'string' ? Buffer.byteLength(v) : v.byteLength);
  }
  if (key) {
    headers[KEY_HEADER] = asBuffer(key);
    size += key.byteLength;
  }
  if (record.timestamp) options.timestamp = Math.floor(record.timestamp.getTime() / 1000);
  return { content, options, bytes: size };
}

/** A delivered message as a stream message of partition `0` (a queue is one ordered sequence, without positions). */
export function toStreamMessage(queue: string, message: ConsumeMessage | GetMessage): StreamMessage {
  const headers: Record<string, Uint8Array> = {};
  let key: Uint8Array | null = null;
  for (const [name, value] of Object.entries(message.properties.headers ?? {})) {
    const b = headerBytes(value);
    if (b === undefined) continue;
    if (name === KEY_HEADER) key = b;
    else headers[name] = b;
  }
  for (const [name, property] of Object.entries(PROPERTIES)) {
    const value = (message.properties as unknown as Record<string, unknown>)[property];
    if (value !== undefined && value !== null) headers[`amqp.${name}`] = encoder.encode(String(value));
  }
  headers['amqp.routing-key'] = encoder.encode(message.fields.routingKey);
  if (message.fields.exchange) headers['amqp.exchange'] = encoder.encode(message.fields.exchange);
  if (message.fields.redelivered) headers['amqp.redelivered'] = encoder.encode('true');
  const ts = message.properties.timestamp as number | undefined;
  return {
    topic: queue,
    partition: '0',
    key,
    value: bytes(message.content),
    headers,
    ...(typeof ts === 'number' ? { timestamp: new Date(ts * 1000) } : {}),
  };
}
