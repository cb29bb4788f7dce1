/**
 * The connector's Spark mapping against a real Spark Connect server (pyspark 4.1's jars plus the
 * MongoDB Spark connector 10.5.0 and its driver, started by tools/services/ensure-spark-connect.sh
 * through the global setup, or SPARK_REMOTE) and a real MongoDB wire-protocol server (FerretDB,
 * ensure-ferretdb.sh): Spark reads what Sparkle wrote, and Sparkle reads back what Spark wrote
 * (`mongodb` format, append = upsert by `_id`), document for document. The Spark side goes through
 * `getConnection('mongodb', { spark })`, so the options Spark gets are the connector's own mapping.
 *
 * FerretDB implements neither the `$sample` stage (the Spark connector's schema inference) nor
 * what its default partitioner sizes collections with (collStats), so reads here give a `schema`
 * and use the partitioners the connector names (single, or paginate-into-partitions).
 * With CI set a missing server fails the run; elsewhere the suite skips by declaration and says why.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { getConnection, type Document } from '@sparkle/core';
import { SparkSession, type DataFrame } from '@sparkle/spark-connect';
import { sparkRemoteForTests } from '@sparkle/testkit';
import '../src/index.js';
import type { MongodbConnection } from '../src/index.js';
import { TEST_DATABASE } from './global-setup.js';

const remote = sparkRemoteForTests(inject);
const url = process.env.SPARKLE_TEST_MONGODB_URL;
if (!url) console.warn('[mongodb] Spark live tests skipped: SPARKLE_TEST_MONGODB_URL is not set (tools/services/ensure-ferretdb.sh)');
const unique = (p: string) => `${p}_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;
const all = async <T>(it: AsyncIterable<T>) => { const out: T[] = []; for await (const d of it) out.push(d); return out; };

/** One document as both sides can state it: timestamps as epoch milliseconds, absent fields as null. */
interface Row {
  _id: number;
  name: string | null;
  price: number | null;
  at: number | null;
  tags: string[] | null;
  address: { city: string | null; zip: number | null } | null;
}
const SCHEMA = '_id INT, name STRING, price DOUBLE, at TIMESTAMP, tags ARRAY<STRING>, address STRUCT<city: STRING, zip: INT>';
const byId = (a: Row, b: Row) => a._id - b._id;

/** A row Spark collected (timestamps arrive as epoch milliseconds, structs as objects). */
function sparkRow(r: Record<string, unknown>): Row {
  const address = r.address as { city: string | null; zip: number | null } | null;
  return {
    _id: Number(r._id),
    name: (r.name as string | null) ?? null,
    price: (r.price as number | null) ?? null,
    at: r.at === null || r.at === undefined ? null : Number(r.at instanceof Date ? r.at.getTime() : r.at),
    tags: (r.tags as string[] | null) ?? null,
    address: address ? { city: address.city ?? null, zip: address.zip ?? null } : null,
  };
}

/** A document Sparkle read through the driver. */
function documentRow(d: Document): Row {
  const address = d.address as { city?: string; zip?: number } | null | undefined;
  return {
    _id: d._id as number,
    name: (d.name as string | null | undefined) ?? null,
    price: (d.price as number | null | undefined) ?? null,
    at: d.at instanceof Date ? d.at.getTime() : null,
    tags: (d.tags as string[] | null | undefined) ?? null,
    address: address ? { city: address.city ?? null, zip: address.zip ?? null } : null,
  };
}

const collect = async (df: DataFrame) => (await df.collect()).map(sparkRow).sort(byId);

describe.skipIf(!remote || !url)('Spark Connect reads and writes MongoDB (FerretDB) through the connector', { timeout: 180_000 }, () => {
  let spark: SparkSession;
  let mongo: MongodbConnection; // with spark: readTable/writeTable run in Spark with the connector's options
  let local: MongodbConnection; // without: the driver

  beforeAll(async () => {
    spark = await SparkSession.builder().remote(remote!).appName('sparkle-mongodb-live-test').create();
    const config = { uri: url!, database: TEST_DATABASE };
    mongo = await getConnection<MongodbConnection>('mongodb', { config, spark, dotenv: false, variables: {} });
    local = await getConnection<MongodbConnection>('mongodb', { config, dotenv: false, variables: {} });
  });

  afterAll(async () => {
    await mongo?.close();
    await local?.close();
    await spark?.stop();
  });

  it('Spark reads what Sparkle wrote: nested documents, arrays, dates, nulls and absent fields', async () => {
    const collection = unique('spark_reads');
    const base = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    const documents: Document[] = Array.from({ length: 40 }, (_, i) => ({
      _id: i,
      name: `name-${i}`,
      // A null, an absent field, an absent nested document and an empty array are among them.
      ...(i === 7 ? { price: null } : i === 8 ? {} : { price: i * 1.25 }),
      at: new Date(base + i * 3_600_000),
      tags: i === 9 ? [] : ['all', `t${i % 4}`],
      ...(i === 11 ? {} : { address: { city: `city-${i % 5}`, zip: 1000 + i } }),
    }));
    const written = await local.upsertDocuments(collection, documents);
    expect(written).toEqual({ written: 40, failed: [] });

    // What was written, stated independently of both readers.
    const expected: Row[] = documents.map((d, i) => ({
      _id: i,
      name: `name-${i}`,
      price: i === 7 || i === 8 ? null : i * 1.25,
      at: base + i * 3_600_000,
      tags: i === 9 ? [] : ['all', `t${i % 4}`],
      address: i === 11 ? null : { city: `city-${i % 5}`, zip: 1000 + i },
    }));

    // One partition (SinglePartitionPartitioner) …
    expect(await collect(await mongo.readTable<DataFrame>(collection, { schema: SCHEMA }))).toEqual(expected);
    // … and four (PaginateIntoPartitionsPartitioner, `_id` ranges found by the server): the same rows.
    expect(await collect(await mongo.readTable<DataFrame>(collection, { schema: SCHEMA, numPartitions: 4 }))).toEqual(expected);
    // Projection and a Spark-side filter over the connector's read.
    const some = await mongo.readTable<DataFrame>(collection, { schema: SCHEMA, columns: ['_id', 'name'], where: '_id >= 30' });
    expect((await some.collect()).map((r) => ({ _id: Number(r._id), name: r.name })).sort((a, b) => a._id - b._id)).toEqual(
      expected.filter((r) => r._id >= 30).map((r) => ({ _id: r._id, name: r.name })),
    );
  });

  it("Sparkle reads back what Spark wrote (format 'mongodb', append upserts by _id), identically to Spark's own read", async () => {
    const collection = unique('spark_writes');
    const frame = (from: number, to: number, suffix: string) =>
      spark.sql(
        `SELECT CAST(id AS INT) AS _id,
                concat('item-', id, '${suffix}') AS name,
                IF(id = 4, CAST(NULL AS DOUBLE), id * 0.5) AS price,
                timestamp_millis(1767312245000 + id * 60000) AS at,
                IF(id = 5, CAST(NULL AS ARRAY<STRING>), array('x', CAST(id AS STRING))) AS tags,
                IF(id = 6, NULL, named_struct('city', concat('c', id % 3), 'zip', CAST(2000 + id AS INT))) AS address
         FROM range(${from}, ${to}, 1, 2)`,
      );
    const first = await mongo.writeTable(frame(0, 25, ''), collection, { mode: 'append' });
    expect(first.written).toBe(true);
    // Appending rows with known `_id`s replaces those documents (operationType replace, upsert):
    // ids 20..24 change, 25..29 are new.
    await mongo.writeTable(frame(20, 30, '-v2'), collection, { mode: 'append' });

    const expected: Row[] = Array.from({ length: 30 }, (_, id) => ({
      _id: id,
      name: `item-${id}${id >= 20 ? '-v2' : ''}`,
      price: id === 4 ? null : id * 0.5,
      at: 1767312245000 + id * 60000,
      tags: id === 5 ? null : ['x', String(id)],
      address: id === 6 ? null : { city: `c${id % 3}`, zip: 2000 + id },
    }));
    const documents = await all(local.findDocuments(collection));
    expect(documents).toHaveLength(30);
    const sparkle = documents.map(documentRow).sort(byId);
    expect(sparkle).toEqual(expected);
    expect(await collect(await mongo.readTable<DataFrame>(collection, { schema: SCHEMA, numPartitions: 3 }))).toEqual(sparkle);
    // Spark's INT became a BSON int32 and its TIMESTAMP a BSON date, as the driver sees them.
    const one = documents.find((d) => d._id === 3)!;
    expect(one.at).toBeInstanceOf(Date);
    expect(one.address).toEqual({ city: 'c0', zip: 2003 });
  });
});
