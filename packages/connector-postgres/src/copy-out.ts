/**
 * `COPY … TO STDOUT` read straight off the socket. While the COPY runs, this query takes the
 * connection's socket `data` events from node-postgres, walks the protocol messages itself and
 * hands each CopyData payload — in place, no copy, no stream — to the Arrow decoder. When
 * CopyDone (or an ErrorResponse) arrives it gives the socket back, with the unread bytes, so
 * node-postgres sees CommandComplete / ReadyForQuery / the error as usual.
 *
 * Backpressure: decoded batches queue up to `maxQueued` (default one); beyond that the socket
 * is paused until the consumer takes one, so a slow consumer never makes the reader buffer the
 * table. One waiting batch is enough to keep the socket busy (the next batch is decoded while
 * the consumer works on this one) and bounds a slow consumer's reader at three batches: the
 * one it holds, the one waiting and the one being filled.
 */
import type { RecordBatch } from 'apache-arrow';
import type { CopyBinaryDecoder } from './copy-decoder.js';

/** Protocol message type bytes used here. */
const MSG = { CopyData: 0x64, CopyDone: 0x63, ErrorResponse: 0x45 } as const;

interface SocketLike {
  listeners(event: 'data'): Array<(chunk: Buffer) => void>;
  removeListener(event: 'data', fn: (chunk: Buffer) => void): void;
  on(event: 'data', fn: (chunk: Buffer) => void): void;
  pause(): void;
  resume(): void;
}

interface ConnectionLike {
  stream: SocketLike;
  query(text: string): void;
}

export class CopyOutQuery {
  private readonly queue: RecordBatch[] = [];
  private wake: (() => void) | undefined;
  private finished = false;
  private failure: Error | undefined;
  private socket: SocketLike | undefined;
  private pgHandler: ((chunk: Buffer) => void) | undefined;
  private attached = false;
  private paused = false;
  /** Unfinished message bytes from the previous socket chunk. */
  private partial: Buffer | undefined;

  constructor(
    readonly text: string,
    private readonly decoder: CopyBinaryDecoder,
    private readonly maxQueued = 1,
  ) {}

  /** Called by node-postgres when the query is sent. */
  submit(connection: ConnectionLike): void {
    const socket = connection.stream;
    const handlers = socket.listeners('data');
    if (handlers.length !== 1) throw new Error(`Expected one socket data listener, found ${handlers.length}`);
    this.socket = socket;
    this.pgHandler = handlers[0]!;
    socket.removeListener('data', this.pgHandler);
    socket.on('data', this.onData);
    this.attached = true;
    connection.query(this.text);
  }

  private readonly onData = (chunk: Buffer): void => {
    try {
      let start = 0;
      if (this.partial) {
        // Finish the one message split across chunks with just the bytes it needs (the rest
        // of the chunk is read in place).
        let head = this.partial;
        this.partial = undefined;
        if (head.length < 5) {
          start = Math.min(5 - head.length, chunk.length);
          head = Buffer.concat([head, chunk.subarray(0, start)]);
          if (head.length < 5) {
            this.partial = head;
            return;
          }
        }
        const total = 1 + head.readUInt32BE(1);
        const take = Math.min(total - head.length, chunk.length - start);
        if (take > 0) head = Buffer.concat([head, chunk.subarray(start, start + take)]);
        start += Math.max(0, take);
        if (head.length < total) {
          this.partial = head;
          return;
        }
        if (this.consume(head)) {
          if (start < chunk.length) this.pgHandler!(chunk.subarray(start));
          return;
        }
      }
      if (start < chunk.length) this.consume(start === 0 ? chunk : chunk.subarray(start));
    } catch (error) {
      this.fail(error as Error);
    }
  };

  /** Reads the messages of `buf`; returns true when the COPY ended and the socket was handed back. */
  private consume(buf: Buffer): boolean {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const end = buf.length;
    let pos = 0;
    let produced: RecordBatch[] | undefined;
    while (pos < end) {
      if (end - pos < 5) break;
      const type = buf[pos]!;
      if (type === MSG.ErrorResponse) {
        this.flushProduced(produced);
        this.detach(buf.subarray(pos));
        return true;
      }
      const length = view.getUint32(pos + 1);
      if (type === MSG.CopyDone) {
        this.flushProduced(produced);
        this.detach(buf.subarray(pos));
        return true;
      }
      if (pos + 1 + length > end) break;
      if (type === MSG.CopyData) {
        produced ??= [];
        this.decoder.pushRange(buf, view, pos + 5, pos + 1 + length, produced);
      }
      // CopyOutResponse, NoticeResponse, ParameterStatus… carry nothing for us.
      pos += 1 + length;
    }
    if (pos < end) this.partial = Buffer.from(buf.subarray(pos));
    this.flushProduced(produced);
    return false;
  }

  private flushProduced(produced: RecordBatch[] | undefined): void {
    if (!produced?.length) return;
    this.queue.push(...produced);
    if (this.queue.length >= this.maxQueued && !this.paused) {
      this.paused = true;
      this.socket?.pause();
    }
    this.notify();
  }

  /** Gives the socket back to node-postgres, replaying the bytes it has not seen. */
  private detach(rest: Buffer): void {
    if (!this.attached) return;
    this.attached = false;
    const socket = this.socket!;
    socket.removeListener('data', this.onData);
    socket.on('data', this.pgHandler!);
    if (this.paused) {
      this.paused = false;
      socket.resume();
    }
    if (rest.length) this.pgHandler!(rest);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  // node-postgres calls these as the server answers after the COPY.
  handleError(error: Error): void {
    this.fail(error);
  }

  handleCommandComplete(): void {}

  handleReadyForQuery(): void {
    this.finished = true;
    this.notify();
  }

  /** The decoded batches, as the consumer pulls them. */
  async *batches(signal: AbortSignal): AsyncGenerator<RecordBatch> {
    const onAbort = () => this.fail(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        if (this.queue.length) {
          const batch = this.queue.shift()!;
          if (this.paused && this.queue.length < this.maxQueued) {
            this.paused = false;
            this.socket?.resume();
          }
          yield batch;
          continue;
        }
        if (this.failure) throw this.failure;
        if (this.finished) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** True once the server confirmed the end of the COPY. */
  get done(): boolean {
    return this.finished;
  }
}
