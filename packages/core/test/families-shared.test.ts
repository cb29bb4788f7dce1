/** The pure parts of the non-table family bases: key confinement and globs, document schemas, stream ranges, provided slots. */
import { describe, expect, it } from 'vitest';
import {
  capabilitiesOf,
  CloudStorageConnection,
  confineKey,
  conformDocument,
  globMatcher,
  globPrefix,
  inferDocumentColumns,
  isGlob,
  jsonText,
  MissingDriverError,
  NoSQLConnection,
  projectColumns,
  providedSlot,
  SparkleError,
  StreamingConnection,
  streamColumns,
  streamRangeOf,
} from '../src/index.js';

describe('object keys', () => {
  it('keeps keys inside the root', () => {
    expect(confineKey('raw/./2024/a.csv')).toBe('raw/2024/a.csv');
    expect(confineKey('raw//a.csv')).toBe('raw/a.csv');
    expect(confineKey('raw/dir/')).toBe('raw/dir/');
    expect(confineKey('a..b/c')).toBe('a..b/c');
    for (const bad of ['../x', 'a/../../x', 'a/..', '/etc/passwd', '\\x', 'C:\\x', 'c:/x', 's3://other/x', 'file:///x', '', '.', 'a\u0000b', '..\\x']) {
      let error: unknown;
      try {
        confineKey(bad, 'test');
      } catch (e) {
        error = e;
      }
      expect(SparkleError.isInstance(error), bad).toBe(true);
      expect((error as SparkleError).code, bad).toBe('INVALID_ARGUMENT');
    }
  });

  it('pushes the literal part of a glob down as a prefix and matches like a shell', () => {
    expect(isGlob('raw/*.csv')).toBe(true);
    expect(isGlob('raw/a.csv')).toBe(false);
    expect(globPrefix('raw/2024-*/*.csv')).toBe('raw/');
    expect(globPrefix('raw/x/{a,b}.csv')).toBe('raw/x/');
    expect(globPrefix('**/*.parquet')).toBe('');
    const m = globMatcher('raw/**/*.csv');
    expect(['raw/a.csv', 'raw/x/y/b.csv', 'raw/a.json', 'other/a.csv', 'raw/.hidden.csv'].filter(m)).toEqual(['raw/a.csv', 'raw/x/y/b.csv']);
  });
});

describe('document schemas', () => {
  it('infers by the documented rule', () => {
    const columns = inferDocumentColumns([
      { _id: 1, n: 1, f: 1, s: 'a', b: true, d: new Date(0), bin: new Uint8Array([1]), o: { x: 1 }, l: [1], mixed: 1, nul: null, big: 1n },
      { _id: 2, n: 2, f: 2.5, s: 'b', b: false, o: { y: 'z' }, l: [2.5], mixed: 'two', extra: [{ k: 1 }], big: 2 },
    ]);
    expect(columns).toEqual([
      { name: '_id', type: 'int64', nullable: true },
      { name: 'n', type: 'int64', nullable: true },
      { name: 'f', type: 'float64', nullable: true },
      { name: 's', type: 'utf8', nullable: true },
      { name: 'b', type: 'bool', nullable: true },
      { name: 'd', type: 'timestamp', nullable: true },
      { name: 'bin', type: 'binary', nullable: true },
      { name: 'o', type: { struct: [{ name: 'x', type: 'int64', nullable: true }, { name: 'y', type: 'utf8', nullable: true }] }, nullable: true },
      { name: 'l', type: { list: 'float64' }, nullable: true },
      { name: 'mixed', type: 'utf8', nullable: true },
      { name: 'nul', type: 'utf8', nullable: true },
      { name: 'big', type: 'int64', nullable: true },
      { name: 'extra', type: { list: { struct: [{ name: 'k', type: 'int64', nullable: true }] } }, nullable: true },
    ]);
    expect(inferDocumentColumns([{ a: [] }, { a: [1, 'x'] }])).toEqual([{ name: 'a', type: { list: 'utf8' }, nullable: true }]);
    expect(inferDocumentColumns([{ a: { x: 1 } }, { a: [1] }])).toEqual([{ name: 'a', type: 'utf8', nullable: true }]);
    class ObjectId {
      toJSON() {
        return '65f0c0ffee';
      }
    }
    expect(inferDocumentColumns([{ a: new ObjectId() }])).toEqual([{ name: 'a', type: 'utf8', nullable: true }]);
    expect(conformDocument({ a: new ObjectId() }, [{ name: 'a', type: 'utf8' }], 'doc')).toEqual({ a: '65f0c0ffee' });
  });

  it('makes documents fit, and refuses what the sample never saw, naming the field', () => {
    const columns = inferDocumentColumns([{ a: 1, m: 'x', o: { p: 1 } }, { m: 2 }]);
    expect(conformDocument({ a: 2, m: { deep: [1n] }, o: { p: null } }, columns, 'doc 1')).toEqual({ a: 2, m: '{"deep":[1]}', o: { p: null } });
    expect(() => conformDocument({ a: 'two' }, columns, 'doc 2')).toThrow(/doc 2: field 'a' holds a utf8 value where the schema has int64; .*sampleSize/);
    expect(() => conformDocument({ o: { q: 1 } }, columns, 'doc 3')).toThrow(/field 'o.q' is not in the schema/);
    expect(() => conformDocument({ z: 1 }, columns, 'doc 4')).toThrow(/field 'z' is not in the schema/);
    expect(conformDocument({ a: 1, z: 1 }, projectColumns(columns, ['a']), 'doc 5', true)).toEqual({ a: 1 });
    expect(projectColumns(columns, ['o.p', 'missing'])).toEqual([columns[2], { name: 'missing', type: 'utf8', nullable: true }]);
  });

  it('writes JSON text with exact bigints, base64 bytes and ISO dates', () => {
    expect(jsonText({ id: 12345678901234567890n, at: new Date(0), b: new Uint8Array([255]) })).toBe('{"id":12345678901234567890,"at":"1970-01-01T00:00:00.000Z","b":"/w=="}');
    expect(jsonText('plain')).toBe('plain');
    expect(jsonText({ s: '\u0000bigint:1' })).toBe('{"s":"\\u0000bigint:1"}');
  });
});

describe('stream ranges and layout', () => {
  it("reads Spark's Kafka offset options", () => {
    expect(streamRangeOf('t')).toEqual({ from: 'earliest', to: 'latest' });
    expect(streamRangeOf('t', { startingOffsets: '{"t":{"0":5,"1":"7"}}', endingOffsets: 'latest', maxMessages: '10' })).toEqual({
      from: { positions: { '0': '5', '1': '7' } },
      to: 'latest',
      maxMessages: 10,
    });
    expect(streamRangeOf('t', { startingTimestamp: '1700000000000' }).from).toEqual({ timestamp: new Date(1700000000000) });
    expect(() => streamRangeOf('t', { startingOffsets: '{"other":{"0":1}}' })).toThrow(/no entry for topic 't'/);
    expect(() => streamRangeOf('t', { startingOffsets: 'soon' })).toThrow(/'earliest', 'latest' or JSON/);
    expect(() => streamRangeOf('t', { startingOffsets: '{"t":{"0":-2}}' })).toThrow(/-2\/-1 markers/);
    expect(() => streamRangeOf('t', { maxMessages: '0' })).toThrow(/positive integer/);
  });

  it("lays a topic out as Spark's Kafka source does", () => {
    expect(streamColumns().map((c) => c.name)).toEqual(['key', 'value', 'topic', 'partition', 'offset', 'timestamp', 'headers']);
    expect(streamColumns({ partition: 'utf8', position: 'utf8' }).map((c) => [c.name, c.type]).slice(3, 5)).toEqual([
      ['partition', 'utf8'],
      ['position', 'utf8'],
    ]);
  });
});

describe('family bases', () => {
  it('give their capabilities to subclasses through inherited methods', () => {
    expect(capabilitiesOf(CloudStorageConnection)).toEqual(['read', 'write', 'spark']);
    expect(capabilitiesOf(StreamingConnection)).toEqual(['read', 'write']);
    expect(capabilitiesOf(NoSQLConnection)).toEqual(['read', 'write']);
    expect(CloudStorageConnection.family).toBe('cloud_storage');
    expect(StreamingConnection.family).toBe('streaming');
    expect(NoSQLConnection.family).toBe('nosql');
  });
});

describe('provided slots', () => {
  it('prefers what was set, loads a provided loader once, and names the missing package otherwise', async () => {
    const key = `sparkle.test-slot.${Math.random()}`;
    const slot = providedSlot<{ id: number }>({ key, what: 'test thing', packageName: '@sparkle/does-not-exist', exportName: 'thing' });
    expect(slot.has()).toBe(false);
    const error = await slot.get().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(MissingDriverError);
    expect((error as Error).message).toContain('@sparkle/does-not-exist');
    let loads = 0;
    slot.provide(async () => ({ id: ++loads }));
    slot.provide(async () => ({ id: 100 })); // the first offer stays
    expect(await slot.get()).toEqual({ id: 1 });
    expect(await slot.get()).toEqual({ id: 1 });
    slot.set({ id: 7 });
    expect(await slot.get()).toEqual({ id: 7 });
    // Another copy of core joins the same slot through the global key.
    const again = providedSlot<{ id: number }>({ key, what: 'test thing', packageName: 'x', exportName: 'y' });
    expect(await again.get()).toEqual({ id: 7 });
  });
});
