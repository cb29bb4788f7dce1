/**
 * An in-process fake of exactly the Elasticsearch REST endpoints the connector's real
 * `@elastic/elasticsearch` client calls, on node:http: `GET /`, `GET|PUT|DELETE /<index>`,
 * `GET /<index>/_mapping`, `GET /<index>/_doc/<id>`, `POST /<index>/_pit`, `DELETE /_pit`,
 * `POST /_search` (point in time, `search_after` on `_shard_doc`, `slice`, `_source` includes),
 * `POST /_bulk` (index/delete) and `POST /_aliases` (add/remove/remove_index, atomic).
 *
 * Queries run through a small evaluator of the DSL shapes the connector emits (term, terms,
 * range, prefix, exists, bool, match_all, match_none); anything else is a 400 like a parsing
 * error. Dynamic mapping is modelled as far as reads need it — strings as `text` with a
 * `keyword` sub-field, ISO timestamps as `date` (date detection), numbers, booleans, objects —
 * but type conflicts between documents are NOT refused unless `strict` is set (real
 * Elasticsearch refuses them with `mapper_parsing_exception`). Every response carries the
 * `x-elastic-product` header the client's product check requires.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// Elasticsearch keeps `_source` as sent, so longs beyond 2^53 come back digit for digit: the fake
// keeps them exact with the same JSON handling.
import { parseInt64Json, stringifyInt64Json } from '../src/int64-json.js';

type Doc = Record<string, unknown>;
type Prop = { type: string; properties?: Record<string, Prop>; fields?: Record<string, { type: string }> };
interface Index { docs: Map<string, { seq: number; source: Doc }>; properties: Record<string, Prop>; aliases: Set<string> }

export interface FakeOptions {
  /** Basic-auth users; when set, other credentials get 401. */
  users?: Record<string, string>;
  /** API keys (the encoded form) accepted besides users. */
  apiKeys?: string[];
  /** Refuse a value whose type conflicts with the field's mapping (as real Elasticsearch does). */
  strict?: boolean;
  /** The `x-elastic-product` header sent (default `Elasticsearch`); `null` sends none, as OpenSearch does. */
  product?: string | null;
}

class HttpError extends Error {
  constructor(readonly status: number, readonly type: string, reason: string) {
    super(reason);
  }
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

export class FakeElasticsearch {
  readonly indices = new Map<string, Index>();
  readonly pits = new Map<string, string[]>();
  /** Every request as `METHOD path`, for assertions on what the client sent. */
  readonly requests: Array<{ method: string; path: string; body: string }> = [];
  /** Bulk items to refuse with 429 before accepting again (throttling). */
  throttle = 0;
  #server: Server | undefined;
  #seq = 0;
  #pitSeq = 0;

  constructor(readonly options: FakeOptions = {}) {}

  async start(): Promise<string> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((r) => this.#server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((r) => (this.#server ? this.#server.close(() => r()) : r()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, body });
    const send = (status: number, payload: unknown) => {
      const product = this.options.product === undefined ? 'Elasticsearch' : this.options.product;
      res.writeHead(status, { 'content-type': 'application/json', ...(product ? { 'x-elastic-product': product } : {}) });
      res.end(req.method === 'HEAD' ? undefined : stringifyInt64Json(payload));
    };
    try {
      this.#authorize(req.headers.authorization);
      send(200, this.#route(req.method ?? 'GET', url, body));
    } catch (error) {
      if (error instanceof HttpError) send(error.status, { error: { type: error.type, reason: error.message }, status: error.status });
      else send(500, { error: { type: 'exception', reason: String(error) }, status: 500 });
    }
  }

  #authorize(header: string | undefined): void {
    const { users, apiKeys } = this.options;
    if (!users && !apiKeys) return;
    if (header?.startsWith('Basic ')) {
      const [user, ...rest] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
      if (users && user !== undefined && users[user] === rest.join(':')) return;
    }
    if (header?.startsWith('ApiKey ') && apiKeys?.includes(header.slice(7))) return;
    throw new HttpError(401, 'security_exception', 'unable to authenticate user for REST request');
  }

  #route(method: string, url: URL, body: string): unknown {
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const json = () => (body ? parseInt64Json<Record<string, unknown>>(body) : {});
    if (parts.length === 0) return { name: 'fake', cluster_name: 'sparkle-fake', version: { number: '9.0.0', build_flavor: 'default' }, tagline: 'You Know, for Search' };
    if (parts[0] === '_bulk' && method === 'POST') return this.#bulk(body);
    if (parts[0] === '_search' && method === 'POST') return this.#search(json());
    if (parts[0] === '_pit' && method === 'DELETE') return { succeeded: this.pits.delete(String(json().id)), num_freed: 1 };
    if (parts[0] === '_aliases' && method === 'POST') return this.#aliases(json().actions as Array<Record<string, Record<string, string>>>);
    const [name, op, id] = parts as [string, string | undefined, string | undefined];
    if (op === undefined && method === 'PUT') {
      if (this.indices.has(name)) throw new HttpError(400, 'resource_already_exists_exception', `index [${name}] already exists`);
      this.indices.set(name, { docs: new Map(), properties: {}, aliases: new Set() });
      return { acknowledged: true, shards_acknowledged: true, index: name };
    }
    if (op === undefined && method === 'DELETE') {
      for (const n of this.#resolve(name)) this.indices.delete(n);
      return { acknowledged: true };
    }
    if ((op === undefined || op === '_mapping') && method === 'GET') {
      const out: Record<string, unknown> = {};
      for (const n of this.#resolve(name)) {
        const idx = this.indices.get(n)!;
        out[n] = op ? { mappings: { properties: idx.properties } } : { aliases: Object.fromEntries([...idx.aliases].map((a) => [a, {}])), mappings: { properties: idx.properties }, settings: {} };
      }
      return out;
    }
    if (op === '_doc' && id !== undefined && method === 'GET') {
      const [n] = this.#resolve(name);
      const hit = this.indices.get(n!)!.docs.get(id);
      if (!hit) throw new HttpError(404, 'not_found', `document [${id}] not found`);
      const source = url.searchParams.get('_source') ?? url.searchParams.get('_source_includes');
      return { _index: n, _id: id, found: true, ...sourceOf(hit.source, source === 'false' ? false : source ? source.split(',') : undefined) };
    }
    if (op === '_pit' && method === 'POST') {
      if (!url.searchParams.get('keep_alive')) throw new HttpError(400, 'action_request_validation_exception', 'keep_alive is required');
      const pit = `pit-${++this.#pitSeq}`;
      this.pits.set(pit, this.#resolve(name));
      return { id: pit };
    }
    throw new HttpError(400, 'illegal_argument_exception', `fake: no route for ${method} ${url.pathname}`);
  }

  /** Index names an expression means: `*`, an index, or an alias. 404 when none. */
  #resolve(expr: string): string[] {
    if (expr === '*' || expr === '_all') return [...this.indices.keys()];
    if (this.indices.has(expr)) return [expr];
    const viaAlias = [...this.indices].filter(([, i]) => i.aliases.has(expr)).map(([n]) => n);
    if (!viaAlias.length) throw new HttpError(404, 'index_not_found_exception', `no such index [${expr}]`);
    return viaAlias;
  }

  #aliases(actions: Array<Record<string, Record<string, string>>>): unknown {
    // Validate every action first: the request is atomic.
    for (const a of actions) {
      const [kind, args] = Object.entries(a)[0]!;
      if (!this.indices.has(args!.index!)) throw new HttpError(404, 'index_not_found_exception', `no such index [${args!.index}]`);
      if (!['add', 'remove', 'remove_index'].includes(kind)) throw new HttpError(400, 'parsing_exception', `unknown alias action [${kind}]`);
    }
    for (const a of actions) {
      const [kind, args] = Object.entries(a)[0]!;
      if (kind === 'add') this.indices.get(args!.index!)!.aliases.add(args!.alias!);
      if (kind === 'remove') this.indices.get(args!.index!)!.aliases.delete(args!.alias!);
      if (kind === 'remove_index') this.indices.delete(args!.index!);
    }
    return { acknowledged: true };
  }

  #bulk(body: string): unknown {
    const lines = body.split('\n').filter(Boolean).map((l) => parseInt64Json<Record<string, Record<string, string>>>(l));
    const items: unknown[] = [];
    for (let i = 0; i < lines.length; i++) {
      const [action, meta] = Object.entries(lines[i]!)[0]!;
      const id = String(meta!._id);
      let indexName = meta!._index!;
      if (action === 'delete') {
        const idx = this.indices.get(indexName);
        const existed = idx?.docs.delete(id) ?? false;
        items.push({ delete: { _index: indexName, _id: id, status: existed ? 200 : 404, result: existed ? 'deleted' : 'not_found' } });
        continue;
      }
      const source = lines[++i] as Doc;
      if (this.throttle > 0) {
        this.throttle--;
        items.push({ [action]: { _index: indexName, _id: id, status: 429, error: { type: 'es_rejected_execution_exception', reason: 'rejected execution (fake throttling)' } } });
        continue;
      }
      const aliased = [...this.indices].filter(([, x]) => x.aliases.has(indexName));
      if (aliased.length === 1) indexName = aliased[0]![0];
      if (!this.indices.has(indexName)) this.indices.set(indexName, { docs: new Map(), properties: {}, aliases: new Set() });
      const idx = this.indices.get(indexName)!;
      const conflict = this.#map(idx.properties, source, '');
      if (conflict) {
        items.push({ [action]: { _index: indexName, _id: id, status: 400, error: { type: 'document_parsing_exception', reason: conflict } } });
        continue;
      }
      const existed = idx.docs.get(id);
      idx.docs.set(id, { seq: existed?.seq ?? ++this.#seq, source });
      items.push({ [action]: { _index: indexName, _id: id, status: existed ? 200 : 201, result: existed ? 'updated' : 'created' } });
    }
    return { took: 1, errors: items.some((x) => Object.values(x as Record<string, { error?: unknown }>)[0]!.error), items };
  }

  /** Dynamic mapping of a document's fields; in strict mode the reason a value conflicts, if any. */
  #map(props: Record<string, Prop>, doc: Doc, prefix: string): string | undefined {
    for (const [k, raw] of Object.entries(doc)) {
      const values = Array.isArray(raw) ? raw : [raw];
      for (const v of values) {
        if (v === null || v === undefined) continue;
        const type = typeof v === 'object' ? 'object' : typeof v === 'string' ? (ISO.test(v) ? 'date' : 'text') : typeof v === 'boolean' ? 'boolean' : typeof v === 'bigint' || Number.isInteger(v) ? 'long' : 'float';
        const existing = props[k];
        if (!existing) {
          props[k] = type === 'object' ? { type: 'object', properties: {} } : type === 'text' ? { type, fields: { keyword: { type: 'keyword' } } } : { type };
        } else if (this.options.strict && existing.type !== type && !(existing.type === 'float' && type === 'long')) {
          return `failed to parse field [${prefix}${k}] of type [${existing.type}]`;
        }
        if (type === 'object' && props[k]!.properties) {
          const inner = this.#map(props[k]!.properties!, v as Doc, `${prefix}${k}.`);
          if (inner) return inner;
        }
      }
    }
    return undefined;
  }

  #search(body: Record<string, unknown>): unknown {
    const pit = body.pit as { id: string } | undefined;
    if (!pit) throw new HttpError(400, 'action_request_validation_exception', 'fake: only point-in-time searches are served');
    const names = this.pits.get(pit.id);
    if (!names) throw new HttpError(404, 'search_context_missing_exception', `No search context found for id [${pit.id}]`);
    const slice = body.slice as { id: string | number; max: number } | undefined;
    const after = (body.search_after as number[] | undefined)?.[0] ?? -Infinity;
    const size = (body.size as number | undefined) ?? 10;
    const query = (body.query as Record<string, unknown> | undefined) ?? { match_all: {} };
    const hits: Array<{ seq: number; id: string; index: string; source: Doc }> = [];
    for (const n of names) {
      const idx = this.indices.get(n);
      if (!idx) continue;
      for (const [id, d] of idx.docs) {
        if (d.seq <= after) continue;
        if (slice && hash(id) % slice.max !== Number(slice.id)) continue;
        if (matches(query, id, d.source, idx.properties)) hits.push({ seq: d.seq, id, index: n, source: d.source });
      }
    }
    hits.sort((a, b) => a.seq - b.seq);
    const includes = body._source as string[] | false | undefined;
    return {
      pit_id: pit.id,
      took: 1,
      timed_out: false,
      hits: { hits: hits.slice(0, size).map((h) => ({ _index: h.index, _id: h.id, ...sourceOf(h.source, includes), sort: [h.seq] })) },
    };
  }
}

/** A stable string hash (Elasticsearch routes slices by a hash of `_id`, too). */
function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) >>> 0;
  return h;
}

function sourceOf(source: Doc, includes: readonly string[] | false | undefined): { _source?: Doc } {
  if (includes === false) return {};
  if (!includes) return { _source: source };
  const out: Doc = {};
  for (const path of includes) {
    const keys = path.split('.');
    let from: unknown = source;
    for (const k of keys) from = from !== null && typeof from === 'object' ? (from as Doc)[k] : undefined;
    if (from === undefined) continue;
    let to = out;
    keys.slice(0, -1).forEach((k) => (to = (to[k] ??= {}) as Doc));
    to[keys.at(-1)!] = from;
  }
  return { _source: out };
}

/** The values of a dotted field (arrays flattened, as Elasticsearch indexes them). */
function valuesOf(source: Doc, field: string): unknown[] {
  let current: unknown[] = [source];
  for (const k of field.split('.')) {
    current = current.flatMap((v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? [(v as Doc)[k]] : [])).flatMap((v) => (Array.isArray(v) ? v : [v]));
  }
  return current.filter((v) => v !== null && v !== undefined);
}

function typeOf(props: Record<string, Prop>, field: string): string | undefined {
  let p: Prop | undefined = { type: 'object', properties: props };
  for (const k of field.split('.')) p = p?.properties?.[k];
  return p?.type;
}

function compare(a: unknown, b: unknown, type: string | undefined): number {
  if (type === 'date') return Date.parse(String(a)) - Date.parse(String(b));
  if (typeof a === 'number' || type === 'long' || type === 'float') return Number(a) - Number(b);
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function matches(query: Record<string, unknown>, id: string, source: Doc, props: Record<string, Prop>): boolean {
  const [kind, arg] = Object.entries(query)[0] ?? ['match_all', {}];
  const a = arg as Record<string, unknown>;
  const field = () => {
    const [f, v] = Object.entries(a)[0]!;
    // `x.keyword` is the exact-value sub-field of text field `x`.
    const base = f.endsWith('.keyword') && typeOf(props, f.slice(0, -8)) === 'text' ? f.slice(0, -8) : f;
    return { f: base, v, values: base === '_id' ? [id] : valuesOf(source, base), type: base === '_id' ? 'keyword' : typeOf(props, base) };
  };
  switch (kind) {
    case 'match_all':
      return true;
    case 'match_none':
      return false;
    case 'term': {
      const { v, values, type } = field();
      return values.some((x) => compare(x, v, type) === 0);
    }
    case 'terms': {
      const { v, values, type } = field();
      return values.some((x) => (v as unknown[]).some((t) => compare(x, t, type) === 0));
    }
    case 'range': {
      const { v, values, type } = field();
      const bounds = v as Record<string, unknown>;
      return values.some((x) =>
        Object.entries(bounds).every(([op, b]) => {
          const c = compare(x, b, type);
          return op === 'gt' ? c > 0 : op === 'gte' ? c >= 0 : op === 'lt' ? c < 0 : op === 'lte' ? c <= 0 : false;
        }),
      );
    }
    case 'prefix': {
      const { v, values } = field();
      return values.some((x) => typeof x === 'string' && x.startsWith(String(v)));
    }
    case 'exists':
      return valuesOf(source, String(a.field)).length > 0;
    case 'bool': {
      const list = (k: string) => ((a[k] as Array<Record<string, unknown>> | undefined) ?? []);
      const m = (q: Record<string, unknown>) => matches(q, id, source, props);
      if (![...list('filter'), ...list('must')].every(m)) return false;
      if (list('must_not').some(m)) return false;
      const should = list('should');
      return should.length === 0 || should.filter(m).length >= Number(a.minimum_should_match ?? 1);
    }
    default:
      throw new HttpError(400, 'parsing_exception', `fake: unknown query [${kind}]`);
  }
}
