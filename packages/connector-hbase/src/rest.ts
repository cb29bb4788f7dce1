/**
 * The calls this connector makes to HBase's REST gateway (Stargate), JSON encoding, over core's
 * shared HTTP client. Row keys, column names and values travel base64 in JSON bodies; row keys in
 * paths are UTF-8 text (the gateway decodes paths as UTF-8), so reads by key of binary row keys go
 * through a one-row scanner instead.
 */
import { ConnectionFailedError, HttpError, QueryError, SparkleError, type HttpClient } from '@sparkle/core';
import { b64, fromB64, utf8 } from './codec.js';

/** One row as the gateway returns it: row key and cells (`family:qualifier` → value). */
export interface HBaseRow {
  key: Uint8Array;
  cells: Map<string, Uint8Array>;
}

/** A row to put: key and cells. `timestamp` (ms) stamps every cell when set. */
export interface HBasePut {
  key: Uint8Array;
  cells: Array<{ column: string; value: Uint8Array }>;
}

/** What a scanner reads: a row range, a prefix, columns (`family` or `family:qualifier`). */
export interface ScanSpec {
  startRow?: Uint8Array;
  /** Exclusive. */
  endRow?: Uint8Array;
  prefix?: Uint8Array;
  columns?: readonly string[];
  /** Cells per round trip (the scanner's `batch`). */
  batch: number;
}

/** A region: its row range (`[startKey, endKey)`, empty meaning unbounded) and where it is served. */
export interface HBaseRegion {
  name: string;
  startKey: Uint8Array;
  endKey: Uint8Array;
  location: string;
}

interface CellSetJson {
  Row?: Array<{ key: string; Cell?: Array<{ column: string; $: string; timestamp?: number }> }>;
}

const JSON_HEADERS = { accept: 'application/json' };

/** The REST gateway of one HBase cluster, for one connector instance. */
export class HBaseRest {
  constructor(
    private readonly http: HttpClient,
    private readonly connector: string,
    readonly namespace: string,
  ) {}

  /** `ns:table` in a path (bare in the default namespace, as HBase names it). */
  tablePath(table: string): string {
    return encodeURIComponent(this.qualified(table));
  }

  qualified(table: string): string {
    return this.namespace === 'default' ? table : `${this.namespace}:${table}`;
  }

  /** Types a gateway failure: unknown tables and families by name, the rest with the server's first line. */
  error(error: unknown, what: string, table?: string): SparkleError {
    if (error instanceof HttpError) {
      const body = error.bodySnippet ?? '';
      const reason = /(\w+(?:Exception|Error)):?\s*([^\n]*)/.exec(body);
      const why = reason ? `${reason[1]}${reason[2] ? `: ${reason[2].replace(/^org\.apache\.hadoop\.hbase\.\S+:\s*/, '').slice(0, 300)}` : ''}` : body.split('\n')[0]!.slice(0, 300);
      if (table && /TableNotFoundException/.test(body)) {
        return new QueryError(`HBase table '${this.qualified(table)}' does not exist (${what}); check 'namespace' in the config, or list tables with discover()`, {
          connector: this.connector,
          cause: error,
          details: { table: this.qualified(table), status: error.status },
        });
      }
      if (/NoSuchColumnFamilyException/.test(body)) {
        return new QueryError(`${what}: a column family is missing in HBase table '${table ? this.qualified(table) : '?'}' (${why}); add it (alter) or fix the column in the config`, {
          connector: this.connector,
          cause: error,
          details: { status: error.status },
        });
      }
      return new QueryError(`${what} failed: HTTP ${error.status}${why ? ` — ${why}` : ''}`, {
        connector: this.connector,
        cause: error,
        retryable: error.retryable,
        details: { status: error.status },
      });
    }
    if (SparkleError.isInstance(error)) return error;
    return new ConnectionFailedError(`${what} failed: ${(error as Error)?.message ?? String(error)}`, { connector: this.connector, cause: error, retryable: true });
  }

  async #json<T>(what: string, path: string, table?: string, signal?: AbortSignal): Promise<T> {
    try {
      return await this.http.getJson<T>(path, signal ? { signal } : {});
    } catch (error) {
      throw this.error(error, what, table);
    }
  }

  versionCluster(signal?: AbortSignal): Promise<{ Version?: string }> {
    return this.#json('GET /version/cluster', 'version/cluster', undefined, signal);
  }

  statusCluster(signal?: AbortSignal): Promise<{ LiveNodes?: Array<{ name: string }>; DeadNodes?: unknown[]; regions?: number }> {
    return this.#json('GET /status/cluster', 'status/cluster', undefined, signal);
  }

  async namespaces(signal?: AbortSignal): Promise<string[]> {
    return (await this.#json<{ Namespace?: string[] }>('GET /namespaces', 'namespaces', undefined, signal)).Namespace ?? [];
  }

  /** Tables of this connection's namespace, bare names. */
  async tables(signal?: AbortSignal): Promise<string[]> {
    const list = await this.#json<{ table?: Array<{ name: string }> }>(`GET /namespaces/${this.namespace}/tables`, `namespaces/${encodeURIComponent(this.namespace)}/tables`, undefined, signal);
    return (list.table ?? []).map((t) => t.name.replace(/^[^:]*:/, '')).sort();
  }

  /** The column families of a table, or `undefined` when it does not exist. */
  async families(table: string, signal?: AbortSignal): Promise<string[] | undefined> {
    try {
      const schema = await this.http.getJson<{ ColumnSchema?: Array<{ name: string }> }>(`${this.tablePath(table)}/schema`, signal ? { signal } : {});
      return (schema.ColumnSchema ?? []).map((c) => c.name);
    } catch (error) {
      if (error instanceof HttpError && error.status === 404) return undefined;
      throw this.error(error, `GET /${this.qualified(table)}/schema`, table);
    }
  }

  async createTable(table: string, families: readonly string[], signal?: AbortSignal): Promise<void> {
    try {
      await this.http.request({
        method: 'PUT',
        path: `${this.tablePath(table)}/schema`,
        json: { name: this.qualified(table), ColumnSchema: families.map((name) => ({ name })) },
        headers: JSON_HEADERS,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      throw this.error(error, `creating HBase table '${this.qualified(table)}'`, table);
    }
  }

  async dropTable(table: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.http.request({ method: 'DELETE', path: `${this.tablePath(table)}/schema`, ...(signal ? { signal } : {}) });
    } catch (error) {
      if (error instanceof HttpError && error.status === 404) return;
      throw this.error(error, `dropping HBase table '${this.qualified(table)}'`, table);
    }
  }

  async regions(table: string, signal?: AbortSignal): Promise<HBaseRegion[]> {
    const json = await this.#json<{ Region?: Array<{ name: string; startKey?: string; endKey?: string; location?: string }> }>(
      `GET /${this.qualified(table)}/regions`,
      `${this.tablePath(table)}/regions`,
      table,
      signal,
    );
    return (json.Region ?? []).map((r) => ({ name: r.name, startKey: fromB64(r.startKey ?? ''), endKey: fromB64(r.endKey ?? ''), location: r.location ?? '' }));
  }

  /** Puts rows in one multi-row CellSet (one request; the gateway applies it as one batch of Puts). */
  async put(table: string, rows: readonly HBasePut[], signal?: AbortSignal): Promise<void> {
    const body = { Row: rows.map((r) => ({ key: b64(r.key), Cell: r.cells.map((c) => ({ column: b64(utf8(c.column)), $: b64(c.value) })) })) };
    // The path's row key is ignored for multi-row puts; the gateway needs one there.
    await this.http.request({ method: 'PUT', path: `${this.tablePath(table)}/sparkle-batch`, json: body, headers: JSON_HEADERS, idempotent: true, ...(signal ? { signal } : {}) });
  }

  /** Rows by UTF-8 row key (one multi-get), missing rows left out. */
  async multiGet(table: string, keys: readonly string[], columns: readonly string[] | undefined, signal?: AbortSignal): Promise<HBaseRow[]> {
    if (!keys.length) return [];
    try {
      const res = await this.http.request({
        path: `${this.tablePath(table)}/multiget`,
        query: { row: [...keys], ...(columns?.length ? { column: [...columns] } : {}) },
        headers: JSON_HEADERS,
        throwHttpErrors: false,
        ...(signal ? { signal } : {}),
      });
      if (res.status === 404) {
        await res.text();
        return []; // no row found (an unknown table answers the same: callers check the table first)
      }
      if (res.status >= 400) throw new HttpError({ status: res.status, method: 'GET', url: `/${this.qualified(table)}/multiget`, bodySnippet: (await res.text()).slice(0, 2000), connector: this.connector });
      return rowsOf(await res.json<CellSetJson>());
    } catch (error) {
      throw this.error(error, `GET /${this.qualified(table)}/multiget`, table);
    }
  }

  /** Deletes a row (UTF-8 key), or only some of its columns. */
  async deleteRow(table: string, key: string, columns?: readonly string[], signal?: AbortSignal): Promise<void> {
    const path = `${this.tablePath(table)}/${encodeURIComponent(key)}${columns?.length ? `/${columns.map(encodeURIComponent).join(',')}` : ''}`;
    try {
      await this.http.request({ method: 'DELETE', path, ...(signal ? { signal } : {}) });
    } catch (error) {
      throw this.error(error, `DELETE /${this.qualified(table)}/<row>`, table);
    }
  }

  /**
   * Streams the rows of a scan, one gateway batch in memory at a time. A row whose cells span
   * batches is merged. The scanner is deleted at the end, on error and on abort. Scanner GETs are
   * never retried: a lost answer would silently skip its rows, so a failure mid-scan is a
   * retryable `ConnectionFailedError` for the caller to rerun the read.
   */
  async *scan(table: string, spec: ScanSpec, signal?: AbortSignal): AsyncGenerator<HBaseRow> {
    const filter = spec.prefix ? JSON.stringify({ type: 'PrefixFilter', value: b64(spec.prefix) }) : undefined;
    const body = {
      batch: spec.batch,
      ...(spec.startRow?.length ? { startRow: b64(spec.startRow) } : {}),
      ...(spec.endRow?.length ? { endRow: b64(spec.endRow) } : {}),
      ...(spec.columns?.length ? { column: spec.columns.map((c) => b64(utf8(c))) } : {}),
      ...(filter ? { filter } : {}),
      cacheBlocks: false,
    };
    let scanner: string;
    try {
      const res = await this.http.request({ method: 'PUT', path: `${this.tablePath(table)}/scanner`, json: body, headers: JSON_HEADERS, idempotent: true, ...(signal ? { signal } : {}) });
      const location = res.headers.get('location');
      await res.text();
      const id = location?.split('/').pop();
      if (!id) throw new QueryError(`the HBase REST gateway created a scanner on '${this.qualified(table)}' without a Location header`, { connector: this.connector });
      scanner = `${this.tablePath(table)}/scanner/${encodeURIComponent(id)}`;
    } catch (error) {
      throw this.error(error, `opening a scanner on '${this.qualified(table)}'`, table);
    }
    let rows = 0;
    let pending: HBaseRow | undefined;
    try {
      for (;;) {
        signal?.throwIfAborted();
        let batch: HBaseRow[];
        try {
          const res = await this.http.request({ path: scanner, headers: JSON_HEADERS, retry: false, ...(signal ? { signal } : {}) });
          if (res.status === 204) {
            await res.text();
            break;
          }
          batch = rowsOf(await res.json<CellSetJson>());
        } catch (error) {
          if (signal?.aborted) throw error;
          const typed = this.error(error, `reading the scanner on '${this.qualified(table)}'`, table);
          throw new ConnectionFailedError(
            `The scan of HBase table '${this.qualified(table)}' broke off after ${rows} row(s): ${typed.message}. Rerun the read (the gateway or a region server may have restarted)`,
            { connector: this.connector, cause: typed, retryable: true, details: { table: this.qualified(table), rowsRead: rows } },
          );
        }
        for (const row of batch) {
          if (pending && Buffer.compare(pending.key, row.key) === 0) {
            for (const [c, v] of row.cells) pending.cells.set(c, v);
            continue;
          }
          if (pending) {
            rows++;
            yield pending;
          }
          pending = row;
        }
      }
      if (pending) {
        rows++;
        yield pending;
      }
    } finally {
      // Best effort, bounded: a scanner left behind expires on the server by its lease.
      await this.http.request({ method: 'DELETE', path: scanner, retry: false, timeoutMs: 5000 }).then((r) => r.text(), () => undefined);
    }
  }
}

function rowsOf(json: CellSetJson): HBaseRow[] {
  return (json.Row ?? []).map((r) => {
    const cells = new Map<string, Uint8Array>();
    for (const c of r.Cell ?? []) cells.set(Buffer.from(c.column, 'base64').toString('utf8'), fromB64(c.$));
    return { key: fromB64(r.key), cells };
  });
}
