/**
 * Dataset namespaces and names by the OpenLineage naming conventions
 * (https://openlineage.io/docs/spec/naming): namespace = `scheme://authority` of the data
 * source, name = the path of the dataset inside it (`database.schema.table`, an object key, a topic).
 */
import type { DatasetRef } from './types.js';

/** Parts of a dataset namespace. */
export interface NamespaceParts {
  /** `postgres`, `mysql`, `s3`, `gs`, `kafka`, `file`, … */
  scheme: string;
  host?: string;
  port?: number | string;
  /** Used instead of host (`s3://{bucket}`, `snowflake://{account}`). */
  authority?: string;
}

/**
 * `scheme://host:port` (or `scheme://authority`); just `scheme` when there is no authority
 * (`bigquery`, `file`, `pubsub`).
 * @example
 * datasetNamespace({ scheme: 'postgres', host: 'db', port: 5432 }); // 'postgres://db:5432'
 */
export function datasetNamespace(parts: NamespaceParts): string {
  const scheme = parts.scheme.toLowerCase();
  let authority = parts.authority;
  if (authority === undefined && parts.host) {
    const host = parts.host.includes(':') && !parts.host.startsWith('[') ? `[${parts.host}]` : parts.host;
    authority = parts.port !== undefined && parts.port !== '' ? `${host.toLowerCase()}:${parts.port}` : host.toLowerCase();
  }
  return authority ? `${scheme}://${authority}` : scheme;
}

/** Default ports, so `postgres://db` and `postgres://db:5432` name the same data source. */
export const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  postgres: 5432,
  mysql: 3306,
  mariadb: 3306,
  sqlserver: 1433,
  mssql: 1433,
  oracle: 1521,
  db2: 50000,
  teradata: 1025,
  redshift: 5439,
  trino: 8080,
  presto: 8080,
  clickhouse: 8123,
  hive: 10000,
  cassandra: 9042,
  kafka: 9092,
  vertica: 5433,
  hana: 30015,
  greenplum: 5432,
  netezza: 5480,
  sybase: 5000,
  mongodb: 27017,
  redis: 6379,
  hdfs: 8020,
};

/** JDBC subprotocols → OpenLineage schemes (jdbc:postgresql → postgres). */
const JDBC_SCHEMES: Readonly<Record<string, string>> = {
  postgresql: 'postgres',
  pgsql: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
  sqlserver: 'mssql',
  jtds: 'mssql',
  oracle: 'oracle',
  db2: 'db2',
  as400: 'db2',
  teradata: 'teradata',
  redshift: 'redshift',
  trino: 'trino',
  presto: 'presto',
  clickhouse: 'clickhouse',
  hive2: 'hive',
  sap: 'hana',
  vertica: 'vertica',
  netezza: 'netezza',
  sybase: 'sybase',
  snowflake: 'snowflake',
  sqlite: 'file',
  databricks: 'databricks',
};

/** How many name parts the convention puts in front of the table (`{database}.{schema}.{table}`). */
const HAS_SCHEMA_LEVEL = new Set(['postgres', 'mssql', 'oracle', 'db2', 'redshift', 'trino', 'presto', 'snowflake', 'hana', 'vertica', 'netezza', 'sybase']);

/**
 * Namespace and name of a table reached through a JDBC URL, per the conventions:
 * `postgres://host:port` + `{database}.{schema}.{table}`, `mysql://host:port` + `{database}.{table}`,
 * `mssql://host:port` + `{database}.{schema}.{table}`, SQLite → `file` + the database file path.
 * User info and URL parameters (which may carry passwords) never reach the result.
 *
 * @param table `table`, `schema.table` or `database.schema.table`; `defaultSchema` fills a bare table.
 * @example
 * jdbcDataset('jdbc:postgresql://prod-db:5432/analytics', 'customers', { defaultSchema: 'public' });
 * // { namespace: 'postgres://prod-db:5432', name: 'analytics.public.customers' }
 */
export function jdbcDataset(jdbcUrl: string, table: string, options: { defaultSchema?: string } = {}): DatasetRef {
  const parsed = jdbcDataSource(jdbcUrl);
  if (parsed.scheme === 'file') return { namespace: 'file', name: parsed.database ?? table };
  const parts = table.split('.').filter(Boolean);
  const hasSchema = HAS_SCHEMA_LEVEL.has(parsed.scheme);
  if (hasSchema && parts.length === 1) parts.unshift(options.defaultSchema ?? (parsed.scheme === 'postgres' ? 'public' : parsed.scheme === 'mssql' ? 'dbo' : ''));
  const wanted = hasSchema ? 3 : 2;
  if (parts.length < wanted && parsed.database) parts.unshift(parsed.database);
  return {
    namespace: datasetNamespace({ scheme: parsed.scheme, host: parsed.host, port: parsed.port }),
    name: parts.filter(Boolean).join('.'),
  };
}

/** The parts of a JDBC URL that name a data source (never the credentials). */
export interface JdbcDataSource {
  scheme: string;
  host?: string;
  port?: number;
  database?: string;
}

/**
 * Reads host, port and database out of the common JDBC URL shapes:
 * `jdbc:sub://host:port/db?…`, SQL Server's `jdbc:sqlserver://host:port;databaseName=db;…`,
 * Oracle thin `jdbc:oracle:thin:@//host:port/service` and `@host:port:sid`, and
 * `jdbc:sqlite:/path/file.db`.
 */
export function jdbcDataSource(jdbcUrl: string): JdbcDataSource {
  const url = jdbcUrl.replace(/^jdbc:/i, '');
  const sub = (url.match(/^([a-z0-9]+)/i)?.[1] ?? '').toLowerCase();
  const scheme = JDBC_SCHEMES[sub] ?? sub;
  if (sub === 'sqlite') {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '').split('?')[0]!;
    return { scheme: 'file', database: path === ':memory:' || path === '' ? undefined : path };
  }
  if (sub === 'oracle') {
    const m = url.match(/@(?:\/\/)?([^:/?]+)(?::(\d+))?[/:]([^?;]+)/);
    return withDefaultPort({ scheme, host: m?.[1], port: m?.[2] ? Number(m[2]) : undefined, database: m?.[3] });
  }
  const m = url.match(/^[a-z0-9:]+?:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/;?,]+)(?::(\d+))?([^?;]*)/i);
  if (!m) return { scheme };
  const host = m[1]!.replace(/^\[|\]$/g, '');
  let database = (m[3] ?? '').replace(/^\//, '').split('/')[0] || undefined;
  const prop = url.match(/[;?&](?:databaseName|database|db)=([^;&]+)/i);
  if (!database && prop) database = decodeURIComponent(prop[1]!);
  return withDefaultPort({ scheme, host, port: m[2] ? Number(m[2]) : undefined, database: database && decodeURIComponent(database) });
}

function withDefaultPort(p: JdbcDataSource): JdbcDataSource {
  return p.port === undefined && DEFAULT_PORTS[p.scheme] ? { ...p, port: DEFAULT_PORTS[p.scheme] } : p;
}

/**
 * A dataset in a file system or object store from its URL: `s3://bucket/key` → namespace
 * `s3://bucket`, name `key`; `gs://`, `hdfs://nn:8020/path`, `abfss://container@account.dfs.core.windows.net/path`,
 * `wasbs://…`, `dbfs:/path`; a local path or `file:///path` → namespace `file`, name the absolute path.
 * `s3a://` and `s3n://` are named `s3` (the same bucket).
 * @example
 * fileDataset('s3a://lake/raw/orders.parquet'); // { namespace: 's3://lake', name: 'raw/orders.parquet' }
 */
export function fileDataset(location: string): DatasetRef {
  const m = location.match(/^([a-z][a-z0-9+.-]*):\/\/([^/]*)(\/.*)?$/i);
  if (!m) {
    if (/^dbfs:/i.test(location)) return { namespace: 'dbfs', name: location.slice(5) || '/' };
    // A plain local path (Windows drive letters included): the `file` namespace.
    return { namespace: 'file', name: location };
  }
  const scheme = m[1]!.toLowerCase();
  const authority = m[2]!.replace(/^[^@]*@(?=.*@)|^[^@:]*:[^@]*@/, ''); // drop user:password@ (keep container@account)
  const path = m[3] ?? '/';
  if (scheme === 'file') {
    return authority && authority !== 'localhost' ? { namespace: `file://${authority}`, name: path } : { namespace: 'file', name: path };
  }
  const normalized = scheme === 's3a' || scheme === 's3n' ? 's3' : scheme === 'gcs' ? 'gs' : scheme;
  // Object stores name objects by key (no leading slash); HDFS-style file systems by absolute path.
  const objectStore = ['s3', 'gs', 'wasbs', 'wasb', 'abfs', 'abfss'].includes(normalized);
  return { namespace: `${normalized}://${authority}`, name: objectStore ? path.replace(/^\/+/, '') || '/' : path };
}

/**
 * Kafka topic: namespace `kafka://{first bootstrap host}:{port}`, name the topic.
 * @example
 * kafkaDataset('b1:9092,b2:9092', 'orders'); // { namespace: 'kafka://b1:9092', name: 'orders' }
 */
export function kafkaDataset(bootstrapServers: string | readonly string[], topic: string): DatasetRef {
  const first = (Array.isArray(bootstrapServers) ? bootstrapServers[0] : String(bootstrapServers).split(',')[0]) ?? 'localhost';
  const [host, port] = splitHostPort(first.trim().replace(/^[a-z_]+:\/\//i, ''), DEFAULT_PORTS.kafka!);
  return { namespace: datasetNamespace({ scheme: 'kafka', host, port }), name: topic };
}

/** `host:port` (or `[v6]:port`) split, with a default port. */
export function splitHostPort(value: string, defaultPort?: number): [string, number | undefined] {
  const v6 = value.match(/^\[([^\]]+)\](?::(\d+))?$/);
  if (v6) return [v6[1]!, v6[2] ? Number(v6[2]) : defaultPort];
  const i = value.lastIndexOf(':');
  if (i > 0 && /^\d+$/.test(value.slice(i + 1)) && value.indexOf(':') === i) return [value.slice(0, i), Number(value.slice(i + 1))];
  return [value, defaultPort];
}

/** BigQuery table: namespace `bigquery`, name `{project}.{dataset}.{table}`. */
export function bigqueryDataset(project: string, datasetName: string, table: string): DatasetRef {
  return { namespace: 'bigquery', name: `${project}.${datasetName}.${table}` };
}

/** Snowflake table: namespace `snowflake://{org}-{account}` (lower case), name `{database}.{schema}.{table}`. */
export function snowflakeDataset(account: string, database: string, schema: string, table: string): DatasetRef {
  const acct = account.toLowerCase().replace(/\.snowflakecomputing\.com$/, '');
  return { namespace: `snowflake://${acct}`, name: `${database}.${schema}.${table}` };
}

/** Pub/Sub: namespace `pubsub`, name `topic:{project}:{topic}` or `subscription:{project}:{subscription}`. */
export function pubsubDataset(project: string, id: string, kind: 'topic' | 'subscription' = 'topic'): DatasetRef {
  return { namespace: 'pubsub', name: `${kind}:${project}:${id}` };
}

/** AWS Glue table: namespace `arn:aws:glue:{region}:{account}`, name `table/{database}/{table}`. */
export function glueDataset(region: string, accountId: string, database: string, table: string): DatasetRef {
  return { namespace: `arn:aws:glue:${region}:${accountId}`, name: `table/${database}/${table}` };
}

/** Cosmos DB container: namespace `azurecosmos://{host}/dbs/{database}`, name `colls/{container}`. */
export function cosmosDataset(host: string, database: string, container: string): DatasetRef {
  return { namespace: `azurecosmos://${host.toLowerCase()}/dbs/${database}`, name: `colls/${container}` };
}

/** An in-memory dataset (a local DataFrame): namespace `inmemory://`. */
export function inMemoryDataset(name: string): DatasetRef {
  return { namespace: 'inmemory://', name };
}
