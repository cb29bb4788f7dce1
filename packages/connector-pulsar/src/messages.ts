/**
 * A message frame of the reader and consumer endpoints as a Sparkle `StreamMessage`: key and
 * properties as UTF-8 bytes, the payload decoded from base64, `timestamp` the producer's event
 * time when it set one (else the publish time), both times also in the `publishTime` and
 * `eventTime` columns.
 */
import type { ColumnSpec, StreamMessage } from '@sparkle/core';
import { decodeMessageId, positionText, type MessageId } from './message-id.js';
import type { MessageFrame } from './socket.js';

/** Pulsar's columns after Spark's Kafka layout. */
export const PULSAR_EXTRA_COLUMNS: ColumnSpec[] = [
  { name: 'publishTime', type: 'timestamp' },
  { name: 'eventTime', type: 'timestamp' },
];

const encoder = new TextEncoder();

const dateOf = (value: string | undefined) => {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
};

/** The message of a frame; `topic` is the name the caller asked for, `id` the decoded message id. */
export function messageOf(frame: MessageFrame, topic: string, id: MessageId = decodeMessageId(frame.messageId)): StreamMessage {
  const publishTime = dateOf(frame.publishTime);
  const eventTime = dateOf(frame.eventTime);
  const timestamp = eventTime ?? publishTime;
  return {
    topic,
    partition: String(Math.max(0, id.partition)),
    position: positionText(id),
    key: frame.key === undefined || frame.key === null ? null : encoder.encode(frame.key),
    value: new Uint8Array(Buffer.from(frame.payload ?? '', 'base64')),
    headers: Object.fromEntries(Object.entries(frame.properties ?? {}).map(([k, v]) => [k, encoder.encode(v)])),
    ...(timestamp ? { timestamp } : {}),
    extra: { publishTime: publishTime ?? null, eventTime: eventTime ?? null },
  };
}
