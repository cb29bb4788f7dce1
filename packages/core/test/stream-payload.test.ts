/** Decoding stream keys and values for bounded reads: bytes, UTF-8, JSON; invalid payloads fail or go to an error column. */
import { describe, expect, it } from 'vitest';
import { decodePayloads, payloadColumns, payloadFormatsOf, streamColumns } from '../src/index.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const where = () => 'topic t partition 0 position 7';

describe('stream payload formats', () => {
  it('defaults to bytes and refuses unknown formats', () => {
    expect(payloadFormatsOf({})).toEqual({ key: 'binary', value: 'binary', onInvalid: 'fail' });
    expect(() => payloadFormatsOf({ valueFormat: 'avro' })).toThrow(/valueFormat must be one of binary, utf8, json/);
    expect(() => payloadFormatsOf({ onInvalidPayload: 'drop' })).toThrow(/onInvalidPayload/);
  });

  it('turns key/value columns into text, with error columns on request', () => {
    const columns = payloadColumns(streamColumns(), payloadFormatsOf({ keyFormat: 'utf8', valueFormat: 'json', onInvalidPayload: 'errorColumn' }));
    expect(columns.map((c) => `${c.name}:${typeof c.type === 'string' ? c.type : 'nested'}`).slice(0, 5)).toEqual(['key:utf8', 'key_error:utf8', 'value:utf8', 'value_error:utf8', 'topic:utf8']);
  });

  it('decodes UTF-8 and validates JSON, keeping nulls', () => {
    const row: Record<string, unknown> = { key: bytes('k1'), value: bytes('{"id":1}') };
    decodePayloads(row, payloadFormatsOf({ keyFormat: 'utf8', valueFormat: 'json' }), where);
    expect(row).toEqual({ key: 'k1', value: '{"id":1}' });
    const empty: Record<string, unknown> = { key: null, value: null };
    decodePayloads(empty, payloadFormatsOf({ keyFormat: 'utf8', valueFormat: 'json' }), where);
    expect(empty).toEqual({ key: null, value: null });
  });

  it('an invalid payload fails the read naming the message, or goes to the error column', () => {
    const bad = () => ({ key: bytes('k'), value: bytes('{not json') });
    expect(() => decodePayloads(bad(), payloadFormatsOf({ valueFormat: 'json' }), where)).toThrow(/value of topic t partition 0 position 7 is not valid JSON/);
    const row: Record<string, unknown> = bad();
    decodePayloads(row, payloadFormatsOf({ valueFormat: 'json', onInvalidPayload: 'errorColumn' }), where);
    expect(row.value).toBeNull();
    expect(row.value_error).toMatch(/^value is not valid JSON/);
    const latin1: Record<string, unknown> = { value: new Uint8Array([0xff, 0xfe]) };
    expect(() => decodePayloads(latin1, payloadFormatsOf({ valueFormat: 'utf8' }), where)).toThrow(/not valid UTF-8/);
  });
});
