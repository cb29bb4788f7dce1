/**
 * A stream record carried by a message whose only extra fields are string-keyed application
 * properties (AMQP 1.0 brokers: Azure Event Hubs, Azure Service Bus). Headers become properties;
 * what the message has no field for travels in reserved `sparkle.*` properties: the record key,
 * its timestamp, a null value (an empty body is not null), and the names of properties sent
 * base64-encoded because their bytes are not UTF-8 (the SDKs send no binary property values).
 */
import { InvalidArgumentError } from '../errors.js';
import type { ProducerRecord } from '../capabilities/stream.js';
import { payloadBytes } from './streaming.js';

/** The reserved application properties. */
export const MESSAGE_PROPERTIES = {
  key: 'sparkle.key',
  timestamp: 'sparkle.timestamp',
  null: 'sparkle.null',
  binary: 'sparkle.binary',
} as const;

const RESERVED: ReadonlySet<string> = new Set(Object.values(MESSAGE_PROPERTIES));
const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The body and application properties of a record. A header named like a reserved property is
 * refused (it would be read back as something else).
 *
 * @example
 * ```ts
 * const { body, properties } = recordToMessage({ key: 'k1', value: '{"a":1}', headers: { source: 'web' } }, 0, 'eventhub');
 * // properties: { source: 'web', 'sparkle.key': 'k1' }
 * ```
 */
export function recordToMessage(record: ProducerRecord, index: number, connector: string): { body: Uint8Array; properties: Record<string, string | number | boolean> } {
  const properties: Record<string, string | number | boolean> = {};
  const binary: string[] = [];
  const put = (name: string, bytes: Uint8Array) => {
    try {
      properties[name] = strictDecoder.decode(bytes);
    } catch {
      properties[name] = Buffer.from(bytes).toString('base64');
      binary.push(name);
    }
  };
  for (const [name, value] of Object.entries(record.headers ?? {})) {
    if (RESERVED.has(name)) throw new InvalidArgumentError(`record ${index}: header '${name}' is reserved by the ${connector} connector`, { connector });
    put(name, payloadBytes(value)!);
  }
  const key = payloadBytes(record.key);
  if (key) put(MESSAGE_PROPERTIES.key, key);
  if (binary.length) properties[MESSAGE_PROPERTIES.binary] = binary.join(',');
  if (record.timestamp) properties[MESSAGE_PROPERTIES.timestamp] = record.timestamp.getTime();
  const value = payloadBytes(record.value);
  if (value === null) properties[MESSAGE_PROPERTIES.null] = true;
  return { body: value ?? new Uint8Array(), properties };
}

/**
 * What {@link recordToMessage} put in a message, read back: the headers (every property but the
 * reserved ones), the key (`undefined` when none was sent), the value (null when sent as null;
 * a non-binary body is encoded as UTF-8 or JSON) and the record's own timestamp, if it had one.
 */
export function messageToRecord(properties: Record<string, unknown> | undefined, body: unknown): { key: Uint8Array | undefined; value: Uint8Array | null; headers: Record<string, Uint8Array>; timestamp: Date | undefined } {
  const props = properties ?? {};
  const binary = new Set(typeof props[MESSAGE_PROPERTIES.binary] === 'string' ? (props[MESSAGE_PROPERTIES.binary] as string).split(',') : []);
  const read = (name: string): Uint8Array => {
    const v = props[name];
    if (binary.has(name)) return new Uint8Array(Buffer.from(String(v), 'base64'));
    return v instanceof Uint8Array ? new Uint8Array(v) : encoder.encode(typeof v === 'string' ? v : String(v));
  };
  const headers: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(props)) if (!RESERVED.has(k) && v !== undefined && v !== null) headers[k] = read(k);
  const at = props[MESSAGE_PROPERTIES.timestamp];
  const value =
    props[MESSAGE_PROPERTIES.null] === true
      ? null
      : body instanceof Uint8Array
        ? new Uint8Array(body)
        : body === undefined || body === null
          ? null
          : encoder.encode(typeof body === 'string' ? body : JSON.stringify(body));
  return {
    key: props[MESSAGE_PROPERTIES.key] !== undefined ? read(MESSAGE_PROPERTIES.key) : undefined,
    value,
    headers,
    timestamp: typeof at === 'number' ? new Date(at) : undefined,
  };
}
