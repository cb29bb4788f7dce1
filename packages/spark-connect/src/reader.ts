/**
 * `spark.read` and `spark.readStream`: Read relations over a data source or a catalog table.
 */
import { inspect } from 'node:util';
import { redactedOptions } from './inspect.js';
import { InvalidArgumentError } from '@sparkle/core';
import { DataFrame } from './dataframe.js';
import { relation } from './plan.js';
import type { SparkSession } from './session.js';

/** JDBC partitioning as in Spark's `read.jdbc(url, table, column, lower, upper, numPartitions)`. */
export interface JdbcPartitioning {
  partitionColumn: string;
  lowerBound: number | bigint | string;
  upperBound: number | bigint | string;
  numPartitions: number;
}

abstract class SourceReader<Self> {
  protected sourceFormat: string | undefined;
  protected sourceSchema: string | undefined;
  protected sourceOptions: Record<string, string> = {};

  constructor(protected readonly session: SparkSession) {}

  /** Format, schema and options with secret values replaced (what printing a reader shows). */
  toJSON(): Record<string, unknown> {
    return { format: this.sourceFormat, schema: this.sourceSchema, options: redactedOptions(this.sourceOptions) };
  }

  toString(): string {
    return `${this.constructor.name}(${JSON.stringify(this.toJSON())})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }

  format(source: string): Self {
    this.sourceFormat = source;
    return this as unknown as Self;
  }

  /** A DDL schema string (`'id BIGINT, name STRING'`); without it the source infers one. */
  schema(ddl: string): Self {
    this.sourceSchema = ddl;
    return this as unknown as Self;
  }

  option(key: string, value: string | number | boolean): Self {
    this.sourceOptions[key] = String(value);
    return this as unknown as Self;
  }

  options(options: Record<string, string | number | boolean>): Self {
    for (const [k, v] of Object.entries(options)) this.option(k, v);
    return this as unknown as Self;
  }

  protected dataSource(streaming: boolean, paths: string[], predicates: string[] = []): DataFrame {
    return new DataFrame(
      this.session,
      relation(this.session.planIds, {
        case: 'read',
        value: {
          isStreaming: streaming,
          readType: {
            case: 'dataSource',
            value: {
              ...(this.sourceFormat !== undefined ? { format: this.sourceFormat } : {}),
              ...(this.sourceSchema !== undefined ? { schema: this.sourceSchema } : {}),
              options: { ...this.sourceOptions },
              paths,
              predicates,
            },
          },
        },
      }),
    );
  }
}

/**
 * Batch reads.
 *
 * @example
 * ```ts
 * const df = spark.read.format('csv').option('header', true).schema('id INT, name STRING').load('/data/people.csv');
 * ```
 */
export class DataFrameReader extends SourceReader<DataFrameReader> {
  /** Loads from `paths` (or from options alone: JDBC, Kafka). */
  load(paths?: string | string[]): DataFrame {
    return this.dataSource(false, paths === undefined ? [] : Array.isArray(paths) ? paths : [paths]);
  }

  /**
   * Loads with JDBC predicates: one Spark partition per predicate. Used by the Sparkle engine for
   * connector specs that carry predicates.
   */
  loadWithPredicates(predicates: string[], paths: string[] = []): DataFrame {
    return this.dataSource(false, paths, predicates);
  }

  /** A catalog table or view. */
  table(name: string): DataFrame {
    return this.session.table(name);
  }

  parquet(...paths: string[]): DataFrame {
    return this.format('parquet').load(paths);
  }

  json(...paths: string[]): DataFrame {
    return this.format('json').load(paths);
  }

  csv(...paths: string[]): DataFrame {
    return this.format('csv').load(paths);
  }

  /**
   * Reads a database table over JDBC, optionally partitioned by a column's range or by predicates.
   *
   * @example
   * ```ts
   * spark.read.jdbc('jdbc:postgresql://db:5432/shop', 'orders',
   *   { partitionColumn: 'id', lowerBound: 1, upperBound: 1_000_000, numPartitions: 8 },
   *   { user: 'reader', password: process.env.PGPASSWORD! });
   * ```
   */
  jdbc(url: string, table: string, partitioning?: JdbcPartitioning | string[], properties: Record<string, string> = {}): DataFrame {
    this.format('jdbc').options(properties).option('url', url).option('dbtable', table);
    if (Array.isArray(partitioning)) return this.dataSource(false, [], partitioning);
    if (partitioning) {
      if (!(Number.isInteger(partitioning.numPartitions) && partitioning.numPartitions > 0)) {
        throw new InvalidArgumentError('jdbc(): numPartitions must be a positive integer', { connector: 'spark-connect' });
      }
      this.option('partitionColumn', partitioning.partitionColumn)
        .option('lowerBound', String(partitioning.lowerBound))
        .option('upperBound', String(partitioning.upperBound))
        .option('numPartitions', partitioning.numPartitions);
    }
    return this.dataSource(false, []);
  }
}

/**
 * Streaming reads (`is_streaming` set on the Read relation).
 *
 * @example
 * ```ts
 * const events = spark.readStream.format('kafka').option('kafka.bootstrap.servers', 'k:9092').option('subscribe', 'events').load();
 * ```
 */
export class DataStreamReader extends SourceReader<DataStreamReader> {
  load(path?: string): DataFrame {
    return this.dataSource(true, path === undefined ? [] : [path]);
  }

  /** A streaming read of a catalog table. */
  table(name: string): DataFrame {
    return new DataFrame(
      this.session,
      relation(this.session.planIds, { case: 'read', value: { isStreaming: true, readType: { case: 'namedTable', value: { unparsedIdentifier: name, options: { ...this.sourceOptions } } } } }),
    );
  }
}
