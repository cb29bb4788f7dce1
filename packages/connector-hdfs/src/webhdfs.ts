/**
 * A small WebHDFS / HttpFS REST client on core's shared HTTP layer (retries, timeouts, redaction).
 * No maintained Node HDFS client exists; the REST API is documented and stable, so this speaks
 * it directly: `op=LISTSTATUS_BATCH`, `GETFILESTATUS`, `OPEN` (offset/length), `CREATE` (the
 * NameNode names a DataNode — asked with `noredirect=true`, so the data goes in one request of
 * ours to the address it returns), `RENAME` (with `renameoptions` for atomic replace or refuse),
 * `DELETE`, `MKDIRS`. Failures come back as `RemoteException` JSON and become typed errors.
 *
 * HA: every call goes to the NameNode that answered last; a standby one (`StandbyException`) or an
 * unreachable one hands the call to the next.
 */
import { Readable } from 'node:stream';
import {
  AuthenticationError,
  ConnectionFailedError,
  createHttpClient,
  QueryError,
  SparkleError,
  TimeoutError,
  WriteError,
  type HttpClient,
  type HttpQueryValue,
  type HttpResponse,
} from '@sparkle/core';

/** A `FileStatus` as WebHDFS returns it. */
export interface HdfsFileStatus {
  pathSuffix: string;
  type: 'FILE' | 'DIRECTORY' | 'SYMLINK';
  length: number;
  modificationTime: number;
  fileId?: number;
  owner?: string;
  permission?: string;
}

/** Options of {@link WebHdfsClient}. */
export interface WebHdfsOptions {
  namenodes: readonly string[];
  endpoint: 'webhdfs' | 'httpfs';
  user?: string;
  delegationToken?: string;
  connector: string;
  timeoutMs: number;
  maxRetries: number;
  /** Extra values to scrub from messages. */
  secrets: readonly string[];
}

/** What a failed call was doing, for the error's class and message. */
export interface HdfsCall {
  op: string;
  /** The HDFS path (or `hdfs://` URI) the message names. */
  target: string;
  write?: boolean;
}

interface RemoteException {
  exception?: string;
  javaClassName?: string;
  message?: string;
}

/** Exceptions after which the same call may succeed on another NameNode or later. */
const RETRYABLE_EXCEPTIONS = new Set(['StandbyException', 'RetriableException', 'SafeModeException', 'ObserverRetryOnActiveException']);

/**
 * The typed error for a WebHDFS failure.
 * @example
 * hdfsError(404, { exception: 'FileNotFoundException', message: 'File does not exist: /a' }, { op: 'OPEN', target: '/a' }, 'hdfs');
 */
export function hdfsError(status: number, remote: RemoteException | undefined, call: HdfsCall, connector: string, redact: (text: string) => string = (t) => t): SparkleError {
  const exception = remote?.exception ?? '';
  // The server's message may quote a token or a URL carrying one.
  const said = remote?.message ? `: ${redact(remote.message)}` : '';
  const details: Record<string, unknown> = { status, path: call.target, ...(exception ? { exception } : {}) };
  const Failure = call.write ? WriteError : QueryError;
  if (exception === 'FileNotFoundException' || (status === 404 && !exception)) {
    return new Failure(`${call.target} does not exist (${call.op})${said}`, { connector, details: { ...details, notFound: true } });
  }
  if (exception === 'FileAlreadyExistsException') {
    return new SparkleError('TABLE_EXISTS', `${call.target} already exists (${call.op})${said}`, { connector, details });
  }
  if (exception === 'AccessControlException') {
    return new AuthenticationError(`HDFS denied ${call.op} on ${call.target} to this user (AccessControlException)${said}; check 'user' and the path's owner and permissions`, { connector, details });
  }
  if (status === 401 || exception === 'SecurityException' || exception === 'InvalidToken') {
    return new AuthenticationError(
      `HDFS refused the credentials for ${call.op} ${call.target} (${exception || status})${said}; check 'user', or renew 'delegationToken' (Kerberos is not supported: use a delegation token)`,
      { connector, details },
    );
  }
  if (RETRYABLE_EXCEPTIONS.has(exception) || status === 503 || status === 429) {
    return new ConnectionFailedError(`HDFS cannot serve ${call.op} ${call.target} right now (${exception || status})${said}; retry later`, { connector, details });
  }
  return new Failure(`HDFS failed ${call.op} ${call.target} (${exception || status})${said}`, { connector, details });
}

/** The WebHDFS REST client. */
export class WebHdfsClient {
  readonly #http: HttpClient;
  readonly #options: WebHdfsOptions;
  /** Index of the NameNode that answered last (HA). */
  #active = 0;

  constructor(options: WebHdfsOptions) {
    this.#options = options;
    this.#http = createHttpClient({
      connector: options.connector,
      timeoutMs: options.timeoutMs,
      retry: { attempts: options.maxRetries + 1, baseDelayMs: 200, maxDelayMs: 5_000 },
      secrets: [...options.secrets, ...(options.delegationToken ? [options.delegationToken] : [])],
      userAgent: 'sparkle-webhdfs',
    });
  }

  /** The NameNode (or gateway) URL in use. */
  get activeNamenode(): string {
    return this.#options.namenodes[this.#active]!;
  }

  #auth(): Record<string, string> {
    if (this.#options.delegationToken) return { delegation: this.#options.delegationToken };
    return this.#options.user ? { 'user.name': this.#options.user } : {};
  }

  /** `/webhdfs/v1` + the path, each segment escaped. */
  static restPath(path: string): string {
    return `/webhdfs/v1${path.split('/').map(encodeURIComponent).join('/')}`;
  }

  /**
   * One call to the NameNodes, trying each from the active one on: an unreachable or standby
   * NameNode passes the call on. Returns the response when its status is accepted; else the
   * typed error from its RemoteException.
   */
  async call(method: string, path: string, op: string, query: Record<string, HttpQueryValue>, call: HdfsCall, extra: { signal?: AbortSignal; body?: RequestInit['body']; headers?: Record<string, string>; accept?: (status: number) => boolean } = {}): Promise<HttpResponse> {
    const namenodes = this.#options.namenodes;
    let last: unknown;
    for (let tried = 0; tried < namenodes.length; tried++) {
      const index = (this.#active + tried) % namenodes.length;
      let response: HttpResponse;
      try {
        response = await this.#http.request({
          method,
          path: `${namenodes[index]!.replace(/\/+$/, '')}${WebHdfsClient.restPath(path)}`,
          query: { op, ...query, ...this.#auth() },
          throwHttpErrors: false,
          ...(extra.body !== undefined ? { body: extra.body } : {}),
          ...(extra.headers ? { headers: extra.headers } : {}),
          ...(extra.signal ? { signal: extra.signal } : {}),
          // Every op here is safe to repeat but CREATE/RENAME/DELETE, which callers make safe (temp paths).
          idempotent: method === 'GET' || op === 'MKDIRS' || op === 'GETFILESTATUS',
        });
      } catch (error) {
        last = error;
        if (SparkleError.isInstance(error) && error.code === 'CONNECTION_FAILED' && namenodes.length > 1) continue;
        throw error;
      }
      if (response.ok || extra.accept?.(response.status)) {
        this.#active = index;
        return response;
      }
      const remote = await remoteException(response);
      const failure = hdfsError(response.status, remote, { ...call, op }, this.#options.connector, (t) => this.#http.redact(t));
      if (remote?.exception === 'StandbyException' && namenodes.length > 1) {
        last = failure;
        continue;
      }
      throw failure;
    }
    throw new ConnectionFailedError(`No NameNode could serve ${op} ${call.target} (tried ${namenodes.length}: ${namenodes.join(', ')}); last: ${last instanceof Error ? last.message : String(last)}`, {
      connector: this.#options.connector,
      cause: last,
      details: { ...(SparkleError.isInstance(last) ? last.details : {}), namenodes: [...namenodes] },
    });
  }

  /** JSON of a successful call. */
  async json<T>(method: string, path: string, op: string, query: Record<string, HttpQueryValue>, call: HdfsCall, signal?: AbortSignal): Promise<T> {
    const response = await this.call(method, path, op, query, call, signal ? { signal } : {});
    return (await response.json()) as T;
  }

  /** `GETFILESTATUS`, or `undefined` when the path does not exist. */
  async status(path: string, call: HdfsCall, signal?: AbortSignal): Promise<HdfsFileStatus | undefined> {
    try {
      return (await this.json<{ FileStatus: HdfsFileStatus }>('GET', path, 'GETFILESTATUS', {}, call, signal)).FileStatus;
    } catch (error) {
      if (SparkleError.isInstance(error) && error.details.notFound) return undefined;
      throw error;
    }
  }

  /**
   * A directory's entries, page by page (`LISTSTATUS_BATCH`, falling back to `LISTSTATUS` where
   * the server has no batches, as HttpFS before 3.3). A missing directory lists as empty.
   */
  async *list(path: string, call: HdfsCall, signal?: AbortSignal): AsyncGenerator<HdfsFileStatus> {
    let startAfter: string | undefined;
    for (;;) {
      let page: { DirectoryListing?: { partialListing?: { FileStatuses?: { FileStatus?: HdfsFileStatus[] } }; remainingEntries?: number }; FileStatuses?: { FileStatus?: HdfsFileStatus[] } };
      try {
        page = await this.json('GET', path, 'LISTSTATUS_BATCH', startAfter ? { startAfter } : {}, call, signal);
      } catch (error) {
        if (SparkleError.isInstance(error) && error.details.notFound) return;
        if (SparkleError.isInstance(error) && /LISTSTATUS_BATCH|UnsupportedOperation|IllegalArgument/i.test(error.message) && startAfter === undefined) {
          try {
            page = await this.json('GET', path, 'LISTSTATUS', {}, call, signal);
          } catch (inner) {
            if (SparkleError.isInstance(inner) && inner.details.notFound) return;
            throw inner;
          }
          yield* page.FileStatuses?.FileStatus ?? [];
          return;
        }
        throw error;
      }
      const entries = page.DirectoryListing?.partialListing?.FileStatuses?.FileStatus ?? [];
      yield* entries;
      if (!page.DirectoryListing?.remainingEntries || entries.length === 0) return;
      startAfter = entries[entries.length - 1]!.pathSuffix;
    }
  }

  /** `OPEN` with offset and length: the response's body streams the bytes (the DataNode redirect is followed). */
  async open(path: string, offset: number, length: number | undefined, call: HdfsCall, signal?: AbortSignal): Promise<HttpResponse> {
    return this.call('GET', path, 'OPEN', { offset, ...(length !== undefined ? { length } : {}) }, call, signal ? { signal } : {});
  }

  /**
   * `CREATE`: WebHDFS asks the NameNode where to write (`noredirect=true` answers the DataNode's
   * URL as JSON) and streams the body there; HttpFS takes the body itself (`data=true`).
   */
  async create(path: string, body: AsyncIterable<Uint8Array> | Uint8Array, query: Record<string, HttpQueryValue>, call: HdfsCall, signal?: AbortSignal): Promise<void> {
    const headers = { 'content-type': 'application/octet-stream' };
    if (this.#options.endpoint === 'httpfs') {
      const stream = body instanceof Uint8Array ? body : (Readable.toWeb(Readable.from(body)) as ReadableStream<Uint8Array>);
      await (await this.call('PUT', path, 'CREATE', { ...query, data: true }, call, { body: stream as RequestInit['body'], headers, ...(signal ? { signal } : {}) })).discard();
      return;
    }
    const where = await this.json<{ Location?: string }>('PUT', path, 'CREATE', { ...query, noredirect: true }, call, signal);
    if (!where.Location) throw new WriteError(`The NameNode named no DataNode for CREATE ${call.target}`, { connector: this.#options.connector, details: { path: call.target } });
    await this.#dataNodePut(where.Location, body, call, signal);
  }

  /**
   * Streams a body to the DataNode URL the NameNode handed out (it carries the auth parameters
   * already). Through `node:http`, not fetch: the DataNode answers every PUT with an unsolicited
   * `100 Continue` before its status, which fetch (undici) rejects as a bad response; node:http
   * skips it. The body is piped, so memory stays within the stream's buffers.
   */
  async #dataNodePut(url: string, body: AsyncIterable<Uint8Array> | Uint8Array, call: HdfsCall, signal?: AbortSignal): Promise<void> {
    const target = new URL(url);
    const { request } = target.protocol === 'https:' ? await import('node:https') : await import('node:http');
    const shown = `PUT ${target.origin}${target.pathname}`;
    const connector = this.#options.connector;
    const redact = (t: string) => this.#http.redact(t);
    const timeoutMs = this.#options.timeoutMs;
    await new Promise<void>((resolve, reject) => {
      const req = request(target, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', ...(body instanceof Uint8Array ? { 'content-length': String(body.byteLength) } : {}) }, ...(signal ? { signal } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve();
          let remote: RemoteException | undefined;
          try {
            remote = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { RemoteException?: RemoteException }).RemoteException;
          } catch {
            remote = undefined;
          }
          reject(hdfsError(status, remote, { ...call, op: 'CREATE' }, connector, redact));
        });
      });
      req.setTimeout(timeoutMs, () => req.destroy(new TimeoutError(`${shown} did not answer within ${timeoutMs} ms`, { connector })));
      req.on('error', (error) => reject(SparkleError.isInstance(error) || signal?.aborted ? error : new ConnectionFailedError(`${shown} failed: ${error.message}`, { connector, cause: error })));
      Readable.from(body instanceof Uint8Array ? [body] : body)
        .on('error', (error) => req.destroy(error))
        .pipe(req);
    });
  }
}

/** The `RemoteException` of an error response, if its body is one. */
async function remoteException(response: HttpResponse): Promise<RemoteException | undefined> {
  try {
    const text = await response.text();
    const parsed = JSON.parse(text) as { RemoteException?: RemoteException };
    return parsed.RemoteException;
  } catch {
    return undefined;
  }
}
