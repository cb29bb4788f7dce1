/** Record ↔ Pub/Sub message mapping and the gRPC status → typed error mapping, without a server. */
import { describe, expect, it } from 'vitest';
import { SparkleError } from '@sparkle/core';
import { GRPC, pubsubError } from '../src/errors.js';
import { fromPubsubMessage, inPublishOrder, toPubsubMessage, type ReceivedMessage } from '../src/messages.js';

const text = (b: Uint8Array | null | undefined) => (b ? new TextDecoder().decode(b) : b);

describe('records as Pub/Sub messages', () => {
  it('round-trips key, binary headers, a null value and the record timestamp through string attributes', () => {
    const at = new Date(Date.UTC(2024, 1, 2, 3, 4, 5, 6));
    const out = toPubsubMessage({ key: 'k', value: null, headers: { raw: new Uint8Array([255]), h: 'v' }, timestamp: at, orderingKey: 'o' }, 0, 'pubsub', false);
    expect(Object.values(out.attributes).every((v) => typeof v === 'string')).toBe(true);
    expect(out.orderingKey).toBe('o');
    const received: ReceivedMessage = {
      ackId: 'a',
      deliveryAttempt: 3,
      message: { data: out.data, attributes: out.attributes, messageId: '42', publishTime: { seconds: '1700000000', nanos: 5_000_000 }, orderingKey: 'o' },
    };
    const m = fromPubsubMessage('sub', received);
    expect(m.value).toBeNull();
    expect(text(m.key)).toBe('k');
    expect(m.headers.raw).toEqual(new Uint8Array([255]));
    expect(text(m.headers.h)).toBe('v');
    expect(Object.keys(m.headers).sort()).toEqual(['h', 'raw']);
    expect(m.timestamp).toEqual(at);
    expect(m.extra).toEqual({ message_id: '42', publish_time: new Date(1_700_000_000_005), ordering_key: 'o', delivery_attempt: 3 });
  });

  it('takes the key as ordering key only when asked, and only when it is text', () => {
    expect(toPubsubMessage({ key: 'user-1', value: 'x' }, 0, 'pubsub', false).orderingKey).toBeUndefined();
    expect(toPubsubMessage({ key: 'user-1', value: 'x' }, 0, 'pubsub', true).orderingKey).toBe('user-1');
    expect(() => toPubsubMessage({ key: new Uint8Array([0xff]), value: 'x' }, 4, 'pubsub', true)).toThrow(/record 4: its key is not UTF-8/);
  });

  it('orders a pulled batch by publish time, then numeric message id', () => {
    const r = (id: string, seconds: number, nanos = 0): ReceivedMessage => ({ message: { messageId: id, publishTime: { seconds, nanos } } });
    expect(inPublishOrder([r('10', 5), r('9', 5), r('1', 6), r('3', 5, 1)]).map((x) => x.message!.messageId)).toEqual(['9', '10', '3', '1']);
  });
});

describe('gRPC status codes as typed errors', () => {
  const failure = { op: 'write' as const, what: "Publish to topic 'orders'", resource: "topic 'orders'", project: 'p', connector: 'pubsub', secrets: ['s3cr3t'] };
  const grpc = (code: number, message = 'details') => Object.assign(new Error(`${code} ${message} s3cr3t`), { code });

  it.each([
    [GRPC.NOT_FOUND, 'QUERY_FAILED', false],
    [GRPC.PERMISSION_DENIED, 'AUTHENTICATION_FAILED', false],
    [GRPC.UNAUTHENTICATED, 'AUTHENTICATION_FAILED', false],
    [GRPC.INVALID_ARGUMENT, 'INVALID_ARGUMENT', false],
    [GRPC.DEADLINE_EXCEEDED, 'TIMEOUT', true],
    [GRPC.UNAVAILABLE, 'CONNECTION_FAILED', true],
    [GRPC.RESOURCE_EXHAUSTED, 'WRITE_FAILED', true],
    [GRPC.ABORTED, 'WRITE_FAILED', true],
    [GRPC.INTERNAL, 'WRITE_FAILED', true],
    [GRPC.FAILED_PRECONDITION, 'WRITE_FAILED', false],
  ])('status %i is %s (retryable %s), secrets scrubbed', (code, expected, retryable) => {
    const e = pubsubError(grpc(code), failure);
    expect(SparkleError.isInstance(e)).toBe(true);
    expect(e.code).toBe(expected);
    expect(e.retryable).toBe(retryable);
    expect(e.connector).toBe('pubsub');
    expect(e.message).not.toContain('s3cr3t');
    expect(String((e.cause as Error).message)).not.toContain('s3cr3t');
  });

  it('names the missing resource, the project and the fix', () => {
    expect(pubsubError(grpc(GRPC.NOT_FOUND), failure).message).toMatch(/topic 'orders' does not exist in project 'p'.*createTopics: true/);
    expect(pubsubError(new Error('Could not load the default credentials.'), failure).code).toBe('AUTHENTICATION_FAILED');
  });
});
