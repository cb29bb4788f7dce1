/**
 * JSON records → a native read plan of Arrow batches. The schema is the one the config gives or
 * one inferred from the first `sampleSize` records; those sampled records are kept and streamed
 * first, so inference costs no second request, and the rest of the source is pulled lazily one
 * page at a time, one page ahead (memory stays at two pages plus one Arrow batch).
 */
import {
  conformDocument,
  getArrowToolkit,
  inferDocumentColumns,
  projectColumns,
  recordPages,
  UnsupportedOperationError,
  type ColumnSpec,
  type NativeReadPlan,
  type ReadTableOptions,
} from '@sparkle/core';
import { coerceForColumn } from './schema.js';

/** Records sampled for schema inference when the read does not say. */
export const DEFAULT_SAMPLE_SIZE = 1000;

export interface RecordsPlanOptions {
  /** Connector type, for errors. */
  connector: string;
  /** What is read (endpoint name, URL), for errors and progress. */
  name: string;
  /** The records, pulled lazily. Called once; `signal` aborts the underlying requests. */
  records: (signal: AbortSignal) => AsyncIterable<unknown>;
  /** Declared columns (other fields of a record are left out); absent → inferred from a sample. */
  columns?: ColumnSpec[];
  read: ReadTableOptions;
  /** Default sample size of this source (the read's `sampleSize` wins). */
  sampleSize?: number;
}

function asRecord(value: unknown, where: string, connector: string): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  // A list of scalars (`["a","b"]`) becomes one `value` column rather than an error.
  if (value === null || typeof value !== 'object') return { value };
  throw new UnsupportedOperationError(`${where} is an array, not an object: point the record selector at the list of records`, { connector });
}

/** Refuses the read options an HTTP source cannot honour (SQL predicates). */
export function refuseSqlOptions(options: ReadTableOptions, connector: string, name: string): void {
  if (options.where || options.predicates?.length) {
    throw new UnsupportedOperationError(
      `${connector} does not run SQL: '${options.where ? 'where' : 'predicates'}' cannot filter '${name}'. Put the filter in the endpoint's query parameters, or filter the frame after reading`,
      { connector },
    );
  }
}

/**
 * Builds the plan: one partition (pages of an API depend on each other: each names the next).
 * `partitionColumn`/`numPartitions` are accepted and read as that one partition.
 */
export async function recordsReadPlan(options: RecordsPlanOptions): Promise<NativeReadPlan> {
  const { connector, name, read } = options;
  refuseSqlOptions(read, connector, name);
  const arrow = await getArrowToolkit(connector);
  // Requests follow the read's signal and, once the partition opens, the engine's.
  const controller = new AbortController();
  const signal = read.signal ? AbortSignal.any([read.signal, controller.signal]) : controller.signal;
  // Pages, not records: one await per page (not per record), and a paginator requests the next
  // page while this one is converted (core's recordPages), so memory stays at two pages plus one
  // Arrow batch.
  const pages = recordPages(options.records(signal));
  /** Records of the page being consumed, from `at` on. */
  let page: unknown[] = [];
  let at = 0;
  const sample: Record<string, unknown>[] = [];
  let done = false;
  let columns = options.columns;
  if (!columns) {
    const size = Math.max(1, read.sampleSize ?? options.sampleSize ?? DEFAULT_SAMPLE_SIZE);
    while (sample.length < size) {
      if (at >= page.length) {
        const next = await pages.next();
        if (next.done) {
          done = true;
          break;
        }
        page = next.value;
        at = 0;
        continue;
      }
      sample.push(asRecord(page[at++], `${name} record ${sample.length}`, connector));
    }
    columns = inferDocumentColumns(sample);
  }
  const projecting = Boolean(read.columns?.length);
  const fixed = projecting ? projectColumns(columns, read.columns) : columns;
  // A declared schema selects the fields it names (APIs send more than a table needs); an
  // inferred one must hold every field, so a field the sample missed fails instead of vanishing.
  const projected = projecting || Boolean(options.columns);
  const schema = arrow.schema(fixed);
  let opened = false;
  // Only declared columns need JSON values converted (ISO text → Date …); inferred ones match JSON kinds.
  const declared = Boolean(options.columns);
  const conform = (record: Record<string, unknown>, n: number) => {
    if (!declared) return conformDocument(record, fixed, `${name} record ${n}`, projected);
    const coerced: Record<string, unknown> = { ...record };
    for (const column of fixed) if (column.name in coerced) coerced[column.name] = coerceForColumn(coerced[column.name], column.type);
    return conformDocument(coerced, fixed, `${name} record ${n}`, projected);
  };
  return {
    schema,
    partitions: [
      {
        description: name,
        open(engineSignal: AbortSignal) {
          if (opened) throw new UnsupportedOperationError(`${name}: this read plan streams its pages once; call readTable again to read again`, { connector });
          opened = true;
          const stop = () => controller.abort(engineSignal.reason);
          if (engineSignal.aborted) stop();
          else engineSignal.addEventListener('abort', stop, { once: true });
          let n = 0;
          const cleanup = async () => {
            engineSignal.removeEventListener('abort', stop);
            await pages.return(undefined);
          };
          const batchSize = read.fetchSize ? { batchSize: read.fetchSize } : {};
          const sink = arrow.batchBuilder?.({ schema, ...batchSize });
          if (!sink) {
            // An engine without a push builder: one record at a time through rowsToBatches.
            const rows = (async function* () {
              try {
                for (const record of sample) yield conform(record, n++);
                sample.length = 0;
                for (;;) {
                  while (at < page.length) yield conform(asRecord(page[at++], `${name} record ${n}`, connector), n++);
                  if (done) break;
                  const next = await pages.next();
                  if (next.done) break;
                  [page, at] = [next.value, 0];
                }
              } finally {
                await cleanup();
              }
            })();
            return arrow.rowsToBatches(rows, { schema, ...batchSize });
          }
          return (async function* () {
            try {
              for (const record of sample) {
                const full = sink.push(conform(record, n++));
                if (full) yield full;
              }
              sample.length = 0;
              for (;;) {
                while (at < page.length) {
                  const full = sink.push(conform(asRecord(page[at++], `${name} record ${n}`, connector), n++));
                  if (full) yield full;
                }
                if (done) break;
                const next = await pages.next();
                if (next.done) break;
                [page, at] = [next.value, 0];
              }
            } finally {
              await cleanup();
            }
            const last = sink.finish();
            if (last) yield last;
          })();
        },
      },
    ],
  };
}
