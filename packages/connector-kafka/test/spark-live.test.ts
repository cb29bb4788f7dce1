/**
 * The connector's Spark mapping against a real Spark Connect server (pyspark's jars plus
 * spark-sql-kafka-0-10, started by tools/services/ensure-spark-connect.sh through the global
 * setup, or SPARK_REMOTE) and the real broker (ensure-kafka.sh): Spark reads, in batch, what
 * Sparkle produced, and Sparkle consumes what Spark wrote, row for row (key, value, headers,
 * partition, offset, timestamp). The Spark side goes through `getConnection('kafka', { spark })`,
 * so the options Spark gets are the connector's own `kafka.`-prefixed mapping.
 * With CI set a missing server fails the run; elsewhere the suite skips by declaration and says why.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { getConnection, type ProducerRecord, type StreamMessage } from '@sparkle/core';
import { SparkSession, type DataFrame } from '@sparkle/spark-connect';
import { sparkRemoteForTests } from '@sparkle/testkit';
import '../src/index.js';
import type { KafkaConnection } from '../src/index.js';
import { brokers, uniqueTopic } from './broker.js';

const remote = sparkRemoteForTests(inject);

/** One Kafka record as both sides can state it: bytes as hex, headers as ordered [name, hex] pairs. */
interface Row {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: Array<[string, string]>;
  timestamp: number;
}

const hex = (bytes: Uint8Array | null | undefined) => (bytes === null || bytes === undefined ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex'));
const byPosition = (a: Pick<Row, 'partition' | 'offset'>, b: Pick<Row, 'partition' | 'offset'>) => a.partition - b.partition || a.offset - b.offset;

/** Spark's Kafka row (key/value binary, headers array<struct<key, value>>, offset bigint) as a Row. */
function sparkRow(r: Record<string, unknown>): Row {
  const headers = (r.headers as Array<{ key: string; value: Uint8Array | null }> | null) ?? [];
  return {
    partition: Number(r.partition),
    offset: Number(r.offset as bigint),
    key: hex(r.key as Uint8Array | null),
    value: hex(r.value as Uint8Array | null),
    headers: headers.map((h) => [h.key, hex(h.value) ?? '']),
    timestamp: Number(r.timestamp),
  };
}

/** A message Sparkle consumed as a Row. */
function sparkleRow(m: StreamMessage): Row {
  return {
    partition: Number(m.partition),
    offset: Number(m.position),
    key: hex(m.key),
    value: hex(m.value),
    headers: Object.entries(m.headers).map(([k, v]) => [k, hex(v) ?? '']),
    timestamp: m.timestamp?.getTime() ?? -1,
  };
}

/** A row of the local engine's Arrow table (readTable without spark) as a Row. */
function arrowRow(r: Record<string, unknown>): Row {
  type Header = { key: string; value: Uint8Array | null };
  const headers = r.headers as Header[] | { toArray(): Header[] } | null;
  const list = headers === null ? [] : Array.isArray(headers) ? headers : headers.toArray();
  return {
    partition: Number(r.partition),
    offset: Number(r.offset as bigint),
    key: hex(r.key as Uint8Array | null),
    value: hex(r.value as Uint8Array | null),
    headers: list.map((h) => [String(h.key), hex(h.value) ?? '']),
    timestamp: Number(r.timestamp),
  };
}

const collect = async (df: DataFrame) => (await df.collect()).map(sparkRow).sort(byPosition);

describe.skipIf(!remote)('Spark Connect reads and writes Kafka through the connector', { timeout: 180_000 }, () => {
  let spark: SparkSession;
  let kafka: KafkaConnection; // with spark: readTable/writeTable run in Spark with the connector's options
  let local: KafkaConnection; // without: produce/consume through kafkajs

  beforeAll(async () => {
    spark = await SparkSession.builder().remote(remote!).appName('sparkle-kafka-live-test').create();
    const config = { brokers: brokers.split(',') };
    kafka = await getConnection<KafkaConnection>('kafka', { config, spark, dotenv: false, variables: {} });
    local = await getConnection<KafkaConnection>('kafka', { config, dotenv: false, variables: {} });
  });

  afterAll(async () => {
    await kafka?.close();
    await local?.close();
    await spark?.stop();
  });

  it('Spark reads (batch) what Sparkle produced: key, value, headers, partition, offset, timestamp', async () => {
    const topic = uniqueTopic('spark_reads');
    await local.createTopic(topic, { partitions: 3 });
    const base = Date.UTC(2026, 0, 2, 3, 4, 5);
    const records: ProducerRecord[] = Array.from({ length: 30 }, (_, i) => ({
      // A null key, binary (not UTF-8) values and a record without headers are among them.
      key: i === 4 ? null : `k-${i}`,
      value: i % 7 === 3 ? new Uint8Array([0, 255, 128, i]) : JSON.stringify({ id: i, name: `n-${i}` }),
      ...(i % 5 === 2 ? {} : { headers: { trace: `t-${i}`, seq: String(i), raw: new Uint8Array([i, 0xfe]) } }),
      partition: String(i % 3),
      timestamp: new Date(base + i * 1000),
    }));
    await local.produce(topic, records);

    // What was produced, stated independently of both readers: a fresh topic numbers each
    // partition's records 0, 1, 2, … in the order they were sent.
    const next = [0, 0, 0];
    const expected: Row[] = records
      .map((r, i) => ({
        partition: i % 3,
        offset: next[i % 3]!++,
        key: r.key === null ? null : Buffer.from(r.key as string).toString('hex'),
        value: typeof r.value === 'string' ? Buffer.from(r.value).toString('hex') : hex(r.value as Uint8Array),
        headers: Object.entries(r.headers ?? {}).map(([k, v]): [string, string] => [k, typeof v === 'string' ? Buffer.from(v).toString('hex') : hex(v as Uint8Array)!]),
        timestamp: base + i * 1000,
      }))
      .sort(byPosition);

    const whole = await kafka.readTable<DataFrame>(topic);
    expect(await collect(whole)).toEqual(expected);

    // A range: from offset 2 of partition 0, 3 of partition 1 and the start of 2, up to offset 7
    // of partition 0, 5 of partition 1 and the end of 2 (end offsets are exclusive). Partition 2
    // is given as 0..10, not Spark's -2/-1 markers: on a loaded 2-core machine Spark 4.1.1 once
    // resolved that partition's -2..-1 to an empty range (CI rehearsal, 7 of 17 rows); the
    // whole-topic read above already covers earliest/latest.
    const ranged = await kafka.readTable<DataFrame>(topic, {
      options: {
        startingOffsets: JSON.stringify({ [topic]: { 0: 2, 1: 3, 2: 0 } }),
        endingOffsets: JSON.stringify({ [topic]: { 0: 7, 1: 5, 2: 10 } }),
      },
    });
    const ends = [7, 5, Infinity];
    const starts = [2, 3, 0];
    expect(await collect(ranged)).toEqual(expected.filter((r) => r.offset >= starts[r.partition]! && r.offset < ends[r.partition]!));

    // The same range read by Sparkle's local engine into Arrow agrees with Spark (the local
    // engine takes explicit offsets per partition, not Spark's -2/-1 markers).
    const frame = await local.readTable<{ toArray(): Promise<Array<Record<string, unknown>>> }>(topic, {
      options: {
        startingOffsets: JSON.stringify({ [topic]: { 0: 2, 1: 3, 2: 0 } }),
        endingOffsets: JSON.stringify({ [topic]: { 0: 7, 1: 5, 2: 10 } }),
      },
    });
    expect((await frame.toArray()).map(arrowRow).sort(byPosition)).toEqual(await collect(ranged));
  });

  it("Sparkle consumes what Spark wrote (df.write.format('kafka')), identically to Spark's own read", async () => {
    const topic = uniqueTopic('spark_writes');
    await local.createTopic(topic, { partitions: 2 });
    const df = spark.sql(
      `SELECT IF(id = 3, NULL, concat('key-', id)) AS key,
              IF(id = 5, unhex('00FF80'), CAST(to_json(named_struct('id', id, 'twice', id * 2)) AS BINARY)) AS value,
              CAST(id % 2 AS INT) AS partition,
              IF(id = 6, NULL, array(named_struct('key', 'origin', 'value', CAST('spark' AS BINARY)),
                                     named_struct('key', 'n', 'value', CAST(CAST(id AS STRING) AS BINARY)))) AS headers
       FROM range(0, 20, 1, 1)`,
    );
    const before = Date.now();
    const result = await kafka.writeTable(df, topic, { mode: 'append' });
    const after = Date.now();
    expect(result.written).toBe(true);

    const consumed: StreamMessage[] = [];
    for await (const m of local.consumeRange(topic)) consumed.push(m);
    const sparkle = consumed.map(sparkleRow).sort(byPosition);
    const sparkRead = await collect(await kafka.readTable<DataFrame>(topic));
    expect(sparkle).toEqual(sparkRead);

    // And both are what Spark was asked to write: one partition of range() writes in id order.
    const utf8 = (s: string) => Buffer.from(s).toString('hex');
    const next = [0, 0];
    const expected = Array.from({ length: 20 }, (_, id) => ({
      partition: id % 2,
      offset: next[id % 2]!++,
      key: id === 3 ? null : utf8(`key-${id}`),
      value: id === 5 ? '00ff80' : utf8(JSON.stringify({ id, twice: id * 2 })),
      headers: id === 6 ? [] : ([['origin', utf8('spark')], ['n', utf8(String(id))]] as Array<[string, string]>),
    })).sort(byPosition);
    expect(sparkle.map(({ timestamp: _, ...r }) => r)).toEqual(expected);
    // Spark's producer stamped each record (CreateTime) while the write ran.
    for (const r of sparkle) {
      expect(r.timestamp).toBeGreaterThanOrEqual(before - 1000);
      expect(r.timestamp).toBeLessThanOrEqual(after + 1000);
    }
  });
});
