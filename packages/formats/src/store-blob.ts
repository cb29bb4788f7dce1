/**
 * A Blob-shaped view of one stored object whose bytes are fetched lazily by ranged reads, so
 * parquet-wasm reads a Parquet footer and the column chunks it needs without downloading the
 * whole object. parquet-wasm only calls `size`, `slice(start, end)` and `arrayBuffer()` on the
 * Blob it is given, which is what this provides.
 */
import type { ObjectInfo, ObjectStore } from '@sparkle/core';

/** The part of the Blob interface parquet-wasm uses. */
export interface RangeBlob {
  readonly size: number;
  slice(start?: number, end?: number): RangeBlob;
  arrayBuffer(): Promise<ArrayBuffer>;
  /**
   * Rejects with the first failed range read of this blob (or any slice of it). parquet-wasm
   * panics, and then never settles, when a read it awaits rejects, so a failed read is not handed
   * to it: its `arrayBuffer()` stays pending and readers race their calls against this instead.
   */
  readonly failure?: Promise<never>;
}

/**
 * A lazy Blob over `store`'s object `info`; each `arrayBuffer()` is one ranged `getObject`,
 * pinned to the object's etag when it has one (a concurrent overwrite fails the read instead of
 * mixing two versions).
 *
 * @example
 * ```ts
 * const blob = objectBlob(store, await store.statObject('a.parquet'));
 * const pf = await ParquetFile.fromFile(blob as unknown as Blob);
 * ```
 */
export function objectBlob(store: ObjectStore, info: ObjectInfo, signal?: AbortSignal): RangeBlob {
  let fail!: (error: unknown) => void;
  const failure = new Promise<never>((_, reject) => (fail = reject));
  // Nobody may be racing yet: the rejection is observed here so it is never "unhandled".
  failure.catch(() => undefined);
  const read = async (start: number, end: number): Promise<ArrayBuffer> => {
    const out = new Uint8Array(end - start);
    if (end <= start) return out.buffer;
    let at = 0;
    for await (const chunk of store.getObject(info.key, { range: { start, end }, ...(info.etag ? { ifMatch: info.etag } : {}), ...(signal ? { signal } : {}) })) {
      out.set(chunk.subarray(0, out.length - at), at);
      at += chunk.byteLength;
    }
    if (at < out.length) throw new Error(`Short read of ${info.key}: ${at} of ${out.length} bytes at ${start}`);
    return out.buffer;
  };
  const make = (start: number, end: number): RangeBlob => ({
    size: Math.max(0, end - start),
    failure,
    slice(from = 0, to = end - start) {
      const size = end - start;
      const clamp = (n: number) => Math.min(size, Math.max(0, n < 0 ? size + n : n));
      return make(start + clamp(from), start + Math.max(clamp(from), clamp(to)));
    },
    arrayBuffer() {
      return read(start, end).catch((error: unknown) => {
        fail(error);
        return new Promise<ArrayBuffer>(() => undefined);
      });
    },
  });
  return make(0, info.size);
}
