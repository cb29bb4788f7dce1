/**
 * TEST-ONLY: an in-process fake of the ADLS Gen2 (DFS) REST calls the real
 * `@azure/storage-file-datalake` client makes, on node:http, for driving that client in tests
 * (no emulator serves the DFS API). Addressed IP-style — `http://127.0.0.1:<port>/<account>/…` —
 * so the client sends its DFS calls and the few it routes to the Blob endpoint (get properties,
 * ranged read) to the same server. What it serves:
 *
 * - filesystem: create `PUT ?resource=filesystem`, properties `HEAD ?restype=container|resource=filesystem`,
 *   list `GET ?resource=filesystem&recursive=&directory=&maxResults=&continuation=` (JSON, `x-ms-continuation`);
 * - paths: create `PUT ?resource=file|directory` (parents created, `If-None-Match: *`,
 *   `x-ms-properties` metadata, `x-ms-content-type`), append `PATCH ?action=append&position=`,
 *   flush `PATCH ?action=flush&position=` (only flushed bytes are visible), rename `PUT` with
 *   `x-ms-rename-source` (atomic; destination conditions; parent must exist), delete
 *   `DELETE ?recursive=`, properties `HEAD`, read `GET` with `x-ms-range`/`Range` and `If-Match`.
 *
 * Requests are authenticated as the service does: SharedKey signatures are recomputed with the
 * account key (HMAC-SHA256 over the canonical request), SAS tokens compared with the one
 * issued. Errors carry `x-ms-error-code` and the service's JSON or XML error body. Faults can be
 * queued (`failNext`) to answer e.g. 503 ServerBusy.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Entry {
  kind: 'file' | 'directory';
  data: Buffer;
  /** Appended, not yet flushed: position → bytes. */
  pending: Map<number, Buffer>;
  etag: string;
  lastModified: Date;
  created: Date;
  contentType?: string;
  metadata: Record<string, string>;
}

/** A queued fault: the next request matching `method` (any, when unset) gets this status and code. */
export interface Fault {
  method?: string;
  status: number;
  code: string;
  /** How many matching requests to fail (default 1). */
  times?: number;
}

export interface FakeDfsOptions {
  account?: string;
  /** Base64 account key SharedKey requests must be signed with. */
  accountKey?: string;
}

/**
 * Starts the fake on 127.0.0.1 (a free port).
 *
 * @example
 * ```ts
 * const dfs = await startFakeDfs();
 * dfs.createFilesystem('lake');
 * const conn = await getConnection('adls', { config: { account: dfs.account, filesystem: 'lake', endpoint: dfs.url, auth: { type: 'accountKey', accountKey: dfs.accountKey } } });
 * ```
 */
export async function startFakeDfs(options: FakeDfsOptions = {}): Promise<FakeDfs> {
  const fake = new FakeDfs(options);
  await fake.listen();
  return fake;
}

export class FakeDfs {
  readonly account: string;
  readonly accountKey: string;
  /** SAS token the fake accepts (any other `sig` is refused). */
  readonly sasToken: string;
  readonly filesystems = new Map<string, Map<string, Entry>>();
  readonly faults: Fault[] = [];
  /** Every request seen, as `METHOD path?query` (for asserting what the client did). */
  readonly requests: string[] = [];
  #server: Server | undefined;
  #port = 0;
  #etag = 0;

  constructor(options: FakeDfsOptions = {}) {
    this.account = options.account ?? 'fakeaccount';
    this.accountKey = options.accountKey ?? randomBytes(32).toString('base64');
    this.sasToken = `sv=2025-01-05&ss=b&srt=sco&sp=rwdlacup&se=2099-01-01T00%3A00%3A00Z&spr=https%2Chttp&sig=${encodeURIComponent(randomBytes(32).toString('base64'))}`;
  }

  /** `http://127.0.0.1:<port>/<account>`: the endpoint to configure. */
  get url(): string {
    return `http://127.0.0.1:${this.#port}/${this.account}`;
  }

  /** Queues faults answered before the real handling. */
  failNext(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  createFilesystem(name: string): void {
    if (!this.filesystems.has(name)) this.filesystems.set(name, new Map());
  }

  /** Bytes of a flushed file (tests look behind the client's back). */
  fileBytes(filesystem: string, path: string): Buffer | undefined {
    const e = this.filesystems.get(filesystem)?.get(path);
    return e?.kind === 'file' ? e.data : undefined;
  }

  /** Every path of a filesystem (files and directories), sorted. */
  paths(filesystem: string): string[] {
    return [...(this.filesystems.get(filesystem)?.keys() ?? [])].sort();
  }

  async listen(): Promise<void> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          this.#handle(req, res, Buffer.concat(chunks));
        } catch (error) {
          this.#error(res, 500, 'InternalError', (error as Error).message);
        }
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  // -------------------------------------------------------------------------------------------

  #newEtag(): string {
    return `"0x8D${(++this.#etag).toString(16).toUpperCase().padStart(12, '0')}"`;
  }

  #common(res: ServerResponse): void {
    res.setHeader('x-ms-request-id', randomBytes(8).toString('hex'));
    res.setHeader('x-ms-version', '2025-01-05');
    res.setHeader('Date', new Date().toUTCString());
  }

  #error(res: ServerResponse, status: number, code: string, message: string, xml = false): void {
    this.#common(res);
    res.statusCode = status;
    res.setHeader('x-ms-error-code', code);
    if (xml) {
      res.setHeader('Content-Type', 'application/xml');
      res.end(`<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
    } else {
      res.setHeader('Content-Type', 'application/json;charset=utf-8');
      res.end(JSON.stringify({ error: { code, message } }));
    }
  }

  /** SharedKey: the signature recomputed over the canonical request as the service does; SAS: the issued token's signature. */
  #authorized(req: IncomingMessage, rawPath: string, rawQuery: string): boolean {
    const query = new URLSearchParams(rawQuery);
    const sig = query.get('sig');
    if (sig !== null) return sig === new URLSearchParams(this.sasToken).get('sig');
    const auth = req.headers.authorization;
    if (!auth?.startsWith(`SharedKey ${this.account}:`)) return false;
    const header = (name: string) => {
      const v = req.headers[name];
      const s = Array.isArray(v) ? v.join(',') : (v ?? '');
      return name === 'content-length' && s === '0' ? '' : s;
    };
    const canonicalHeaders = Object.keys(req.headers)
      .filter((n) => n.startsWith('x-ms-'))
      .sort()
      .map((n) => `${n}:${header(n).trimStart()}\n`)
      .join('');
    let resource = `/${this.account}${rawPath}`;
    const params = rawQuery
      ? rawQuery.split('&').map((p) => {
          const at = p.indexOf('=');
          return at < 0 ? [p.toLowerCase(), ''] : [p.slice(0, at).toLowerCase(), p.slice(at + 1)];
        })
      : [];
    for (const [k, v] of params.sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0))) resource += `\n${k}:${decodeURIComponent(v!)}`;
    const toSign = [
      req.method!.toUpperCase(),
      header('content-language'),
      header('content-encoding'),
      header('content-length'),
      header('content-md5'),
      header('content-type'),
      header('date'),
      header('if-modified-since'),
      header('if-match'),
      header('if-none-match'),
      header('if-unmodified-since'),
      header('range'),
    ].join('\n');
    const expected = createHmac('sha256', Buffer.from(this.accountKey, 'base64')).update(`${toSign}\n${canonicalHeaders}${resource}`, 'utf8').digest('base64');
    return auth === `SharedKey ${this.account}:${expected}`;
  }

  #handle(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const rawPath = q < 0 ? raw : raw.slice(0, q);
    const rawQuery = q < 0 ? '' : raw.slice(q + 1);
    const query = new URLSearchParams(rawQuery);
    const method = req.method ?? 'GET';
    this.requests.push(`${method} ${rawPath}${rawQuery ? `?${[...query.keys()].filter((k) => k !== 'sig').map((k) => `${k}=${k === 'sv' || k === 'se' || k === 'sp' ? '…' : query.get(k)}`).join('&')}` : ''}`);
    const fault = this.faults.findIndex((f) => !f.method || f.method === method);
    if (fault >= 0) {
      const f = this.faults[fault]!;
      f.times = (f.times ?? 1) - 1;
      if (f.times <= 0) this.faults.splice(fault, 1);
      return this.#error(res, f.status, f.code, `injected fault ${f.code}`);
    }
    const blobStyle = method === 'HEAD' || (method === 'GET' && !query.has('resource'));
    if (!this.#authorized(req, rawPath, rawQuery)) {
      return this.#error(res, 403, 'AuthenticationFailed', 'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.', blobStyle);
    }
    // IP-style URLs carry the account first; the client's rename builds its destination URL from
    // `/<filesystem>/<path>` alone (as on the real host-style endpoint), so both forms are served.
    let segments = rawPath.split('/').slice(1).map(decodeURIComponent);
    if (segments[0] === this.account && segments.length > 1 && segments[1] !== '') segments = segments.slice(1);
    const fsName = segments[0] ?? '';
    const path = segments.slice(1).join('/');
    if (!path) return this.#filesystemCall(req, res, method, fsName, query);
    const fs = this.filesystems.get(fsName);
    if (!fs) return this.#error(res, 404, blobStyle ? 'ContainerNotFound' : 'FilesystemNotFound', `The specified filesystem does not exist.`, blobStyle);
    switch (method) {
      case 'PUT':
        return req.headers['x-ms-rename-source'] ? this.#rename(req, res, fsName, fs, path) : this.#create(req, res, fs, path, query);
      case 'PATCH':
        return this.#patch(req, res, fs, path, query, body);
      case 'DELETE':
        return this.#delete(res, fs, path, query);
      case 'HEAD':
        return this.#properties(res, fs, path);
      case 'GET':
        return this.#read(req, res, fs, path);
      default:
        return this.#error(res, 405, 'UnsupportedHttpVerb', `${method} is not supported`);
    }
  }

  #filesystemCall(req: IncomingMessage, res: ServerResponse, method: string, name: string, query: URLSearchParams): void {
    const fs = this.filesystems.get(name);
    if (method === 'PUT' && query.get('resource') === 'filesystem') {
      if (fs) return this.#error(res, 409, 'FilesystemAlreadyExists', 'The specified filesystem already exists.');
      this.createFilesystem(name);
      this.#common(res);
      res.statusCode = 201;
      res.setHeader('ETag', this.#newEtag());
      res.setHeader('Last-Modified', new Date().toUTCString());
      return void res.end();
    }
    if (!fs) return this.#error(res, 404, method === 'HEAD' && query.get('restype') === 'container' ? 'ContainerNotFound' : 'FilesystemNotFound', 'The specified filesystem does not exist.', method === 'HEAD');
    if (method === 'HEAD') {
      this.#common(res);
      res.statusCode = 200;
      res.setHeader('ETag', '"0x8D000000000001"');
      res.setHeader('Last-Modified', new Date().toUTCString());
      res.setHeader('x-ms-namespace-enabled', 'true');
      return void res.end();
    }
    if (method === 'GET' && query.get('resource') === 'filesystem') return this.#list(req, res, fs, query);
    return this.#error(res, 400, 'UnsupportedQueryParameter', `unsupported filesystem call ${method} ${[...query.keys()].join(',')}`);
  }

  #list(_req: IncomingMessage, res: ServerResponse, fs: Map<string, Entry>, query: URLSearchParams): void {
    const directory = (query.get('directory') ?? '').replace(/^\/+|\/+$/g, '');
    if (directory && fs.get(directory)?.kind !== 'directory') return this.#error(res, 404, 'PathNotFound', 'The specified path does not exist.');
    const recursive = query.get('recursive') === 'true';
    const under = directory ? `${directory}/` : '';
    const all = [...fs.keys()].filter((p) => p.startsWith(under) && (recursive || !p.slice(under.length).includes('/'))).sort();
    const max = Math.min(Number(query.get('maxResults') ?? 5000) || 5000, 5000);
    const from = Number(query.get('continuation') ?? 0);
    const page = all.slice(from, from + max);
    this.#common(res);
    res.statusCode = 200;
    res.setHeader('Content-Type', 'application/json;charset=utf-8');
    if (from + max < all.length) res.setHeader('x-ms-continuation', String(from + max));
    res.end(
      JSON.stringify({
        paths: page.map((name) => {
          const e = fs.get(name)!;
          return {
            name,
            ...(e.kind === 'directory' ? { isDirectory: 'true' } : {}),
            contentLength: String(e.data.length),
            lastModified: e.lastModified.toUTCString(),
            etag: e.etag,
            owner: '$superuser',
            group: '$superuser',
            permissions: 'rw-r-----',
          };
        }),
      }),
    );
  }

  /** Parent directories of a path are created as the service does; a file in the way is a conflict. */
  #ensureParents(fs: Map<string, Entry>, path: string): boolean {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      const e = fs.get(dir);
      if (e?.kind === 'file') return false;
      if (!e) fs.set(dir, this.#entry('directory'));
    }
    return true;
  }

  #entry(kind: Entry['kind']): Entry {
    const now = new Date();
    return { kind, data: Buffer.alloc(0), pending: new Map(), etag: this.#newEtag(), lastModified: now, created: now, metadata: kind === 'directory' ? { hdi_isfolder: 'true' } : {} };
  }

  #created(res: ServerResponse, e: Entry, status = 201): void {
    this.#common(res);
    res.statusCode = status;
    res.setHeader('ETag', e.etag);
    res.setHeader('Last-Modified', e.lastModified.toUTCString());
    res.setHeader('Content-Length', '0');
    res.end();
  }

  #create(req: IncomingMessage, res: ServerResponse, fs: Map<string, Entry>, path: string, query: URLSearchParams): void {
    const kind = query.get('resource');
    if (kind !== 'file' && kind !== 'directory') return this.#error(res, 400, 'InvalidQueryParameterValue', `resource must be file or directory, not ${kind}`);
    const existing = fs.get(path);
    if (existing && req.headers['if-none-match'] === '*') return this.#error(res, 409, 'PathAlreadyExists', 'The specified path already exists.');
    if (existing && existing.kind !== kind) return this.#error(res, 409, 'PathConflict', `The specified path, or an element of the path, exists and its resource type is invalid for this operation.`);
    if (existing?.kind === 'directory') return this.#created(res, existing);
    if (!this.#ensureParents(fs, path)) return this.#error(res, 409, 'PathConflict', 'An element of the path is a file.');
    const e = this.#entry(kind);
    const contentType = req.headers['x-ms-content-type'];
    if (typeof contentType === 'string') e.contentType = contentType;
    const props = req.headers['x-ms-properties'];
    if (typeof props === 'string' && props) {
      for (const pair of props.split(',')) {
        const at = pair.indexOf('=');
        e.metadata[pair.slice(0, at)] = Buffer.from(pair.slice(at + 1), 'base64').toString('utf8');
      }
    }
    fs.set(path, e);
    this.#created(res, e);
  }

  #patch(req: IncomingMessage, res: ServerResponse, fs: Map<string, Entry>, path: string, query: URLSearchParams, body: Buffer): void {
    const e = fs.get(path);
    if (!e) return this.#error(res, 404, 'PathNotFound', 'The specified path does not exist.');
    if (e.kind !== 'file') return this.#error(res, 409, 'PathConflict', 'The path is a directory.');
    const position = Number(query.get('position'));
    if (!Number.isInteger(position) || position < 0) return this.#error(res, 400, 'InvalidQueryParameterValue', 'position is required');
    if (query.get('action') === 'append') {
      e.pending.set(position, body);
      this.#common(res);
      res.statusCode = 202;
      return void res.end();
    }
    if (query.get('action') !== 'flush') return this.#error(res, 400, 'InvalidQueryParameterValue', `unsupported action ${query.get('action')}`);
    // Flushed bytes: the committed ones, then appended ranges that continue them without a gap, up to `position`.
    const parts: Buffer[] = [e.data];
    let at = e.data.length;
    while (at < position) {
      const next = e.pending.get(at);
      if (!next || next.length === 0) return this.#error(res, 400, 'InvalidFlushPosition', `no appended data at ${at} (flush position ${position})`);
      parts.push(next);
      e.pending.delete(at);
      at += next.length;
    }
    if (at !== position) return this.#error(res, 400, 'InvalidFlushPosition', `appended data ends at ${at}, not ${position}`);
    e.data = Buffer.concat(parts);
    e.pending.clear();
    e.etag = this.#newEtag();
    e.lastModified = new Date();
    const contentType = req.headers['x-ms-content-type'];
    if (typeof contentType === 'string') e.contentType = contentType;
    this.#created(res, e, 200);
  }

  #rename(req: IncomingMessage, res: ServerResponse, fsName: string, fs: Map<string, Entry>, dest: string): void {
    // `/<filesystem>/<path>` (IP-style clients put the account first), optionally with the source's SAS.
    const header = String(req.headers['x-ms-rename-source']).split('?')[0]!;
    let parts = header.split('/').slice(1).map(decodeURIComponent);
    if (parts[0] === this.account) parts = parts.slice(1);
    if (parts[0] !== fsName) return this.#error(res, 400, 'InvalidSourceOrDestinationResourceType', 'renames across filesystems are not supported by this fake');
    const source = parts.slice(1).join('/');
    const entry = fs.get(source);
    if (!entry) return this.#error(res, 404, 'SourcePathNotFound', 'The source path for a rename operation does not exist.');
    const existing = fs.get(dest);
    if (existing && req.headers['if-none-match'] === '*') return this.#error(res, 409, 'PathAlreadyExists', 'The specified path already exists.');
    const ifMatch = req.headers['if-match'];
    if (ifMatch && (!existing || existing.etag !== ifMatch)) return this.#error(res, 412, 'ConditionNotMet', 'The condition specified using HTTP conditional header(s) is not met.');
    if (existing?.kind === 'directory') return this.#error(res, 409, 'PathConflict', 'The destination is a directory.');
    if (dest === source || dest.startsWith(`${source}/`)) return this.#error(res, 400, 'InvalidDestinationPath', 'The destination lies inside the source.');
    const parent = dest.includes('/') ? dest.slice(0, dest.lastIndexOf('/')) : '';
    if (parent && fs.get(parent)?.kind !== 'directory') return this.#error(res, 404, 'RenameDestinationParentPathNotFound', 'The parent directory of the destination path does not exist.');
    // One step, as the service does it: the subtree moves, the destination is replaced.
    const moved = [...fs.entries()].filter(([p]) => p === source || p.startsWith(`${source}/`));
    for (const [p] of moved) fs.delete(p);
    for (const [p, e] of moved) fs.set(dest + p.slice(source.length), e);
    this.#created(res, entry);
  }

  #delete(res: ServerResponse, fs: Map<string, Entry>, path: string, query: URLSearchParams): void {
    const e = fs.get(path);
    if (!e) return this.#error(res, 404, 'PathNotFound', 'The specified path does not exist.');
    const children = [...fs.keys()].filter((p) => p.startsWith(`${path}/`));
    if (children.length && query.get('recursive') !== 'true') return this.#error(res, 409, 'DirectoryNotEmpty', 'The recursive query parameter value must be true to delete a non-empty directory.');
    fs.delete(path);
    for (const c of children) fs.delete(c);
    this.#common(res);
    res.statusCode = 200;
    res.end();
  }

  #headers(res: ServerResponse, e: Entry): void {
    res.setHeader('ETag', e.etag);
    res.setHeader('Last-Modified', e.lastModified.toUTCString());
    res.setHeader('x-ms-creation-time', e.created.toUTCString());
    res.setHeader('x-ms-blob-type', 'BlockBlob');
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('x-ms-resource-type', e.kind);
    if (e.contentType) res.setHeader('Content-Type', e.contentType);
    for (const [k, v] of Object.entries(e.metadata)) res.setHeader(`x-ms-meta-${k}`, v);
  }

  #properties(res: ServerResponse, fs: Map<string, Entry>, path: string): void {
    const e = fs.get(path);
    if (!e) return this.#error(res, 404, 'BlobNotFound', 'The specified blob does not exist.', true);
    this.#common(res);
    res.statusCode = 200;
    this.#headers(res, e);
    res.setHeader('Content-Length', String(e.data.length));
    res.end();
  }

  #read(req: IncomingMessage, res: ServerResponse, fs: Map<string, Entry>, path: string): void {
    const e = fs.get(path);
    if (!e || e.kind !== 'file') return this.#error(res, 404, 'BlobNotFound', 'The specified blob does not exist.', true);
    const ifMatch = req.headers['if-match'];
    if (ifMatch && ifMatch !== '*' && ifMatch !== e.etag) return this.#error(res, 412, 'ConditionNotMet', 'The condition specified using HTTP conditional header(s) is not met.', true);
    const range = String(req.headers['x-ms-range'] ?? req.headers.range ?? '');
    const size = e.data.length;
    this.#common(res);
    this.#headers(res, e);
    const m = /^bytes=(\d+)-(\d*)$/.exec(range);
    if (!m) {
      res.statusCode = 200;
      res.setHeader('Content-Length', String(size));
      return void res.end(e.data);
    }
    const start = Number(m[1]);
    const end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
    if (start >= size) return this.#error(res, 416, 'InvalidRange', 'The range specified is invalid for the current size of the resource.', true);
    res.statusCode = 206;
    res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
    res.setHeader('Content-Length', String(end - start + 1));
    res.end(e.data.subarray(start, end + 1));
  }
}
