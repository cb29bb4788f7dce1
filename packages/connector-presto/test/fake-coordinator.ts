/**
 * An in-process fake of a Presto/Trino coordinator's HTTP statement protocol on 127.0.0.1,
 * so the real client code runs queries end to end. The protocol layer is faithful (POST
 * /v1/statement, a QUEUED first answer, paged `data` behind `nextUri`, `columns`, `stats`,
 * `error` objects, `updateType`/`updateCount`, DELETE to cancel, 401 on bad credentials,
 * Set-Session headers); the SQL itself runs on PGlite (real PostgreSQL in WASM) after a few
 * textual rewrites of Trino-only syntax, and result types are reported with Trino's names.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PGlite } from '@electric-sql/pglite';

export interface FakeCoordinatorOptions {
  /** `X-Trino` or `X-Presto`. */
  headerPrefix: string;
  /** Rows per `data` page. */
  pageSize?: number;
  /** Expected Basic-auth password (any user); none: no password check. */
  password?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  sql?: string;
}

interface Query {
  id: string;
  sql: string;
  schema?: string;
  user: string;
  columns?: Array<{ name: string; type: string }>;
  rows?: unknown[][];
  updateType?: string;
  updateCount?: number;
  error?: Record<string, unknown>;
  offset: number;
  cancelled: boolean;
  setSession?: string;
}

const TRINO_TYPE_OF_OID: Record<number, string> = {
  16: 'boolean',
  17: 'varbinary',
  20: 'bigint',
  21: 'smallint',
  23: 'integer',
  25: 'varchar',
  700: 'real',
  701: 'double',
  1043: 'varchar',
  1082: 'date',
  1083: 'time(6)',
  1114: 'timestamp(6)',
  1184: 'timestamp(6) with time zone',
  1700: 'decimal(38,6)',
};

/** Every parser returns the server's text, so the fake formats cells as Trino would. */
const RAW_PARSERS = Object.fromEntries(Object.keys(TRINO_TYPE_OF_OID).map((oid) => [Number(oid), (text: string) => text]));

function formatCell(type: string, text: unknown): unknown {
  if (text === null || text === undefined) return null;
  const s = String(text);
  switch (type) {
    case 'boolean':
      return s === 't' || s === 'true';
    case 'bigint':
    case 'integer':
    case 'smallint':
      return Number(s);
    case 'real':
    case 'double':
      return s === 'NaN' || s === 'Infinity' || s === '-Infinity' ? s : Number(s);
    case 'varbinary':
      return Buffer.from(s.replace(/^\\x/, ''), 'hex').toString('base64');
    case 'timestamp(6)': {
      const [date, time = '00:00:00'] = s.split(' ');
      const [hms, frac = ''] = time.split('.');
      return `${date} ${hms}.${frac.padEnd(6, '0')}`;
    }
    case 'timestamp(6) with time zone': {
      const ms = Date.parse(s.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
      const iso = new Date(ms).toISOString();
      return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000 UTC`;
    }
    default:
      return s;
  }
}

/** Trino-only syntax → PostgreSQL, for the statements Sparkle sends. */
function toPostgres(sql: string, user: string): string {
  return sql
    .replace(/X'([0-9a-fA-F]*)'/g, "'\\x$1'::bytea")
    .replace(/\bVARBINARY\b/g, 'BYTEA')
    .replace(/\bDOUBLE\b(?!\s+PRECISION)/g, 'DOUBLE PRECISION')
    .replace(/\bcurrent_user\b/g, `'${user.replace(/'/g, "''")}'`)
    .replace(/(RENAME TO )(?:"(?:[^"]|"")*"\.)+("(?:[^"]|"")*")/, '$1$2');
}

/** The fake coordinator. `close()` stops the server and the database. */
export class FakeCoordinator {
  readonly requests: RecordedRequest[] = [];
  readonly db = new PGlite();
  /** Statements (regex on the received SQL) that fail once with a server error object. */
  readonly failOnce: RegExp[] = [];
  /** Answer the next N page fetches with 503 (the client must retry). */
  unavailableFetches = 0;
  private server?: Server;
  private queries = new Map<string, Query>();
  private nextId = 1;
  private chain: Promise<unknown> = Promise.resolve();
  url = '';

  constructor(readonly options: FakeCoordinatorOptions) {}

  async start(): Promise<this> {
    await this.db.waitReady;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this;
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  /** The SQL texts received, in order. */
  get statements(): string[] {
    return this.requests.filter((r) => r.sql !== undefined).map((r) => r.sql!);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
    await this.db.close();
  }

  private header(req: IncomingMessage, name: string): string | undefined {
    const v = req.headers[`${this.options.headerPrefix}-${name}`.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = req.url ?? '/';
    this.requests.push({ method: req.method ?? 'GET', path, headers: req.headers, sql: req.method === 'POST' ? body : undefined });
    const user = this.header(req, 'User');
    if (!user) return void res.writeHead(400, { 'content-type': 'text/plain' }).end(`Error: ${this.options.headerPrefix}-User must be set`);
    if (this.options.password !== undefined) {
      const auth = req.headers.authorization ?? '';
      const decoded = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString() : '';
      if (decoded.slice(decoded.indexOf(':') + 1) !== this.options.password) return void res.writeHead(401, { 'www-authenticate': 'Basic realm="fake"' }).end('Unauthorized');
    }
    if (req.method === 'POST' && path === '/v1/statement') {
      const id = `20260101_000000_${String(this.nextId++).padStart(5, '0')}_fake`;
      this.queries.set(id, { id, sql: body, schema: this.header(req, 'Schema'), user, offset: 0, cancelled: false });
      return this.json(res, { id, infoUri: `${this.url}/ui/query.html?${id}`, nextUri: `${this.url}/v1/statement/queued/${id}/1`, stats: { state: 'QUEUED' } });
    }
    const m = /^\/v1\/statement\/(queued|executing)\/([^/]+)\/(\d+)$/.exec(path);
    const query = m ? this.queries.get(m[2]!) : undefined;
    if (!m || !query) return void res.writeHead(404).end('no such query');
    if (req.method === 'DELETE') {
      query.cancelled = true;
      return void res.writeHead(204).end();
    }
    if (this.unavailableFetches > 0) {
      this.unavailableFetches--;
      return void res.writeHead(503).end('busy');
    }
    const token = Number(m[3]);
    if (m[1] === 'queued') {
      await this.execute(query);
      if (query.error) return this.json(res, { id: query.id, error: query.error, stats: { state: 'FAILED' } });
      return this.page(res, query, token);
    }
    return this.page(res, query, token);
  }

  private page(res: ServerResponse, query: Query, token: number): void {
    const size = this.options.pageSize ?? 1000;
    const rows = query.rows ?? [];
    const data = rows.slice(query.offset, query.offset + size);
    query.offset += data.length;
    const more = query.offset < rows.length;
    const headers: Record<string, string> = {};
    if (query.setSession) headers[`${this.options.headerPrefix}-Set-Session`] = query.setSession;
    this.json(
      res,
      {
        id: query.id,
        ...(more ? { nextUri: `${this.url}/v1/statement/executing/${query.id}/${token + 1}` } : {}),
        ...(query.columns ? { columns: query.columns.map((c) => ({ name: c.name, type: c.type, typeSignature: { rawType: c.type.replace(/\(.*$/, ''), arguments: [] } })) } : {}),
        ...(data.length ? { data } : {}),
        stats: { state: more ? 'RUNNING' : 'FINISHED', processedRows: query.offset },
        ...(query.updateType ? { updateType: query.updateType } : {}),
        ...(query.updateCount !== undefined && !more ? { updateCount: query.updateCount } : {}),
      },
      headers,
    );
  }

  private json(res: ServerResponse, value: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
  }

  /** Runs the query on PGlite, one at a time (PGlite is a single session). */
  private execute(query: Query): Promise<void> {
    const run = async () => {
      const failing = this.failOnce.findIndex((re) => re.test(query.sql));
      if (failing !== -1) {
        this.failOnce.splice(failing, 1);
        query.error = { message: 'Injected failure', errorCode: 65536, errorName: 'GENERIC_INTERNAL_ERROR', errorType: 'INTERNAL_ERROR' };
        return;
      }
      const set = /^\s*SET SESSION\s+([\w.]+)\s*=\s*'?([^']*)'?\s*$/i.exec(query.sql);
      if (set) {
        query.setSession = `${set[1]}=${encodeURIComponent(set[2]!)}`;
        query.updateType = 'SET SESSION';
        return;
      }
      try {
        await this.db.exec(`SET search_path TO ${query.schema ? `"${query.schema.replace(/"/g, '""')}"` : 'public'}`);
        const result = await this.db.query<unknown[]>(toPostgres(query.sql, query.user), [], { rowMode: 'array', parsers: RAW_PARSERS });
        if (result.fields.length) {
          query.columns = result.fields.map((f) => ({ name: f.name, type: TRINO_TYPE_OF_OID[f.dataTypeID] ?? 'varchar' }));
          query.rows = result.rows.map((row) => row.map((cell, i) => formatCell(query.columns![i]!.type, cell)));
        } else {
          const verb = /^\s*(\w+(?:\s+TABLE)?)/i.exec(query.sql)?.[1]?.toUpperCase() ?? 'UNKNOWN';
          query.updateType = verb;
          query.updateCount = result.affectedRows ?? 0;
        }
      } catch (error) {
        const e = error as { message: string; code?: string };
        const notFound = e.code === '42P01';
        query.error = {
          message: e.message,
          errorCode: notFound ? 46 : 1,
          errorName: notFound ? 'TABLE_NOT_FOUND' : e.code === '42601' ? 'SYNTAX_ERROR' : 'GENERIC_USER_ERROR',
          errorType: 'USER_ERROR',
          sqlState: e.code,
        };
      }
    };
    const next = this.chain.then(run, run);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
