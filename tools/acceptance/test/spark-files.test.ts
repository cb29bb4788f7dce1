/**
 * `parquet` and `local` through a real Spark Connect server: files Spark writes are read by the
 * local engine and files the local engine writes are read by Spark, with the same values and
 * types (decimals, timestamps, dates, NULLs, nested lists). Spark runs on this machine, so both
 * sides see the same paths.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DataType, type Field, type Table } from 'apache-arrow';
import { getConnection, type SparkleConnection } from '@sparkle/core';
import '@sparkle/connector-parquet';
import '@sparkle/connector-local';
import { bigIntToDecimalString, decimalWordsToBigInt, type LocalFrame } from '@sparkle/engine-local';
import { SparkSession, type DataFrame } from '@sparkle/spark-connect';
import { sparkRemoteForTests, tempDir, type TempDir } from '@sparkle/testkit';

const remote = sparkRemoteForTests(inject);

/** 40 rows covering the awkward types, NULLs in every nullable column. */
const TYPED_SQL = `SELECT id,
    CASE WHEN id % 7 = 0 THEN NULL ELSE CAST(id * 1234.5678 - 20000 AS DECIMAL(18,4)) END AS amount,
    CASE WHEN id % 9 = 0 THEN NULL ELSE CAST('123456789012345678901234.5678901234' AS DECIMAL(38,10)) * (id - 20) END AS big_amount,
    CASE WHEN id % 5 = 0 THEN NULL ELSE TIMESTAMP '2024-02-29 23:59:58.123456' + make_interval(0, 0, 0, id, id, 0, id * 1.001) END AS ts,
    CASE WHEN id % 6 = 0 THEN NULL ELSE DATE '1969-12-25' + CAST(id AS INT) END AS day,
    CASE WHEN id % 4 = 0 THEN NULL ELSE concat('row ', id, CASE WHEN id % 3 = 0 THEN ' – 東京' ELSE '' END) END AS label,
    CASE WHEN id % 8 = 0 THEN NULL ELSE sequence(0, CAST(id % 4 AS INT)) END AS ints,
    CASE WHEN id % 10 = 0 THEN NULL ELSE array(array(CAST(id AS STRING), NULL), array()) END AS nested,
    CASE WHEN id % 3 = 0 THEN NULL ELSE id % 2 = 0 END AS flag,
    CAST(id AS DOUBLE) / 8 AS ratio
  FROM range(1, 41)`;

/** One comparable value per Arrow type: decimals as exact text, times as epoch ms, lists as arrays. */
function canonicalValue(type: DataType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (DataType.isDecimal(type)) return bigIntToDecimalString(decimalWordsToBigInt(value as Uint32Array, 0, type.bitWidth / 32), type.scale);
  if (DataType.isList(type)) {
    const child = type.children[0]!.type;
    return [...(value as Iterable<unknown>)].map((v) => canonicalValue(child, v));
  }
  if (DataType.isTimestamp(type) || DataType.isDate(type)) return Number(value);
  if (typeof value === 'bigint') return Number(value);
  return value;
}

function canonicalRows(table: Table): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = [];
  for (let i = 0; i < table.numRows; i++) {
    const row: Record<string, unknown> = {};
    for (const field of table.schema.fields) row[field.name] = canonicalValue(field.type, table.getChild(field.name)!.get(i));
    rows.push(row);
  }
  return rows.sort((a, b) => Number(a.id) - Number(b.id));
}

/** The logical type of a column, ignoring what does not survive Parquet (time zone, unit, nullability). */
function kind(field: Field): string {
  const t = field.type;
  if (DataType.isDecimal(t)) return `decimal(${t.precision},${t.scale})`;
  if (DataType.isTimestamp(t)) return 'timestamp';
  if (DataType.isDate(t)) return 'date';
  if (DataType.isList(t)) return `list<${kind(t.children[0]!)}>`;
  if (DataType.isInt(t)) return `int${t.bitWidth}`;
  if (DataType.isFloat(t)) return 'float64';
  if (DataType.isUtf8(t) || DataType.isLargeUtf8(t)) return 'string';
  return String(t);
}

const kinds = (table: Table) => table.schema.fields.map((f) => `${f.name}:${kind(f)}`);

let spark: SparkSession;
let dir: TempDir;

describe.skipIf(!remote)('parquet and local files through a real Spark Connect server', { timeout: 240_000 }, () => {
  beforeAll(async () => {
    spark = await SparkSession.builder().remote(remote!).appName('sparkle-acceptance-files').config('spark.sql.session.timeZone', 'UTC').create();
    dir = await tempDir('sparkle-spark-files-');
  });

  afterAll(async () => {
    await spark?.stop();
    await dir?.cleanup();
  });

  const typeOf = (name: string) => (name === 'parquet' ? 'parquet' : 'local');

  for (const type of ['parquet', 'local'] as const) {
    it(`${type}: a directory Spark writes is read by the local engine with the same values and types`, async () => {
      const source = spark.sql(TYPED_SQL);
      const expectedTable = await source.toArrow();
      const expected = canonicalRows(expectedTable);
      expect(expected).toHaveLength(40);
      const name = `spark_out_${type}.parquet`;
      await using viaSpark = (await getConnection(typeOf(type), { config: { basePath: dir.path }, spark })) as SparkleConnection<object>;
      await using local = (await getConnection(typeOf(type), { config: { basePath: dir.path } })) as SparkleConnection<object>;
      await viaSpark.writeTable(source, name, { mode: 'overwrite' });
      const read = await (await local.readTable<LocalFrame>(name)).toTable();
      expect(kinds(read)).toEqual(kinds(expectedTable));
      expect(canonicalRows(read)).toEqual(expected);
    });

    it(`${type}: a file the local engine writes is read by Spark with the same values and types`, async () => {
      // The local engine writes the rows it read from Spark's result (its own Arrow table).
      const table = await spark.sql(TYPED_SQL).toArrow();
      const name = `local_out_${type}.parquet`;
      await using local = (await getConnection(typeOf(type), { config: { basePath: dir.path } })) as SparkleConnection<object>;
      await using viaSpark = (await getConnection(typeOf(type), { config: { basePath: dir.path }, spark })) as SparkleConnection<object>;
      await local.writeTable(table, name, { mode: 'overwrite' });
      const written = await (await local.readTable<LocalFrame>(name)).toTable();
      const back = await (await viaSpark.readTable<DataFrame>(name)).toArrow();
      expect(kinds(back)).toEqual(kinds(written));
      expect(canonicalRows(back)).toEqual(canonicalRows(table));
    });
  }
});
