/**
 * `HttpConnection` (type `http`): a plain HTTP client with the connection's base URL, headers,
 * auth and retries — `request()` for anything — and `readTable(urlOrPath)` for responses that
 * are a JSON array (or hold one at `recordSelector`), NDJSON, or CSV, read into Arrow.
 */
import { Readable } from 'node:stream';
import { z } from 'zod';
import {
  APIConnection,
  apiConfigSchema,
  QueryError,
  resolveJsonPointer,
  type ConnectionInit,
  type HttpRequestOptions,
  type HttpResponse,
  type NativeReadPlan,
  type ReadTableOptions,
} from '@sparkle/core';
import { DEFAULT_SAMPLE_SIZE, recordsReadPlan } from './records.js';
import { columnsConfigSchema, columnsFromConfig } from './schema.js';

/** Response formats `readTable` understands. */
export const HTTP_FORMATS = ['auto', 'json', 'ndjson', 'csv'] as const;
export type HttpFormat = (typeof HTTP_FORMATS)[number];

/** Config of the `http` type: the API family's fields plus how responses become records. */
export const httpConfigSchema = apiConfigSchema.extend({
  /** `auto` picks from the response's content type, then the URL's extension, else JSON. */
  format: z.enum(HTTP_FORMATS).default('auto'),
  /** JSON pointer of the record array in a JSON response (`/data/items`). Default: the body itself. */
  recordSelector: z.string().default(''),
  csv: z
    .object({
      delimiter: z.string().min(1).default(','),
      /** First line names the columns. Without it columns are `c1`, `c2`, … */
      header: z.boolean().default(true),
    })
    .default({ delimiter: ',', header: true }),
  /** Declared columns (`{ "id": "long", "name": "string" }`); otherwise inferred from `sampleSize` records. */
  schema: columnsConfigSchema.optional(),
  sampleSize: z.number().int().positive().default(DEFAULT_SAMPLE_SIZE),
});

export type HttpConfig = z.output<typeof httpConfigSchema>;

const FORMAT_BY_TYPE: Array<[RegExp, Exclude<HttpFormat, 'auto'>]> = [
  [/ndjson|jsonl|json-seq|jsonlines/i, 'ndjson'],
  [/json/i, 'json'],
  [/csv|tab-separated-values/i, 'csv'],
];

/** The format of a response: configured, else from content type, else from the URL. */
export function formatOf(configured: HttpFormat, contentType: string | null, url: string): Exclude<HttpFormat, 'auto'> {
  if (configured !== 'auto') return configured;
  for (const [pattern, format] of FORMAT_BY_TYPE) if (contentType && pattern.test(contentType)) return format;
  const path = url.split('?')[0]!.toLowerCase();
  if (path.endsWith('.ndjson') || path.endsWith('.jsonl')) return 'ndjson';
  if (path.endsWith('.csv') || path.endsWith('.tsv')) return 'csv';
  return 'json';
}

/** Lines of a byte stream, decoded as UTF-8 (a last line without newline included). */
async function* lines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
    rest += chunk;
    let at: number;
    while ((at = rest.indexOf('\n')) >= 0) {
      yield rest.slice(0, at).replace(/\r$/, '');
      rest = rest.slice(at + 1);
    }
  }
  if (rest.length) yield rest.replace(/\r$/, '');
}

/**
 * A generic HTTP connection (type `http`).
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-http';
 *
 * await using web = await getConnection('http', { config: { baseUrl: 'https://data.example.org', auth: { type: 'bearer', token: process.env.API_TOKEN } } });
 * const frame = await web.readTable('/exports/orders.csv');            // CSV → Arrow
 * const res = await web.request({ method: 'POST', path: '/jobs', json: { run: true } }); // anything else
 * ```
 */
export class HttpConnection extends APIConnection<HttpConfig> {
  static override schema: z.ZodType = httpConfigSchema;
  static override description = 'Generic HTTP: any request, and JSON / NDJSON / CSV responses read into Arrow';

  constructor(init: ConnectionInit) {
    super(init);
  }

  /**
   * Sends a request through the connection's client (base URL, headers, auth, retries, redacted errors).
   * @example
   * ```ts
   * const res = await web.request({ method: 'PUT', path: '/items/7', json: { name: 'x' } });
   * console.log(res.status, await res.json());
   * ```
   */
  async request(options: HttpRequestOptions): Promise<HttpResponse> {
    return this.http.request(options);
  }

  /** Reads `urlOrPath` (relative to `baseUrl`, or absolute) as records; `options.options.format` overrides the config. */
  async nativeRead(urlOrPath: string, options: ReadTableOptions): Promise<NativeReadPlan> {
    const c = this.config;
    const format = (options.options?.format as HttpFormat | undefined) ?? c.format;
    if (!HTTP_FORMATS.includes(format)) throw new QueryError(`options.format '${String(format)}' is not one of ${HTTP_FORMATS.join(', ')}`, { connector: this.type });
    const selector = options.options?.recordSelector ?? c.recordSelector;
    return recordsReadPlan({
      connector: this.type,
      name: urlOrPath,
      read: options,
      sampleSize: c.sampleSize,
      ...(c.schema ? { columns: columnsFromConfig(c.schema, this.type) } : {}),
      records: (signal) => this.recordsOf(urlOrPath, format, selector, signal),
    });
  }

  /** The records of one response, streamed for NDJSON and CSV. */
  protected async *recordsOf(urlOrPath: string, configured: HttpFormat, selector: string, signal: AbortSignal): AsyncGenerator<unknown> {
    const res = await this.http.request({ path: urlOrPath, signal, headers: { accept: 'application/json, application/x-ndjson, text/csv;q=0.9, */*;q=0.5' } });
    const format = formatOf(configured, res.headers.get('content-type'), urlOrPath);
    if (format === 'json') {
      const body = await res.json();
      const records = resolveJsonPointer(body, selector);
      if (!Array.isArray(records)) {
        const keys = body && typeof body === 'object' && !Array.isArray(body) ? ` (top-level keys: ${Object.keys(body).slice(0, 10).join(', ') || 'none'})` : '';
        throw new QueryError(`${res.method} ${res.url}: recordSelector "${selector}" ${records === undefined ? 'matches nothing' : `selects a ${typeof records}, not an array`}${keys}; point it at the list of records`, {
          connector: this.type,
          details: { recordSelector: selector },
        });
      }
      yield* records;
      return;
    }
    const body = res.body;
    if (!body) return;
    if (format === 'ndjson') {
      let n = 0;
      for await (const line of lines(body)) {
        n++;
        if (line.trim() === '') continue;
        try {
          yield JSON.parse(line) as unknown;
        } catch (error) {
          throw new QueryError(`${res.method} ${res.url}: NDJSON line ${n} is not JSON (${(error as Error).message})`, { connector: this.type, details: { line: n } });
        }
      }
      return;
    }
    const { parse } = await import('csv-parse');
    const parser = Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>).pipe(
      parse({
        delimiter: this.config.csv.delimiter,
        columns: this.config.csv.header ? true : (header: string[]) => header.map((_, i) => `c${i + 1}`),
        // Numbers become numbers (inference then types the column); an empty field is null, as in Spark's CSV reader.
        cast: (value, context) => (value === '' && !context.quoting ? null : context.header ? value : castCsv(value, context.quoting)),
        bom: true,
        skip_empty_lines: true,
      }),
    );
    yield* parser as AsyncIterable<Record<string, unknown>>;
  }
}

function castCsv(value: string, quoted: boolean): unknown {
  if (quoted) return value;
  if (/^-?(0|[1-9]\d*)$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : BigInt(value);
  }
  if (/^-?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}
