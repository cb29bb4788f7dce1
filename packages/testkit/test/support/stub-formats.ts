/**
 * A deliberately minimal `FileFormats` for testkit's own tests, standing in for `@sparkle/formats`
 * (written in parallel, not in this branch): JSON lines and CSV only, whole objects read into
 * memory, schemas inferred with core's document rule. It exists so the object-store suite's table
 * checks and the copy test run here; it is not the formats implementation connectors use.
 */
import {
  conformDocument,
  getArrowToolkit,
  inferDocumentColumns,
  InvalidArgumentError,
  jsonText,
  projectColumns,
  type ColumnSpec,
  type FileFormats,
  type ObjectInfo,
  type ObjectStore,
} from '@sparkle/core';

const encoder = new TextEncoder();

async function readText(store: ObjectStore, key: string, signal?: AbortSignal): Promise<string> {
  const parts: string[] = [];
  const stream = new TextDecoder();
  for await (const chunk of store.getObject(key, signal ? { signal } : {})) parts.push(stream.decode(chunk, { stream: true }));
  parts.push(stream.decode());
  return parts.join('');
}

// -- CSV (RFC 4180: quoted fields, doubled quotes; an empty unquoted field is NULL, "" is empty text) --

function parseCsv(text: string): Array<Array<string | null>> {
  const rows: Array<Array<string | null>> = [];
  let row: Array<string | null> = [];
  let field = '';
  let quoted = false;
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inQuotes) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') inQuotes = false;
      else field += c;
    } else if (c === '"') {
      inQuotes = true;
      quoted = true;
    } else if (c === ',' || c === '\n') {
      row.push(quoted || field !== '' ? field : null);
      field = '';
      quoted = false;
      if (c === '\n') {
        rows.push(row);
        row = [];
      }
    } else if (c !== '\r') field += c;
  }
  if (field !== '' || quoted || row.length) {
    row.push(quoted || field !== '' ? field : null);
    rows.push(row);
  }
  return rows;
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = value instanceof Date ? value.toISOString() : typeof value === 'object' ? jsonText(value) : String(value);
  return text === '' || /[",\n\r]/.test(text) || text.trim() !== text ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV text as typed values: integers, decimals, booleans, else text. */
function csvValue(text: string | null): unknown {
  if (text === null) return null;
  if (/^-?\d{1,15}$/.test(text)) return Number(text);
  if (/^-?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}

function csvDocuments(text: string): Array<Record<string, unknown>> {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  return rows.map((r) => Object.fromEntries(header.map((name, i) => [name ?? `_c${i}`, csvValue(r[i] ?? null)])));
}

function jsonlDocuments(text: string, key: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch (cause) {
        throw new InvalidArgumentError(`${key} line ${i + 1} is not JSON`, { cause });
      }
    });
}

export const stubFileFormats: FileFormats = {
  formatOf(key, explicit) {
    if (explicit) return explicit;
    const ext = key.toLowerCase().split('.').pop();
    if (ext === 'jsonl' || ext === 'ndjson' || ext === 'json') return 'jsonl';
    if (ext === 'csv') return 'csv';
    throw new InvalidArgumentError(`The stub formats read .jsonl and .csv only, not ${key}`);
  },

  async planRead(store, objects: readonly ObjectInfo[], options) {
    const arrow = await getArrowToolkit();
    const load = async (o: ObjectInfo, signal?: AbortSignal) => {
      const text = await readText(store, o.key, signal);
      return this.formatOf(o.key, options.format) === 'csv' ? csvDocuments(text) : jsonlDocuments(text, o.key);
    };
    // One schema for every file: inferred from all of them (small test data).
    const sample = (await Promise.all(objects.map((o) => load(o, options.signal)))).flat();
    const projected = Boolean(options.columns?.length);
    let columns: ColumnSpec[] = inferDocumentColumns(sample);
    if (projected) columns = projectColumns(columns, options.columns);
    const schema = arrow.schema(columns);
    return {
      schema,
      partitions: objects.map((o) => ({
        description: o.key,
        open: (signal: AbortSignal) => {
          const rows = (async function* () {
            let n = 0;
            for (const doc of await load(o, signal)) yield conformDocument(doc, columns, `${o.key} row ${n++}`, projected);
          })();
          return arrow.rowsToBatches(rows, { schema });
        },
      })),
    };
  },

  async write(store, key, batches, options) {
    const arrow = await getArrowToolkit();
    const format = this.formatOf(key, options.format);
    const lines: string[] = [];
    let header: string[] | undefined;
    let rows = 0;
    for await (const batch of batches) {
      header ??= batch.schema.fields.map((f) => f.name);
      for (const row of arrow.rows(batch)) {
        rows++;
        lines.push(format === 'csv' ? header.map((h) => csvCell(row[h])).join(',') : jsonText(row));
      }
    }
    if (format === 'csv' && header) lines.unshift(header.map(csvCell).join(','));
    let text = lines.map((l) => `${l}\n`).join('');
    if (options.mode === 'append' && (await store.statObject(key))) {
      // Append by rewrite: fine for a test stub, not what a real format layer does.
      const existing = await readText(store, key);
      text = existing + (format === 'csv' ? text.slice(text.indexOf('\n') + 1) : text);
    }
    const bytes = encoder.encode(text);
    // Two chunks at least, so the store's streamed put path is the one used.
    async function* body() {
      const half = Math.floor(bytes.byteLength / 2);
      yield bytes.slice(0, half);
      yield bytes.slice(half);
    }
    await store.putObject(key, body(), {
      contentType: format === 'csv' ? 'text/csv' : 'application/x-ndjson',
      ...(options.options?.ifNoneMatch === '*' ? { ifNoneMatch: '*' as const } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { rows, bytes: bytes.byteLength };
  },
};

