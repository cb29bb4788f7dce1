/** Dataset identities by the OpenLineage naming conventions (https://openlineage.io/docs/spec/naming). */
import { describe, expect, it } from 'vitest';
import {
  bigqueryDataset,
  cosmosDataset,
  datasetNamespace,
  fileDataset,
  glueDataset,
  inMemoryDataset,
  jdbcDataSource,
  jdbcDataset,
  kafkaDataset,
  pubsubDataset,
  snowflakeDataset,
} from '../src/lineage/index.js';

describe('datasetNamespace', () => {
  it('scheme://host:port, scheme://authority, or the bare scheme', () => {
    expect(datasetNamespace({ scheme: 'postgres', host: 'Prod-DB', port: 5432 })).toBe('postgres://prod-db:5432');
    expect(datasetNamespace({ scheme: 's3', authority: 'my-bucket' })).toBe('s3://my-bucket');
    expect(datasetNamespace({ scheme: 'mysql', host: '::1', port: 3306 })).toBe('mysql://[::1]:3306');
    expect(datasetNamespace({ scheme: 'bigquery' })).toBe('bigquery');
  });
});

describe('jdbcDataset', () => {
  it.each([
    // [jdbc url, table, namespace, name]
    ['jdbc:postgresql://prod-db:5432/analytics', 'customers', 'postgres://prod-db:5432', 'analytics.public.customers'],
    ['jdbc:postgresql://prod-db/analytics?user=u&password=p', 'sales.orders', 'postgres://prod-db:5432', 'analytics.sales.orders'],
    ['jdbc:mysql://db.internal:3307/shop', 'orders', 'mysql://db.internal:3307', 'shop.orders'],
    ['jdbc:mariadb://maria/shop', 'orders', 'mysql://maria:3306', 'shop.orders'],
    ['jdbc:sqlserver://sql1:1433;databaseName=dw;encrypt=true;password=x', 'sales.facts', 'mssql://sql1:1433', 'dw.sales.facts'],
    ['jdbc:sqlserver://sql1;database=dw', 'facts', 'mssql://sql1:1433', 'dw.dbo.facts'],
    ['jdbc:oracle:thin:@//ora:1521/ORCLPDB1', 'HR.EMPLOYEES', 'oracle://ora:1521', 'ORCLPDB1.HR.EMPLOYEES'],
    ['jdbc:oracle:thin:@ora:1522:ORCL', 'HR.EMPLOYEES', 'oracle://ora:1522', 'ORCL.HR.EMPLOYEES'],
    ['jdbc:db2://db2host:50000/SAMPLE', 'ADMIN.T1', 'db2://db2host:50000', 'SAMPLE.ADMIN.T1'],
    ['jdbc:trino://trino:8080/hive', 'default.events', 'trino://trino:8080', 'hive.default.events'],
    ['jdbc:redshift://cluster.abc.us-east-1.redshift.amazonaws.com:5439/dev', 'public.t', 'redshift://cluster.abc.us-east-1.redshift.amazonaws.com:5439', 'dev.public.t'],
    ['jdbc:postgresql://user:secret@[::1]:6543/db', 'public.t', 'postgres://[::1]:6543', 'db.public.t'],
  ])('%s + %s', (url, table, namespace, name) => {
    expect(jdbcDataset(url, table)).toEqual({ namespace, name });
  });

  it('fills the configured default schema; a fully qualified name is kept', () => {
    expect(jdbcDataset('jdbc:postgresql://h:5432/app', 'users', { defaultSchema: 'crm' }).name).toBe('app.crm.users');
    expect(jdbcDataset('jdbc:postgresql://h:5432/app', 'other.crm.users').name).toBe('other.crm.users');
  });

  it('SQLite: the file namespace and the database path', () => {
    expect(jdbcDataset('jdbc:sqlite:/var/data/app.db', 'users')).toEqual({ namespace: 'file', name: '/var/data/app.db' });
    expect(jdbcDataSource('jdbc:sqlite::memory:')).toEqual({ scheme: 'file', database: undefined });
  });

  it('never carries credentials', () => {
    const parsed = jdbcDataSource('jdbc:postgresql://admin:Sup3rS3cret@db:5432/x?password=Sup3rS3cret');
    expect(JSON.stringify(parsed)).not.toContain('Sup3rS3cret');
    expect(JSON.stringify(parsed)).not.toContain('admin');
  });
});

describe('fileDataset', () => {
  it.each([
    ['s3://lake/raw/orders.parquet', 's3://lake', 'raw/orders.parquet'],
    ['s3a://lake/raw/', 's3://lake', 'raw/'],
    ['gs://bucket/a/b.csv', 'gs://bucket', 'a/b.csv'],
    ['gcs://bucket/a/b.csv', 'gs://bucket', 'a/b.csv'],
    ['abfss://data@acct.dfs.core.windows.net/bronze/t1', 'abfss://data@acct.dfs.core.windows.net', 'bronze/t1'],
    ['wasbs://c@acct.blob.core.windows.net/x.json', 'wasbs://c@acct.blob.core.windows.net', 'x.json'],
    ['hdfs://namenode:8020/warehouse/t', 'hdfs://namenode:8020', '/warehouse/t'],
    ['file:///tmp/data/x.parquet', 'file', '/tmp/data/x.parquet'],
    ['file://nas01/share/x.csv', 'file://nas01', '/share/x.csv'],
    ['/home/me/data.csv', 'file', '/home/me/data.csv'],
    ['dbfs:/mnt/raw/t', 'dbfs', '/mnt/raw/t'],
  ])('%s', (location, namespace, name) => {
    expect(fileDataset(location)).toEqual({ namespace, name });
  });

  it('drops user:password@ from object-store URLs', () => {
    expect(fileDataset('s3://AKIAX:s3cr3t@bucket/key')).toEqual({ namespace: 's3://bucket', name: 'key' });
  });
});

describe('other conventions', () => {
  it('kafka: first bootstrap server', () => {
    expect(kafkaDataset('b1.kafka:9093,b2.kafka:9093', 'orders')).toEqual({ namespace: 'kafka://b1.kafka:9093', name: 'orders' });
    expect(kafkaDataset(['SASL_SSL://broker'], 'events')).toEqual({ namespace: 'kafka://broker:9092', name: 'events' });
  });
  it('bigquery, snowflake, pubsub, glue, cosmos, in-memory', () => {
    expect(bigqueryDataset('proj', 'ds', 't')).toEqual({ namespace: 'bigquery', name: 'proj.ds.t' });
    expect(snowflakeDataset('MyOrg-Acct1', 'DB', 'PUBLIC', 'T')).toEqual({ namespace: 'snowflake://myorg-acct1', name: 'DB.PUBLIC.T' });
    expect(pubsubDataset('p', 'topic1')).toEqual({ namespace: 'pubsub', name: 'topic:p:topic1' });
    expect(pubsubDataset('p', 'sub1', 'subscription').name).toBe('subscription:p:sub1');
    expect(glueDataset('eu-west-1', '123456789012', 'db', 't')).toEqual({ namespace: 'arn:aws:glue:eu-west-1:123456789012', name: 'table/db/t' });
    expect(cosmosDataset('acct.documents.azure.com', 'db1', 'orders')).toEqual({ namespace: 'azurecosmos://acct.documents.azure.com/dbs/db1', name: 'colls/orders' });
    expect(inMemoryDataset('df_1')).toEqual({ namespace: 'inmemory://', name: 'df_1' });
  });
});
