/**
 * An in-process fake of the Cosmos DB gateway REST API, on `node:http` (or `node:https` with a
 * certificate), exactly as far as the real `@azure/cosmos` client drives it for this connector:
 *
 * - `GET /` database account (writable/readable locations pointing back at this server,
 *   consistency policy, query engine configuration);
 * - databases and containers: list, read, create (409 on a duplicate), delete;
 * - `GET …/pkranges`: the container's physical partition key ranges (`ranges` of them, splitting
 *   the effective partition key space evenly);
 * - items: point read/create/upsert/replace/delete routed by `x-ms-documentdb-partitionkey`;
 * - queries (`x-ms-documentdb-isquery`): parameterized SQL evaluated by `fake-sql.ts`, paged by
 *   `x-ms-max-item-count` with `x-ms-continuation` tokens, scoped by
 *   `x-ms-documentdb-partitionkeyrangeid` or a partition key; query plan requests
 *   (`x-ms-cosmos-is-query-plan-request`) answered with a plan for a streaming query;
 * - bulk (`x-ms-cosmos-is-batch-request`, non-atomic): per-operation results, 207 when any
 *   failed; an operation whose partition key hashes outside the range named in the header
 *   fails with 410/1002 as the service does; items larger than `maxItemBytes` fail with 413;
 * - throttling: while `throttle` > 0 each data-plane request is refused with 429 and
 *   `x-ms-retry-after-ms`;
 * - auth: every request must carry `x-ms-date` and an `authorization` header the service would
 *   accept: the master-key HMAC-SHA256 signature over verb, resource type, resource link and
 *   date (recomputed here from the request and compared), or an AAD token (`type=aad`) equal to
 *   `aadToken`. Anything else is 401 — nothing is served to a wrong key.
 *
 * Effective partition keys are computed with the client package's own hash (MurmurHash3 of the
 * binary-encoded key, "V2"), so routing agrees with the client as it does with the service.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseQuery, runQuery, SqlSyntaxError } from './fake-sql.js';

type Item = Record<string, unknown>;
interface PartitionKeyDefinition {
  paths: string[];
  kind: 'Hash' | 'MultiHash';
  version?: number;
}
interface Range {
  id: string;
  minInclusive: string;
  maxExclusive: string;
}
interface Collection {
  id: string;
  rid: string;
  ts: number;
  partitionKey: PartitionKeyDefinition;
  ranges: Range[];
  /** Items by `<partition key JSON>|<id>`, in insertion order. */
  items: Map<string, { epk: string; pk: unknown[]; item: Item }>;
}
interface Db {
  id: string;
  rid: string;
  ts: number;
  colls: Map<string, Collection>;
}

export interface FakeCosmosOptions {
  /** The account key (base64) requests must be signed with. */
  key?: string;
  /** An AAD token accepted instead of a key signature. */
  aadToken?: string;
  /** Physical partition key ranges of every new container (default 4). */
  ranges?: number;
  /** Largest item body in bytes (the service's limit is 2 MB). */
  maxItemBytes?: number;
  /** Serve HTTPS with this key pair. */
  tls?: { key: string; cert: string };
}

/** A base64 master key, as the portal gives one (64 random bytes). */
export const FAKE_KEY = Buffer.from('sparkle-fake-cosmos-account-key-0123456789-abcdefghijklmnopqrstuv').toString('base64');

let hashModule: Promise<{ hashPartitionKey(pk: unknown[], def: PartitionKeyDefinition): string }> | undefined;
/** The client package's partition key hash (dist/esm/utils/hashing/hash.js of the installed @azure/cosmos). */
function hasher() {
  hashModule ??= (async () => {
    const require = createRequire(import.meta.url);
    let dir = dirname(require.resolve('@azure/cosmos'));
    while (!dir.endsWith('dist')) dir = dirname(dir);
    return import(pathToFileURL(join(dir, 'esm', 'utils', 'hashing', 'hash.js')).href) as never;
  })();
  return hashModule;
}

const HEX_END = 'FF';

/**
 * `n` ranges over the effective partition key space. V2 hashes clear the top two bits of their
 * first byte, so values lie in [00, 40): the split points divide that, the last range still
 * ends at `FF` as the service's do.
 */
function splitRanges(n: number): Range[] {
  const bounds = Array.from({ length: n + 1 }, (_, i) => (i === 0 ? '' : i === n ? HEX_END : Math.floor((64 * 256 * i) / n).toString(16).toUpperCase().padStart(4, '0')));
  return Array.from({ length: n }, (_, i) => ({ id: String(i), minInclusive: bounds[i]!, maxExclusive: bounds[i + 1]! }));
}

const rid = () => Buffer.from(randomUUID().replace(/-/g, '').slice(0, 12), 'hex').toString('base64').replace(/\//g, '-');

export class FakeCosmos {
  readonly dbs = new Map<string, Db>();
  readonly requests: Array<{ method: string; path: string; headers: IncomingMessage['headers']; body: string }> = [];
  /** Data-plane requests still to refuse with 429. */
  throttle = 0;
  /** `x-ms-retry-after-ms` of those 429s. */
  retryAfterMs = 5;
  /** How many 429s were sent. */
  throttled = 0;
  readonly #options: Required<Pick<FakeCosmosOptions, 'ranges' | 'maxItemBytes'>> & FakeCosmosOptions;
  #server: Server | undefined;
  #url = '';

  constructor(options: FakeCosmosOptions = {}) {
    this.#options = { ranges: 4, maxItemBytes: 2 * 1024 * 1024, ...options, key: options.key ?? FAKE_KEY };
  }

  get url(): string {
    return this.#url;
  }

  async start(): Promise<string> {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.#handle(req, body, res).catch((error: unknown) => this.#send(res, 500, { code: 'InternalServerError', message: String(error) }));
      });
    };
    this.#server = this.#options.tls ? createHttpsServer(this.#options.tls, handler) : createHttpServer(handler);
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.#server.address() as AddressInfo;
    this.#url = `${this.#options.tls ? 'https' : 'http'}://127.0.0.1:${port}/`;
    return this.#url;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** All items of a container (tests look inside). */
  items(db: string, coll: string): Item[] {
    return [...(this.dbs.get(db)?.colls.get(coll)?.items.values() ?? [])].map((e) => e.item);
  }

  #send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-ms-activity-id': randomUUID(),
      'x-ms-request-charge': '1',
      'x-ms-session-token': '0:1#1',
      ...headers,
    });
    res.end(text);
  }

  #error(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
    this.#send(res, status, { code, message: `Message: {"Errors":["${message}"]}\r\nActivityId: ${randomUUID()}, Request URI: /fake, RequestStats: , SDK: fake` }, headers);
  }

  /** Checks the authorization header as the service does; answers 401 and returns false when it does not hold. */
  #authorized(req: IncomingMessage, method: string, segments: string[], res: ServerResponse): boolean {
    const raw = req.headers.authorization;
    const date = req.headers['x-ms-date'];
    if (typeof raw !== 'string' || (typeof date !== 'string' && !decodeURIComponent(raw).startsWith('type=aad&'))) {
      this.#error(res, 401, 'Unauthorized', 'Required Header authorization is missing. Ensure a valid Authorization token is passed.');
      return false;
    }
    // `type=master&ver=1.0&sig=<base64>`, URL-encoded once; split by hand, as '+' in the signature is not a space.
    const fields = new Map(
      decodeURIComponent(raw)
        .split('&')
        .map((part) => [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)] as const),
    );
    if (fields.get('type') === 'aad') {
      if (this.#options.aadToken !== undefined && fields.get('sig') === this.#options.aadToken) return true;
      this.#error(res, 401, 'Unauthorized', 'Local Authorization is disabled or the AAD token is not valid for this account.');
      return false;
    }
    if (typeof date !== 'string' || Math.abs(Date.parse(date) - Date.now()) > 15 * 60_000) {
      this.#error(res, 401, 'Unauthorized', 'The authorization token is not valid at the current time.');
      return false;
    }
    // Resource type and link: a feed path ends with its type (`dbs/d/colls` → colls of `dbs/d`),
    // a resource path with its id (`dbs/d/colls/c` → colls `dbs/d/colls/c`).
    const feed = segments.length % 2 === 1;
    const type = segments.length === 0 ? '' : feed ? segments.at(-1)! : segments.at(-2)!;
    const link = feed ? segments.slice(0, -1).join('/') : segments.join('/');
    const payload = `${method.toLowerCase()}\n${type.toLowerCase()}\n${link}\n${date.toLowerCase()}\n\n`;
    const expected = createHmac('sha256', Buffer.from(this.#options.key!, 'base64')).update(payload).digest('base64');
    if (fields.get('type') !== 'master' || fields.get('ver') !== '1.0' || fields.get('sig') !== expected) {
      this.#error(res, 401, 'Unauthorized', `The input authorization token can't serve the request. The wrong key is being used or the expected payload is not built as per the protocol. Server used the following payload to sign: '${payload.replace(/\n/g, '\\n')}'`);
      return false;
    }
    return true;
  }

  async #epk(coll: Collection, pk: unknown[]): Promise<string> {
    return (await hasher()).hashPartitionKey(pk, coll.partitionKey);
  }

  #rangeOf(coll: Collection, epk: string): Range {
    return coll.ranges.find((r) => epk >= r.minInclusive && epk < r.maxExclusive)!;
  }

  /** The partition key values of an item by the container's paths (`undefined` → the "none" key, `[{}]`). */
  #pkOf(coll: Collection, item: Item): unknown[] {
    return coll.partitionKey.paths.map((p) => {
      let v: unknown = item;
      for (const s of p.split('/').slice(1)) v = v !== null && typeof v === 'object' ? (v as Item)[s] : undefined;
      return v === undefined ? {} : v;
    });
  }

  #dbJson(db: Db) {
    return { id: db.id, _rid: db.rid, _self: `dbs/${db.rid}/`, _etag: `"${db.rid}"`, _colls: 'colls/', _users: 'users/', _ts: db.ts };
  }

  #collJson(db: Db, c: Collection) {
    return {
      id: c.id,
      indexingPolicy: { indexingMode: 'consistent', automatic: true, includedPaths: [{ path: '/*' }], excludedPaths: [{ path: '/"_etag"/?' }] },
      partitionKey: c.partitionKey,
      conflictResolutionPolicy: { mode: 'LastWriterWins', conflictResolutionPath: '/_ts', conflictResolutionProcedure: '' },
      geospatialConfig: { type: 'Geography' },
      _rid: c.rid,
      _ts: c.ts,
      _self: `dbs/${db.rid}/colls/${c.rid}/`,
      _etag: `"${c.rid}"`,
      _docs: 'docs/',
      _sprocs: 'sprocs/',
      _triggers: 'triggers/',
      _udfs: 'udfs/',
      _conflicts: 'conflicts/',
    };
  }

  #stored(db: Db, c: Collection, item: Item): Item {
    const itemRid = rid();
    return { ...item, _rid: itemRid, _self: `dbs/${db.rid}/colls/${c.rid}/docs/${itemRid}/`, _etag: `"${randomUUID()}"`, _attachments: 'attachments/', _ts: Math.floor(Date.now() / 1000) };
  }

  /** Writes one item: `create` refuses an existing id (409), `replace` a missing one (404). */
  async #write(db: Db, c: Collection, kind: 'create' | 'upsert' | 'replace', item: Item, pk: unknown[]): Promise<{ status: number; code?: string; message?: string; body?: Item }> {
    if (typeof item.id !== 'string' || !item.id) return { status: 400, code: 'BadRequest', message: "The input content is invalid because the required properties - 'id; ' - are missing" };
    if (/[/\\?#]/.test(item.id)) return { status: 400, code: 'BadRequest', message: "The input name is invalid. Ensure to provide a unique non-empty string less than '1024' characters without '/', '\\\\', '?', '#'." };
    if (Buffer.byteLength(JSON.stringify(item)) > this.#options.maxItemBytes) return { status: 413, code: 'RequestEntityTooLarge', message: 'Request size is too large' };
    const key = `${JSON.stringify(pk)}|${item.id}`;
    const exists = c.items.has(key);
    if (kind === 'create' && exists) return { status: 409, code: 'Conflict', message: 'Entity with the specified id already exists in the system.' };
    if (kind === 'replace' && !exists) return { status: 404, code: 'NotFound', message: 'Entity with the specified id does not exist in the system.' };
    const stored = this.#stored(db, c, item);
    const epk = await this.#epk(c, pk);
    c.items.set(key, { epk, pk, item: stored });
    return { status: exists ? 200 : 201, body: stored };
  }

  async #handle(req: IncomingMessage, body: string, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://fake');
    const segments = url.pathname.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
    this.requests.push({ method, path: url.pathname, headers: req.headers, body });
    if (!this.#authorized(req, method, segments, res)) return;
    const h = req.headers;

    if (segments.length === 0) {
      const location = [{ name: 'Fake Region', databaseAccountEndpoint: this.#url }];
      return this.#send(res, 200, {
        _self: '',
        id: 'sparkle-fake',
        _rid: 'sparkle-fake.documents.azure.com',
        media: '//media/',
        addresses: '//addresses/',
        _dbs: '//dbs/',
        writableLocations: location,
        readableLocations: location,
        enableMultipleWriteLocations: false,
        userReplicationPolicy: { asyncReplication: false, minReplicaSetSize: 3, maxReplicasetSize: 4 },
        userConsistencyPolicy: { defaultConsistencyLevel: 'Session' },
        systemReplicationPolicy: { minReplicaSetSize: 3, maxReplicasetSize: 4 },
        readPolicy: { primaryReadCoefficient: 1, secondaryReadCoefficient: 1 },
        queryEngineConfiguration: JSON.stringify({ maxSqlQueryInputLength: 262144, maxJoinsPerSqlQuery: 5, maxLogicalAndPerSqlQuery: 500, maxLogicalOrPerSqlQuery: 500, maxUdfRefPerSqlQuery: 10, maxInExpressionItemsCount: 16000, queryMaxInMemorySortDocumentCount: 500, maxQueryRequestTimeoutFraction: 0.9, sqlAllowNonFiniteNumbers: false, sqlAllowAggregateFunctions: true, sqlAllowSubQuery: true, sqlAllowScalarSubQuery: true, allowNewKeywords: true, sqlAllowLike: true, sqlAllowGroupByClause: true, maxSpatialQueryCells: 12, spatialMaxGeometryPointCount: 256, sqlDisableOptimizationFlags: 0, sqlAllowTop: true, enableSpatialIndexing: true }),
      });
    }
    if (segments[0] !== 'dbs') return this.#error(res, 404, 'NotFound', 'Resource Not Found.');

    // Databases.
    if (segments.length === 1) {
      if (method === 'GET') return this.#send(res, 200, { _rid: '', Databases: [...this.dbs.values()].map((d) => this.#dbJson(d)), _count: this.dbs.size });
      if (method === 'POST') {
        const { id } = JSON.parse(body) as { id: string };
        if (this.dbs.has(id)) return this.#error(res, 409, 'Conflict', 'Entity with the specified id already exists in the system.');
        const db: Db = { id, rid: rid(), ts: Math.floor(Date.now() / 1000), colls: new Map() };
        this.dbs.set(id, db);
        return this.#send(res, 201, this.#dbJson(db));
      }
    }
    const db = this.dbs.get(segments[1]!);
    if (!db) return this.#error(res, 404, 'NotFound', 'Resource Not Found. Learn more: https://aka.ms/cosmosdb-tsg-not-found');
    if (segments.length === 2) {
      if (method === 'GET') return this.#send(res, 200, this.#dbJson(db));
      if (method === 'DELETE') {
        this.dbs.delete(db.id);
        return this.#send(res, 204, undefined);
      }
    }
    if (segments[2] !== 'colls') return this.#error(res, 404, 'NotFound', 'Resource Not Found.');

    // Containers.
    if (segments.length === 3) {
      if (method === 'GET') return this.#send(res, 200, { _rid: db.rid, DocumentCollections: [...db.colls.values()].map((c) => this.#collJson(db, c)), _count: db.colls.size });
      if (method === 'POST') {
        const spec = JSON.parse(body) as { id: string; partitionKey?: PartitionKeyDefinition };
        if (db.colls.has(spec.id)) return this.#error(res, 409, 'Conflict', 'Entity with the specified id already exists in the system.');
        if (!spec.partitionKey?.paths?.length) return this.#error(res, 400, 'BadRequest', 'A partition key definition is required.');
        const c: Collection = { id: spec.id, rid: rid(), ts: Math.floor(Date.now() / 1000), partitionKey: { version: 2, ...spec.partitionKey, kind: spec.partitionKey.kind ?? 'Hash' }, ranges: splitRanges(this.#options.ranges), items: new Map() };
        db.colls.set(c.id, c);
        return this.#send(res, 201, this.#collJson(db, c));
      }
    }
    const coll = db.colls.get(segments[3]!);
    if (!coll) return this.#error(res, 404, 'NotFound', 'Resource Not Found. Learn more: https://aka.ms/cosmosdb-tsg-not-found');
    if (segments.length === 4) {
      if (method === 'GET') return this.#send(res, 200, this.#collJson(db, coll));
      if (method === 'DELETE') {
        db.colls.delete(coll.id);
        return this.#send(res, 204, undefined);
      }
    }
    if (segments[4] === 'pkranges' && segments.length === 5) {
      return this.#send(res, 200, {
        _rid: coll.rid,
        PartitionKeyRanges: coll.ranges.map((r) => ({ ...r, ridPrefix: Number(r.id), throughputFraction: 1 / coll.ranges.length, status: 'online', parents: [], _rid: `${coll.rid}${r.id}`, _self: `dbs/${db.rid}/colls/${coll.rid}/pkranges/${r.id}/`, _etag: `"${r.id}"`, _ts: coll.ts })),
        _count: coll.ranges.length,
      }, { etag: `"${coll.ranges.length}"` });
    }
    if (segments[4] !== 'docs') return this.#error(res, 404, 'NotFound', 'Resource Not Found.');

    // Data plane: throttled first when asked.
    if (this.throttle > 0) {
      this.throttle--;
      this.throttled++;
      return this.#error(res, 429, 'TooManyRequests', 'Request rate is large. More Request Units may be needed, so no changes were made. Please retry this request later.', { 'x-ms-retry-after-ms': String(this.retryAfterMs), 'x-ms-substatus': '3200' });
    }
    const pkHeader = typeof h['x-ms-documentdb-partitionkey'] === 'string' ? (JSON.parse(h['x-ms-documentdb-partitionkey']) as unknown[]) : undefined;

    if (segments.length === 5 && method === 'POST') {
      if (h['x-ms-cosmos-is-query-plan-request'] !== undefined) return this.#queryPlan(body, res);
      if (h['x-ms-documentdb-isquery'] !== undefined) return this.#query(coll, body, h, pkHeader, res);
      if (h['x-ms-cosmos-is-batch-request'] !== undefined) return this.#bulk(db, coll, body, h, res);
      const item = JSON.parse(body) as Item;
      const pk = pkHeader ?? this.#pkOf(coll, item);
      const r = await this.#write(db, coll, h['x-ms-documentdb-is-upsert'] === 'true' ? 'upsert' : 'create', item, pk);
      return r.body ? this.#send(res, r.status, r.body) : this.#error(res, r.status, r.code!, r.message!);
    }
    if (segments.length === 6) {
      if (!pkHeader) return this.#error(res, 400, 'BadRequest', 'PartitionKey value must be supplied for this operation.');
      const key = `${JSON.stringify(pkHeader)}|${segments[5]}`;
      const entry = coll.items.get(key);
      if (method === 'GET') return entry ? this.#send(res, 200, entry.item) : this.#error(res, 404, 'NotFound', 'Entity with the specified id does not exist in the system.');
      if (method === 'DELETE') {
        if (!entry) return this.#error(res, 404, 'NotFound', 'Entity with the specified id does not exist in the system.');
        coll.items.delete(key);
        return this.#send(res, 204, undefined);
      }
      if (method === 'PUT') {
        const r = await this.#write(db, coll, 'replace', JSON.parse(body) as Item, pkHeader);
        return r.body ? this.#send(res, r.status, r.body) : this.#error(res, r.status, r.code!, r.message!);
      }
    }
    return this.#error(res, 405, 'MethodNotAllowed', `${method} is not allowed here.`);
  }

  #queryPlan(body: string, res: ServerResponse): void {
    const { query } = JSON.parse(body) as { query: string };
    let parsed;
    try {
      parsed = parseQuery(query);
    } catch (error) {
      return this.#error(res, 400, 'BadRequest', (error as Error).message);
    }
    this.#send(res, 200, {
      partitionedQueryExecutionInfoVersion: 2,
      queryInfo: {
        distinctType: 'None',
        top: parsed.top ?? null,
        offset: null,
        limit: null,
        orderBy: [],
        orderByExpressions: [],
        groupByExpressions: [],
        groupByAliases: [],
        aggregates: [],
        groupByAliasToAggregateType: {},
        rewrittenQuery: '',
        hasSelectValue: parsed.select.kind === 'value',
        dCountInfo: null,
        hasNonStreamingOrderBy: false,
      },
      queryRanges: [{ min: '', max: HEX_END, isMinInclusive: true, isMaxInclusive: false }],
    });
  }

  async #query(coll: Collection, body: string, h: IncomingMessage['headers'], pk: unknown[] | undefined, res: ServerResponse): Promise<void> {
    if (!String(h['content-type'] ?? '').startsWith('application/query+json')) return this.#error(res, 400, 'BadRequest', 'The query content type must be application/query+json.');
    const spec = JSON.parse(body) as { query: string; parameters?: Array<{ name: string; value: unknown }> };
    let parsed;
    try {
      parsed = parseQuery(spec.query);
    } catch (error) {
      if (error instanceof SqlSyntaxError) return this.#error(res, 400, 'BadRequest', error.message);
      throw error;
    }
    const rangeId = h['x-ms-documentdb-partitionkeyrangeid'];
    if (rangeId !== undefined && !coll.ranges.some((r) => r.id === rangeId)) {
      return this.#error(res, 410, 'Gone', 'The requested partition key range is gone.', { 'x-ms-substatus': '1002' });
    }
    if (rangeId === undefined && !pk && coll.ranges.length > 1 && h['x-ms-documentdb-query-enablecrosspartition'] !== 'true') {
      return this.#error(res, 400, 'BadRequest', 'Cross partition query is required but disabled. Please set x-ms-documentdb-query-enablecrosspartition to true, specify x-ms-documentdb-partitionkey, or revise your query to avoid this exception.');
    }
    const pkKey = pk ? JSON.stringify(pk) : undefined;
    const scoped = [...coll.items.values()]
      .filter((e) => (rangeId === undefined || this.#rangeOf(coll, e.epk).id === rangeId) && (pkKey === undefined || JSON.stringify(e.pk) === pkKey))
      // Results come range by range, as a cross-partition query drains them.
      .sort((a, b) => Number(this.#rangeOf(coll, a.epk).id) - Number(this.#rangeOf(coll, b.epk).id))
      .map((e) => e.item);
    let results;
    try {
      results = runQuery(parsed, scoped, new Map((spec.parameters ?? []).map((p) => [p.name, p.value])));
    } catch (error) {
      if (error instanceof SqlSyntaxError) return this.#error(res, 400, 'BadRequest', error.message);
      throw error;
    }
    const continuation = typeof h['x-ms-continuation'] === 'string' && h['x-ms-continuation'] ? (JSON.parse(Buffer.from(h['x-ms-continuation'], 'base64').toString('utf8')) as { offset: number }) : { offset: 0 };
    const requested = Number(h['x-ms-max-item-count'] ?? 100);
    const size = requested > 0 ? requested : 100;
    const page = results.slice(continuation.offset, continuation.offset + size);
    const next = continuation.offset + page.length;
    const headers: Record<string, string> = { 'x-ms-item-count': String(page.length) };
    if (next < results.length) headers['x-ms-continuation'] = Buffer.from(JSON.stringify({ offset: next })).toString('base64');
    this.#send(res, 200, { _rid: coll.rid, Documents: page, _count: page.length }, headers);
  }

  async #bulk(db: Db, coll: Collection, body: string, h: IncomingMessage['headers'], res: ServerResponse): Promise<void> {
    if (h['x-ms-cosmos-batch-atomic'] !== 'false') return this.#error(res, 400, 'BadRequest', 'Only non-atomic batches (bulk) are served by this fake.');
    const rangeId = h['x-ms-documentdb-partitionkeyrangeid'];
    const range = coll.ranges.find((r) => r.id === rangeId);
    if (!range) return this.#error(res, 410, 'Gone', 'The requested partition key range is gone.', { 'x-ms-substatus': '1002' });
    const operations = JSON.parse(body) as Array<{ operationType: string; partitionKey?: string; id?: string; resourceBody?: Item }>;
    const results: Array<Record<string, unknown>> = [];
    for (const op of operations) {
      const pk = op.partitionKey !== undefined ? (JSON.parse(op.partitionKey) as unknown[]) : op.resourceBody ? this.#pkOf(coll, op.resourceBody) : [];
      const epk = await this.#epk(coll, pk);
      if (this.#rangeOf(coll, epk).id !== range.id) {
        results.push({ statusCode: 410, subStatusCode: 1002, requestCharge: 0, message: 'The partition key does not belong to the partition key range of this request.' });
        continue;
      }
      const type = op.operationType;
      if (type === 'Create' || type === 'Upsert' || type === 'Replace') {
        const r = await this.#write(db, coll, type === 'Create' ? 'create' : type === 'Upsert' ? 'upsert' : 'replace', op.resourceBody ?? {}, pk);
        results.push(r.body ? { statusCode: r.status, requestCharge: 1, eTag: r.body._etag, resourceBody: r.body } : { statusCode: r.status, requestCharge: 1, message: r.message });
      } else if (type === 'Delete' || type === 'Read') {
        const key = `${JSON.stringify(pk)}|${op.id}`;
        const entry = coll.items.get(key);
        if (!entry) results.push({ statusCode: 404, requestCharge: 1, message: 'Entity with the specified id does not exist in the system.' });
        else {
          if (type === 'Delete') coll.items.delete(key);
          results.push({ statusCode: type === 'Delete' ? 204 : 200, requestCharge: 1, ...(type === 'Read' ? { resourceBody: entry.item } : {}) });
        }
      } else results.push({ statusCode: 400, requestCharge: 0, message: `Operation ${type} is not served by this fake.` });
    }
    const failed = results.some((r) => (r.statusCode as number) >= 400);
    this.#send(res, failed ? 207 : 200, results);
  }
}
