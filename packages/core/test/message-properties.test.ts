/** Records carried in AMQP application properties (Event Hubs, Service Bus): there and back. */
import { describe, expect, it } from 'vitest';
import { messageToRecord, recordToMessage } from '../src/index.js';

describe('recordToMessage / messageToRecord', () => {
  it('round-trips key, UTF-8 and binary headers, the timestamp and a null value', () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    const { body, properties } = recordToMessage({ key: 'k1', value: null, headers: { source: 'web', raw: new Uint8Array([0xff, 0x00]) }, timestamp: at }, 0, 'eventhub');
    expect(body).toEqual(new Uint8Array());
    expect(properties).toMatchObject({ source: 'web', raw: '/wA=', 'sparkle.key': 'k1', 'sparkle.binary': 'raw', 'sparkle.null': true });
    const back = messageToRecord(properties, body);
    expect(back.value).toBeNull();
    expect(new TextDecoder().decode(back.key)).toBe('k1');
    expect(back.headers).toEqual({ source: new TextEncoder().encode('web'), raw: new Uint8Array([0xff, 0x00]) });
    expect(back.timestamp).toEqual(at);
  });

  it('an empty body is not null; a JSON body reads back as its text; no key is undefined', () => {
    expect(messageToRecord({}, new Uint8Array()).value).toEqual(new Uint8Array());
    expect(new TextDecoder().decode(messageToRecord(undefined, { a: 1 }).value!)).toBe('{"a":1}');
    expect(messageToRecord({}, 'x').key).toBeUndefined();
  });

  it('refuses a header named like a reserved property', () => {
    expect(() => recordToMessage({ value: 'v', headers: { 'sparkle.key': 'x' } }, 3, 'servicebus')).toThrow(/record 3: header 'sparkle.key' is reserved by the servicebus connector/);
  });
});
