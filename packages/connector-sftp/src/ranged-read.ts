/**
 * A file's bytes read with many SFTP read requests in flight, handed back in order. One request
 * at a time (a read stream) waits a round trip per chunk; SFTP lets a client pipeline requests on
 * one handle, which is how `fastGet` reaches the link's speed. Memory stays at
 * `concurrency × chunkSize` bytes in flight.
 */
import { QueryError } from '@sparkle/core';

/** The few calls of ssh2's SFTP channel used here (ssh2-sftp-client exposes it as `client.sftp`). */
export interface RawSftp {
  open(path: string, flags: string, callback: (error: Error | undefined | null, handle: Buffer) => void): void;
  read(handle: Buffer, buffer: Buffer, offset: number, length: number, position: number, callback: (error: Error | undefined | null, bytesRead: number) => void): void;
  close(handle: Buffer, callback: (error: Error | undefined | null) => void): void;
}

export interface ReadRangesOptions {
  /** Read requests in flight. */
  concurrency: number;
  /** Bytes asked for per request. */
  chunkSize: number;
  signal?: AbortSignal;
}

/** Most bytes handed over at once when several chunks are ready. */
const COALESCE_BYTES = 1 << 20;

function call<T>(fn: (done: (error: Error | undefined | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value))));
}

/** Reads `length` bytes at `position`; a short answer (the server may send less) is completed by further reads. */
async function readFully(sftp: RawSftp, handle: Buffer, path: string, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = await call<number>((done) => sftp.read(handle, buffer, got, length - got, position + got, done));
    if (n === 0) throw new QueryError(`sftp: ${path} ended at byte ${position + got} while reading to ${position + length} (the file shrank during the read); read it again`, { retryable: true });
    got += n;
  }
  return buffer;
}

/**
 * The bytes `[start, end)` of `path`, in order, with up to `concurrency` reads outstanding.
 * @example
 * ```ts
 * for await (const chunk of readRanges(client.sftp, '/data/big.bin', 0, size, { concurrency: 64, chunkSize: 32768 })) out.write(chunk);
 * ```
 */
export async function* readRanges(sftp: RawSftp, path: string, start: number, end: number, options: ReadRangesOptions): AsyncGenerator<Uint8Array> {
  const handle = await call<Buffer>((done) => sftp.open(path, 'r', done));
  const inFlight: Array<{ read: Promise<Buffer>; bytes?: Buffer }> = [];
  let next = start;
  try {
    const fill = () => {
      while (inFlight.length < options.concurrency && next < end) {
        const length = Math.min(options.chunkSize, end - next);
        const entry: { read: Promise<Buffer>; bytes?: Buffer } = { read: readFully(sftp, handle, path, next, length) };
        // Awaited in order below; one the consumer never reaches must not go unhandled.
        entry.read.then((bytes) => (entry.bytes = bytes)).catch(() => undefined);
        inFlight.push(entry);
        next += length;
      }
    };
    fill();
    while (inFlight.length) {
      options.signal?.throwIfAborted();
      const parts = [await inFlight.shift()!.read];
      // Chunks that already arrived behind it go out together: fewer, larger writes downstream.
      let size = parts[0]!.length;
      while (inFlight[0]?.bytes && size < COALESCE_BYTES) {
        const bytes = inFlight.shift()!.bytes!;
        parts.push(bytes);
        size += bytes.length;
      }
      fill();
      yield parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
    }
  } finally {
    // Outstanding reads answer before the close (requests on a channel are handled in order).
    await Promise.allSettled(inFlight.map((e) => e.read));
    await call<void>((done) => sftp.close(handle, (error) => done(error, undefined))).catch(() => undefined);
  }
}
