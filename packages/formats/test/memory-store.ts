/**
 * A small in-memory object store for the format tests, shaped like S3: no rename, create-only
 * puts, whole-object puts that are buffered until the body ends (so a failed stream stores
 * nothing). It counts ranged reads, so tests can see Parquet reading only what it needs.
 */
import { SparkleError, QueryError, type GetObjectOptions, type ListObjectsOptions, type ObjectBody, type ObjectInfo, type ObjectStore, type PutObjectOptions } from '@sparkle/core';
import { globPrefix, keyMatcher } from '../src/index.js';

export class MemoryObjectStore implements ObjectStore {
  readonly storeSemantics = { atomicPut: true, conditionalPut: true, atomicRename: false, listAfterWrite: 'strong' as const };
  readonly objects = new Map<string, { bytes: Uint8Array; etag: string }>();
  /** Bytes handed out by getObject, and how many calls. */
  readonly reads = { calls: 0, bytes: 0 };
  #version = 0;

  async *listObjects(options: ListObjectsOptions = {}): AsyncIterable<ObjectInfo> {
    const prefix = options.prefix ?? (options.glob ? globPrefix(options.glob) : '');
    const matches = options.glob ? keyMatcher(options.glob) : () => true;
    for (const key of [...this.objects.keys()].sort()) if (key.startsWith(prefix) && matches(key)) yield (await this.statObject(key))!;
  }

  async statObject(key: string): Promise<ObjectInfo | undefined> {
    const o = this.objects.get(key);
    return o && { key, size: o.bytes.byteLength, etag: o.etag };
  }

  async *getObject(key: string, options: GetObjectOptions = {}): AsyncIterable<Uint8Array> {
    const o = this.objects.get(key);
    if (!o) throw new QueryError(`no object ${key}`, { details: { notFound: true } });
    if (options.ifMatch && options.ifMatch !== o.etag) throw new QueryError(`${key} changed`, { retryable: true });
    const slice = o.bytes.subarray(options.range?.start ?? 0, options.range?.end ?? o.bytes.byteLength);
    this.reads.calls++;
    this.reads.bytes += slice.byteLength;
    // Handed out in small chunks, as a network body would be.
    for (let i = 0; i < slice.byteLength; i += 4096) yield slice.subarray(i, i + 4096);
  }

  async putObject(key: string, body: ObjectBody, options: PutObjectOptions = {}): Promise<ObjectInfo> {
    const parts: Uint8Array[] = [];
    if (typeof body === 'string') parts.push(Buffer.from(body));
    else if (body instanceof Uint8Array) parts.push(body);
    else for await (const chunk of body) parts.push(chunk);
    if (options.ifNoneMatch === '*' && this.objects.has(key)) throw new SparkleError('TABLE_EXISTS', `${key} exists`);
    this.objects.set(key, { bytes: Buffer.concat(parts), etag: `"v${++this.#version}"` });
    return (await this.statObject(key))!;
  }

  async deleteObjects(keys: readonly string[]): Promise<number> {
    let n = 0;
    for (const key of keys) if (this.objects.delete(key)) n++;
    return n;
  }

  async copyObject(from: string, to: string): Promise<ObjectInfo> {
    const o = this.objects.get(from);
    if (!o) throw new QueryError(`no object ${from}`, { details: { notFound: true } });
    return this.putObject(to, o.bytes);
  }

  objectUri(key: string): string {
    return `mem://test/${key}`;
  }
}
