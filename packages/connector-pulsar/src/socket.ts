/**
 * One WebSocket to Pulsar's WebSocket API (`ws` package): the handshake with the token and TLS
 * settings, a refused handshake kept as its HTTP status, and an inbox that hands out the JSON
 * frames the broker pushes, one at a time, in arrival order.
 */
import WebSocket from 'ws';
import { HandshakeRefused, SocketClosed } from './errors.js';

/** How to reach the WebSocket API. */
export interface SocketOptions {
  token?: string;
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean };
  /** Handshake deadline. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** A frame the broker sent for a message (reader and consumer endpoints). */
export interface MessageFrame {
  messageId: string;
  payload: string;
  properties?: Record<string, string>;
  publishTime?: string;
  eventTime?: string;
  key?: string;
  redeliveryCount?: number;
}

/** An open socket whose frames are read with {@link PulsarSocket.next}. */
export class PulsarSocket {
  readonly #ws: WebSocket;
  readonly #frames: unknown[] = [];
  #waiter: (() => void) | undefined;
  #closed: SocketClosed | Error | undefined;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data) => {
      try {
        this.#frames.push(JSON.parse(String(data)));
      } catch (cause) {
        this.#closed = new Error(`the broker sent a frame that is not JSON (${(cause as Error).message})`);
      }
      this.#wake();
    });
    ws.on('close', (code, reason) => {
      this.#closed ??= new SocketClosed(code, reason.toString());
      this.#wake();
    });
    ws.on('error', (error) => {
      this.#closed ??= error;
      this.#wake();
    });
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }

  /** Opens `url`, resolving once the broker accepted the upgrade. */
  static open(url: string, options: SocketOptions): Promise<PulsarSocket> {
    return new Promise((resolve, reject) => {
      options.signal?.throwIfAborted();
      const ws = new WebSocket(url, {
        handshakeTimeout: options.timeoutMs,
        headers: options.token ? { Authorization: `Bearer ${options.token}` } : {},
        // Payloads travel base64-encoded in JSON text frames; the broker bounds them, not the client.
        maxPayload: 0,
        // JSON with base64 payloads compresses, but deflate costs both ends CPU per frame.
        perMessageDeflate: false,
        ...(options.tls ?? {}),
      });
      const onAbort = () => {
        ws.terminate();
        reject(options.signal?.reason);
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => options.signal?.removeEventListener('abort', onAbort);
      ws.once('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          done();
          ws.terminate();
          reject(new HandshakeRefused(res.statusCode ?? 0, res.statusMessage ?? '', Buffer.concat(chunks).toString('utf8').slice(0, 300)));
        });
      });
      ws.once('error', (error) => {
        done();
        reject(error);
      });
      ws.once('open', () => {
        done();
        ws.removeAllListeners('error');
        ws.removeAllListeners('unexpected-response');
        resolve(new PulsarSocket(ws));
      });
    });
  }

  /** Whether the socket can still send. */
  get open(): boolean {
    return this.#ws.readyState === WebSocket.OPEN && !this.#closed;
  }

  /** Sends one JSON frame (resolves once written to the socket). */
  send(frame: unknown): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closed);
    // A send that fails means the socket went away under it: report it as a closed socket.
    return new Promise((resolve, reject) => this.#ws.send(JSON.stringify(frame), (error) => (error ? reject(this.#closed ?? new SocketClosed(1006, error.message)) : resolve())));
  }

  /**
   * The next frame; waits up to `idleMs` (then resolves `undefined`) and rejects when the socket
   * closed or `signal` fired.
   */
  async next<T = unknown>(options: { idleMs?: number; signal?: AbortSignal } = {}): Promise<T | undefined> {
    for (;;) {
      // Frames still buffered when the socket closed are dropped: the broker redelivers what was
      // not acknowledged, and a caller must learn of the loss now, not after the buffer drains.
      options.signal?.throwIfAborted();
      if (this.#closed) throw this.#closed;
      if (this.#frames.length) return this.#frames.shift() as T;
      const outcome = await new Promise<'frame' | 'idle'>((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined;
        const onAbort = () => {
          clearTimeout(timer);
          this.#waiter = undefined;
          reject(options.signal?.reason);
        };
        this.#waiter = () => {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          resolve('frame');
        };
        if (options.idleMs !== undefined) {
          timer = setTimeout(() => {
            this.#waiter = undefined;
            options.signal?.removeEventListener('abort', onAbort);
            resolve('idle');
          }, options.idleMs);
        }
        options.signal?.addEventListener('abort', onAbort, { once: true });
      });
      if (outcome === 'idle') return undefined;
    }
  }

  /** Closes the socket (normal closure) and waits until it is closed, at most 2 s. */
  async close(): Promise<void> {
    if (this.#ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#ws.terminate();
        resolve();
      }, 2000);
      timer.unref();
      this.#ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.#ws.close(1000);
    });
  }
}
