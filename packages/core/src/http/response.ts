/** The answer to an HTTP request: status, headers, and a body read once as JSON, text, bytes or a stream. */
import type { z } from 'zod';
import { QueryError } from '../errors.js';
import { redactSnippet } from './redact.js';

export interface HttpResponseInit {
  method: string;
  /** Redacted request URL. */
  url: string;
  requestId: string | undefined;
  attempts: number;
  connector: string | undefined;
  secrets: readonly string[];
  /** Stops the per-attempt timer once the body is read or handed over as a stream. */
  release: () => void;
  /** Turns a failure while reading the body (timeout, reset) into a Sparkle error. */
  readError: (error: unknown) => Error;
}

/**
 * A successful (or, with `throwHttpErrors: false`, any) response. The body can be consumed once.
 * `json()`, `text()` and `bytes()` read it under the request's timeout; `body` hands the stream
 * over and stops that timer (bound a long download with your own `signal`).
 */
export class HttpResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly headers: Headers;
  readonly method: string;
  /** The request URL, redacted (safe to log). */
  readonly url: string;
  readonly requestId: string | undefined;
  /** Attempts it took, including this one. */
  readonly attempts: number;
  readonly #raw: Response;
  readonly #init: HttpResponseInit;

  constructor(raw: Response, init: HttpResponseInit) {
    this.#raw = raw;
    this.#init = init;
    this.status = raw.status;
    this.statusText = raw.statusText;
    this.ok = raw.ok;
    this.headers = raw.headers;
    this.method = init.method;
    this.url = init.url;
    this.requestId = init.requestId;
    this.attempts = init.attempts;
  }

  /** The body as a byte stream (null for HEAD, 204, 304). Taking it stops the per-attempt timeout. */
  get body(): ReadableStream<Uint8Array> | null {
    this.#init.release();
    return this.#raw.body;
  }

  /** True once the body was read or handed over. */
  get bodyUsed(): boolean {
    return this.#raw.bodyUsed;
  }

  async text(): Promise<string> {
    try {
      return await this.#raw.text();
    } catch (error) {
      throw this.#init.readError(error);
    } finally {
      this.#init.release();
    }
  }

  async bytes(): Promise<Uint8Array> {
    try {
      return new Uint8Array(await this.#raw.arrayBuffer());
    } catch (error) {
      throw this.#init.readError(error);
    } finally {
      this.#init.release();
    }
  }

  /**
   * The body parsed as JSON (`undefined` for an empty body), checked against `schema` when given.
   * @example
   * const user = await (await client.request({ path: '/me' })).json(z.object({ id: z.string() }));
   */
  async json<T = unknown>(schema?: z.ZodType<T>): Promise<T> {
    const text = await this.text();
    if (text.trim() === '') return undefined as T;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new QueryError(
        `${this.method} ${this.url} answered HTTP ${this.status} with a body that is not JSON (${(error as Error).message}): ${redactSnippet(text, this.#init.secrets, 200)}`,
        { connector: this.#init.connector, details: { status: this.status, url: this.url, requestId: this.requestId } },
      );
    }
    if (!schema) return value as T;
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new QueryError(`${this.method} ${this.url} answered JSON of an unexpected shape: ${issues}`, {
      connector: this.#init.connector,
      details: { status: this.status, url: this.url, requestId: this.requestId },
    });
  }

  /** Discards the body so the connection returns to the pool. */
  async discard(): Promise<void> {
    try {
      await this.#raw.body?.cancel();
    } catch {
      // Already consumed or errored: nothing left to free.
    } finally {
      this.#init.release();
    }
  }
}
