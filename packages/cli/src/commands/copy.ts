/** `sparkle copy`: move a table from one connection to another through the local engine. */
import { resolve } from 'node:path';
import { createLineageClient, getConnection, SparkleError, type LineageClient, type SparkleConnection, type WriteMode } from '@sparkle/core';
import type { CopyResult as EngineCopyResult } from '@sparkle/engine-local';
import { boundOption, intOption, listOption, parseCommandArgs } from '../args.js';
import { configRoot, prepareRegistry } from '../context.js';
import { describeError, environmentSecrets, EXIT, exitCodeFor, UsageError } from '../errors.js';
import { formatBytes, formatCount, formatDuration } from '../output.js';
import { ProgressReporter } from '../progress.js';
import type { Command } from './types.js';

/** One side of a copy: `postgres:public.customers`, `parquet:./out/customers.parquet`. */
export interface Endpoint {
  type: string;
  table: string;
}

const TYPE_PREFIX = /^([A-Za-z][A-Za-z0-9_-]*):(.+)$/s;

/**
 * Splits `<type>:<table or path>` at the first colon.
 * @example
 * parseEndpoint('parquet:./out/customers.parquet'); // → { type: 'parquet', table: './out/customers.parquet' }
 */
export function parseEndpoint(text: string, role: 'source' | 'target'): Endpoint {
  const match = TYPE_PREFIX.exec(text);
  if (!match || !match[2]!.trim()) {
    throw new UsageError(`The ${role} '${text}' is not <type>:<table or path>.`, 'for example: sparkle copy postgres:public.customers parquet:./out/customers.parquet');
  }
  return { type: match[1]!, table: match[2]! };
}

const MODES: Record<string, WriteMode> = {
  append: 'append',
  overwrite: 'overwrite',
  errorifexists: 'errorIfExists',
  error: 'errorIfExists',
  'error-if-exists': 'errorIfExists',
  ignore: 'ignore',
};

function modeOption(value: string | undefined): WriteMode | undefined {
  if (value === undefined) return undefined;
  const mode = MODES[value.toLowerCase()];
  if (!mode) throw new UsageError(`--mode must be one of append, overwrite, errorIfExists, ignore; got '${value}'.`);
  return mode;
}

/** `sparkle copy --json` (stable: fields are only ever added). */
export interface CopyResult {
  ok: boolean;
  source: Endpoint & { env: string; dataset?: { namespace: string; name: string } };
  target: Endpoint & { env: string; dataset?: { namespace: string; name: string }; mode: WriteMode };
  rows?: number;
  bytes?: number;
  /** False when mode `ignore` found the target existing and wrote nothing. */
  written?: boolean;
  elapsedMs?: number;
  lineage: { enabled: boolean; transport: string; runId?: string };
  error?: { code: string; message: string };
}

function transportKind(client: LineageClient): string {
  const transport = (client as { transport?: { kind?: unknown } }).transport;
  return typeof transport?.kind === 'string' ? transport.kind : client.enabled ? 'custom' : 'off';
}

export const copyCommand: Command = {
  name: 'copy',
  summary: 'copy a table between two connections (local engine, progress, lineage)',
  usage: `Usage: sparkle copy <source> <target> [options]

Reads <source> and writes it to <target>, both given as <type>:<table or path>, e.g.
  sparkle copy postgres:public.customers parquet:./out/customers.parquet --env prod
Rows stream as Arrow batches (partitioned reads run in parallel). The target write is atomic:
on failure nothing is left half-written and the exit code is 1. Lineage: one 'copy' run with
the read and the write as child runs, sent where OpenLineage is configured (openlineage.yml,
OPENLINEAGE_*), or to --lineage-file.

Options:
  --env <name>               env of both sides (default SPARKLE_ENV, then dev)
  --source-env <name>        env of the source (overrides --env)
  --target-env <name>        env of the target (overrides --env)
  --config-dir <dir>         config root holding connections/<type>/ (default SPARKLE_CONFIG_DIR, then ./config)
  --mode <mode>              append | overwrite | errorIfExists | ignore (default errorIfExists)
  --where <sql>              predicate pushed down to the source
  --columns <a,b>            columns to copy
  --fetch-size <n>           rows per round trip when reading
  --batch-size <n>           rows per insert batch when writing
  --partition-by <a,b>       object-store targets: write Hive-style column=value/ directories (Spark's partitionBy)

Partitioned read (Spark's JDBC semantics) — these flags go together:
  --partition-column <col>   numeric or date column to split the read on (required by the three below)
  --num-partitions <n>       partitions read in parallel (with --partition-column)
  --lower-bound <x>          lower bound of the stride (with --partition-column; rows below it are still read)
  --upper-bound <y>          upper bound of the stride (with --partition-column; rows above it are still read)
  e.g. --partition-column customer_id --num-partitions 8   (bounds default to the column's min and max)

Other options:
  --lineage-file <path>      write this run's lineage events to an NDJSON file
  --quiet                    no progress output
  --json                     a JSON summary on stdout: { ok, source, target, rows, bytes, elapsedMs, lineage }
  -r, --require <m>          import a module first (registers custom connections); repeatable
  -h, --help                 show this help`,
  async run(argv, { io, out }) {
    const { values, positionals } = parseCommandArgs('copy', argv, {
      env: { type: 'string' },
      'source-env': { type: 'string' },
      'target-env': { type: 'string' },
      'config-dir': { type: 'string' },
      mode: { type: 'string' },
      'partition-column': { type: 'string' },
      'num-partitions': { type: 'string' },
      'lower-bound': { type: 'string' },
      'upper-bound': { type: 'string' },
      where: { type: 'string' },
      columns: { type: 'string' },
      'fetch-size': { type: 'string' },
      'batch-size': { type: 'string' },
      'partition-by': { type: 'string' },
      'lineage-file': { type: 'string' },
      quiet: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 2) {
      throw new UsageError(`Expected <source> and <target>, got ${positionals.length} argument${positionals.length === 1 ? '' : 's'}.`, "run 'sparkle copy --help'");
    }
    const source = parseEndpoint(positionals[0]!, 'source');
    const target = parseEndpoint(positionals[1]!, 'target');
    const mode = modeOption(values.mode) ?? 'errorIfExists';
    const numPartitions = intOption('num-partitions', values['num-partitions']);
    const fetchSize = intOption('fetch-size', values['fetch-size']);
    const batchSize = intOption('batch-size', values['batch-size']);
    const lowerBound = boundOption(values['lower-bound']);
    const upperBound = boundOption(values['upper-bound']);
    const partitionColumn = values['partition-column'];
    if ((lowerBound !== undefined || upperBound !== undefined || numPartitions !== undefined) && !partitionColumn) {
      throw new UsageError(
        '--num-partitions, --lower-bound and --upper-bound need --partition-column (the numeric or date column the read is split on).',
        'for example: --partition-column customer_id --num-partitions 4',
      );
    }
    const readOptions = defined({ partitionColumn, numPartitions, lowerBound, upperBound, where: values.where, columns: listOption(values.columns), fetchSize });
    const sourceEnv = values['source-env'] ?? values.env;
    const targetEnv = values['target-env'] ?? values.env;

    await prepareRegistry(values.require, io);
    const configDir = configRoot(values['config-dir'], io);
    const lineage = createLineageClient({
      env: io.env,
      cwd: io.cwd,
      // An explicit --lineage-file wins over OPENLINEAGE_DISABLED and openlineage.yml.
      ...(values['lineage-file'] ? { transport: { type: 'file', log_file_path: resolve(io.cwd, values['lineage-file']) }, disabled: false } : {}),
    });

    const opened: Array<SparkleConnection<object>> = [];
    const summary: CopyResult = {
      ok: false,
      source: { ...source, env: sourceEnv ?? '' },
      target: { ...target, env: targetEnv ?? '', mode },
      lineage: { enabled: lineage.enabled, transport: transportKind(lineage) },
    };
    const reporter = values.quiet ? undefined : new ProgressReporter(io.stderr);
    try {
      const sourceConn = await getConnection(source.type, { env: sourceEnv, configDir, variables: io.env, lineage });
      opened.push(sourceConn);
      const targetConn = await getConnection(target.type, { env: targetEnv, configDir, variables: io.env, lineage });
      opened.push(targetConn);
      summary.source = { ...source, type: sourceConn.type, env: sourceConn.env, dataset: pick(sourceConn.dataset(source.table)) };
      summary.target = { ...target, type: targetConn.type, env: targetConn.env, mode, dataset: pick(targetConn.dataset(target.table)) };

      // Imported here, not at the top: every other command starts without loading Arrow.
      const { copyTable } = await import('@sparkle/engine-local');
      let result: EngineCopyResult;
      try {
        result = await copyTable({
          source: { connection: sourceConn, table: source.table, options: readOptions },
          target: { connection: targetConn, table: target.table, options: defined({ mode, batchSize, partitionBy: listOption(values['partition-by']) }) },
          ...(reporter ? { onProgress: reporter.update } : {}),
          ...(io.signal ? { signal: io.signal } : {}),
        });
      } catch (error) {
        // A driver message may quote either side's connection string: scrub both sides' secrets.
        throw scrub(error, (text) => targetConn.redact(sourceConn.redact(text)));
      }
      reporter?.finish();
      Object.assign(summary, {
        ok: true,
        rows: result.rows,
        bytes: result.bytes,
        written: result.write.written,
        elapsedMs: Math.round(result.elapsedMs),
        lineage: { ...summary.lineage, runId: result.runId },
      });
    } catch (error) {
      reporter?.finish();
      if (!values.json) throw error;
      // --json: the failure is part of the summary on stdout, and also explained on stderr.
      const lines = describeError(error, { debug: io.env.SPARKLE_DEBUG === '1', secrets: environmentSecrets(io.env) });
      summary.error = { code: SparkleError.isInstance(error) ? error.code : 'INTERNAL', message: lines[0]!.replace(/^error: (\[[A-Z_]+\] )?/, '') };
      out.json(summary);
      for (const line of lines) out.note(line);
      return exitCodeFor(error);
    } finally {
      for (const conn of opened.reverse()) await conn.close().catch(() => undefined);
      await lineage.close().catch(() => undefined);
    }

    if (values.json) {
      out.json(summary);
      return EXIT.ok;
    }
    const seconds = (summary.elapsedMs ?? 0) / 1000;
    const rate = seconds > 0 ? `, ${formatCount((summary.rows ?? 0) / seconds)} rows/s` : '';
    const from = `${summary.source.type}:${source.table}`;
    const to = `${summary.target.type}:${target.table}`;
    if (summary.written === false) {
      out.line(`${to} already exists: nothing written (mode ignore).`);
    } else {
      out.line(`copied ${formatCount(summary.rows ?? 0)} rows (${formatBytes(summary.bytes ?? 0)}) from ${from} to ${to}${locationNote(summary.target.dataset)} in ${formatDuration(summary.elapsedMs ?? 0)}${rate}`);
    }
    out.line(
      summary.lineage.enabled
        ? `lineage: run ${summary.lineage.runId} sent via ${summary.lineage.transport}${values['lineage-file'] ? ` (${values['lineage-file']})` : ''}`
        : 'lineage: off (configure openlineage.yml or OPENLINEAGE_*, or pass --lineage-file)',
    );
    return EXIT.ok;
  },
};

/** The object without its undefined fields (options objects treat absent and undefined alike, but lineage metadata prints them). */
function defined<T extends Record<string, unknown>>(object: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/**
 * Where a file target really went, when the table name alone does not say (a relative path under
 * a configured basePath): ` (file /abs/out/x.parquet)`, ` (s3://bucket/key)`; '' for tables.
 */
function locationNote(dataset: { namespace: string; name: string } | undefined): string {
  if (!dataset) return '';
  if (dataset.namespace === 'file') return ` (file ${dataset.name})`;
  if (/^(s3|gs|abfss|wasbs|hdfs|file):\/\//.test(dataset.namespace)) return ` (${dataset.namespace}/${dataset.name.replace(/^\//, '')})`;
  return '';
}

function pick(dataset: { namespace: string; name: string }): { namespace: string; name: string } {
  return { namespace: dataset.namespace, name: dataset.name };
}

/** Returns the error with its message passed through `clean` (Sparkle errors keep their class and code). */
function scrub(error: unknown, clean: (text: string) => string): unknown {
  if (error instanceof Error) {
    const message = clean(error.message);
    if (message !== error.message) Object.defineProperty(error, 'message', { value: message, configurable: true, writable: true });
  }
  return error;
}
